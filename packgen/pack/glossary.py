"""The glossary: each term the pack uses with one plain line, from content/glossary.md (overridable)."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nh3

from ..errors import ContentError
from ..render.content import MarkdownEnv, find, required

# A list item of glossary.md as Markdown makes it: "- **term**: what it means".
ITEM = re.compile(r"<li>\s*(?:<p>)?\s*<strong>(.+?)</strong>\s*:?\s*(.*?)\s*(?:</p>)?\s*</li>", re.DOTALL)


@dataclass(frozen=True)
class Term:
    """One line of the glossary: the term as printed, and what it means (HTML)."""

    term: str
    meaning: str


@dataclass(frozen=True)
class Glossary:
    """The glossary's title and its terms, in alphabetical order."""

    title: str
    terms: tuple[Term, ...]


def load_glossary(folders: list[Path], context: dict[str, Any], env: MarkdownEnv) -> Glossary:
    """The glossary's terms, in alphabetical order (so a term that differs by nation, such as
    {{ services.fp10 }}, still sorts)."""
    section = required("", "glossary", folders, context, env)
    terms = tuple(sorted((Term(plain(term), meaning) for term, meaning in ITEM.findall(section.html)),
                         key=lambda t: t.term.casefold()))
    if not terms:
        raise ContentError(f"{find('', folders)['glossary']}: no terms found: write each as a list item, "
                           "'- **term**: what it means'")
    return Glossary(section.title, terms)


def in_columns(terms: tuple[Term, ...], chars: int, lines: int) -> tuple[tuple[Term, ...], tuple[Term, ...]] | None:
    """`terms` in two columns of about the same height, as CSS `columns: 2` balances them but without
    WeasyPrint's dozens of trial layouts (they were a fifth of a small pack's layout time); None when
    they would not fit in two columns of `lines` lines: the template then leaves it to CSS columns. A
    term's height is estimated from its words wrapped at `chars` characters a line, plus a quarter of a
    line between terms; the split is the one whose taller column is shortest."""
    sizes = [_lines(f"{term.term}: {plain(term.meaning)}", chars) + 0.25 for term in terms]
    total = sum(sizes)
    if total > 2 * lines:
        return None
    heights = [sum(sizes[:k]) for k in range(len(sizes) + 1)]
    split = min(range(len(sizes) + 1), key=lambda k: (max(heights[k], total - heights[k]), heights[k] < total / 2))
    return terms[:split], terms[split:]


def _lines(text: str, chars: int) -> int:
    """How many lines `text` takes wrapped at `chars` characters, a word never split."""
    count, used = 1, 0
    for word in text.split():
        if used and used + 1 + len(word) > chars:
            count, used = count + 1, len(word)
        else:
            used += len(word) + (1 if used else 0)
    return count


def plain(fragment: str) -> str:
    """The text of an HTML fragment, on one line."""
    return " ".join(html.unescape(nh3.clean(fragment, tags=set())).split())


def terms_in(text: str, glossary: Glossary) -> tuple[Term, ...]:
    """The glossary's terms that `text` uses, in glossary order. A term in capitals (FDP) is matched as
    written, any other (go-live, smartcard) in any case; either only as a whole word, or its plural. A
    term that lists several names ("TEL, VIS, RX") is used when any of them is. A name the text explains
    where it uses it, in brackets after its meaning ("Home visits log (VIS)"), needs no other line."""
    names = [name for term in glossary.terms for name in term.term.split(", ")]
    return tuple(term for term in glossary.terms
                 if any(used(name, apart(name, text, names)) for name in term.term.split(", ")))


def apart(name: str, text: str, names: list[str]) -> str:
    """`text` without the places that do not use `name` on its own: where it is explained in brackets, and
    inside a longer term ("GP" in "GP Links")."""
    for longer in (other for other in names if other != name and name.casefold() in other.casefold()):
        text = re.sub(re.escape(longer), " ", text, flags=re.IGNORECASE)
    return text.replace(f"({name})", " ")


def used(name: str, text: str) -> bool:
    """Whether `text` uses the term `name` (see terms_in)."""
    flags = 0 if any(c.isupper() for c in name[1:]) else re.IGNORECASE
    return re.search(rf"(?<![\w+-]){re.escape(name)}s?(?![\w+-])", text, flags) is not None
