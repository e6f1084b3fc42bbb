"""The command line: parse arguments, load the config, call build(). No logic lives here."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click

from . import __version__
from .build import build
from .config import json_schema, load


def _date(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date written YYYY-MM-DD") from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="packgen")
def main() -> None:
    """Build a printable cut-over pack for a GP practice changing clinical system.

    \b
    Examples:
      packgen build practices/riverside.yaml
      packgen build practices/riverside.yaml -o /tmp/packs --today 2027-01-15
      packgen schema > practice.schema.json
    """


@main.command("build")
@click.argument("config", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path, file_okay=False), default=Path("output"),
              show_default=True, help="Folder to write into; the pack goes in OUTPUT/<ods-code>-<name>/.")
@click.option("--today", callback=_date, metavar="YYYY-MM-DD",
              help="Build date (default: SOURCE_DATE_EPOCH, else today). Deadlines before it are marked LATE.")
def build_command(config: Path, output: Path, today: dt.date | None) -> None:
    """Build the cut-over pack for one practice config.

    \b
    Example:
      packgen build practices/riverside.yaml
    """
    result = build(load(config), output, today)
    for warning in result.warnings:
        click.echo(f"warning: {config}: {warning}", err=True)
    for name, pages in result.files.items():
        click.echo(f"wrote {result.folder / name}" + (f" ({pages} page{'' if pages == 1 else 's'})" if pages is not None else ""))


@main.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of practice.yaml (for editor completion)."""
    click.echo(json.dumps(json_schema(), indent=2))
