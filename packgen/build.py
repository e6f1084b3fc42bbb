"""build(): one practice config in, its cut-over pack out. Everything renders before anything is written.

The stages, each in its own module: the practice read (`practice/`); what the pack contains
(`pack/model.py`, `pack/documents.py`), filled in as HTML (`pack/fill.py`); laid out in worker processes or
found in the cache (`render/layouts.py`); the second pass, the join and the log sheets by day
(`pack/assemble.py`); the files written and swapped in whole (`render/publish.py`)."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from .errors import cannot_write
from .names import CACHE, ICS, MANIFEST, NOTICE, PACK, slug
from .pack.assemble import STAMPS, join_pack, join_sheet_files, settle
from .pack.drafts import drafts
from .pack.fill import Filled, fill
from .pack.ics import timeline_ics
from .pack.model import content_folders, unused_content
from .practice.config import PracticeConfig
from .practice.schedule import BuildWarning, build_schedule, warnings
from .render.cache import Cache, Laid
from .render.layouts import Layouts
from .render.manifest import build_inputs, manifest, sha, unchanged
from .render.publish import Output, publish, recover
from .render.templates import PACKAGE, default_dir


@dataclass
class BuildResult:
    """What a build wrote and what the user should look at."""

    folder: Path
    files: dict[str, int | None] = field(default_factory=dict)  # name → page count (None: not a PDF)
    warnings: list[BuildWarning] = field(default_factory=list)
    laid_out: list[str] = field(default_factory=list)  # titles of the documents laid out (not from the cache)
    documents: int = 0  # in the pack
    unchanged: bool = False  # nothing the build reads had changed: the files of the last build were kept


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


def build(pc: PracticeConfig, output: Path, today: dt.date | None = None, force: bool = False,
          jobs: int | None = None) -> BuildResult:
    """Render the practice's pack, then publish it as `output/<slug>/`.

    Documents unchanged since the last build come from `output/.cache/<slug>/`; `force` lays every
    one out again. `jobs` documents are laid out at the same time (default: one per CPU)."""
    day = build_date(today)
    folder = output / practice_slug(pc)
    inputs = build_inputs_of(pc, day)
    if output.is_dir():
        recover(folder)
    if not force:
        previous = unchanged(folder, inputs)
        if previous is not None:  # nothing it reads has changed: the files in place are this build's
            files = {name: entry["pages"] for name, entry in previous["files"].items()}
            return BuildResult(folder=folder, files=files, warnings=warnings(pc.config, build_schedule(pc.config), day) + unused_content(pc),
                               documents=previous["documents"], unchanged=True)
    cache = Cache(output / CACHE / folder.name, read=not force)
    roots = tuple(str(root) for root in pc.trust.folders)  # the layout reads files only under these
    try:
        filled = fill(pc, day)
        with Layouts(cache, str(pc.base_dir), roots, day, jobs or os.cpu_count() or 1) as layouts:
            laid, stamps = settle(layouts, filled, pc.shown)
            joined = join_pack(layouts, filled.documents, laid, stamps, f"Cut-over guide: {pc.config.practice.name}")
            by_day = join_sheet_files(layouts, filled, laid)
        files = pack_files(pc, filled, laid, layouts, joined, by_day, inputs, day)
        publish(folder, {name: out.data for name, out in files.items()})
        cache.prune()
    except OSError as exc:  # the files read were read whole before: this is the output folder
        raise cannot_write(output, exc) from None
    return BuildResult(folder=folder, files={name: out.pages for name, out in files.items() if name != MANIFEST},
                       warnings=list(filled.pack.warnings) + unused_content(pc), documents=len(filled.documents),
                       laid_out=[title for key, title in layouts.laid_out.items() if key != STAMPS])


def build_inputs_of(pc: PracticeConfig, today: dt.date) -> str:
    """Hash of everything the practice's build reads but the files its layout reads (see manifest.build_inputs)."""
    c = pc.config
    folders = [PACKAGE, default_dir("templates"), *content_folders(pc)] + ([c.templates] if c.templates else [])
    return build_inputs(pc.config_hash, folders, today, pc.trust)


def pack_files(pc: PracticeConfig, filled: Filled, laid: dict[str, Laid], layouts: Layouts,
               joined: tuple[Laid, str], by_day: dict[str, tuple[Laid, str]], inputs: str, today: dt.date
               ) -> dict[str, Output]:
    """Every file of the pack, in memory: the pack, the documents also handed out on their own, the log
    sheets by day (`by_day`), the email drafts, the calendar, the patient notice, and the manifest of them
    all. `layouts` holds the hash of what made each laid-out document and the files their layouts read,
    `inputs` the hash of everything else the build read."""
    c, pack = pc.config, filled.pack
    files = {PACK: Output(joined[0].data, joined[0].pages, joined[1])}
    files.update({doc.file: Output(laid[doc.key].data, laid[doc.key].pages, layouts.keys[doc.key])
                  for doc in filled.documents if doc.file})
    files.update({name: Output(made.data, made.pages, key) for name, (made, key) in by_day.items()})
    mails = drafts(c, list(pack.letters), {name: f.data for name, f in files.items()})
    files.update({name: Output(data, None, hashlib.sha256(data).hexdigest()) for name, data in mails.items()})
    calendar = timeline_ics(c, list(pack.tasks), today)
    files[ICS] = Output(calendar, None, hashlib.sha256(calendar).hexdigest())
    files[NOTICE] = Output(pack.patient_notice.encode("utf-8"), None, sha(pack.patient_notice))
    files[MANIFEST] = Output(manifest({name: (f.data, f.pages, f.source) for name, f in files.items()},
                                      inputs, len(filled.documents), layouts.read))
    return files
