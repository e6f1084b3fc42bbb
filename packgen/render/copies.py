"""Stamps that differ only in their digits are laid out once: the others are copies of that page.

Most stamps of a log (`stamp.py`) differ from another of the same day only in digits: the sheet's number
in its serial, "Sheet 4 of 11", and its code. The font's digits are all as wide as each other and are not
kerned (FONT, Liberation Sans: checked here on every copy against the font's widths), so such a stamp
puts every glyph where the other does. `share` keeps in the HTML one stamp of each shape (its HTML with
every digit read as 0, and its images left out); after layout, `Copier` makes each other stamp from its
shape's page: the same drawing with the digit glyphs swapped and its own code drawn, and a copy of the
page's structure with the strings (the code's description, the anchor) its own.

Every string of a copy is found by position: a copy's HTML and its shape's are alike but for digits, so
the text at the same place in the copy's HTML is the copy's. A digit of the page that cannot be placed
so (a string that is not in the HTML, or is there twice with different copies) stops the build."""

from __future__ import annotations

import base64
import html as html_module
import re
from dataclasses import dataclass
from functools import lru_cache

import pikepdf
from pikepdf import Array, Dictionary, Name

from ..errors import RenderError

STAMP = re.compile(r'<section\b[^>]*\bdata-stamp="[^"]*"[^>]*>.*?</section>', re.DOTALL)
BLANK = re.compile(r'(<section\b[^>]*\bdata-blank="[^"]*"[^>]*>)')
DATA_URI = re.compile(r"data:[^'\")\s]+")
DIGITS = "0123456789"
# Drawn in the blank, and left out of its drawing as a slot: every digit in each face, so that the
# fonts' subsets have every digit a copy may need.
GLYPHS_SLOT = "glyphs"
GLYPHS = (f'<span data-slot="{GLYPHS_SLOT}" style="position: absolute; left: 0; top: 0; visibility: visible">'
          f'{DIGITS}<b>{DIGITS}</b></span>')


@dataclass(frozen=True)
class Shared:
    """The stamps of a document, in order: for each, the number (among the stamps kept in the HTML) of the
    stamp laid out for its shape, and its own HTML."""

    shape: list[int]
    html: list[str]

    def laid_out(self, index: int) -> bool:
        return self.shape.index(self.shape[index]) == index


def share(text: str) -> tuple[str, Shared | None]:
    """The HTML with one stamp of each shape (the first), and the glyph sample in the blank; and what the
    copies are. HTML without stamps is returned as it is."""
    stamps = list(STAMP.finditer(text))
    if not stamps or not BLANK.search(text):
        return text, None
    shapes: dict[str, int] = {}
    shape, kept = [], []
    for match in stamps:
        own = match.group(0)
        if "<section" in own[1:]:
            raise RenderError("a stamp holds a section of its own; it must hold none")
        key = re.sub(r"\d", "0", DATA_URI.sub("", own)) + "\0" + re.sub(r"\d", "0", _plain(DATA_URI.sub("", own)))
        if key not in shapes:
            shapes[key] = len(shapes)
            kept.append(own)
        shape.append(shapes[key])
    if any(text[a.end():b.start()].strip() for a, b in zip(stamps, stamps[1:])):
        raise RenderError("a document's stamps must follow one another, with nothing between them")
    laid = text[:stamps[0].start()] + "\n".join(kept) + text[stamps[-1].end():]
    return BLANK.sub(lambda m: m.group(1) + GLYPHS, laid, count=1), Shared(shape, [m.group(0) for m in stamps])


def _plain(text: str) -> str:
    """The text of HTML (tags and attribute values as they are), its entities read and its spaces collapsed."""
    return " ".join(html_module.unescape(text).split())


class Translate:
    """A string of the shape's page, as it is on a copy: found in the shape's HTML, read in the copy's."""

    def __init__(self, shape_html: str, copy_html: str) -> None:
        self.shape, self.copy = _plain(DATA_URI.sub("", shape_html)), _plain(DATA_URI.sub("", copy_html))
        if len(self.shape) != len(self.copy):
            raise RenderError("a copy of a stamp is not of its shape's length")

    def __call__(self, text: str) -> str:
        if not any(c in DIGITS for c in text) or self.shape == self.copy:
            return text
        wanted = " ".join(text.split())
        found = {self.copy[at:at + len(wanted)] for at in _occurrences(self.shape, wanted)}
        if len(found) != 1 or len(wanted) != len(text):
            raise RenderError(f"a stamp's text {text!r} cannot be placed on its copies; lay it out in one piece")
        return found.pop()


def _occurrences(text: str, part: str) -> list[int]:
    found, at = [], text.find(part)
    while at >= 0:
        found.append(at)
        at = text.find(part, at + 1)
    return found


class Fonts:
    """The page's fonts: each one's codes to text (its ToUnicode), each digit's code, and each code's width."""

    def __init__(self, resources: Dictionary) -> None:
        self.text: dict[str, dict[int, str]] = {}
        self.digit: dict[str, dict[str, int]] = {}
        self.width: dict[str, dict[int, float]] = {}
        for name, font in resources.get("/Font", {}).items():
            if font.get("/Subtype") != Name.Type0 or "/ToUnicode" not in font:
                continue
            codes = _to_unicode(font.ToUnicode.read_bytes())
            self.text[name] = codes
            self.digit[name] = {text: code for code, text in codes.items() if len(text) == 1 and text in DIGITS}
            self.width[name] = _widths(font.DescendantFonts[0].get("/W", Array()))

    def swap(self, font: str, data: bytes, run: str, new: str, at: int) -> tuple[bytes, int]:
        """The codes of `data` (part of a run of text that reads `run`, from character `at`) with each digit
        swapped for the digit at its place in `new`; and where the next part starts."""
        codes, out = self.text[font], bytearray()
        for index in range(0, len(data), 2):
            code = int.from_bytes(data[index:index + 2], "big")
            text = codes.get(code)
            if text is None:
                raise RenderError("a stamp's text has a glyph its font does not name")
            if text in DIGITS and new[at] != text:
                replacement = self.digit[font].get(new[at])
                if replacement is None or self.width[font].get(replacement) != self.width[font].get(code):
                    raise RenderError(f"the digit {new[at]} is not in the font as wide as the others; "
                                      "stamps need digits of one width")
                code = replacement
            out += code.to_bytes(2, "big")
            at += len(text)
        return bytes(out), at


def _to_unicode(cmap: bytes) -> dict[int, str]:
    """Code → text, from a ToUnicode CMap's bfchar and bfrange entries (two-byte codes)."""
    found: dict[int, str] = {}
    text = cmap.decode("latin-1")
    for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.DOTALL):
        for code, value in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            found[int(code, 16)] = bytes.fromhex(value).decode("utf-16-be")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", text, re.DOTALL):
        for first, last, value in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            start = int.from_bytes(bytes.fromhex(value), "big")
            for offset, code in enumerate(range(int(first, 16), int(last, 16) + 1)):
                found[code] = chr(start + offset)
    return found


def _widths(array: Array) -> dict[int, float]:
    """Code → width, from a CID font's /W array."""
    found: dict[int, float] = {}
    items, index = list(array), 0
    while index < len(items):
        first = int(items[index])
        if isinstance(items[index + 1], Array):
            for offset, width in enumerate(items[index + 1]):
                found[first + offset] = float(width)
            index += 2
        else:
            for code in range(first, int(items[index + 1]) + 1):
                found[code] = float(items[index + 2])
            index += 3
    return found


@lru_cache(maxsize=64)
def path_ops(uri: str) -> bytes | None:
    """The path operators WeasyPrint draws for an SVG `data:` URI that is one path of moves and straight
    lines (the sheet's code, from segno); None for any other image."""
    if not uri.startswith("data:image/svg+xml;base64,"):
        return None
    svg = base64.b64decode(uri.split(",", 1)[1]).decode("utf-8", "replace")
    paths = re.findall(r'<path\b[^>]*\bd="([^"]*)"', svg)
    if len(paths) != 1:
        return None
    ops, x, y = [b"0 0 m"], 0.0, 0.0
    for command, numbers in re.findall(r"([MmLlHhVv])([^MmLlHhVv]*)", paths[0]):
        values = [float(v) for v in re.findall(r"-?[\d.]+(?:e-?\d+)?", numbers)]
        size = 1 if command in "HhVv" else 2
        for index in range(0, len(values), size):
            a = values[index:index + size]
            if command in "Mm" and index:
                command = "L" if command == "M" else "l"
            if command in "ML":
                x, y = a
            elif command in "ml":
                x, y = x + a[0], y + a[1]
            elif command == "H":
                x = a[0]
            elif command == "h":
                x += a[0]
            elif command == "V":
                y = a[0]
            else:
                y += a[0]
            ops.append(_number(x) + b" " + _number(y) + (b" m" if command in "Mm" else b" l"))
    return b"\n".join(ops) + b"\n"


def _number(value: float) -> bytes:
    """A number as WeasyPrint writes it (pydyf)."""
    return str(int(value)).encode() if value.is_integer() else f"{value:f}".rstrip("0").encode()


def copy_drawing(pdf: pikepdf.Pdf, page: pikepdf.Page, stream: bytes, translate: Translate, shape_html: str,
                 copy_html: str) -> bytes:
    """The shape's own drawing (`stream`, of `page`) as the copy's: its digits swapped, its codes redrawn."""
    fonts = Fonts(page.obj.Resources)
    images = _redrawn(pdf, page, stream, shape_html, copy_html)
    out: list[pikepdf.ContentStreamInstruction] = []
    font = ""
    for operands, operator in pikepdf.parse_content_stream(pikepdf.Stream(pdf, stream)):
        name = str(operator)
        if name == "Tf":
            font = str(operands[0])
        elif name in ("TJ", "Tj") and font in fonts.text:
            parts = list(operands[0]) if name == "TJ" else [operands[0]]
            run = "".join(fonts.text[font].get(int.from_bytes(bytes(p)[i:i + 2], "big"), "")
                          for p in parts if isinstance(p, pikepdf.String) for i in range(0, len(bytes(p)), 2))
            new, at, swapped = translate(run), 0, []
            for part in parts:
                if isinstance(part, pikepdf.String):
                    data, at = fonts.swap(font, bytes(part), run, new, at)
                    swapped.append(pikepdf.String(data))
                else:
                    swapped.append(part)
            operands = [Array(swapped)] if name == "TJ" else [swapped[0]]
        elif name == "Do" and str(operands[0]) in images:
            operands = [images[str(operands[0])]]
        out.append(pikepdf.ContentStreamInstruction(operands, operator))
    return pikepdf.unparse_content_stream(out)


def _redrawn(pdf: pikepdf.Pdf, page: pikepdf.Page, stream: bytes, shape_html: str, copy_html: str) -> dict[str, Name]:
    """The images of the shape's page that differ on the copy (its code), each drawn again for the copy:
    shape's image name → the copy's."""
    shape_uris, copy_uris = DATA_URI.findall(shape_html), DATA_URI.findall(copy_html)
    if len(shape_uris) != len(copy_uris):
        raise RenderError("a copy of a stamp has other images than its shape")
    xobjects = page.obj.Resources.get("/XObject", Dictionary())
    drawn = {str(item.operands[0]) for item in pikepdf.parse_content_stream(pikepdf.Stream(pdf, stream), "Do")}
    found: dict[str, Name] = {}
    for old_uri, new_uri in zip(shape_uris, copy_uris):
        if old_uri == new_uri:
            continue
        old, new = path_ops(old_uri), path_ops(new_uri)
        if old is None or new is None:
            raise RenderError("a stamp's image differs on its copies and is not a code that can be drawn again")
        holders = [name for name in drawn if name in xobjects and old in xobjects[name].read_bytes()]
        if len(holders) != 1:
            raise RenderError("a stamp's code is not found on its page")
        source = xobjects[holders[0]]
        copy = pdf.make_stream(source.read_bytes().replace(old, new),
                               **{key[1:]: value for key, value in source.items()
                                  if key not in ("/Length", "/Filter", "/DecodeParms")})
        name = Name(f"/xcopy{len(xobjects)}")
        xobjects[name] = copy
        found[holders[0]] = name
    return found


class Tree:
    """The structure element of a stamp's page and every element under it, as each copy of it is made."""

    def __init__(self, element: Dictionary) -> None:
        self.nodes: list[tuple[dict[str, pikepdf.Object], list[str], int, list[tuple[str, object]]]] = []
        self.index: dict[tuple[int, int], int] = {}  # element → its node
        self._add(element, -1)

    def _add(self, element: Dictionary, parent: int) -> int:
        number = len(self.nodes)
        self.index[element.objgen] = number
        values = {key: value for key, value in element.items() if key not in ("/K", "/P", "/Pg")}
        varying = [key for key, value in values.items() if _has_digits(value)]
        kids: list[tuple[str, object]] = []
        self.nodes.append((values, varying, parent, kids))
        found = element.get("/K")
        for kid in (list(found) if isinstance(found, Array) else [] if found is None else [found]):
            if isinstance(kid, Dictionary) and "/S" in kid:
                kids.append(("node", self._add(kid, number)))
            elif isinstance(kid, Dictionary) and "/MCID" in kid:
                kids.append(("mcr", {key: value for key, value in kid.items() if key != "/Pg"}))
            else:
                kids.append(("kid", kid))
        return number

    def copy(self, pdf: pikepdf.Pdf, page: Dictionary, translate: Translate, suffix: tuple[str, str]
             ) -> list[Dictionary]:
        """The elements of a copy on `page` (the first is the section), its strings the copy's and its ids'
        suffix (`suffix`: the shape's, the copy's) the copy's; in the order of `index`."""

        def string(value: pikepdf.Object) -> pikepdf.Object:
            if isinstance(value, pikepdf.String):
                text = str(value)
                if text.endswith(suffix[0]):
                    return pikepdf.String(text[:-len(suffix[0])] + suffix[1])
                return pikepdf.String(translate(text))
            if isinstance(value, Array):
                return Array([string(v) for v in value])
            if isinstance(value, Dictionary):
                return Dictionary({k: string(v) for k, v in value.items()})
            return value

        made: list[Dictionary] = []
        for values, varying, parent, _ in self.nodes:
            own = dict(values)
            for key in varying:
                own[key] = string(values[key])
            own["/Pg"] = page
            if parent >= 0:
                own["/P"] = made[parent]
            made.append(pdf.make_indirect(Dictionary(own)))
        for new, (_, _, _, kids) in zip(made, self.nodes):
            new.K = Array([made[kid] if kind == "node" else Dictionary({**kid, "/Pg": page}) if kind == "mcr"
                           else kid for kind, kid in kids])  # type: ignore[index, dict-item]
        return made


def _has_digits(value: pikepdf.Object) -> bool:
    """Whether a value (not an element) holds a string with a digit in it."""
    if isinstance(value, pikepdf.String):
        return any(c in DIGITS for c in str(value))
    if isinstance(value, Array):
        return any(_has_digits(v) for v in value)
    if isinstance(value, Dictionary) and "/S" not in value and "/Type" not in value:
        return any(_has_digits(v) for v in value.values())
    return False
