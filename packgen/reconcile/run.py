"""reconcile(): one practice's config and its scans in, what each scanned sheet shows out.

Per page: find the code, check it is this practice's and a sheet it issued, register the page, read
each row. Pages are read in the order given; the result does not depend on that order."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..practice.config import Config
from ..practice.logs import ROWS_PER_SHEET, Sheet, log_specs, open_days, printed_sheets
from .ink import Row, read_rows, row_picture
from .layout import BATCH, LAYOUT_VERSION, SIGNOFF, SIGNOFF_SERIAL, Layout, batch_serial, log_layout, parse_payload
from .qr import read_codes
from .register import RegistrationError, register
from .scans import Page, pages

PAGE_SECONDS = 30  # a page that takes longer is reported as unreadable


@dataclass
class SheetRead:
    """A page that is one of this practice's sheets, and what its rows show."""

    serial: str
    kind: str  # "log", "batch" or "signoff"
    file: str
    page: int
    rows: list[Row] = field(default_factory=list)
    pictures: dict[int, np.ndarray] = field(default_factory=dict)  # rows with something outstanding
    cells: dict[tuple[int, str], bool] = field(default_factory=dict)  # (row, column) → written, blank cells only


@dataclass(frozen=True)
class Unknown:
    """A page that is not one of this practice's sheets, or could not be read: why, in a few words."""

    file: str
    page: int
    reason: str
    ods_code: str | None = None


@dataclass
class Outcome:
    """Everything read from the scans of one practice."""

    ods_code: str
    practice: str
    issued: list[Sheet]  # every log sheet printed, numbered spares included: each must come back scanned
    reads: list[SheetRead] = field(default_factory=list)
    unknown: list[Unknown] = field(default_factory=list)


def known_layouts(config: Config) -> dict[str, Layout]:
    """Serial → layout, for every machine-read sheet this config prints."""
    layouts = {spec.name: log_layout(spec.columns, ROWS_PER_SHEET) for spec in log_specs(config)}
    known: dict[str, Layout] = {sheet.serial: layouts[sheet.log.name] for sheet in printed_sheets(config)}
    known.update({batch_serial(day.isoformat()): BATCH for day in open_days(config)})
    known[SIGNOFF_SERIAL] = SIGNOFF
    return known


class PageTimeout(Exception):
    """A page took longer than PAGE_SECONDS."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise PageTimeout in this thread after `seconds` (only in the main thread, where signals arrive)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def expired(signum: int, frame: object) -> None:
        raise PageTimeout

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def read_page(page: Page, ods_code: str, known: dict[str, Layout]) -> SheetRead | Unknown:
    """What one page is: one of the practice's sheets with its rows read, or an unknown page and why."""
    if page.grey is None:
        return Unknown(page.file, page.number, page.problem or "cannot be read")
    grey = page.grey
    codes = read_codes(grey)
    ours = [(code, parse_payload(code.text)) for code in codes]
    ours = [(code, found) for code, found in ours if found is not None]
    if not ours:
        if not codes and float(np.percentile(grey, 1)) > float(np.percentile(grey, 99)) - 60:
            return Unknown(page.file, page.number, "blank page")
        return Unknown(page.file, page.number, "no packgen sheet code found")
    code, found = ours[0]
    if found.ods_code != ods_code:
        return Unknown(page.file, page.number, f"a sheet of another practice (ODS {found.ods_code})", found.ods_code)
    if found.version != LAYOUT_VERSION:
        return Unknown(page.file, page.number, f"{found.serial}: layout {found.version}, this packgen reads layout "
                       f"{LAYOUT_VERSION}; rebuild the pack with the same packgen version", found.ods_code)
    layout = known.get(found.serial)
    if layout is None:
        return Unknown(page.file, page.number, f"{found.serial}: not a sheet this config prints (another build?)",
                       found.ods_code)
    try:
        affine, _ = register(grey, layout, code.corners)
    except RegistrationError as exc:
        return Unknown(page.file, page.number, f"{found.serial}: {exc}", found.ods_code)
    read = SheetRead(found.serial, layout.kind, page.file, page.number)
    if layout.kind == "log":
        read.rows, read.cells = read_rows(grey, affine, layout)
        for row in read.rows:
            if (row.used and not row.reentered) or (row.reentered and not row.checked):
                read.pictures[row.number] = row_picture(grey, affine, layout, row.number)
    return read


def reconcile(config: Config, scans: list[Path], names: list[str] | None = None,
              on_page: Callable[[str, int], None] | None = None) -> Outcome:
    """Read every page of `scans` against the sheets `config` prints. `on_page(file, page)` after each page."""
    outcome = Outcome(config.practice.ods_code.upper(), config.practice.name, printed_sheets(config))
    known = known_layouts(config)
    for page in pages(scans, names):
        try:
            with time_limit(PAGE_SECONDS):
                result = read_page(page, outcome.ods_code, known)
        except PageTimeout:
            result = Unknown(page.file, page.number, f"took longer than {PAGE_SECONDS} seconds to read")
        page.grey = None
        if isinstance(result, SheetRead):
            outcome.reads.append(result)
        else:
            outcome.unknown.append(result)
        if on_page is not None:
            on_page(page.file, page.number)
    return outcome
