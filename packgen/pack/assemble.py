"""Assembling the pack: every document laid out, the contents and the print list laid out again until
their page numbers and counts settle, then the documents of the pack joined into one PDF with the page
numbers stamped on (`join.py` does the joining itself); and the log sheets by day, of the pages of the
files by log (`bundles.py`)."""

from __future__ import annotations

from ..errors import RenderError
from ..limits import FILL_MEMORY, FILL_SECONDS, MAX_PAGES, deadline, memory_cap, setting
from ..render.cache import Laid
from ..render.layouts import Layouts
from ..render.manifest import sha
from .documents import Document, html, log_key, page_numbers_html, pagination
from .fill import Filled
from .printlist import sheet_files

STAMPS = "page-numbers"  # the document of page numbers stamped over the joined pack


def settle(layouts: Layouts, filled: Filled, shown: str) -> tuple[dict[str, Laid], Laid]:
    """Every document laid out in its final form (key → laid out), and the page-number stamps.

    Each document is laid out once with provisional page numbers; then the second-pass documents (the
    contents and the print list) and the stamps are laid out again with the real ones, until no
    second-pass document changes length. `shown` names the config in errors."""
    pack, env, docs = filled.pack, filled.env, filled.documents
    laid = layouts.get({doc.key: (filled.html[doc.key], doc.title, True) for doc in docs})
    total = sum(laid[doc.key].pages for doc in docs)
    if total > MAX_PAGES:
        raise RenderError(f"{shown}: the pack came to {total:,} pages; at most {MAX_PAGES:,}: shorten the "
                          "guidance or print fewer log sheets")
    in_pack = [doc for doc in docs if doc.in_pack]
    for _ in range(3):  # the second-pass documents' own length moves what comes after them: settle it
        counts = {doc.key: laid[doc.key].pages for doc in docs}
        anchors: dict[str, int] = {}
        names: list[str] = []
        for doc in in_pack:
            anchors.update({a: len(names) + p + 1 for a, p in laid[doc.key].anchors.items() if a not in anchors})
            names += laid[doc.key].page_names
        numbers = pagination(pack, docs, counts, anchors)
        with deadline(setting("FILL_SECONDS", FILL_SECONDS), shown), memory_cap(FILL_MEMORY):
            requests = ({doc.key: (html(env, pack, numbers, doc), doc.title, True) for doc in docs if doc.second_pass}
                        | {STAMPS: (page_numbers_html(env, pack, numbers, names), "Page numbers", False)})
        again = layouts.get(requests)
        stamps = again.pop(STAMPS)
        moved = [key for key, found in again.items() if found.pages != laid[key].pages]
        laid.update(again)
        if not moved:
            return laid, stamps
    raise RenderError("the contents and print list do not settle on a page count; shorten the guidance titles")


def join_pack(layouts: Layouts, docs: list[Document], laid: dict[str, Laid], stamps: Laid, title: str
              ) -> tuple[Laid, str]:
    """The pack: the pages of every document in it, in order, numbered; and the hash of what made it.
    Kept in the cache like a document."""
    in_pack = [doc for doc in docs if doc.in_pack]
    key = sha("\0".join([*(layouts.keys[doc.key] for doc in in_pack), layouts.keys[STAMPS], title,
                         layouts.today.isoformat()]))
    joined = layouts.cache.get(key)
    if joined is None:
        from ..render.join import join  # pikepdf is loaded only when the pack changed

        data = join([laid[doc.key].data for doc in in_pack], stamps.data, title, layouts.today)
        joined = Laid(data, sum(laid[doc.key].pages for doc in in_pack), {},
                      tuple(name for doc in in_pack for name in laid[doc.key].page_names))
        layouts.cache.put(key, joined)
    return joined, key


def join_sheet_files(layouts: Layouts, filled: Filled, laid: dict[str, Laid]) -> dict[str, tuple[Laid, str]]:
    """The log sheets by day and the spares (`logs.groups`), each made of the pages of the laid-out files by
    log (file → made, and the hash of what made it). Kept in the cache like a document."""
    pack = filled.pack
    log_docs = {spec.name: log_key(spec.name) for spec in pack.log_specs}
    logs = {log: laid[key] for log, key in log_docs.items() if key in laid}
    printed = list(pack.sheets)
    found = {}
    for item in sheet_files(pack):
        key = sha("\0".join([*(layouts.keys[log_docs[log]] for log in logs), item.file, item.title,
                             layouts.today.isoformat(), *(sheet.serial for sheet in item.sheets)]))
        made = layouts.cache.get(key)
        if made is None:
            from .bundles import bundle  # pikepdf is loaded only when a file changed

            made = bundle(list(item.sheets), printed, logs, item.title, layouts.today)
            layouts.cache.put(key, made)
        found[item.file] = (made, key)
    return found
