"""What WeasyPrint's structure tree leaves out for PDF/UA, added where the tree is built.

WeasyPrint tags an HTML table as a PDF table and ties data cells to header cells with /Headers, but it
reads the HTML `scope` attribute only to choose those ties and gives the header cells no /Scope
(Matterhorn 15-003). And a table that is really a table of contents or a list is tagged as a data
table without header cells. This wraps the function that builds the tree, so that every document
laid out gets both from its HTML, not page by page:

- a `<th>` gets /Scope /Row (HTML `scope="row"` or `"rowgroup"`) or /Scope /Column (anything else,
  which is also what WeasyPrint assumes when it ties cells to headers);
- a `<table data-pdf-tag="TOC">` becomes TOC, its rows TOCI and its cells P;
  a `<table data-pdf-tag="L">` becomes L, its rows LI, a row's first cell Lbl and the others LBody;
- a link's annotation is described (/Contents) by the link's text, not by its address.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pydyf
from weasyprint.pdf import tags as _weasy_tags

RETAGS = {  # data-pdf-tag → (row tag, first cell tag, other cells tag)
    "TOC": ("TOCI", "P", "P"),
    "L": ("LI", "Lbl", "LBody"),
}
_ROW_SCOPES = {"row", "rowgroup"}
FORM_KEY = "PackgenForm"  # "blank:NAME", "stamp:NAME" or "slot:NAME"
FORM_ATTRIBUTES = ("data-blank", "data-stamp", "data-slot")

_original = _weasy_tags._build_box_tree  # noqa: SLF001 - WeasyPrint has no public hook for this


def _build_box_tree(box: Any, parent: Any, pdf: Any, *args: Any) -> Iterator[Any]:
    for element in _original(box, parent, pdf, *args):
        _complete(box, element, pdf)
        yield element


def _complete(box: Any, element: Any, pdf: Any) -> None:
    html = getattr(box, "element", None)
    if html is None or not isinstance(element, pydyf.Dictionary):
        return
    tag = getattr(box, "element_tag", None)
    for attribute in FORM_ATTRIBUTES:
        if html.get(attribute) is not None and box.element_tag == html.tag:  # the element's own box, not ::marker
            element[FORM_KEY] = pydyf.String(f"{attribute[5:]}:{html.get(attribute)}")
    if tag == "th" and element.get("S") == "/TH":
        attributes = element.setdefault("A", pydyf.Dictionary({"O": "/Table"}))
        scope = (html.get("scope") or "").strip().lower()
        attributes["Scope"] = "/Row" if scope in _ROW_SCOPES else "/Column"
    elif tag == "table" and element.get("S") == "/Table" and html.get("data-pdf-tag") in RETAGS:
        _retag_table(element, pdf, html.get("data-pdf-tag"))
    if getattr(box, "link_annotation", None) is not None:  # a link, or a part of one inside another element (<b>)
        text = " ".join("".join(html.itertext()).split())
        if text:
            box.link_annotation["Contents"] = pydyf.String(text)


def _retag_table(table: Any, pdf: Any, kind: str) -> None:
    """Make `table` (a Table element) a `kind`: sections dissolved, rows items, cells their parts."""
    row_tag, first_tag, other_tag = RETAGS[kind]
    table["S"] = f"/{kind}"
    table.pop("A", None)
    kids = pydyf.Array()
    for reference in table["K"]:
        kid = _resolve(pdf, reference)
        if kid is not None and kid.get("S") in ("/THead", "/TBody", "/TFoot"):
            for row_reference in kid["K"]:
                row = _resolve(pdf, row_reference)
                if row is not None:
                    row["P"] = table.reference
                kids.append(row_reference)
        else:
            kids.append(reference)
    table["K"] = kids
    for reference in kids:
        row = _resolve(pdf, reference)
        if row is None or row.get("S") != "/TR":
            continue
        row["S"] = f"/{row_tag}"
        cells = [cell for cell in map(lambda r: _resolve(pdf, r), row["K"]) if cell is not None]
        for number, cell in enumerate(c for c in cells if c.get("S") in ("/TD", "/TH")):
            cell["S"] = f"/{first_tag if number == 0 else other_tag}"
            cell.pop("A", None)
            cell.pop("ID", None)


def _resolve(pdf: Any, reference: Any) -> Any:
    """The structure element `reference` (b"N 0 R") names, or None for a marked-content id."""
    if isinstance(reference, bytes) and reference.endswith(b" R"):
        return pdf.objects[int(reference.split()[0])]
    return None


def install() -> None:
    """Build every structure tree WeasyPrint writes from here on with the additions above."""
    if _weasy_tags._build_box_tree is not _build_box_tree:  # noqa: SLF001
        _weasy_tags._build_box_tree = _build_box_tree  # noqa: SLF001
