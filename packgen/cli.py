"""The command line: parse arguments, load the config, call build(). No logic lives here."""

from __future__ import annotations

import datetime as dt
import json
import sys
import os
from collections.abc import Iterable
from pathlib import Path

import click

from . import __version__
from .build import build, build_date, practice_slug
from .errors import ConfigError, PackgenError, reported
from .names import OVERVIEW, PACK, RECONCILE, RECONCILE_JSON, RECONCILE_PDF, WAVE_CSV, WAVE_ICS
from .overview import overview, waves
from .pack.fill import fill
from .pack.model import unused_content
from .practice.config import json_schema
from .practice.load import load
from .starter import Answers, write_starter
from .wave import Outcome, build_many, collisions, config_paths, nothing_to_build


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
@click.argument("configs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path, file_okay=False), default=Path("output"),
              show_default=True, help="Folder to write into; each pack goes in OUTPUT/<ods-code>-<name>/.")
@click.option("--today", callback=_date, metavar="YYYY-MM-DD",
              help="Build date (default: SOURCE_DATE_EPOCH, else today). Deadlines before it are marked LATE.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), metavar="N",
              help="Practices built at the same time, or for one practice its documents laid out at the same "
                   "time (default: the number of CPUs).")
@click.option("--force", is_flag=True, help="Lay out every document again, even those unchanged since the last build.")
@click.option("--root", "roots", multiple=True, type=click.Path(path_type=Path, file_okay=False, exists=True),
              metavar="DIR", help="Also trust files under DIR (default: only the config's own folder), for "
                                  "example a delivery partner's shared templates. Can be given more than once.")
def build_command(configs: tuple[Path, ...], output: Path, today: dt.date | None, jobs: int | None,
                  force: bool, roots: tuple[Path, ...]) -> None:
    """Build the cut-over pack of each practice config.

    A folder means every .yaml and .yml file directly inside it; files whose names start with '_'
    (shared defaults that other configs extend) are not built on their own. With several practices,
    one line is printed as each finishes; one failure does not stop the others. Exit code 0 when
    all are built, 2 when a config has errors, else 1 when a build failed.

    \b
    Examples:
      packgen build practices/riverside.yaml
      packgen build practices/wave-eastshire-2027 --jobs 4
    """
    paths, skipped = config_paths(configs)
    if not paths:
        raise nothing_to_build(skipped)
    folders = waves(list(configs))
    if len(paths) == 1:
        practice = load(paths[0], roots)
        try:
            result = build(practice, output, today, force, jobs)
        except Exception as exc:
            error = reported(exc, paths[0], "building", output)
            if error is None:
                raise
            raise error from None
        warn(warning.line(practice) for warning in result.warnings)
        if result.unchanged:
            click.echo(f"nothing changed since the last build: kept {result.folder} as it is ({len(result.files)} files)")
        else:
            for name, pages in result.files.items():
                click.echo(f"wrote {result.folder / name}" + (f" ({pages} page{'' if pages == 1 else 's'})" if pages is not None else ""))
            kept = result.documents - len(result.laid_out)
            click.echo(f"laid out {len(result.laid_out)} of {result.documents} documents"
                       + (f"; {kept} unchanged since the last build" if kept > 0 else ""))
        _overviews(folders, {str(paths[0]): Outcome(str(paths[0]), str(result.folder), result.files.get(PACK))},
                   output, build_date(today))
        return
    clashes = collisions(paths, output, roots)
    if clashes:
        raise ConfigError(clashes)
    total, built, code = len(paths), 0, 0
    outcomes = build_many(paths, output, build_date(today), jobs or os.cpu_count() or 1, force, roots)
    finished: dict[str, Outcome] = {}
    for done, outcome in enumerate(outcomes, start=1):
        finished[outcome.config] = outcome
        if outcome.problems:
            code = max(code, outcome.exit_code)
            click.echo(f"{_progress(done, total)} failed: {outcome.config}: {outcome.reason}", err=True)
            if len(outcome.problems) > 1:
                for problem in outcome.problems:
                    click.echo(f"error: {problem}", err=True)
            continue
        built += 1
        count = len(outcome.warnings)
        details = [f"{outcome.pages} pages"] + ([f"{count} warning{'' if count == 1 else 's'}"] if count else [])
        click.echo(f"{_progress(done, total)} built {outcome.folder} ({', '.join(details)})")
        warn(outcome.warnings)
    click.echo(f"built {built} of {total} practices" + (f"; {total - built} failed" if built < total else ""))
    _overviews(folders, finished, output, build_date(today))
    if code:
        raise SystemExit(code)


def _overviews(folders: list[tuple[str, list[Path]]], outcomes: dict[str, Outcome], output: Path, today: dt.date) -> None:
    """The overview of each wave folder built, after its practices."""
    for wave, configs in folders:
        written = overview(wave, configs, outcomes, output, today)
        if written.unchanged:
            click.echo(f"nothing changed in wave {wave}: kept {written.folder} as it is")
        else:
            click.echo(f"wrote {written.folder / OVERVIEW} ({written.pages} page{'' if written.pages == 1 else 's'}"
                       + ("" if written.laid_out else ", unchanged since the last build") + f"), {WAVE_ICS}, {WAVE_CSV}")


def warn(lines: Iterable[str]) -> None:
    """Each line on standard error after "warning: ", as build, check and a wave print what to look at."""
    for line in lines:
        click.echo(f"warning: {line}", err=True)


def _progress(done: int, total: int, width: int = 20) -> str:
    """`[##########----------] 10/20`: how far through the wave, at the start of each practice's line."""
    filled = round(width * done / total)
    return f"[{'#' * filled}{'-' * (width - filled)}] {done}/{total}"


@main.command("check")
@click.argument("configs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True, help="Exit with 1 when there are warnings.")
@click.option("--today", callback=_date, metavar="YYYY-MM-DD", help="Date to check deadlines against (default today).")
@click.option("--root", "roots", multiple=True, type=click.Path(path_type=Path, file_okay=False, exists=True),
              metavar="DIR", help="Also trust files under DIR (default: only the config's own folder), for "
                                  "example a delivery partner's shared templates. Can be given more than once.")
def check_command(configs: tuple[Path, ...], strict: bool, today: dt.date | None, roots: tuple[Path, ...]) -> None:
    """Check configs, fill in their content and templates and compute every date, without laying out.

    A folder means every .yaml and .yml file directly inside it, except those whose names start
    with '_'. Exit code 0 when clean, 2 on errors, and with --strict 1 on warnings.

    \b
    Example:
      packgen check practices/riverside.yaml
    """
    paths, skipped = config_paths(configs)
    if not paths:
        raise nothing_to_build(skipped)
    errors = warned = 0
    for clash in collisions(paths, None, roots) if len(paths) > 1 else []:
        errors += 1
        click.echo(f"error: {clash}", err=True)
    for config in paths:
        try:
            practice = load(config, roots)
            found = list(fill(practice, build_date(today)).pack.warnings) + unused_content(practice)
        except Exception as exc:
            error = reported(exc, config, "checking")
            if error is None:
                raise
            errors += 1
            for line in error.lines():
                click.echo(f"error: {line}", err=True)
            continue
        warn(warning.line(practice) for warning in found)
        warned += bool(found)
        click.echo(f"{config}: ok" + (f", {len(found)} warning{'s' if len(found) != 1 else ''}" if found else ""))
    if errors:
        raise SystemExit(2)
    if strict and warned:
        raise SystemExit(1)


@main.command("init")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False), default=Path("practice.yaml"))
@click.option("--name", help="Practice name.")
@click.option("--ods-code", help="ODS code: one letter and five digits.")
@click.option("--address", help="Postal address, lines separated by commas.")
@click.option("--practice-manager", help="Practice manager's name.")
@click.option("--source-system", help="The system the practice leaves, e.g. EMIS Web.")
@click.option("--target-system", help="The system it moves to, e.g. SystmOne.")
@click.option("--fdp", "final_data_production", callback=_date, metavar="YYYY-MM-DD", help="Final data production date.")
@click.option("--go-live", callback=_date, metavar="YYYY-MM-DD", help="Go-live date.")
def init_command(path: Path, **given: object) -> None:
    """Write a commented starter practice.yaml (and practice.schema.json beside it).

    Asks for each value not given as an option when run in a terminal.

    \b
    Example:
      packgen init practices/hillside.yaml --name "Hillside Surgery" --ods-code B12345 \\
        --address "1 Hill Road, Upton, UP1 1AA" --practice-manager "Alex Green" \\
        --source-system Vision --target-system "EMIS Web" --fdp 2027-06-10 --go-live 2027-06-14
    """
    prompts = {"name": "Practice name", "ods_code": "ODS code", "address": "Address (lines separated by commas)",
               "practice_manager": "Practice manager", "source_system": "Current clinical system",
               "target_system": "New clinical system", "final_data_production": "Final data production (YYYY-MM-DD)",
               "go_live": "Go-live (YYYY-MM-DD)"}
    interactive = _interactive()
    for key, prompt in prompts.items():
        if given.get(key) is None:
            if not interactive:
                raise PackgenError(f"--{key.replace('_', '-') if key != 'final_data_production' else 'fdp'} is required "
                                   "when packgen init is not run in a terminal")
            value = click.prompt(prompt)
            given[key] = _date(click.get_current_context(), None, value) if "YYYY" in prompt else value  # type: ignore[arg-type]
    address = [line.strip() for line in str(given["address"]).split(",") if line.strip()]
    given["ods_code"] = str(given["ods_code"]).strip().upper()
    answers = Answers(address=address, **{k: v for k, v in given.items() if k != "address"})  # type: ignore[arg-type]
    for written in write_starter(path, answers):
        click.echo(f"wrote {written}")


def _interactive() -> bool:
    """Whether a person is at the keyboard to answer questions."""
    return sys.stdin is not None and sys.stdin.isatty()


@main.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of practice.yaml (for editor completion)."""
    click.echo(json.dumps(json_schema(), indent=2))


@main.command("reconcile")
@click.argument("config", type=click.Path(path_type=Path, dir_okay=False))
@click.argument("scans", nargs=-1, required=True, type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("-o", "--output", type=click.Path(path_type=Path, file_okay=False),
              help="Folder for reconcile.pdf and reconcile.json (default: output/<ods-code>-<name>-reconcile).")
@click.option("--json", "as_json", is_flag=True, help="Print reconcile.json on standard output instead of a summary.")
def reconcile_command(config: Path, scans: tuple[Path, ...], output: Path | None, as_json: bool) -> None:
    """Read scans of the practice's completed log sheets and say what is still to do.

    SCANS are PDFs from a scanner or multifunction printer, or PNG, JPEG and TIFF files, in any order.
    Writes reconcile.pdf (a summary, then each row still to re-enter or check, with its picture) and
    reconcile.json. Exit code 0 when every sheet printed was scanned and every row used is re-entered
    and checked, 1 when anything is outstanding, 2 on bad input.

    \b
    Example:
      packgen reconcile practices/riverside.yaml scans/day1.pdf scans/day2.pdf
    """
    from .reconcile.report import BAD_INPUT, exit_code, report_pdf, summary, to_json, write
    from .reconcile.run import reconcile
    from .reconcile.scans import ScanError, count_pages

    practice = load(config)
    paths = list(scans)
    total = count_pages(paths)
    done = 0

    def on_page(file: str, page: int) -> None:
        nonlocal done
        done += 1
        if sys.stderr.isatty():
            click.echo(f"\r{_progress(done, max(total, done))} pages read", nl=False, err=True)

    try:
        outcome = reconcile(practice.config, paths, [str(p) for p in paths], on_page)
    finally:
        if sys.stderr.isatty() and done:
            click.echo(err=True)  # end the progress bar's line, before the summary or an error
    result = summary(outcome)
    code = exit_code(outcome, result)
    if code == BAD_INPUT:
        others = sorted({u.ods_code for u in outcome.unknown if u.ods_code})
        raise ScanError(f"the scans are sheets of another practice only (ODS {', '.join(others)}), "
                        f"not of {practice.config.practice.ods_code}: check the config and the scans")
    folder = output if output is not None else Path("output") / f"{practice_slug(practice)}{RECONCILE}"
    written = write(folder, {RECONCILE_PDF: report_pdf(outcome, result, code, build_date(None)),
                             RECONCILE_JSON: to_json(result).encode("utf-8")})
    if as_json:
        click.echo(to_json(result), nl=False)
    else:
        click.echo(f"read {done} page{'' if done == 1 else 's'}: {result['scanned']} of {result['issued']} log sheets "
                   f"scanned, {len(result['unknown_pages'])} page{'' if len(result['unknown_pages']) == 1 else 's'} "
                   "not read as this practice's sheets")
        for label, key in (("not scanned", "missing"), ("scanned more than once", "duplicates")):
            if result[key]:
                click.echo(f"{label}: {', '.join(result[key])}")
        for page in result["unknown_pages"]:
            click.echo(f"not read: {page['file']} page {page['page']}: {page['reason']}")
        for label, key in (("used but not re-entered", "not_reentered"), ("re-entered but not checked", "not_checked")):
            if result[key]:
                click.echo(f"rows {label}: " + ", ".join(f"{item['serial']} row {item['row']}" for item in result[key]))
        for path in written:
            click.echo(f"wrote {path}")
    if code:
        raise SystemExit(code)
