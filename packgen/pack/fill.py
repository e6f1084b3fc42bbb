"""The HTML step: the pack's wording and every document's template filled in, within FILL_SECONDS and
FILL_MEMORY, and the images they show checked; nothing laid out.

`check` runs exactly this, so that it finds every problem of the wording and templates a build would."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from urllib.parse import unquote, urlsplit

from jinja2.sandbox import SandboxedEnvironment

from ..errors import ContentError
from ..limits import FILL_MEMORY, FILL_SECONDS, deadline, image_problem, memory_cap, setting
from ..practice.config import PracticeConfig
from ..reconcile.qr import code_uri
from ..render.templates import template_env
from ..trust import Trust, real
from .documents import Document, documents, html, page_numbers_html, pagination
from .glossary import in_columns, terms_in
from .model import Pack, prepare


@dataclass(frozen=True)
class Filled:
    """The pack, the templates it is shown with, its documents in order and each one's HTML (key → HTML)
    with provisional page numbers."""

    pack: Pack
    env: SandboxedEnvironment
    documents: list[Document]
    html: dict[str, str]


def fill(pc: PracticeConfig, today: dt.date) -> Filled:
    """Every Markdown file and template of the practice's pack filled in, as it is built on `today`."""
    with deadline(setting("FILL_SECONDS", FILL_SECONDS), pc.shown), memory_cap(FILL_MEMORY):
        pack = prepare(pc, today)
        env = pack_env(pc)
        docs = documents(pack)
        provisional = pagination(pack, docs, None, None)
        first = {doc.key: html(env, pack, provisional, doc) for doc in docs}
        page_numbers_html(env, pack, provisional, [])
        checked: set[str] = set()
        for doc in docs:
            check_images(first[doc.key], pc.base_dir, pc.trust, doc.title, checked)
    return Filled(pack, env, docs, first)



def pack_env(pc: PracticeConfig) -> SandboxedEnvironment:
    """The practice's templates (see render.templates), with the filter the pack's documents add:
    `text|terms_used(glossary)`, the glossary's terms a text uses; `terms|in_columns(chars, lines)`, terms
    parted into balanced columns; and `serial|sheet_code(ods_code)`, a sheet's QR code."""
    return template_env(pc.config.templates, pc.trust, {"terms_used": terms_in, "in_columns": in_columns, "sheet_code": code_uri})


IMAGE_URL = re.compile(r"""<img\b[^>]*?\bsrc\s*=\s*["']([^"']+)["']|url\(\s*["']?([^"')]+)""", re.IGNORECASE)


def check_images(text: str, base: Path, trust: Trust, title: str, checked: set[str]) -> None:
    """Refuse, before any layout, an image file the HTML shows that is too large, has too many pixels
    or is an SVG <use> bomb (the layout refuses the same, later). Files outside `trust` are not read:
    the layout refuses them."""
    for match in IMAGE_URL.finditer(text):
        url = unescape(match.group(1) or match.group(2)).strip()
        parts = urlsplit(url)
        if url in checked or parts.scheme not in {"", "file"} or not parts.path:
            continue
        checked.add(url)
        path = real(base / unquote(parts.path))
        if not trust.inside(path):
            continue
        problem = image_problem(path)
        if problem:
            raise ContentError(f"{title}: the image {url} {problem}")
