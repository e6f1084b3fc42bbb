"""Hostile and broken input: fails fast with the project's own one-line error, never a traceback."""

from __future__ import annotations

import datetime as dt
import time

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from packgen.errors import ConfigError
from packgen.practice.load import load

from .conftest import MINIMAL, errors_of, write

HANG = 60  # seconds: far longer than either takes on the slowest machine, far shorter than a hang

BOMB = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{chr(98 + n)}: &{chr(98 + n)} [{', '.join(['*' + chr(97 + n)] * 9)}]\n" for n in range(8))


def test_billion_laughs_fails_fast(tmp_path):
    path = write(tmp_path / "bomb.yaml", BOMB)
    start = time.monotonic()
    assert errors_of(path) == [f"{path}: too many values (more than 50,000); is an alias repeated?"]
    assert time.monotonic() - start < HANG  # a bound on a hang, not a speed target


def test_deep_nesting_fails_fast(tmp_path):
    path = write(tmp_path / "deep.yaml", "practice: " + "[" * 5000 + "]" * 5000 + "\n")
    start = time.monotonic()
    problems = errors_of(path)
    assert time.monotonic() - start < HANG  # a bound on a hang, not a speed target
    assert len(problems) == 1 and ("nested" in problems[0]) and problems[0].startswith(str(path))


def test_absurd_values_are_refused(tmp_path):
    huge = write(tmp_path / "huge.yaml", MINIMAL.replace("Hillside Surgery", "x" * 5_000_000))
    assert errors_of(huge) == [f"{huge}: is {huge.stat().st_size:,} bytes; a practice config is at most 1,000,000"]
    long_cut_over = write(tmp_path / "long.yaml", MINIMAL.replace("go_live: 2027-06-14", "go_live: 2040-12-01"))
    assert errors_of(long_cut_over) == [
        f"{long_cut_over}:11: migration.go_live: is {(dt.date(2040, 12, 1) - dt.date(2027, 6, 10)).days} days after final_data_production; a cut-over lasts days or weeks"]
    sheets = write(tmp_path / "sheets.yaml", MINIMAL + "logs:\n  telephone: {sheets_per_day: 10000}\n")
    assert errors_of(sheets) == [f"{sheets}:13: logs.telephone.sheets_per_day: must be 100 or less"]
    name = write(tmp_path / "name.yaml", MINIMAL.replace("Hillside Surgery", "x" * 400))
    assert errors_of(name) == [f"{name}:2: practice.name: is too long (at most 300 characters)"]


def test_yaml_tags_cannot_build_python_objects(tmp_path):
    path = write(tmp_path / "p.yaml", MINIMAL.replace("Hillside Surgery", "!!python/object/apply:os.system [echo hacked]"))
    problems = errors_of(path)
    assert len(problems) == 1 and "YAML syntax error" in problems[0] and "python/object/apply" in problems[0]


yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30) | st.dates(),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=15), children, max_size=5),
    max_leaves=40,
)
sections = st.fixed_dictionaries({}, optional={
    "practice": yaml_values, "contacts": yaml_values, "migration": yaml_values, "third_parties": yaml_values,
    "logs": yaml_values, "schedule": yaml_values, "roles": yaml_values, "content": yaml_values,
})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=st.one_of(yaml_values, sections))
def test_any_yaml_document_gives_a_config_or_our_own_error(tmp_path, document):
    path = tmp_path / "random.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    try:
        load(path)
    except ConfigError as exc:
        assert exc.problems and all(p.startswith(str(path)) and "\n" not in p for p in exc.problems)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=300) | st.text(max_size=300).map(lambda t: t.encode("utf-8")))
def test_any_bytes_give_a_config_or_our_own_error(tmp_path, raw):
    path = tmp_path / "random.yaml"
    path.write_bytes(raw)
    try:
        load(path)
    except ConfigError as exc:
        assert exc.problems and all(p.startswith(str(path)) for p in exc.problems)
