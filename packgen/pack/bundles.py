"""Log sheets a day at a time: `logs/YYYY-MM-DD.pdf` and `logs/spares.pdf` (`logs.groups`), made of the very
pages of the per-log files (the same serials, not extra sheets), so staff can print by day instead of by log.

Nothing is laid out again: each bundle takes its pages from the laid-out per-log documents, with the
structure elements (tags) of those pages, and joins them like the parts of the pack."""

from __future__ import annotations

import datetime as dt
import io

import pikepdf
from pikepdf import Array, Dictionary, NumberTree

from ..errors import RenderError
from ..practice.logs import Sheet
from ..render.cache import Laid
from ..render.join import join


def bundle(sheets: list[Sheet], printed: list[Sheet], logs: dict[str, Laid], title: str, created: dt.date) -> Laid:
    """One PDF of `sheets`, their pages taken from `logs`: each log's laid-out sheets, one page a sheet, in
    the order of `printed`."""
    parts, names = [], []
    for log in dict.fromkeys(sheet.log.name for sheet in sheets):  # a log's pages together, in their order
        own = [sheet.serial for sheet in printed if sheet.log.name == log]
        keep = [own.index(sheet.serial) for sheet in sheets if sheet.log.name == log]
        parts.append(pick(logs[log].data, keep))
        names += [logs[log].page_names[index] for index in keep]
    return Laid(join(parts, None, title, created), len(names), {}, tuple(names))


def pick(data: bytes, keep: list[int]) -> bytes:
    """A tagged PDF of only the pages `keep` (0-based, ascending) of `data`, with their structure elements.

    Each page must hold exactly one top-level element under the document element (a log sheet's section),
    so the tags of the pages kept come with them and nothing points to a page left out. The pages share
    one resource dictionary with every page's codes in it: each page kept gets only what it draws."""
    if keep != sorted(set(keep)):
        raise RenderError("log sheets: pages are picked once each, in the order they are in")
    pdf = pikepdf.open(io.BytesIO(data))
    numbers = {page.obj.objgen: index for index, page in enumerate(pdf.pages)}
    tree = pdf.Root.StructTreeRoot
    document = tree.K[0] if isinstance(tree.K, Array) else tree.K
    elements = list(document.K) if isinstance(document.K, Array) else [document.K]
    on = [numbers.get(element.Pg.objgen) if "/Pg" in element else None for element in elements]
    if sorted(index for index in on if index is not None) != list(range(len(pdf.pages))) or None in on:
        raise RenderError("log sheets: each page must hold one sheet, and each sheet one page")
    document.K = Array([element for element, index in zip(elements, on) if index in keep])
    wanted = set()
    for index in keep:
        page = pdf.pages[index]
        wanted |= {int(page.obj.StructParents)} if "/StructParents" in page.obj else set()
        wanted |= {int(a.StructParent) for a in page.obj.get("/Annots", []) if "/StructParent" in a}
        resources = Dictionary({key: value for key, value in page.obj.Resources.items()})
        if "/XObject" in resources:
            drawn = {str(item.operands[0]) for item in pikepdf.parse_content_stream(page, "Do")}
            resources.XObject = Dictionary({name: value for name, value in resources.XObject.items() if name in drawn})
        page.obj.Resources = resources
    parents = NumberTree(tree.ParentTree)
    for key in [key for key, _ in parents.items() if key not in wanted]:
        del parents[key]
    for index in sorted(set(range(len(pdf.pages))) - set(keep), reverse=True):
        del pdf.pages[index]
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()
