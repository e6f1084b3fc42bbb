"""The hostile corpus in tests/hostile/: `check` and `build` refuse each case with its one-line error, in time.

Each case is a folder: practice.yaml (the config), expect (first line: a regular expression the error
must match; an optional second line `exit: N`, default 2), an optional make.txt (lines `link PATH
TARGET`, `fifo PATH` and `repeat PATH COUNT TEXT`, for what git cannot or need not hold), and any content, templates or images it needs."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

CORPUS = Path(__file__).parent / "hostile"
CASES = sorted(path.name for path in CORPUS.iterdir() if (path / "expect").is_file())
TIMEOUT = 120  # seconds for one command: a guard against a hang, not a measure of speed
# Lowered so that cases that must run out of time do so quickly; the defaults are 60 and 120 seconds.
LIMITS = {"PACKGEN_FILL_SECONDS": "5", "PACKGEN_LAYOUT_SECONDS": "60"}


def expectation(case: Path) -> tuple[re.Pattern[str], int]:
    lines = (case / "expect").read_text(encoding="utf-8").splitlines()
    code = int(lines[1].split(":", 1)[1]) if len(lines) > 1 and lines[1].startswith("exit:") else 2
    return re.compile(lines[0]), code


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


def packgen(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "packgen", *args], cwd=folder, capture_output=True, text=True,
                          timeout=TIMEOUT, env={**os.environ, **LIMITS}, stdin=subprocess.DEVNULL)


def test_the_corpus_has_cases():
    assert len(CASES) >= 30


@pytest.mark.parametrize("name", CASES)
def test_check_and_build_refuse_the_case_with_one_line(name, tmp_path):
    folder = tmp_path / name
    shutil.copytree(CORPUS / name, folder, symlinks=True)
    make(folder)
    pattern, code = expectation(folder)
    out = tmp_path / "out"
    for args in (["check", "practice.yaml"], ["build", "practice.yaml", "-o", str(out)]):
        result = packgen(folder, *args)
        assert "Traceback" not in result.stderr, result.stderr
        lines = [line for line in result.stderr.splitlines() if not line.startswith("warning: ")]
        assert len(lines) == 1, (args[0], result.stderr)
        message = re.sub(r"^(Error|error): ", "", lines[0])
        assert pattern.search(message), (args[0], message)
        assert result.returncode == code, (args[0], result.returncode, result.stderr)
    assert not (out.exists() and any(path.name != ".cache" for path in out.iterdir())), "a pack was written"
    assert not any(out.glob("*/cutover-pack.pdf"))
