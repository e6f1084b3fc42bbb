"""Config validation: exact one-line messages with file, line and key; exit code 2; nothing written."""

from __future__ import annotations


import pytest
from PIL import Image
from click.testing import CliRunner

from packgen.cli import main
from packgen.practice.load import load

from ..conftest import MINIMAL, errors_of, write


def test_minimal_config_loads_with_defaults(tmp_path):
    config = load(write(tmp_path / "p.yaml", MINIMAL)).config
    assert config.practice.ods_code == "B12345"
    assert config.migration.read_only_days == 45
    assert config.migration.source_support_days == 90
    assert config.migration.holidays == "england-and-wales"
    assert config.third_parties == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("ods_code: B12345", "ods_code: B1234"),
         "p.yaml:3: practice.ods_code: must be one letter and five digits, like A81001 (got 'B1234')"),
        (("address:", "adress:"), "p.yaml:4: practice.adress: unknown key; did you mean 'address'?"),
        (("go_live: 2027-06-14", "go_live: 2027-06-01"),
         "p.yaml:11: migration.go_live: must be after final_data_production (10/06/2027)"),
        (("go_live: 2027-06-14", "go_live: 14/06/2027"),
         "p.yaml:11: migration.go_live: must be a date written YYYY-MM-DD, for example 2027-03-04 (got '14/06/2027')"),
        (("go_live: 2027-06-14", "go_live: 2027-02-30"), "p.yaml:11: migration.go_live: '2027-02-30' is not a real date"),
        (("target_system: EMIS Web", "target_system: EMIS Web\n  logoff_time: 18:30"),
         'p.yaml:10: migration.logoff_time: write the time in quotes, like "18:30"'),
        (("target_system: EMIS Web", "target_system: EMIS Web\n  holidays: wales"),
         "p.yaml:10: migration.holidays: must be one of england-and-wales, scotland or northern-ireland (got 'wales')"),
        (("{name: Alex Green}", "{name: Alex Green, phone: 1234567}"),
         'p.yaml:6: contacts.practice_manager.phone: must be text; put it in quotes, like "1234567"'),
        (("  practice_manager: {name: Alex Green}\n", ""), "p.yaml:5: contacts: is empty; fill it in or remove the key"),
        (("  practice_manager: {name: Alex Green}\n", "  lead_gp: {name: Dr Who}\n"),
         "p.yaml:5: contacts.practice_manager: is required but missing"),
        (("migration:", "migratoin:"), "p.yaml:7: migratoin: unknown key; did you mean 'migration'?"),
    ],
)
def test_one_mistake_gives_one_exact_message(tmp_path, change, expected):
    path = write(tmp_path / "p.yaml", MINIMAL.replace(*change))
    assert errors_of(path) == [f"{path}:{expected.split(':', 1)[1]}"]


def test_every_problem_is_reported_at_once_in_file_order(tmp_path):
    text = MINIMAL.replace("B12345", "12345").replace("address:", "adress:").replace("2027-06-14", "2027-06-01")
    path = write(tmp_path / "p.yaml", text)
    assert errors_of(path) == [
        f"{path}:3: practice.ods_code: must be one letter and five digits, like A81001 (got 12345)",
        f"{path}:4: practice.adress: unknown key; did you mean 'address'?",
        f"{path}:11: migration.go_live: must be after final_data_production (10/06/2027)",
    ]


def test_unknown_third_party_kind_lists_the_allowed_kinds(tmp_path):
    path = write(tmp_path / "p.yaml", MINIMAL + "third_parties:\n  - name: Labs\n    kind: lab\n")
    assert errors_of(path) == [
        f"{path}:14: third_parties.0.kind: must be one of subsidiary_supplier, pathology, bowel_screening, "
        "nhs111, out_of_hours, pharmacy, pcse, sms_provider, online_services, other or eps (got 'lab')"
    ]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("practice:\n  name: [unclosed\n", "p.yaml:3:1: YAML syntax error: expected ',' or ']', but got '<stream end>'"),
        ("", "p.yaml:1: the file is empty; expected a practice config"),
        ("- a\n- b\n", "p.yaml:1: expected keys such as 'practice:' at the top, found a list"),
        (MINIMAL + "practice:\n  name: Again\n", "p.yaml:12: practice: appears twice; keep one"),
    ],
)
def test_unreadable_yaml(tmp_path, content, expected):
    path = write(tmp_path / "p.yaml", content)
    assert errors_of(path) == [f"{tmp_path}/{expected}"]


def test_binary_and_non_utf8_files(tmp_path):
    binary = tmp_path / "b.yaml"
    binary.write_bytes(b"\x00\x01\x02")
    latin = tmp_path / "l.yaml"
    latin.write_bytes(MINIMAL.replace("Hillside", "H\xe9lside").encode("latin-1"))
    assert errors_of(binary) == [f"{binary}: is a binary file, not a YAML config"]
    assert errors_of(latin) == [f"{latin}:2: is not UTF-8 text (byte 0xe9); save it as UTF-8"]


def test_relative_paths_resolve_against_the_config_folder(tmp_path, monkeypatch):
    folder = tmp_path / "practice"
    (folder / "guidance").mkdir(parents=True)
    Image.new("RGB", (2, 2)).save(folder / "logo.png")  # a real image: a damaged one is refused
    path = write(folder / "p.yaml", MINIMAL.replace("  address:", "  logo: logo.png\n  address:") + "content: .\n")
    monkeypatch.chdir(tmp_path)
    config = load(path).config
    assert config.practice.logo == folder / "logo.png"
    assert config.content == folder
    missing = write(folder / "q.yaml", MINIMAL.replace("  address:", "  logo: nope.png\n  address:"))
    assert errors_of(missing) == [f"{missing}:4: practice.logo: no such file: {folder / 'nope.png'}"]


def test_cli_config_error_exit_code_no_traceback_nothing_written(tmp_path):
    path = write(tmp_path / "p.yaml", MINIMAL.replace("go_live: 2027-06-14", "go_live: 2027-06-01"))
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", str(path), "-o", str(out)])
    assert result.exit_code == 2
    assert result.output == f"Error: {path}:11: migration.go_live: must be after final_data_production (10/06/2027)\n"
    assert "Traceback" not in result.output
    assert not out.exists()


@pytest.mark.parametrize("given", ["missing.yaml", "."])
def test_cli_missing_file_or_folder(tmp_path, monkeypatch, given):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["build", given])
    assert result.exit_code == 2
    expected = "no such file" if given == "missing.yaml" else "is a folder; give the practice's .yaml file"
    assert result.output == f"Error: {given}: {expected}\n"
    assert not (tmp_path / "output").exists()


def test_logo_outside_the_config_folder_is_refused(tmp_path):
    Image.new("RGB", (2, 2)).save(tmp_path / "secret.png")  # a real image: a damaged one is refused
    folder = tmp_path / "practice"
    path = write(folder / "p.yaml", MINIMAL.replace("  address:", "  logo: ../secret.png\n  address:"))
    assert errors_of(path) == [f"{path}:4: practice.logo: '../secret.png' is outside the trusted root {folder}; "
                               "move it inside, or widen the root with --root"]
    assert load(path, [tmp_path]).config.practice.logo == tmp_path / "secret.png"  # --root widens it
