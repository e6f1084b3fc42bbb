"""Forms laid out once and stamped many times: each copy is the blank form with its own values drawn over it.

A repeated page (a log sheet, a scanning batch cover sheet) is written twice into its document:
- once as a blank, `<section data-blank="NAME">`: everything every copy prints, with the values that
  vary (`data-slot="…"` elements) laid out but hidden;
- once for each copy as a stamp, `<section data-stamp="NAME">`: the same page with everything hidden but
  the slots, and without what is costly to lay out and moves nothing (a table placed absolutely).

Laying out a stamp is cheap, and it puts each value exactly where a full page would. `copy_blanks` then
makes one page of each stamp: the blank's drawing (one content stream, shared by every copy) and the
stamp's drawn over it. Its structure is a copy of the blank's with each slot filled by the stamp's
elements, so the stamped values are real, tagged text in the reading order of the page. The blank pages
are removed. Stamps that differ from an earlier one only in digits are not laid out at all: `copies.py`
makes them from that stamp's page, and `copy_blanks` puts them in their place."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field

import pikepdf
from pikepdf import Array, Dictionary, NameTree, NumberTree

from ..errors import RenderError
from .copies import GLYPHS_SLOT, Shared, Translate, Tree, copy_drawing
from .tags import FORM_KEY


@dataclass
class _Form:
    """A page of the laid-out document that is a blank or a stamp."""

    kind: str  # "blank" or "stamp"
    name: str
    page: int
    element: Dictionary  # its section's structure element
    slots: dict[str, Dictionary] = field(default_factory=dict)  # slot name → its element


def copy_blanks(data: bytes, shared: Shared | None = None) -> tuple[bytes, list[tuple[int, Translate | None]]]:
    """The PDF with every stamp page drawn over its blank, and without the blank pages; with `shared`, the
    stamps not laid out (`copies.share`) made as copies of the page of their shape. And for each of its
    pages, the page of `data` it comes from, and how its strings differ from that page's (None: they do
    not). A PDF without blanks is returned as it is."""
    pdf = pikepdf.open(io.BytesIO(data))
    origin: dict[tuple[int, int], tuple[int, Translate | None]] = {
        page.objgen: (number, None) for number, page in enumerate(pdf.pages)}
    root = pdf.Root.StructTreeRoot
    document = root.K[0] if isinstance(root.K, Array) else root.K
    pages = {page.objgen: number for number, page in enumerate(pdf.pages)}
    forms = [form for element in document.K if (form := _form(element, pages)) is not None]
    if not forms:
        return data, list(origin.values())
    blanks = {form.name: form for form in forms if form.kind == "blank"}
    if len(blanks) != sum(form.kind == "blank" for form in forms):
        raise RenderError("a document has two blanks of the same name")
    parents = dict(NumberTree(root.ParentTree).items())
    top = {element.objgen for element in document.K}
    for form in forms:
        for element in parents[int(pdf.pages[form.page].obj.StructParents)]:
            owner = _owner(element, document)
            if owner.objgen in top and owner.objgen != form.element.objgen:
                raise RenderError(f"the {form.kind} {form.name!r} shares its page; it must have a page of its own")
    drawn = {name: _Blank.of(pdf, blank, parents) for name, blank in blanks.items()}
    replaced: dict[tuple[int, int], list[Dictionary]] = {blank.element.objgen: [] for blank in blanks.values()}
    stamps: list[tuple[_Form, Dictionary]] = []
    for form in forms:
        if form.kind != "stamp":
            continue
        if form.name not in drawn:
            raise RenderError(f"a stamp has no blank named {form.name!r}")
        copy = drawn[form.name].stamp(pdf, form, parents)
        copy.P = document
        replaced[form.element.objgen] = [copy]
        stamps.append((form, copy))
    if shared is not None and stamps:
        if len(stamps) != max(shared.shape) + 1:
            raise RenderError("a document's stamps are not those its HTML was given")
        made = copies(pdf, shared, stamps, drawn, parents, origin)
        replaced.update({form.element.objgen: [] for form, _ in stamps})
        replaced[stamps[0][0].element.objgen] = made  # the stamps and their copies, in order, in the first's place
    document.K = Array([new for element in document.K for new in replaced.get(element.objgen, [element])])
    removed = sorted(blank.page for blank in blanks.values())
    gone = {pdf.pages[number].objgen for number in removed}
    for number in reversed(removed):
        del parents[int(pdf.pages[number].obj.StructParents)]
        del pdf.pages[number]
    root.ParentTree = pdf.make_indirect(Dictionary(Nums=Array([x for key in sorted(parents)
                                                                for x in (key, parents[key])])))
    root.ParentTreeNextKey = max(parents, default=-1) + 1
    if "/Outlines" in pdf.Root:
        with pdf.open_outline() as outline:
            outline.root[:] = list(_outside(outline.root, gone))
    sources = [origin[page.objgen] for page in pdf.pages]
    buffer = io.BytesIO()
    pdf.save(buffer, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return buffer.getvalue(), sources


def copies(pdf: pikepdf.Pdf, shared: Shared, stamps: list[tuple[_Form, Dictionary]], drawn: dict[str, _Blank],
           parents: dict[int, pikepdf.Object], origin: dict[tuple[int, int], tuple[int, Translate | None]]
           ) -> list[Dictionary]:
    """Every stamp of `shared` in order, its element: those laid out (`stamps`, each the first of its shape)
    as they are, the others made as copies of their shape's page, put in place among the pages."""
    first = stamps[0][0].page
    dests = NameTree(pdf.Root.Names.Dests) if "/Names" in pdf.Root and "/Dests" in pdf.Root.Names else None
    anchors: dict[tuple[int, int], list[tuple[str, Array]]] = {}
    for name, destination in (dests.items() if dests is not None else []):
        if isinstance(destination, Array) and len(destination) and isinstance(destination[0], Dictionary):
            anchors.setdefault(destination[0].objgen, []).append((name, destination))
    made: list[Dictionary] = []
    trees: dict[int, Tree] = {}
    for index, number in enumerate(shared.shape):
        form, element = stamps[number]
        if shared.laid_out(index):
            made.append(element)
            continue
        source = pikepdf.Page(element.Pg)
        translate = Translate(shared.html[shared.shape.index(number)], shared.html[index])
        if source.obj.get("/Annots"):
            raise RenderError(f"the stamp {form.name!r} has links; a stamp copied from it cannot have them")
        page = pdf.make_indirect(Dictionary({key: value for key, value in source.obj.items()
                                             if key not in ("/Contents", "/StructParents", "/Parent")}))
        contents = list(source.obj.Contents)
        page.Contents = Array([contents[0], pdf.make_stream(copy_drawing(
            pdf, source, contents[1].read_bytes(), translate, shared.html[shared.shape.index(number)],
            shared.html[index]))])
        key = max(parents) + 1
        page.StructParents = key
        pdf.pages.insert(first + index, pikepdf.Page(page))
        page = pdf.pages[first + index].obj
        origin[page.objgen] = (origin[source.objgen][0], translate)
        if number not in trees:
            trees[number] = Tree(element)
        tree = trees[number]
        cloned = tree.copy(pdf, page, translate, (f"-page{form.page}", f"-copy{index}"))
        copy = cloned[0]
        copy.P = element.P
        parents[key] = Array([cloned[tree.index[old.objgen]] if isinstance(old, Dictionary) and old.objgen in tree.index
                              else old for old in parents[int(source.obj.StructParents)]])
        for name, destination in anchors.get(source.objgen, []):
            dests[translate(name)] = Array([page, *list(destination)[1:]])
        made.append(copy)
    return made


def _form(element: Dictionary, pages: dict[tuple[int, int], int]) -> _Form | None:
    label = str(element.get(f"/{FORM_KEY}", ""))
    kind, _, name = label.partition(":")
    if kind not in ("blank", "stamp"):
        return None
    del element[f"/{FORM_KEY}"]
    form = _Form(kind, name, pages[element.Pg.objgen], element)
    for descendant in _elements(element):
        if "/Pg" in descendant and descendant.Pg.objgen != element.Pg.objgen:
            raise RenderError(f"the {kind} {name!r} runs over more than one page; it must fit on one")
    for slot in _slots(element):
        slot_name = str(slot[f"/{FORM_KEY}"]).partition(":")[2]
        if slot_name in form.slots:
            raise RenderError(f"the form {name!r} has two slots named {slot_name!r}")
        form.slots[slot_name] = slot
    for descendant in _elements(element):
        if f"/{FORM_KEY}" in descendant:  # the anonymous boxes inside a slot carry its label too
            del descendant[f"/{FORM_KEY}"]
    glyphs = form.slots.pop(GLYPHS_SLOT, None)
    if glyphs is not None:  # drawn only for the fonts' sake (copies.GLYPHS): out of the tree and the drawing
        glyphs.P.K = Array([kid for kid in _kids(glyphs.P) if not (isinstance(kid, Dictionary)
                                                                   and kid.objgen == glyphs.objgen)])
    return form


def _slots(element: Dictionary) -> Iterator[Dictionary]:
    """The outermost elements under `element` labelled as a slot."""
    for kid in _kids(element):
        if isinstance(kid, Dictionary) and "/S" in kid:
            if str(kid.get(f"/{FORM_KEY}", "")).startswith("slot:"):
                yield kid
            else:
                yield from _slots(kid)


def _owner(element: Dictionary, document: Dictionary) -> Dictionary:
    """The element under `document` that `element` is part of (itself when it is not in the tree)."""
    while "/P" in element and element.P.objgen != document.objgen and "/S" in element.P:
        element = element.P
    return element


def _kids(element: Dictionary) -> list[pikepdf.Object]:
    kids = element.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, Array) else [kids]


def _elements(element: Dictionary) -> Iterator[Dictionary]:
    """`element` and every structure element under it."""
    yield element
    for kid in _kids(element):
        if isinstance(kid, Dictionary) and "/S" in kid:
            yield from _elements(kid)


def _mcids(element: Dictionary) -> set[int]:
    """The marked-content ids of `element`'s own page drawn by it and the elements under it."""
    found: set[int] = set()
    for each in _elements(element):
        for kid in _kids(each):
            if isinstance(kid, int):
                found.add(int(kid))
            elif isinstance(kid, Dictionary) and "/MCID" in kid:
                found.add(int(kid.MCID))
    return found


def _keep(pdf: pikepdf.Pdf, page: pikepdf.Page, renumber: dict[int, int]) -> bytes:
    """`page`'s drawing with only the marked content `renumber` keeps (with its new id) and the artifacts."""
    out: list[pikepdf.ContentStreamInstruction] = []
    stack: list[bool] = []  # for each open marked-content sequence: is it kept
    for operands, operator in pikepdf.parse_content_stream(page):
        name = str(operator)
        if name in ("BMC", "BDC"):
            keep = not stack or stack[-1]
            if keep and name == "BDC" and isinstance(operands[1], Dictionary) and "/MCID" in operands[1]:
                old = int(operands[1].MCID)
                keep = old in renumber
                if keep:
                    operands = [operands[0], Dictionary(MCID=renumber[old])]
            stack.append(keep)
            if keep:
                out.append(pikepdf.ContentStreamInstruction(operands, operator))
            continue
        if name == "EMC":
            if stack.pop():
                out.append(pikepdf.ContentStreamInstruction(operands, operator))
            continue
        if not stack or stack[-1]:
            out.append(pikepdf.ContentStreamInstruction(operands, operator))
    if stack:
        raise RenderError("a page's marked content is not closed")
    return pikepdf.unparse_content_stream(out)


@dataclass
class _Node:
    """One structure element of a blank, as every copy of it is made."""

    values: dict[str, pikepdf.Object]  # its entries but K, P and Pg
    parent: int  # index of its parent among the blank's nodes; -1 for the blank's section
    kids: list[tuple[str, object]]  # ("node", index), ("mcid", number on a copy) or ("slot", name)
    id: str | None = None  # ids and the header cells they name are made unique on each copy
    headers: list[str] | None = None


@dataclass
class _Blank:
    """A blank, ready to be copied: its drawing without the slots, and its structure as a list of nodes."""

    form: _Form
    drawing: pikepdf.Stream  # shared by every copy
    mcids: int  # how many marked-content ids each copy has from the blank (numbered from 0)
    nodes: list[_Node]  # parents before their kids

    @classmethod
    def of(cls, pdf: pikepdf.Pdf, form: _Form, parents: dict[int, pikepdf.Object]) -> _Blank:
        """The blank's own drawing; the slots' hidden text and the page's margin boxes (drawn by each stamp) left out."""
        page = pdf.pages[form.page]
        if page.obj.get("/Annots"):
            raise RenderError(f"the blank {form.name!r} has links; links go in its slots")
        slots = {slot.objgen: name for name, slot in form.slots.items()}
        slotted = set().union(*(_mcids(slot) for slot in form.slots.values()))
        own = sorted(_mcids(form.element) - slotted)
        mcids = {old: new for new, old in enumerate(own)}
        drawing = pdf.make_stream(b"q\n" + _keep(pdf, page, mcids) + b"\nQ\n")
        nodes: list[_Node] = []

        def add(element: Dictionary, parent: int) -> int:
            index = len(nodes)
            values = {key: value for key, value in element.items() if key not in ("/K", "/P", "/Pg")}
            node = _Node(values, parent, [])
            if "/ID" in values:
                node.id = str(values.pop("/ID"))
            if isinstance(values.get("/A"), Dictionary) and "/Headers" in values["/A"]:
                node.headers = [str(h) for h in values["/A"].Headers]
            nodes.append(node)
            if element.objgen in slots:
                node.kids.append(("slot", slots[element.objgen]))
                return index
            for kid in _kids(element):
                if isinstance(kid, Dictionary) and "/S" in kid:
                    node.kids.append(("node", add(kid, index)))
                elif isinstance(kid, int):
                    node.kids.append(("mcid", mcids[int(kid)]))
                else:
                    raise RenderError(f"the blank {form.name!r} holds a link or an object; put it in a slot")
            return index

        add(form.element, -1)
        return cls(form, drawing, len(own), nodes)

    def stamp(self, pdf: pikepdf.Pdf, stamp: _Form, parents: dict[int, pikepdf.Object]) -> Dictionary:
        """Draw the blank under the stamp's page and give that page the blank's structure, its slots
        filled: the new structure element of the page, in place of the stamp's."""
        missing = set(self.form.slots) ^ set(stamp.slots)
        if missing:
            raise RenderError(f"the form {stamp.name!r}: the slots {', '.join(sorted(missing))} are not on both "
                              "the blank and the stamp")
        page = pdf.pages[stamp.page]
        key = int(page.obj.StructParents)
        old = list(parents[key])  # the stamp page's id → element
        slotted = set().union(*(_mcids(slot) for slot in stamp.slots.values()))
        hidden = _mcids(stamp.element) - slotted
        # The slots' text, and what is not in the stamp's section (the margin boxes: drawn by the stamp,
        # which knows its own page); the rest of the stamp is hidden and left out.
        kept = [n for n in range(len(old)) if n not in hidden]
        renumber = {n: self.mcids + index for index, n in enumerate(kept)}
        page.obj.Contents = Array([self.drawing, pdf.make_stream(_keep(pdf, page, renumber))])
        mapping: list[pikepdf.Object] = [None] * self.mcids + [old[n] for n in kept]  # type: ignore[list-item]
        suffix = f"-page{stamp.page}"
        made: list[Dictionary] = []
        for node in self.nodes:
            values = dict(node.values)
            values["/Pg"] = page.obj
            if node.parent >= 0:
                values["/P"] = made[node.parent]
            if node.id is not None:
                values["/ID"] = pikepdf.String(node.id + suffix)  # ids are unique in a document: one set per copy
            if node.headers is not None:
                values["/A"] = Dictionary({**dict(values["/A"].items()),
                                           "/Headers": Array([pikepdf.String(h + suffix) for h in node.headers])})
            made.append(pdf.make_indirect(Dictionary(values)))
        for node, new in zip(self.nodes, made):
            kids: list[pikepdf.Object] = []
            for kind, value in node.kids:
                if kind == "node":
                    kids.append(made[value])  # type: ignore[index]
                elif kind == "mcid":
                    mapping[value] = new  # type: ignore[index]
                    kids.append(value)
                else:
                    for kid in _kids(stamp.slots[value]):  # type: ignore[index]
                        if isinstance(kid, Dictionary) and "/S" in kid:
                            kid.P = new
                            kids.append(kid)
                            for element in _elements(kid):  # its text now follows the blank's on the page
                                element.K = Array([renumber[int(k)] if isinstance(k, int) else k for k in _kids(element)])
                        elif isinstance(kid, int):
                            mapping[renumber[int(kid)]] = new
                            kids.append(renumber[int(kid)])
            new.K = Array(kids)
        parents[key] = Array(mapping)
        return made[0]


def _outside(items: list[pikepdf.OutlineItem], gone: set[tuple[int, int]]) -> Iterator[pikepdf.OutlineItem]:
    """The bookmarks of `items` not pointing at a removed page; children of one removed are kept in its place."""
    for item in items:
        destination = item.destination
        children = list(_outside(list(item.children), gone))
        if isinstance(destination, Array) and len(destination) and destination[0].objgen in gone:
            yield from children
        else:
            item.children[:] = children
            yield item
