"""build(): one practice config in, its cut-over pack out. Everything renders before anything is written."""

from __future__ import annotations

import datetime as dt
import glob
import hashlib
import multiprocessing
import os
import re
import shutil
import tempfile
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FuturesTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from jinja2.sandbox import SandboxedEnvironment

from . import __version__
from .columns import REENTRY
from .config import PracticeConfig
from .trust import Trust, real
from .cache import Cache, Laid
from .content import find, load_sections, markdown_env, render_text, required
from .drafts import drafts
from .documents import Document, documents, html, page_numbers_html, set_late_values
from .errors import ContentError, OutputError, RenderError
from .limits import (FILL_MEMORY, FILL_SECONDS, LAYOUT_MEMORY, LAYOUT_SECONDS, LAYOUT_UNIT, MAX_PAGES, deadline,
                     image_problem, memory_cap, setting)
from .ics import timeline_ics
from .letters import build_letters, tracking
from .logs import DEFAULT_LIST_SIZE, DIGIT_BOXES, ROWS_PER_SHEET, Sheet, log_specs, open_days, printed_sheets
from .manifest import MANIFEST, build_inputs, inputs_key, manifest, unchanged
from .reconcile.qr import sheet_marks
from .render import PACKAGE, default_dir, template_env
from .roles import build_roles, pick_up_order
from .schedule import (CHECKLISTS, PHASES, BuildWarning, build_schedule, grouped, key_dates, logoff_words, services, slug,
                       wall_calendar, warnings)
from .workers import lay_out_within, start_layout_worker

PACK = "cutover-pack.pdf"
ICS = "timeline.ics"
NOTICE = "patient-notice.txt"
CACHE = ".cache"  # in the output folder: laid-out documents kept between builds
STAMPS = "page-numbers"


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
        "sheets": printed_sheets(c),  # dated, then each log's numbered spares
        "list_size": f"{c.practice.list_size or DEFAULT_LIST_SIZE:,}",  # the sheets are sized for, as printed
        "open_days": open_days(c),
        "reentry": REENTRY,
        "rows_per_sheet": ROWS_PER_SHEET,
        "digit_boxes": DIGIT_BOXES,
        "dates": key_dates(c, tasks),
        "logoff": logoff_words(c),
        "services": services(c),
        "training": list(c.migration.training),
        "schedule": c.schedule,
        "cut_over_days": (c.migration.go_live - c.migration.final_data_production).days,
        "today": today,
        "version": __version__,
        "config_hash": pc.config_hash[:10],
        "warnings": warnings(c, tasks, today),
        "poster_copies": c.poster.copies,
        "numbering": False,  # true only in the page-number stamp (page-numbers.html)
        **sheet_marks(c.practice.ods_code, {spec.name: spec.columns for spec in log_specs(c)}, ROWS_PER_SHEET,
                      [sheet.serial for sheet in printed_sheets(c)], [day.isoformat() for day in open_days(c)]),
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
    folders, md = content_folders(pc), markdown_env(pc.trust)
    ctx["guidance"] = load_sections("guidance", folders, ctx, md)
    ctx["letters"] = build_letters(c, ctx["tasks"], folders, ctx, md, today)
    ctx["tracking"] = tracking(c, ctx["tasks"])
    ctx["roles"] = build_roles(c, ctx["log_specs"], folders, ctx, md)
    ctx["poster"] = required("", "poster", folders, ctx, md)
    notice = find("", folders).get("patient-notice")
    if notice is None:
        raise ContentError("no patient-notice.md in the content folders; add it to the practice's content folder")
    ctx["patient_notice"] = render_text(notice, ctx, pc.trust)
    ctx["notice_paragraphs"] = notice_paragraphs(ctx["patient_notice"])
    return ctx


def notice_paragraphs(text: str) -> list[str]:
    """The website notice's paragraphs: those before the text message (a paragraph "Text message:")."""
    paragraphs = []
    for paragraph in re.split(r"\n\s*\n", text.strip()):
        if paragraph.strip().lower().startswith("text message:"):
            break
        paragraphs.append(" ".join(paragraph.split()))
    return [p for p in paragraphs if p]


def render_pack(pc: PracticeConfig, today: dt.date, cache: Cache, inputs: str, jobs: int = 1
                ) -> tuple[dict[str, Output], list[BuildWarning], list[str], int]:
    """All files of the pack in memory, the warnings found on the way, the titles of the documents
    laid out (the others came from `cache`), and how many documents the pack has. `inputs` (the hash
    of everything the build reads) goes into the manifest.

    Each document is laid out on its own, `jobs` at a time. The contents and the print list are
    laid out again once the other documents' page counts are known, then the documents are joined
    and page numbers stamped on."""
    c = pc.config
    ctx, env, docs, first = fill(pc, today)
    roots = layout_roots(pc)
    with Layouts(cache, pc, roots, today, jobs) as layouts:
        laid = layouts.get({doc.key: (first[doc.key], doc.title, True) for doc in docs})
        pack_docs = [doc for doc in docs if doc.in_pack]
        total = sum(laid[doc.key].pages for doc in docs)
        if total > MAX_PAGES:
            raise RenderError(f"{pc.shown}: the pack came to {total:,} pages; at most {MAX_PAGES:,}: shorten the "
                              "guidance or print fewer log sheets")
        for _ in range(3):  # the late documents' own length moves what comes after them: settle it
            counts = {doc.key: laid[doc.key].pages for doc in docs}
            anchors: dict[str, int] = {}
            names: list[str] = []
            for doc in pack_docs:
                anchors.update({a: len(names) + p + 1 for a, p in laid[doc.key].anchors.items() if a not in anchors})
                names += laid[doc.key].page_names
            set_late_values(ctx, docs, counts, anchors)
            with deadline(setting("FILL_SECONDS", FILL_SECONDS), pc.shown), memory_cap(FILL_MEMORY):
                requests = ({doc.key: (html(env, ctx, doc), doc.title, True) for doc in docs if doc.late}
                            | {STAMPS: (page_numbers_html(env, ctx, names), "Page numbers", False)})
            late = layouts.get(requests)
            stamps = late.pop(STAMPS)
            moved = [key for key, found in late.items() if found.pages != laid[key].pages]
            laid.update(late)
            if not moved:
                break
        else:
            raise RenderError("the contents and print list do not settle on a page count; shorten the guidance titles")
        pack = layouts.join([laid[doc.key] for doc in pack_docs], [layouts.keys[doc.key] for doc in pack_docs], stamps,
                            f"Cut-over pack: {c.practice.name}")
        day_files = layouts.bundles(ctx["sheets"], {spec.name: f"logs-{spec.name}" for spec in ctx["log_specs"]}, laid,
                                    c.practice.name)
    files = {PACK: pack}
    files.update({doc.file: Output(laid[doc.key].data, laid[doc.key].pages, layouts.keys[doc.key])
                  for doc in docs if doc.file})
    files.update(day_files)
    mails = drafts(c, ctx["letters"], {name: f.data for name, f in files.items()})
    files.update({name: Output(data, None, hashlib.sha256(data).hexdigest()) for name, data in mails.items()})
    files[ICS] = Output(timeline_ics(c, ctx["tasks"], today), None, sha(repr(ctx["tasks"]) + today.isoformat()))
    files[NOTICE] = Output(ctx["patient_notice"].encode("utf-8"), None, sha(ctx["patient_notice"]))
    files[MANIFEST] = Output(manifest({name: (f.data, f.pages, f.source) for name, f in files.items()},
                                      inputs, len(docs)))
    return files, ctx["warnings"], list(layouts.laid_out.values()), len(docs)


def fill(pc: PracticeConfig, today: dt.date) -> tuple[dict[str, Any], SandboxedEnvironment, list[Document],
                                                      dict[str, str]]:
    """The HTML step: every Markdown file and template filled in, within FILL_SECONDS, nothing laid out.

    `check` runs exactly this, so that it finds every problem of the wording and templates a build would."""
    with deadline(setting("FILL_SECONDS", FILL_SECONDS), pc.shown), memory_cap(FILL_MEMORY):
        ctx = prepare(pc, today)
        env = template_env(pc.config.templates, pc.trust)
        docs = documents(ctx)
        set_late_values(ctx, docs, None, None)
        first = {doc.key: html(env, ctx, doc) for doc in docs}
        page_numbers_html(env, ctx, [])
        checked: set[str] = set()
        for doc in docs:
            check_images(first[doc.key], pc.base_dir, pc.trust, doc.title, checked)
    return ctx, env, docs, first


IMAGE_URL = re.compile(r"""<img\b[^>]*?\bsrc\s*=\s*["']([^"']+)["']|url\(\s*["']?([^"')]+)""", re.IGNORECASE)


def layout_roots(pc: PracticeConfig) -> tuple[str, ...]:
    """The folders the layout may read files from: the trusted root(s) and packgen's own."""
    return tuple(str(folder) for folder in pc.trust.folders)


def check_images(text: str, base: Path, trust: Trust, title: str, checked: set[str]) -> None:
    """Refuse, before any layout, an image file the HTML shows that is too large, has too many pixels
    or is an SVG <use> bomb (the layout refuses the same, later). Files outside `trust` are not read:
    the layout refuses them."""
    for match in IMAGE_URL.finditer(text):
        url = unescape(match.group(1) or match.group(2)).strip()
        parts = urlsplit(url)
        if url in checked or parts.scheme not in {"", "file"} or not parts.path:
            continue
        checked.add(url)
        path = real(base / unquote(parts.path))
        if not trust.inside(path):
            continue
        problem = image_problem(path)
        if problem:
            raise ContentError(f"{title}: the image {url} {problem}")


def build_inputs_of(pc: PracticeConfig, today: dt.date) -> str:
    """Hash of everything the practice's build reads (see manifest.build_inputs)."""
    c = pc.config
    folders = [PACKAGE, default_dir("templates"), *content_folders(pc)] + ([c.templates] if c.templates else [])
    return build_inputs(pc.config_hash, [c.practice.logo] if c.practice.logo else [], folders, today, pc.trust)


class Layouts:
    """Documents laid out, or found in the cache when their HTML and inputs are unchanged.

    They are laid out in up to `jobs` worker processes, forked from this one (fast to start, and clean:
    this process never lays anything out itself). Each worker dies with this process, may use at most
    LAYOUT_MEMORY bytes, and stops a document after LAYOUT_SECONDS for each LAYOUT_UNIT characters of
    its HTML begun (PACKGEN_LAYOUT_MEMORY and PACKGEN_LAYOUT_SECONDS in the environment lower them)."""

    def __init__(self, cache: Cache, pc: PracticeConfig, roots: tuple[str, ...], today: dt.date, jobs: int) -> None:
        self.cache, self.today, self.jobs, self.roots = cache, today, jobs, roots
        self.base_url = str(pc.base_dir)
        self.files = [pc.config.practice.logo] if pc.config.practice.logo else []
        self.keys: dict[str, str] = {}  # document → hash of what produced it
        self.laid_out: dict[str, str] = {}  # document → title, for those laid out by this build
        self.pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> Layouts:
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        if self.pool is not None:
            if kind is not None:  # a failure: do not wait for the other documents
                self.kill()
            else:
                self.pool.shutdown(wait=True, cancel_futures=True)

    def get(self, requests: dict[str, tuple[str, str, bool]]) -> dict[str, Laid]:
        """Each document of `requests` (key → HTML, title, tagged), from the cache or laid out."""
        found: dict[str, Laid] = {}
        for key, (text, _, _) in requests.items():
            self.keys[key] = inputs_key(text, self.files)
            cached = self.cache.get(self.keys[key])
            if cached is not None:
                found[key] = cached
        if len(found) == len(requests):
            return found
        from .pdf import Job  # WeasyPrint is loaded only when something is laid out

        missing = {key: Job(text, title, self.base_url, self.roots, self.today, tagged)
                   for key, (text, title, tagged) in requests.items() if key not in found}
        seconds, memory = setting("LAYOUT_SECONDS", LAYOUT_SECONDS), setting("LAYOUT_MEMORY", LAYOUT_MEMORY)
        if self.pool is None:
            # Always in worker processes, so each layout has its own time and memory limit.
            self.pool = ProcessPoolExecutor(max_workers=max(1, min(self.jobs, len(missing))),
                                            mp_context=multiprocessing.get_context("fork"),
                                            initializer=start_layout_worker, initargs=(os.getpid(), memory))
        # Longest first, so that no worker is left with a long document at the end.
        order = sorted(missing, key=lambda k: len(missing[k].html), reverse=True)
        allowed = {key: seconds * -(-len(missing[key].html) // LAYOUT_UNIT) for key in order}  # per started unit
        futures = {key: self.pool.submit(lay_out_within, missing[key], allowed[key], memory) for key in order}
        done = {key: self.result(future, missing[key].title, allowed[key]) for key, future in futures.items()}
        for key, laid in done.items():
            self.cache.put(self.keys[key], laid)
            if key != STAMPS:
                self.laid_out[key] = missing[key].title
        found.update(done)
        return {key: found[key] for key in requests}

    def result(self, future: Future[Laid], title: str, seconds: int) -> Laid:
        """A layout's result; a worker that hangs past its own time limit is killed, one that died is reported."""
        try:
            return future.result(timeout=seconds + 30)  # the worker stops itself after `seconds`: a backstop
        except FuturesTimeout:
            self.kill()
            raise RenderError(f"{title}: took more than {seconds} second{'s' if seconds != 1 else ''} to lay out; "
                              "shorten it") from None
        except BrokenProcessPool:
            self.kill()
            raise RenderError(f"{title}: the layout process stopped (out of memory, or killed)") from None

    def kill(self) -> None:
        """Stop every worker at once (the pool cannot cancel a layout that has started)."""
        pool, self.pool = self.pool, None
        if pool is None:
            return
        for process in list(getattr(pool, "_processes", {}).values()):  # no public way to stop a worker
            process.kill()
        pool.shutdown(wait=True, cancel_futures=True)

    def join(self, parts: list[Laid], keys: list[str], stamps: Laid, title: str) -> Output:
        """The pack: every document's pages in order, numbered; kept in the cache like a document."""
        key = sha("\0".join([*keys, self.keys[STAMPS], title, self.today.isoformat()]))
        cached = self.cache.get(key)
        if cached is None:
            from .join import join

            data = join([part.data for part in parts], stamps.data, title, self.today)
            cached = Laid(data, sum(part.pages for part in parts), {}, ())
            self.cache.put(key, cached)
        return Output(cached.data, cached.pages, key)

    def bundles(self, printed: list[Sheet], log_docs: dict[str, str], laid: dict[str, Laid], name: str
                ) -> dict[str, Output]:
        """The log sheets by day, and the spares, as files of the pages of the per-log documents (`log_docs`:
        log → document key); kept in the cache like a document."""
        from .bundles import bundle, groups  # pikepdf is loaded only when something is laid out

        logs = {log: laid[key].data for log, key in log_docs.items() if key in laid}
        found = {}
        for file, what, sheets in groups(printed, pick_up_order()):
            title = f"{what}: {name}"
            key = sha("\0".join([*(self.keys[log_docs[log]] for log in logs), file, title, self.today.isoformat(),
                                  *(sheet.serial for sheet in sheets)]))
            cached = self.cache.get(key)
            if cached is None:
                cached = Laid(bundle(sheets, printed, logs, title, self.today), len(sheets), {}, ())
                self.cache.put(key, cached)
            found[file] = Output(cached.data, cached.pages, key)
        return found


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


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
            tasks = build_schedule(pc.config)
            files = {name: entry["pages"] for name, entry in previous["files"].items()}
            return BuildResult(folder=folder, files=files, warnings=warnings(pc.config, tasks, day),
                               documents=previous["documents"], unchanged=True)
    cache = Cache(output / CACHE / folder.name, read=not force)
    try:
        documents, found, laid_out, count = render_pack(pc, day, cache, inputs, jobs or os.cpu_count() or 1)
        publish(folder, {name: out.data for name, out in documents.items()})
        cache.prune()
    except OSError as exc:  # the files read were read whole before: this is the output folder
        raise OutputError(f"{output}: cannot write the pack there ({exc.strerror or exc}"
                          + (f": {exc.filename}" if exc.filename else "") + ")") from None
    files = {name: out.pages for name, out in documents.items() if name != MANIFEST}
    return BuildResult(folder=folder, files=files, warnings=found, laid_out=laid_out, documents=count)


def publish(folder: Path, files: dict[str, bytes]) -> None:
    """Write every file into a new folder beside `folder`, then swap it in.

    Readers see the old pack or the new one, never a mix; a failure leaves the old pack as it was and
    no partial file behind; and files an earlier build wrote but this one did not (a re-dated letter)
    are gone, so an out-of-date letter cannot be printed and sent. A crash in the middle of the swap
    is put right by the next build (see `recover`)."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    recover(folder)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}{NEW}", dir=folder.parent))
    mask = os.umask(0)
    os.umask(mask)
    staging.chmod(0o777 & ~mask)  # readable like any folder the user makes, not private as mkdtemp's are
    try:
        for name, data in files.items():
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            write_new(path, data)
        if os.path.lexists(folder):
            old = Path(tempfile.mkdtemp(prefix=f".{folder.name}{OLD}", dir=folder.parent))
            os.replace(folder, old / folder.name)  # a crash here leaves the old pack in `old`: see recover()
            os.replace(staging, folder)
            remove(old)
        else:
            os.replace(staging, folder)
    except BaseException:
        remove(staging)
        raise


def write_new(path: Path, data: bytes) -> None:
    """Create `path` afresh and write `data`; never through a link (the name must not exist yet)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o666)
    with os.fdopen(fd, "wb") as file:
        file.write(data)


NEW, OLD = ".new-", ".old-"


def recover(folder: Path) -> None:
    """Put right a swap that a crash interrupted, then remove the folders it left.

    When the pack's folder is missing but the previous pack is kept in a `.old-` folder (the crash
    came between the two renames), the previous pack is put back; then every `.new-` and `.old-`
    folder of this practice is removed. A leftover that is a link is removed as a link, never followed."""
    parent = folder.parent
    if not parent.is_dir():
        return
    olds = sorted(parent.glob(f".{glob.escape(folder.name)}{OLD}*"))
    news = sorted(parent.glob(f".{glob.escape(folder.name)}{NEW}*"))
    if not os.path.lexists(folder):
        for old in olds:
            kept = old / folder.name
            if not old.is_symlink() and kept.is_dir() and not kept.is_symlink():
                os.replace(kept, folder)
                break
    for leftover in olds + news:
        remove(leftover)


def remove(path: Path) -> None:
    """Delete a folder of ours and everything in it, without following any link (a link is only unlinked)."""
    if path.is_symlink() or not path.is_dir():
        path.unlink(missing_ok=True)
    else:
        shutil.rmtree(path, ignore_errors=True)  # never follows links inside (the fd-based rmtree on Linux)
