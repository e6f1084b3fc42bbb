"""Join separately laid-out PDFs into one pack, keeping their tags and bookmarks, and stamp page numbers.

Each part of the pack is laid out on its own (in parallel, and only when it changed). This puts their
pages back together as one tagged PDF: the structure trees become one tree, the bookmarks one outline,
links from one part to another (`packgen:<anchor>`, as the contents has) links to the page, and the
page numbers, known only once every part's length is, are stamped on as pagination artifacts."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence

import pikepdf
from pikepdf import Array, Dictionary, Name, NameTree, NumberTree, OutlineItem

from ..errors import RenderError

PART_LINK = "packgen:"  # a link's address to an anchor in another part of the pack: packgen:part-key-dates


def join(parts: Sequence[bytes], stamps: bytes | None, title: str, created: dt.date) -> bytes:
    """One PDF of every page of `parts` in order, with page i of `stamps` drawn over page i."""
    out = pikepdf.Pdf.new()
    document = out.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document, K=Array()))
    parents = NumberTree.new(out)
    next_key = 0
    outline: list[OutlineItem] = []
    destinations: dict[str, Array] = {}  # anchor → where it is in `out`; the first of a name wins
    for data in parts:
        source = pikepdf.open(io.BytesIO(data))
        first = len(out.pages)
        out.pages.extend(source.pages)
        for name, destination in _destinations(source, out, first):
            destinations.setdefault(name, destination)
        tree = source.Root.get("/StructTreeRoot")
        if tree is not None:
            for key, value in NumberTree(tree.ParentTree).items():
                parents[next_key + key] = _copy(out, source, value)
            for element in _array(tree.K):
                copied = _copy(out, source, element)
                for kid in (_array(copied.K) if copied.S == Name.Document else [copied]):
                    if isinstance(kid, Dictionary):
                        kid.P = document
                    document.K.append(kid)
            for page in out.pages[first:]:
                if "/StructParents" in page.obj:
                    page.obj.StructParents = int(page.obj.StructParents) + next_key
                for annotation in page.obj.get("/Annots", []):
                    if "/StructParent" in annotation:
                        annotation.StructParent = int(annotation.StructParent) + next_key
            next_key += int(tree.get("/ParentTreeNextKey", _next_key(tree)))
        with source.open_outline() as found:
            outline += [_copy_item(item, source, out, first) for item in found.root]
    _link_parts(out, destinations)
    root = out.Root
    root.StructTreeRoot = out.make_indirect(Dictionary(
        Type=Name.StructTreeRoot, K=Array([document]), ParentTree=parents.obj, ParentTreeNextKey=next_key))
    document.P = root.StructTreeRoot
    root.MarkInfo = Dictionary(Marked=True)
    root.Lang = pikepdf.String("en-GB")
    root.ViewerPreferences = Dictionary(DisplayDocTitle=True)
    with out.open_outline() as mine:
        mine.root.extend(outline)
    if stamps is not None:
        _stamp(out, pikepdf.open(io.BytesIO(stamps)))
    stamp = f"D:{created.strftime('%Y%m%d')}000000Z"
    out.docinfo = out.make_indirect(Dictionary(Title=pikepdf.String(title), Producer=pikepdf.String("packgen"),
                                               CreationDate=stamp, ModDate=stamp))
    with out.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        meta["dc:title"] = title
        meta["pdfuaid:part"] = "1"
        meta["dc:language"] = ["en-GB"]
        meta["xmp:CreateDate"] = meta["xmp:ModifyDate"] = meta["xmp:MetadataDate"] = f"{created.isoformat()}T00:00:00Z"
    buffer = io.BytesIO()
    out.save(buffer, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return buffer.getvalue()


def _copy(out: pikepdf.Pdf, source: pikepdf.Pdf, value: pikepdf.Object) -> pikepdf.Object:
    """`value` from another PDF, as part of `out`; objects already copied (pages, elements) are shared.

    A direct array or dictionary is made indirect in its own PDF first, so that qpdf copies it and
    everything it refers to in one call."""
    if isinstance(value, (Dictionary, Array)):
        if not value.is_indirect:
            value = source.make_indirect(value)
        return out.copy_foreign(value)
    return value


def _array(value: pikepdf.Object) -> list[pikepdf.Object]:
    return list(value) if isinstance(value, Array) else [value]


def _next_key(tree: pikepdf.Object) -> int:
    keys = [key for key, _ in NumberTree(tree.ParentTree).items()]
    return max(keys) + 1 if keys else 0


def _copy_item(item: OutlineItem, source: pikepdf.Pdf, out: pikepdf.Pdf, first: int) -> OutlineItem:
    """A bookmark of `source` pointing at the same place on the same page, now page `first` + n of `out`."""
    destination = item.destination
    if isinstance(destination, Array) and len(destination) >= 1:
        number = source.pages.index(pikepdf.Page(destination[0]))
        rest = [_copy(out, source, v) for v in list(destination)[1:]]
        destination = Array([out.pages[first + number].obj, *rest])
    copied = OutlineItem(str(item.title), destination)
    copied.children.extend(_copy_item(child, source, out, first) for child in item.children)
    return copied


def _destinations(source: pikepdf.Pdf, out: pikepdf.Pdf, first: int) -> list[tuple[str, Array]]:
    """The named destinations (the HTML anchors) of `source`, as places in `out`, whose page `first`
    is `source`'s first."""
    names = source.Root.get("/Names")
    if names is None or "/Dests" not in names:
        return []
    pages = {page.objgen: number for number, page in enumerate(source.pages)}
    found = []
    for name, destination in NameTree(names.Dests).items():
        if isinstance(destination, Dictionary):  # the older form: << /D [...] >>
            destination = destination.get("/D")
        if not isinstance(destination, Array) or len(destination) < 1 or not isinstance(destination[0], Dictionary) \
                or destination[0].objgen not in pages:
            continue
        rest = [_copy(out, source, value) for value in list(destination)[1:]]
        found.append((str(name), Array([out.pages[first + pages[destination[0].objgen]].obj, *rest])))
    return found


def _link_parts(out: pikepdf.Pdf, destinations: dict[str, Array]) -> None:
    """Make each link to `packgen:<anchor>` a link to the place of that anchor, in whichever part it is."""
    for page in out.pages:
        for annotation in page.obj.get("/Annots", []):
            action = annotation.get("/A")
            address = str(action.get("/URI", "")) if isinstance(action, Dictionary) else ""
            if not address.startswith(PART_LINK):
                continue
            anchor = address.removeprefix(PART_LINK)
            if anchor not in destinations:
                raise RenderError(f"a link goes to '{anchor}', which no part of the pack has")
            del annotation.A
            annotation.Dest = destinations[anchor]


def _stamp(out: pikepdf.Pdf, stamps: pikepdf.Pdf) -> None:
    """Draw each page of `stamps` over the same page of `out`, marked as a pagination artifact."""
    if len(stamps.pages) != len(out.pages):
        raise RenderError(f"page numbers: {len(stamps.pages)} stamps for {len(out.pages)} pages")
    for number, (page, stamp) in enumerate(zip(out.pages, stamps.pages), start=1):
        if [float(v) for v in stamp.mediabox] != [float(v) for v in page.mediabox]:
            raise RenderError(f"page numbers: page {number} of the pack and its stamp differ in size; "
                              "give every page of one named page the same size in style.css")
        if not stamp.obj.Contents.read_bytes().strip():
            continue
        form = out.copy_foreign(stamp.as_form_xobject())
        # Pages of one document share their resources: a name per page keeps each page's own number.
        name = page.add_resource(form, Name.XObject, Name(f"/PageNumber{number}"))
        page.contents_add(out.make_stream(b"q\n"), prepend=True)
        page.contents_add(out.make_stream(b"Q\n/Artifact <</Type /Pagination>> BDC q " + bytes(name) + b" Do Q EMC\n"))
