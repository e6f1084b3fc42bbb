"""build(): one practice config in, its cut-over pack out. Everything renders before anything is written."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .columns import REENTRY
from .config import PracticeConfig
from .content import find, load_sections, markdown_env, render_text, required
from .errors import ContentError
from .ics import timeline_ics
from .letters import build_letters, tracking
from .logs import DIGIT_BOXES, ROWS_PER_SHEET, log_specs, open_days, sheets
from .manifest import MANIFEST, inputs_key, manifest, reusable
from .pdf import render
from .printlist import paper_total, print_list
from .render import default_dir, render_template, template_env
from .roles import build_roles
from .schedule import CHECKLISTS, PHASES, BuildWarning, build_schedule, grouped, key_dates, slug, wall_calendar, warnings

PACK = "cutover-pack.pdf"
ICS = "timeline.ics"
POSTER = "patient-poster.pdf"
NOTICE = "patient-notice.txt"


@dataclass
class BuildResult:
    """What a build wrote and what the user should look at."""

    folder: Path
    files: dict[str, int | None] = field(default_factory=dict)  # name → page count (None: not a PDF)
    warnings: list[BuildWarning] = field(default_factory=list)
    reused: bool = False  # nothing had changed: the PDFs of the last build were kept


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
        "poster_copies": c.poster.copies,
    }


@dataclass(frozen=True)
class Output:
    """One file of the build, in memory: its bytes, its page count (PDFs) and the hash of what made it."""

    data: bytes
    pages: int | None = None
    source: str = ""


def prepare(pc: PracticeConfig, today: dt.date) -> dict[str, Any]:
    """Everything the pack shows, computed and with its wording filled in, but nothing laid out yet."""
    c = pc.config
    ctx = context(pc, today)
    folders, md = content_folders(pc), markdown_env()
    ctx["guidance"] = load_sections("guidance", folders, ctx, md)
    ctx["letters"] = build_letters(c, ctx["tasks"], folders, ctx, md, today)
    ctx["tracking"] = tracking(c, ctx["tasks"])
    ctx["roles"] = build_roles(c, ctx["log_specs"], folders, ctx, md)
    ctx["poster"] = required("", "poster", folders, ctx, md)
    notice = find("", folders).get("patient-notice")
    if notice is None:
        raise ContentError("no patient-notice.md in the content folders; add it to the practice's content folder")
    ctx["patient_notice"] = render_text(notice, ctx)
    return ctx


def render_pack(pc: PracticeConfig, today: dt.date, previous: Path | None = None
                ) -> tuple[dict[str, Output], list[BuildWarning], bool]:
    """All files of the pack in memory, the warnings found on the way, and whether the PDFs were reused.

    When `previous` (the last build's folder) holds PDFs made from the same HTML and inputs, they are
    reused instead of being laid out again."""
    c = pc.config
    ctx = prepare(pc, today)
    env = template_env(c.templates)
    set_print_list(ctx, pages=None)
    html = render_template(env, "pack.html", ctx)
    source = inputs_key(html, [c.practice.logo] if c.practice.logo else [])
    old = reusable(previous, source) if previous is not None else None
    if old is not None:
        files = {name: Output(data, pages, source) for name, (data, pages) in old.items()}
    else:
        files = lay_out(pc, ctx, env, html, today, source)
    files[ICS] = Output(timeline_ics(c, ctx["tasks"], today), None, sha(repr(ctx["tasks"]) + today.isoformat()))
    files[NOTICE] = Output(ctx["patient_notice"].encode("utf-8"), None, sha(ctx["patient_notice"]))
    files[MANIFEST] = Output(manifest({name: (f.data, f.pages, f.source) for name, f in files.items()}))
    return files, ctx["warnings"], old is not None


def lay_out(pc: PracticeConfig, ctx: dict[str, Any], env: Any, html: str, today: dt.date, source: str) -> dict[str, Output]:
    """The PDFs: the pack, and the letters, logs, role cards and poster cut out of it."""
    c = pc.config
    roots = [default_dir("templates"), default_dir("content"), pc.base_dir]
    title = f"Cut-over pack: {c.practice.name}"
    # The print list shows page counts that exist only once the pack is laid out: lay out the pack with
    # provisional counts, then lay out the print list alone with the real ones and put it in its place.
    pack = render(html, base_url=pc.base_dir, roots=roots, title=title, created=today)
    parts = pack.parts()
    set_print_list(ctx, pages={"pack": pack.page_count, **{anchor: len(found) for anchor, found in parts.items()}})
    slot = parts["part-print-list"]
    ctx["page_label"] = (slot[0] + 1, pack.page_count)
    printed = render(render_template(env, "print-list.html", ctx), base_url=pc.base_dir, roots=roots, title=title,
                     created=today)
    pack = pack.splice(slot, printed)

    files = {PACK: Output(pack.write(), pack.page_count, source)}
    pieces = [(f"letters/{letter.filename}", f"{letter.subject} ({letter.party.name})", [f"part-{letter.anchor}"])
              for letter in ctx["letters"]]
    pieces += [(f"logs/{spec.name.replace('_', '-')}.pdf", f"{spec.title}: {c.practice.name}",
                [sheet.anchor for sheet in ctx["sheets"] if sheet.log == spec]) for spec in ctx["log_specs"]]
    pieces += [(role.filename, f"{role.title}: role card, {c.practice.name}", [role.anchor]) for role in ctx["roles"]]
    pieces.append((POSTER, f"Notice to patients: {c.practice.name}", ["part-poster"]))
    for name, piece_title, anchors in pieces:
        pages = [page for anchor in anchors for page in parts.get(anchor, [])]
        if pages:
            files[name] = Output(pack.write(pages, piece_title), len(pages), source)
    return files


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def set_print_list(ctx: dict[str, Any], pages: dict[str, int] | None) -> None:
    """Put the print list's rows in the context: from the laid-out pack, or provisional (one page a part)."""
    def count(anchor: str) -> int:
        return pages.get(anchor, 0) if pages else 1

    roles = [(role.title, role.filename, count(role.anchor), role.copies, ", ".join(role.staff) or "Staff in this role")
             for role in ctx["roles"]]
    rows = print_list(pages["pack"] if pages else 0, roles, (count("part-poster"), ctx["poster_copies"]),
                      sum(count(f"part-{letter.anchor}") for letter in ctx["letters"]),
                      sum(count(sheet.anchor) for sheet in ctx["sheets"]))
    ctx["print_rows"], ctx["print_total"] = rows, paper_total(rows)


def build(pc: PracticeConfig, output: Path, today: dt.date | None = None, force: bool = False) -> BuildResult:
    """Render the practice's pack, then publish it as `output/<slug>/`; `force` lays everything out again."""
    day = build_date(today)
    folder = output / practice_slug(pc)
    documents, found, reused = render_pack(pc, day, previous=None if force else folder)
    publish(folder, {name: out.data for name, out in documents.items()})
    files = {name: out.pages for name, out in documents.items() if name != MANIFEST}
    return BuildResult(folder=folder, files=files, warnings=found, reused=reused)


def publish(folder: Path, files: dict[str, bytes]) -> None:
    """Write every file into a new folder beside `folder`, then swap it in.

    Readers see the old pack or the new one, never a mix; a failure leaves the old pack as it was and
    no partial file behind; and files an earlier build wrote but this one did not (a re-dated letter)
    are gone, so an out-of-date letter cannot be printed and sent."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.new-", dir=folder.parent))
    try:
        for name, data in files.items():
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        if folder.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{folder.name}.old-", dir=folder.parent))
            os.replace(folder, old / folder.name)
            os.replace(staging, folder)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
