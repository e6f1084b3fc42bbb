"""The print list in the guide: each file to print, in the reader's words, with its pages, copies,
for whom, and the paper it takes."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from ..names import BATCH_COVERS, NOTICE_LARGE, PACK, POSTER
from ..practice.logs import Sheet, groups
from .roles import pick_up_order

if TYPE_CHECKING:
    from .model import Pack

DAY_BUNDLE = re.compile(r"logs/\d{4}-\d{2}-\d{2}\.pdf")  # all of one day's sheets, in the order staff pick them up


class Printed(Protocol):
    """What the print list needs of a document (documents.Document)."""

    key: str
    title: str
    file: str | None
    in_pack: bool


@dataclass(frozen=True)
class SheetFile:
    """A file of log sheets made of the pages of the files by log (`logs.groups`): a day's sheets, or the
    spares. One page a sheet, so its pages are known before anything is laid out."""

    file: str
    title: str
    sheets: tuple[Sheet, ...]
    in_pack: bool = False

    @property
    def key(self) -> str:
        return self.file

    @property
    def pages(self) -> int:
        return len(self.sheets)


def sheet_files(pack: Pack) -> list[SheetFile]:
    """The files of log sheets by day and of the spares that the build writes beside the files by log."""
    return [SheetFile(file, f"{what}: {pack.practice.name}", tuple(sheets))
            for file, what, sheets in groups(list(pack.sheets), pick_up_order())]


@dataclass(frozen=True)
class PrintItem:
    """One row: what to print, from which file, its pages, how many copies and for whom."""

    document: str
    file: str
    pages: int
    copies: int
    for_whom: str

    @property
    def paper(self) -> int:
        """Sheets of paper (single-sided)."""
        return self.pages * self.copies


def print_list(docs: Sequence[Printed], count: Callable[[str], int], pack: Pack) -> list[PrintItem]:
    """Rows in handing-out order, from the documents and their page counts (`count`, by key)."""
    rows = [PrintItem("This guide", PACK, sum(count(doc.key) for doc in docs if doc.in_pack), 1,
                      "You, the practice manager. Keep it in a ring binder and tick the checklists as you go")]
    for role in pack.roles:
        rows.append(PrintItem(f"Role card: {role.title}", role.filename, count(role.anchor), role.copies,
                              for_staff(role.staff, role.copies)))
    for role in pack.roles:
        if role.large_print:
            rows.append(PrintItem(f"Large-print role card: {role.title}", role.large_filename, count(role.large_anchor),
                                  1, "Staff in this role who need large print"))
    rows.append(PrintItem("Poster for patients", POSTER, count("part-poster"), pack.poster_copies,
                          "Waiting room, reception desk and entrance"))
    rows.append(PrintItem("Large-print notice for patients", NOTICE_LARGE,
                          count("part-notice-large-print"), 1, "Reception, for patients who ask for large print"))
    posted = [letter for letter in pack.letters if not letter.party.email]
    if posted:
        numbers = [letter.filename[:2] for letter in posted]
        rows.append(PrintItem(f"Letters to send by post ({len(posted)})", f"letters/ numbers {and_list(numbers)}",
                              sum(count(f"part-{letter.anchor}") for letter in posted), 1,
                              "Sign each one and post it on the date in its file name"))
    files = sheet_files(pack)
    pages = {item.key: item.pages for item in files}
    rows += log_rows([*docs, *files], lambda key: pages[key] if key in pages else count(key), pack)
    if any(doc.file == BATCH_COVERS for doc in docs):
        rows.append(PrintItem("Scanning batch cover sheets, one a day", BATCH_COVERS, count("part-batch-covers"), 1,
                              "Scanning staff: one on each day's pile"))
    return rows


def log_rows(docs: Sequence[Printed], count: Callable[[str], int], pack: Pack) -> list[PrintItem]:
    """The log sheets: one bundle a day when the build has them, else one file a log, never both
    (every serial must exist once); then any other file of sheets."""
    own = [doc for doc in docs if doc.file and doc.file.startswith("logs/")]
    by_log = {f"logs/{spec.name.replace('_', '-')}.pdf" for spec in pack.log_specs}
    days = [doc for doc in own if DAY_BUNDLE.fullmatch(doc.file or "")]
    logs = [doc for doc in own if doc.file in by_log]
    chosen = days or logs
    rows = []
    if chosen:
        first, last = chosen[0].file, chosen[-1].file
        what = "Log sheets, one file a day" if days else "Log sheets, one file a log"
        files = (first if first == last else f"{first} to {last}") if days else f"the {len(logs)} files in logs/"
        rows.append(PrintItem(what, files,
                              sum(count(doc.key) for doc in chosen), 1,
                              "Print once, before FDP. Never print "
                              + ("the files by log too" if days else "them again") + ": every serial number must exist once"))
    rows += [PrintItem(doc.title.rsplit(":", 1)[0], doc.file or "", count(doc.key), 1, "Keep with the log sheets")
             for doc in own if doc not in days and doc not in logs]
    return rows


def for_staff(staff: Sequence[str], copies: int) -> str:
    """Whom a role card's copies are for, in words."""
    if not staff:
        return "Each person in this role (no names given)"
    names = and_list(list(staff))
    return (f"One each for {names}" if copies == len(staff) else f"{names}, and spares" if copies > len(staff)
            else f"To share between {names}")


def and_list(items: list[str]) -> str:
    """`a, b and c`."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def paper_total(rows: list[PrintItem]) -> int:
    """Every copy of every row."""
    return sum(row.paper for row in rows)
