"""Every error packgen reports to its user: one line each, an exit code, no traceback."""

from __future__ import annotations

import click


class PackgenError(click.ClickException):
    """A problem the user can fix; click prints it as `Error: …` and exits with `exit_code`."""

    exit_code = 1


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


class ContentError(PackgenError):
    """A guidance, letter or template file could not be read or rendered."""

    exit_code = 2


class RenderError(PackgenError):
    """The PDF could not be produced (for example the required font is missing)."""


class OutputError(PackgenError):
    """The output folder cannot be written safely (a link where packgen's own folder belongs, say)."""
