"""The command line: version, help with examples, and the JSON Schema."""

from __future__ import annotations

import json

from click.testing import CliRunner

from packgen import __version__
from packgen.cli import main


def test_version():
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"packgen, version {__version__}\n"


def test_help_shows_examples():
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    assert "packgen build practices/riverside.yaml" in result.output
    build_help = CliRunner().invoke(main, ["build", "--help"])
    assert "--today YYYY-MM-DD" in build_help.output and "-o, --output" in build_help.output


def test_schema_describes_the_config():
    result = CliRunner().invoke(main, ["schema"])
    schema = json.loads(result.output)
    assert schema["$schema"].endswith("2020-12/schema")
    strict = schema["$defs"]["Config"]
    assert set(strict["required"]) == {"practice", "contacts", "migration"}
    assert strict["additionalProperties"] is False
    assert "final_data_production" in json.dumps(schema)


def test_bad_today_option():
    result = CliRunner().invoke(main, ["build", "x.yaml", "--today", "27/11/2026"])
    assert result.exit_code == 2
    assert "'27/11/2026' is not a date written YYYY-MM-DD" in result.output
