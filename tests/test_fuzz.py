"""Random text in every text field and random Markdown in a content file: `check` and `build` agree.

Both succeed, or both fail with the same one-line errors; neither ever shows a traceback. The build
stops where the layout would start (WeasyPrint is slow, and `check` does not lay out)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import packgen.render.layouts
from packgen.cli import main

from .conftest import MINIMAL, NO_LOGS


class ReachedLayout(Exception):
    """The build got as far as laying out: everything before it passed."""


def refuse_layout(self, requests):  # stands in for Layouts.get
    raise ReachedLayout()


TEXT_FIELDS = [
    ("practice", "name"), ("practice", "phone"), ("practice", "email"), ("practice", "address", 0),
    ("contacts", "practice_manager", "name"), ("contacts", "practice_manager", "email"),
    ("migration", "source_system"), ("migration", "target_system"),
    ("third_parties", 0, "name"), ("third_parties", 0, "contact"), ("third_parties", 0, "address", 0),
    ("roles", "reception", "staff", 0),
]
text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
markdown = st.lists(st.sampled_from(["# ", "## ", "- ", "* ", "1. ", "> ", "| a | b |\n|---|---|\n", "`", "**", "_",
                                     "[", "](", ")", "<b>", "</b>", "{{ practice.name }}", "{{", "}}", "{%", "%}",
                                     "\n", "\n\n", "    ", "x", "é", "\0", "\r", "&amp;", "<script>"]) | text,
                    max_size=30).map("".join)


def base() -> dict:
    data = yaml.safe_load(MINIMAL + NO_LOGS)
    data["practice"].update(phone="01234 567890", email="hillside@example.nhs.uk")
    data["contacts"]["practice_manager"]["email"] = "alex@example.nhs.uk"
    data["third_parties"] = [{"name": "Path lab", "kind": "pathology", "contact": "Lab team", "address": ["1 Lab Road"]}]
    data["roles"] = {"reception": {"staff": ["Sam Jones"]}}
    data["content"] = "content"
    return data


def put(data: dict, key: tuple, value: str) -> None:
    for part in key[:-1]:
        data = data[part]
    data[key[-1]] = value


def problems(output: str) -> list[str]:
    """The error lines a command printed, without their `Error:`/`error:` and without warnings."""
    lines = [line for line in output.splitlines() if not line.startswith("warning: ")]
    if lines and lines[0].startswith("Error: ") and " problems in the config:" in lines[0]:
        lines = lines[1:]
    return sorted(line.split(": ", 1)[1] if line.startswith(("Error: ", "error: ")) else line for line in lines)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.fixed_dictionaries({key: text for key in TEXT_FIELDS}), wording=markdown)
def test_check_and_build_agree_on_random_text(tmp_path_factory, monkeypatch, values, wording):
    monkeypatch.setattr(packgen.render.layouts.Layouts, "get", refuse_layout)
    folder = tmp_path_factory.mktemp("fuzz")
    data = base()
    for key, value in values.items():
        put(data, key, value)
    (folder / "practice.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    guidance = folder / "content" / "guidance"
    guidance.mkdir(parents=True)
    (guidance / "99-fuzz.md").write_text("# Fuzz\n\n" + wording, encoding="utf-8")
    runner = CliRunner()
    check = runner.invoke(main, ["check", str(folder / "practice.yaml"), "--today", "2026-11-27"])
    build = runner.invoke(main, ["build", str(folder / "practice.yaml"), "-o", str(folder / "out"),
                                 "--today", "2026-11-27"])
    for result in (check, build):
        assert result.exception is None or isinstance(result.exception, (SystemExit, ReachedLayout)), result.exc_info
        assert "Traceback" not in result.output
    if check.exit_code == 0:
        assert isinstance(build.exception, ReachedLayout), build.output
    else:
        assert check.exit_code == build.exit_code == 2, (check.output, build.output)
        assert problems(check.stderr) == problems(build.stderr)
        assert all("\n" not in problem for problem in problems(check.stderr))
    assert not any(Path(folder / "out").glob("*/cutover-pack.pdf"))


@pytest.mark.parametrize("key", TEXT_FIELDS)
def test_a_nul_or_line_break_in_any_text_field_is_a_one_line_error_naming_the_key(tmp_path, key):
    data = base()
    del data["content"]
    put(data, key, "Hill\0side")
    (tmp_path / "practice.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(tmp_path / "practice.yaml")])
    dotted = ".".join(str(part) for part in key)
    assert result.exit_code == 2
    assert result.stderr.endswith(f": {dotted}: must be one line of text, without a control character (U+0000); "
                                  "use a list for several lines\n")
    assert result.stderr.count("\n") == 1
