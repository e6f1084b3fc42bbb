"""One way of turning an exception into what the user is told, for `build`, `check` and a wave alike."""

from __future__ import annotations

from pathlib import Path

from packgen.errors import ConfigError, ContentError, OutputError, reported


def test_packgens_own_errors_are_told_as_they_are_one_line_each():
    error = ConfigError(["a.yaml:3: practice.name: required", "a.yaml:9: go_live: must be\nafter FDP"])
    assert reported(error, "a.yaml", "building") is error
    assert error.lines() == ["a.yaml:3: practice.name: required", "a.yaml:9: go_live: must be after FDP"]
    assert error.exit_code == 2
    content = ContentError("guidance/10.md: line 3:\n  unknown value")
    assert reported(content, "a.yaml", "checking").lines() == ["guidance/10.md: line 3: unknown value"]


def test_running_out_of_memory_names_the_config_and_what_was_being_done():
    error = reported(MemoryError(), Path("practices/a.yaml"), "checking")
    assert error.lines() == ["practices/a.yaml: ran out of memory while checking"] and error.exit_code == 1


def test_an_output_folder_that_cannot_be_written_says_which_file():
    error = reported(PermissionError(13, "Permission denied", "out/a/x.pdf"), "a.yaml", "building", Path("out"))
    assert isinstance(error, OutputError) and error.exit_code == 1
    assert error.lines() == ["out: cannot write the pack there (Permission denied: out/a/x.pdf)"]


def test_anything_else_is_a_fault_of_packgens_and_is_not_dressed_up():
    assert reported(ValueError("x"), "a.yaml", "building", Path("out")) is None
    assert reported(OSError(2, "No such file"), "a.yaml", "checking") is None  # check writes nothing
