"""The pack as a list of documents, in reading order, each laid out on its own.

A document is one template from `templates/parts/` with a few values of its own (the letter, the
role, the day's sheets). `cutover-pack.pdf` is the practice manager's guide; documents handed out or
sent on their own (letters, log sheets, scanning batch cover sheets, role cards, the poster) are files
beside it, not in it. Start here, the contents and the print list show page numbers and counts, so they
are laid out again in a second pass, once every other document's length is known."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from jinja2.sandbox import SandboxedEnvironment

from ..names import BATCH_COVERS, NOTICE_LARGE, POSTER
from ..render.sandbox import Provisional
from ..render.templates import render_template
from .model import Pack
from .printlist import PrintItem, paper_total, print_list

PROVISIONAL_PAGE = 999  # what the contents shows before the page numbers are known: as wide as any real one


@dataclass(frozen=True)
class Document:
    """One document of the pack: which part template, its own values, its title and file."""

    key: str  # unique in the pack: the id of the block it lays out
    template: str
    title: str
    file: str | None = None  # written on its own as well, under this name
    values: dict[str, Any] = field(default_factory=dict)
    second_pass: bool = False  # shows page numbers or counts: laid out again once the other documents are
    in_pack: bool = True  # false: only a file beside the guide (a letter, a role card, the log sheets)


def documents(pack: Pack) -> list[Document]:
    """Every document, the guide's in the order it is printed, then the files handed out on their own."""
    name = pack.practice.name
    docs = [
        Document("part-cover", "parts/cover.html", f"Cover: {name}"),
        Document("part-start-here", "parts/start-here.html", f"Start here: {name}", second_pass=True),
        Document("part-contents", "parts/contents.html", f"Contents: {name}", second_pass=True),
        Document("part-print-list", "parts/print-list.html", f"Print list: {name}", second_pass=True),
        Document("part-key-dates", "parts/key-dates.html", f"Key dates: {name}"),
        Document("part-calendar", "parts/calendar.html", f"Calendar: {name}"),
        Document("part-checklists", "parts/checklists.html", f"Checklists: {name}"),
        Document("part-guidance", "parts/guidance.html", f"Guidance for the cut-over: {name}"),
        Document("part-third-parties", "parts/third-parties.html", f"Third parties: {name}"),
        Document("part-logs", "parts/logs.html", f"Paper log sheets: {name}"),
        Document("part-sheet-register", "parts/sheet-register.html", f"Sheet register: {name}"),
        Document("part-scanning", "parts/scanning.html", f"Scanning checklist: {name}"),
        Document("part-reentry", "parts/reentry.html", f"Re-entry tracker and sign-off: {name}"),
        Document("part-glossary", "parts/glossary.html", f"Glossary: {name}"),
    ]
    docs += [Document(role.anchor, "parts/role-card.html", f"{role.title}: role card, {name}", role.filename,
                      {"role": role}, in_pack=False) for role in pack.roles]
    docs += [Document(role.large_anchor, "parts/role-card.html", f"{role.title}: large-print role card, {name}",
                      role.large_filename, {"role": role, "large": True}, in_pack=False)
             for role in pack.roles if role.large_print]
    docs += [
        Document("part-poster", "parts/poster.html", f"Notice to patients: {name}", POSTER, in_pack=False),
        Document("part-notice-large-print", "parts/notice-large-print.html",
                 f"Notice to patients, large print: {name}", NOTICE_LARGE, in_pack=False),
    ]
    if pack.open_days:
        docs.append(Document("part-batch-covers", "parts/scanning.html", f"Scanning batch cover sheets: {name}", BATCH_COVERS,
                             {"covers": True}, in_pack=False))
    docs += [Document(f"part-{letter.anchor}", "parts/letter.html", f"{letter.subject} ({letter.party.name})",
                      f"letters/{letter.filename}", {"letter": letter}, in_pack=False) for letter in pack.letters]
    for spec in pack.log_specs:
        own = [sheet for sheet in pack.sheets if sheet.log == spec]
        if own:
            docs.append(Document(log_key(spec.name), "parts/log-sheets.html", f"{spec.title}: {name}",
                                 f"logs/{spec.name.replace('_', '-')}.pdf", {"sheets": own}, in_pack=False))
    return docs


def log_key(log: str) -> str:
    """The key of a log's document of sheets."""
    return f"logs-{log}"


@dataclass(frozen=True)
class Pagination:
    """What the second-pass documents show, once the others are laid out: the page of each anchor in the
    pack (`page_of`, for the contents) and the print list's rows and paper. Before that, provisional."""

    page_of: Mapping[str, int]
    print_rows: tuple[PrintItem, ...]
    print_total: int

    def values(self) -> dict[str, Any]:
        return {"page_of": self.page_of, "print_rows": self.print_rows, "print_total": self.print_total}


def html(env: SandboxedEnvironment, pack: Pack, pagination: Pagination, doc: Document) -> str:
    """The document's HTML: `base.html` around its part template."""
    return render_template(env, "base.html", {**pack.values(), **pagination.values(), **doc.values,
                                              "numbering": False, "part": doc.template, "title": doc.title})


def page_numbers_html(env: SandboxedEnvironment, pack: Pack, pagination: Pagination, page_names: list[str]) -> str:
    """A document of empty pages, one for each page of the pack with the same named page, showing only
    "Page X of Y" where the pack's style puts it: stamped over the joined pack."""
    values = {"page_names": page_names, "numbering": True, "title": "Page numbers"}
    return render_template(env, "page-numbers.html", {**pack.values(), **pagination.values(), **values})


def pagination(pack: Pack, docs: list[Document], counts: dict[str, int] | None,
               anchors: dict[str, int] | None) -> Pagination:
    """The print list's rows and the contents' page numbers, from the laid-out documents' page `counts`
    and the pack's page of each anchor; provisional ones (a page a document, every anchor on page 999)
    when they are not known yet."""
    def count(key: str) -> int:
        return counts.get(key, 0) if counts else 1

    rows = print_list(docs, count, pack)
    return Pagination(anchors if anchors is not None else Provisional(PROVISIONAL_PAGE), tuple(rows), paper_total(rows))
