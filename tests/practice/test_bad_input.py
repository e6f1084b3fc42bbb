"""The bad-input corpus in tests/bad-input/: each file gives its exact one-line error, exit code 2, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from packgen.cli import main

CORPUS = Path(__file__).parent / "bad-input"
CASES = {
    "malformed.yaml": "malformed.yaml:12:1: YAML syntax error: expected ',' or ']', but got '<stream end>'",
    "wrong-types.yaml": "2 problems in the config:\n"
                        "wrong-types.yaml:4: practice.address: must be a list (one item per line starting with '- ')\n"
                        "wrong-types.yaml:10: migration.final_data_production: must be a date written YYYY-MM-DD, "
                        "for example 2027-03-04 (got True)",
    "unknown-key.yaml": "unknown-key.yaml:9: migration.target_sytem: unknown key; did you mean 'target_system'?",
    "missing-key.yaml": "missing-key.yaml:1: practice.ods_code: is required but missing",
    "dates-in-wrong-order.yaml": "dates-in-wrong-order.yaml:11: migration.go_live: must be after final_data_production "
                                 "(10/06/2027)",
    "date-format.yaml": "date-format.yaml:10: migration.final_data_production: must be a date written YYYY-MM-DD, "
                        "for example 2027-03-04 (got '10/06/2027')",
    "empty.yaml": "empty.yaml:1: the file is empty; expected a practice config",
    "binary.yaml": "binary.yaml: is a binary file, not a YAML config",
    "not-utf8.yaml": "not-utf8.yaml:2: is not UTF-8 text (byte 0xe9); save it as UTF-8",
    "missing.yaml": "missing.yaml: no such file",
    "logo-outside.yaml": "logo-outside.yaml:4: practice.logo: '../../../etc/hostname' is outside the trusted root "
                         f"{CORPUS}; move it inside, or widen the root with --root",
    "python-tag.yaml": "python-tag.yaml:3:13: YAML syntax error: could not determine a constructor for the tag "
                       "'tag:yaml.org,2002:python/object/apply:os.system'",
    "hostile-markdown.yaml": f"{CORPUS}/hostile-content/guidance/15-hostile.md: unknown value: 'cycler' is undefined",
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input_gives_one_clear_error_and_writes_nothing(name, tmp_path, monkeypatch):
    monkeypatch.chdir(CORPUS)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", name, "-o", str(out)])
    assert result.output == f"Error: {CASES[name]}\n"
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert not out.exists()
