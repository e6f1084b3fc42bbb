"""build(): one practice config in, its cut-over pack out. Everything renders before anything is written."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .config import PracticeConfig
from .content import load_sections, markdown_env
from .letters import build_letters, tracking
from .logs import DIGIT_BOXES, REENTRY, ROWS_PER_SHEET, log_specs, open_days, sheets
from .pdf import render
from .render import default_dir, render_template, template_env
from .ics import timeline_ics
from .schedule import CHECKLISTS, PHASES, build_schedule, grouped, key_dates, slug, wall_calendar, warnings

PACK = "cutover-pack.pdf"
ICS = "timeline.ics"


@dataclass
class BuildResult:
    """What a build wrote and what the user should look at."""

    folder: Path
    files: dict[str, int | None] = field(default_factory=dict)  # name → page count (None: not a PDF)
    warnings: list[str] = field(default_factory=list)


def practice_slug(pc: PracticeConfig) -> str:
    """`y01234-riverside-medical-centre`: only a-z, 0-9 and '-', so never a path outside the output folder."""
    p = pc.config.practice
    return f"{slug(p.ods_code)}-{slug(p.name)}"[:80].rstrip("-")


def build_date(today: dt.date | None) -> dt.date:
    """The date printed as the build date: given, else SOURCE_DATE_EPOCH, else today."""
    if today is not None:
        return today
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date()
    return dt.date.today()


def content_folders(pc: PracticeConfig) -> list[Path]:
    """Where Markdown is looked for, lowest priority first: packgen's content, then the practice's."""
    own = pc.config.content
    return [default_dir("content")] + ([own] if own else [])


def context(pc: PracticeConfig, today: dt.date) -> dict[str, Any]:
    """Everything templates and Markdown may show: the practice's values and its computed dates."""
    c = pc.config
    tasks = build_schedule(c)
    return {
        "practice": c.practice,
        "contacts": c.contacts,
        "migration": c.migration,
        "third_parties": c.third_parties,
        "tasks": tasks,
        "task_by_key": {task.key: task for task in tasks},
        "phases": PHASES,
        "timeline": grouped(tasks, c, PHASES),
        "checklists": grouped(tasks, c, CHECKLISTS),
        "checklist_titles": CHECKLISTS,
        "weeks": wall_calendar(c, tasks),
        "log_specs": log_specs(c),
        "sheets": sheets(c),
        "open_days": open_days(c),
        "reentry": REENTRY,
        "rows_per_sheet": ROWS_PER_SHEET,
        "digit_boxes": DIGIT_BOXES,
        "dates": key_dates(c, tasks),
        "cut_over_days": (c.migration.go_live - c.migration.final_data_production).days,
        "today": today,
        "version": __version__,
        "config_hash": pc.config_hash[:10],
        "warnings": warnings(c, tasks, today),
    }


@dataclass(frozen=True)
class Output:
    """One file of the build, in memory: its bytes and, for a PDF, its page count."""

    data: bytes
    pages: int | None = None


def render_pack(pc: PracticeConfig, today: dt.date) -> tuple[dict[str, Output], list[str]]:
    """All files of the pack, rendered in memory, with the warnings found on the way."""
    c = pc.config
    ctx = context(pc, today)
    folders, md = content_folders(pc), markdown_env()
    ctx["guidance"] = load_sections("guidance", folders, ctx, md)
    ctx["letters"] = build_letters(c, ctx["tasks"], folders, ctx, md, today)
    ctx["tracking"] = tracking(c, ctx["tasks"])
    if not c.third_parties:
        ctx["warnings"].append("no third parties are listed, so the pack has no letters; add them under third_parties")
    html = render_template(template_env(c.templates), "pack.html", ctx)
    roots = [default_dir("templates"), default_dir("content"), pc.base_dir]
    pack = render(html, base_url=pc.base_dir, roots=roots, title=f"Cut-over pack: {c.practice.name}", created=today)
    files = {PACK: Output(pack.write(), pack.page_count)}
    parts = pack.parts()
    for letter in ctx["letters"]:
        pages = parts[f"part-{letter.anchor}"]
        title = f"{letter.subject} ({letter.party.name})"
        files[f"letters/{letter.filename}"] = Output(pack.write(pages, title), len(pages))
    for spec in ctx["log_specs"]:
        pages = [page for sheet in ctx["sheets"] if sheet.log == spec for page in parts[sheet.anchor]]
        if pages:
            title = f"{spec.title}: {c.practice.name}"
            files[f"logs/{spec.name.replace('_', '-')}.pdf"] = Output(pack.write(pages, title), len(pages))
    files[ICS] = Output(timeline_ics(c, ctx["tasks"], today))
    return files, ctx["warnings"]


def build(pc: PracticeConfig, output: Path, today: dt.date | None = None) -> BuildResult:
    """Render the practice's pack, then write it under `output/<slug>/`."""
    day = build_date(today)
    documents, found = render_pack(pc, day)
    folder = output / practice_slug(pc)
    result = BuildResult(folder=folder, warnings=found)
    for name, output in documents.items():
        write_atomic(folder / name, output.data)
        result.files[name] = output.pages
    remove_stale(folder, set(documents))
    return result


def remove_stale(folder: Path, written: set[str]) -> None:
    """Delete documents an earlier build left that this one did not write (a renamed or re-dated letter):
    a stale letter in the folder could be printed and sent."""
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder).as_posix()
        if path.is_file() and name not in written and path.suffix in {".pdf", ".ics", ".txt"}:
            path.unlink()
    for path in sorted(folder.rglob("*"), reverse=True):
        if path.is_dir() and not any(path.iterdir()):
            path.rmdir()


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, then rename: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
