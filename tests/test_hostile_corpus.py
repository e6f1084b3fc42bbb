"""The hostile corpus in tests/hostile/: `check` and `build` refuse each case with its one-line error, in time.

Each case is a folder: practice.yaml (the config), expect (first line: a regular expression the error
must match; an optional second line `exit: N`, default 2), an optional make.txt (lines `link PATH
TARGET`, `fifo PATH` and `repeat PATH COUNT TEXT`, for what git cannot or need not hold), and any content, templates or images it needs.

What the user sees is a `packgen` process: its standard error and exit status. A case runs as such a
process (`python -m packgen`, with a time-out) when it needs one:
- it makes a FIFO or a link to a device: a regression would block or read for ever, which only a
  process can be stopped from;
- it is refused for its time or memory: packgen then sets an alarm and an address-space limit on its own
  process, which belong to the process the user runs, not to the test runner's;
- it is one of REPRESENTATIVES, a case of each other stage a refusal comes from, so that what the
  in-process runs show holds of the real command too (its start-up, its exit status, what reaches the
  terminal).
Every other case runs the same command line in this process, through click's test runner (starting
Python and loading packgen for each of them took a third of the test suite's time). The same checks
apply: there, anything a process would also have written to standard error counts as a line of it: a
traceback for an uncaught exception, a Python warning, a log record with nowhere else to go, and
whatever a C library writes to file descriptor 2."""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import sys
import traceback
import warnings
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from packgen.cli import main

CORPUS = Path(__file__).parent / "hostile"
CASES = sorted(path.name for path in CORPUS.iterdir() if (path / "expect").is_file())
TIMEOUT = 120  # seconds for one command: a guard against a hang, not a measure of speed
# Lowered so that cases that must run out of time do so quickly; the defaults are 60 and 120 seconds.
LIMITS = {"PACKGEN_FILL_SECONDS": "5", "PACKGEN_LAYOUT_SECONDS": "60"}
# As a process too: a refusal when loading the config, by the sandbox, and of an image.
REPRESENTATIVES = {"year-0001", "sandbox-dunder-class", "template-svg-use-bomb"}


def expectation(case: Path) -> tuple[re.Pattern[str], int]:
    lines = (case / "expect").read_text(encoding="utf-8").splitlines()
    code = int(lines[1].split(":", 1)[1]) if len(lines) > 1 and lines[1].startswith("exit:") else 2
    return re.compile(lines[0]), code


def needs_a_process(case: Path) -> bool:
    """See the module's docstring."""
    recipe = (case / "make.txt").read_text(encoding="utf-8") if (case / "make.txt").is_file() else ""
    blocks = re.search(r"^(fifo \S+|link \S+ /dev/\S+)$", recipe, re.MULTILINE)
    bounded = re.search(r"took more than|memory", (case / "expect").read_text(encoding="utf-8"))
    return case.name in REPRESENTATIVES or bool(blocks or bounded)


def make(folder: Path) -> None:
    """Apply make.txt: the links, FIFOs and large files a case needs. `repeat PATH COUNT TEXT` appends
    TEXT (with \\n for a line break) COUNT times to PATH, so a 2 MB file need not be kept in git."""
    recipe = folder / "make.txt"
    if not recipe.is_file():
        return
    for line in recipe.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if not parts:
            continue
        path = folder / parts[1]
        path.parent.mkdir(parents=True, exist_ok=True)
        if parts[0] == "link":
            path.symlink_to(parts[2])
        elif parts[0] == "fifo":
            os.mkfifo(path)
        elif parts[0] == "repeat":
            with path.open("a", encoding="utf-8") as file:
                file.write(line.split(None, 3)[3].replace("\\n", "\n") * int(parts[2]))
        else:
            raise ValueError(f"{recipe}: unknown line {line!r}")


@dataclass
class Ran:
    """What the user sees of one command: its standard error and exit status."""

    stderr: str
    returncode: int


def in_processes(folder: Path, commands: list[list[str]]) -> list[Ran]:
    """Each command as its own `python -m packgen` process, all at once (they write to different places)."""
    started = [subprocess.Popen([sys.executable, "-m", "packgen", *args], cwd=folder, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, **LIMITS})
               for args in commands]
    try:
        return [Ran(process.communicate(timeout=TIMEOUT)[1], process.returncode) for process in started]
    finally:
        for process in started:
            process.kill()
            process.wait()


def in_this_process(folder: Path, commands: list[list[str]], monkeypatch: pytest.MonkeyPatch,
                    capfd: pytest.CaptureFixture[str]) -> list[Ran]:
    """Each command run by packgen's command-line entry in this process, from `folder`, with what a
    process would write to standard error besides click's own output added to it."""
    monkeypatch.chdir(folder)
    root = logging.getLogger()
    handlers, root.handlers = root.handlers, []  # a record no handler takes goes to standard error, as in a process
    ran = []
    try:
        for args in commands:
            capfd.readouterr()
            with warnings.catch_warnings(record=True) as shown:
                warnings.resetwarnings()  # then what a fresh interpreter ignores
                for category in (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning):
                    warnings.simplefilter("ignore", category)
                result = CliRunner(env=LIMITS).invoke(main, args, prog_name="packgen")
            stderr = result.stderr + capfd.readouterr().err
            stderr += "".join(warnings.formatwarning(w.message, w.category, w.filename, w.lineno, w.line) for w in shown)
            if result.exception is not None and not isinstance(result.exception, SystemExit):
                stderr += "".join(traceback.format_exception(*result.exc_info))
            ran.append(Ran(stderr, result.exit_code))
    finally:
        root.handlers = handlers
    return ran


def test_the_corpus_has_cases():
    assert len(CASES) >= 30
    assert REPRESENTATIVES <= set(CASES)


@pytest.mark.parametrize("name", CASES)
def test_check_and_build_refuse_the_case_with_one_line(name, tmp_path, monkeypatch, capfd):
    folder = tmp_path / name
    shutil.copytree(CORPUS / name, folder, symlinks=True)
    make(folder)
    pattern, code = expectation(folder)
    out = tmp_path / "out"
    commands = [["check", "practice.yaml"], ["build", "practice.yaml", "-o", str(out)]]
    if needs_a_process(CORPUS / name):
        results = in_processes(folder, commands)
    else:
        results = in_this_process(folder, commands, monkeypatch, capfd)
    for args, result in zip(commands, results):
        assert "Traceback" not in result.stderr, result.stderr
        lines = [line for line in result.stderr.splitlines() if not line.startswith("warning: ")]
        assert len(lines) == 1, (args[0], result.stderr)
        message = re.sub(r"^(Error|error): ", "", lines[0])
        assert pattern.search(message), (args[0], message)
        assert result.returncode == code, (args[0], result.returncode, result.stderr)
    assert not (out.exists() and any(path.name != ".cache" for path in out.iterdir())), "a pack was written"
    assert not any(out.glob("*/cutover-pack.pdf"))
