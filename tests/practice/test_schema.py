"""The JSON Schema, checked by a real validator on every example config, with and without `extends`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from packgen.cli import main
from packgen.practice.config import json_schema

from ..conftest import ROOT, write

VALIDATOR = Draft202012Validator(json_schema())
CONFIGS = sorted((ROOT / "practices").rglob("*.yaml"))


def _as_editor_reads(value: object) -> object:
    """YAML as an editor's language server reads it (YAML 1.2): a date is a string."""
    if isinstance(value, dict):
        return {key: _as_editor_reads(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_as_editor_reads(item) for item in value]
    return value.isoformat() if isinstance(value, dt.date) else value


def problems(path: Path) -> list[str]:
    data = _as_editor_reads(yaml.safe_load(path.read_text(encoding="utf-8")))
    return [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in VALIDATOR.iter_errors(data)]


def test_the_schema_is_valid_json_schema():
    Draft202012Validator.check_schema(json_schema())


def test_the_examples_include_a_wave():
    assert {p.name for p in CONFIGS} >= {"riverside.yaml", "_wave.yaml", "brookside-surgery.yaml"}


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.name)
def test_every_example_config_validates(path):
    assert problems(path) == []


def test_a_config_without_extends_must_be_complete(tmp_path):
    path = write(tmp_path / "p.yaml", "practice: {name: Hillside Surgery, ods_code: B12345}\n")
    assert sorted(problems(path)) == [": 'contacts' is a required property", ": 'migration' is a required property",
                              "practice: 'address' is a required property"]


def test_in_a_file_that_extends_another_every_key_is_optional(tmp_path):
    path = write(tmp_path / "p.yaml", "extends: _wave.yaml\npractice: {name: Hillside Surgery}\n"
                                      "contacts: {practice_manager: {email: alex@nhs.net}}\n")
    assert problems(path) == []
    typo = write(tmp_path / "q.yaml", "extends: _wave.yaml\npractice: {nmae: Hillside Surgery}\n")
    assert problems(typo) == ["practice: Additional properties are not allowed ('nmae' was unexpected)"]


def test_a_third_party_in_a_file_that_extends_needs_only_its_name(tmp_path):
    path = write(tmp_path / "p.yaml", "extends: _wave.yaml\nthird_parties:\n  - {name: Lab, email: lab@nhs.net}\n"
                                      "  - {name: Old Lab, remove: true}\n")
    assert problems(path) == []  # merged by name with the parent's
    nameless = write(tmp_path / "q.yaml", "extends: _wave.yaml\nthird_parties:\n  - {kind: pathology, remove: true}\n")
    assert problems(nameless) == ["third_parties.0: 'name' is a required property"]
    alone = write(tmp_path / "r.yaml", "practice: {name: Hillside Surgery}\nthird_parties:\n  - {name: Lab, remove: true}\n")
    assert "third_parties.0: Additional properties are not allowed ('remove' was unexpected)" in problems(alone)


def test_init_writes_the_schema_line_and_a_config_that_validates(tmp_path):
    target = tmp_path / "hill.yaml"
    result = CliRunner().invoke(main, ["init", str(target), "--name", "Hillside Surgery", "--ods-code", "B12345",
                                       "--address", "1 Hill Road, Upton", "--practice-manager", "Alex Green",
                                       "--source-system", "Vision", "--target-system", "EMIS Web",
                                       "--fdp", "2027-06-10", "--go-live", "2027-06-14"])
    assert result.exit_code == 0, result.output
    assert target.read_text().startswith("# yaml-language-server: $schema=practice.schema.json\n")
    assert (tmp_path / "practice.schema.json").is_file()
    assert problems(target) == []
