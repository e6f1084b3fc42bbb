"""`packgen check` and `packgen init`: validate without building; a starter config that passes its own check."""

from __future__ import annotations

import json

from click.testing import CliRunner

from packgen.cli import main
from packgen.starter import SCHEMA_FILE

from .conftest import EXAMPLE, MINIMAL, write

OPTIONS = ["--name", "Hillside Surgery", "--ods-code", "b12345", "--address", "1 Hill Road, Upton, UP1 1AA",
           "--practice-manager", "Alex Green", "--source-system", "Vision", "--target-system", "EMIS Web",
           "--fdp", "2027-06-10", "--go-live", "2027-06-14"]


def test_check_clean_config_exits_0_and_builds_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["check", str(EXAMPLE), "--today", "2026-11-27"])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{EXAMPLE}: ok\n"
    assert list(tmp_path.iterdir()) == []


def test_check_reports_errors_with_exit_2_and_warnings_with_strict_exit_1(tmp_path):
    bad = write(tmp_path / "bad.yaml", MINIMAL.replace("go_live: 2027-06-14", "go_live: 2027-06-01"))
    warned = write(tmp_path / "warned.yaml", MINIMAL)  # no third parties: a warning
    runner = CliRunner()
    result = runner.invoke(main, ["check", str(bad), str(warned), "--today", "2026-11-27"])
    assert result.exit_code == 2
    assert f"error: {bad}:11: migration.go_live: must be after final_data_production (10/06/2027)" in result.stderr
    assert f"warning: {warned}:1: third_parties: no third parties are listed" in result.stderr
    assert result.stdout == f"{warned}: ok, 1 warning\n"
    assert runner.invoke(main, ["check", str(warned), "--today", "2026-11-27"]).exit_code == 0
    strict = runner.invoke(main, ["check", str(warned), "--strict", "--today", "2026-11-27"])
    assert strict.exit_code == 1


def test_init_writes_a_starter_that_passes_check(tmp_path):
    target = tmp_path / "hill.yaml"
    result = CliRunner().invoke(main, ["init", str(target), *OPTIONS], input="")
    assert result.exit_code == 0, result.output
    text = target.read_text()
    assert text.splitlines()[0] == f"# yaml-language-server: $schema={SCHEMA_FILE}"
    assert "ods_code: B12345" in text and "final_data_production: 2027-06-10" in text
    assert json.loads((tmp_path / SCHEMA_FILE).read_text())["title"] == "packgen practice config"
    check = CliRunner().invoke(main, ["check", str(target), "--today", "2026-11-27"])
    assert check.exit_code == 0 and check.stdout == f"{target}: ok, 1 warning\n"


def test_init_asks_in_a_terminal_refuses_to_overwrite_and_checks_the_answers(tmp_path, monkeypatch):
    monkeypatch.setattr("packgen.cli._interactive", lambda: True)
    answers = "Hillside Surgery\nB12345\n1 Hill Road, Upton\nAlex Green\nVision\nEMIS Web\n2027-06-10\n2027-06-14\n"
    target = tmp_path / "asked.yaml"
    result = CliRunner().invoke(main, ["init", str(target)], input=answers)
    assert result.exit_code == 0, result.output
    assert "Practice name: " in result.output and "name: Hillside Surgery" in target.read_text()
    again = CliRunner().invoke(main, ["init", str(target), *OPTIONS])
    assert again.exit_code == 1 and again.output == f"Error: {target}: already exists; choose another name or remove it first\n"
    wrong = CliRunner().invoke(main, ["init", str(tmp_path / "wrong.yaml"), *OPTIONS[:-1], "2027-06-01"])
    assert wrong.exit_code == 2
    assert wrong.output == (f"Error: {tmp_path / 'wrong.yaml'}:25: migration.go_live: must be after "
                            "final_data_production (10/06/2027)\n")
    assert not (tmp_path / "wrong.yaml").exists()


def test_init_without_a_terminal_needs_every_value(tmp_path, monkeypatch):
    monkeypatch.setattr("packgen.cli._interactive", lambda: False)
    result = CliRunner().invoke(main, ["init", str(tmp_path / "p.yaml"), "--name", "Hillside Surgery"])
    assert result.exit_code == 1
    assert result.output == "Error: --ods-code is required when packgen init is not run in a terminal\n"
    assert not (tmp_path / "p.yaml").exists()
