"""Every error packgen reports to its user: one line each, an exit code, no traceback.

`reported` is the one place where an exception raised while building or checking a practice becomes
what its user is told, whether one practice is built, many (a wave) or checked."""

from __future__ import annotations

from pathlib import Path

import click


class PackgenError(click.ClickException):
    """A problem the user can fix; click prints it as `Error: …` and exits with `exit_code`."""

    exit_code = 1

    def lines(self) -> list[str]:
        """The problem as lines of their own, one line each (a wave prints them among other practices')."""
        return [one_line(self.format_message())]


class ConfigError(PackgenError):
    """The practice config is wrong; `problems` holds one `FILE:LINE: key: message` line each."""

    exit_code = 2

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))

    def format_message(self) -> str:
        count = len(self.problems)
        if count == 1:
            return self.problems[0]
        return f"{count} problems in the config:\n" + "\n".join(self.problems)

    def lines(self) -> list[str]:
        return [one_line(problem) for problem in self.problems]


class ContentError(PackgenError):
    """A guidance, letter or template file could not be read or rendered."""

    exit_code = 2


class RenderError(PackgenError):
    """The PDF could not be produced (for example the required font is missing)."""


class OutputError(PackgenError):
    """The output folder cannot be written safely (a link where packgen's own folder belongs, say)."""


def cannot_write(output: Path, exc: OSError) -> OutputError:
    """The output folder could not be written: why, and which file."""
    return OutputError(f"{output}: cannot write the pack there ({exc.strerror or exc}"
                       + (f": {exc.filename}" if exc.filename else "") + ")")


def reported(exc: Exception, config: Path | str, doing: str, output: Path | None = None) -> PackgenError | None:
    """What to tell the user about `exc`, raised while `doing` ("building", "checking") `config`:
    packgen's own errors as they are; running out of memory, and an `output` folder that cannot be
    written, as one line each. None for anything else: a fault of packgen's, not of the input."""
    if isinstance(exc, PackgenError):
        return exc
    if isinstance(exc, MemoryError):
        return PackgenError(f"{config}: ran out of memory while {doing}")
    if isinstance(exc, OSError) and output is not None:
        return cannot_write(output, exc)
    return None


def one_line(text: str) -> str:
    return " ".join(text.split())
