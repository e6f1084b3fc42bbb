"""HTML to PDF with WeasyPrint: locked-down fetching, a required font, reproducible bytes."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint import HTML, URLFetcher
from weasyprint.document import Document
from weasyprint.urls import URLFetcherResponse

from .errors import RenderError

FONT = "Liberation Sans"


class LockedFetcher(URLFetcher):
    """Reads `data:` URLs and files under the given folders; refuses everything else."""

    def __init__(self, roots: list[Path]) -> None:
        super().__init__(allowed_protocols={"file", "data"})
        self.roots = [root.resolve() for root in roots]

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:  # type: ignore[override]
        parts = urlsplit(url)
        if parts.scheme == "data":
            return super().fetch(url, headers)
        if parts.scheme != "file":
            raise ValueError(f"refused to fetch {url}: only local files are read")
        path = Path(unquote(parts.path)).resolve()
        if not any(path.is_relative_to(root) for root in self.roots):
            raise ValueError(f"refused to read {path}: outside the practice and packgen folders")
        return URLFetcherResponse(url, path.read_bytes())


class Rendered:
    """A laid-out document: written whole, or a few of its pages at a time (a letter, a log)."""

    def __init__(self, document: Document, title: str, created: dt.date) -> None:
        self.document = document
        self.title = title
        self.created = created

    @property
    def page_count(self) -> int:
        return len(self.document.pages)

    def write(self, pages: list[int] | None = None, title: str | None = None) -> bytes:
        """PDF bytes of the given pages (all by default), with fixed dates so rebuilds are identical."""
        document = self.document if pages is None else self.document.copy([self.document.pages[i] for i in pages])
        stamp = f"{self.created.isoformat()}T00:00:00Z"
        document.metadata.title = title or self.title
        document.metadata.created = stamp
        document.metadata.modified = stamp
        document.metadata.lang = "en-GB"
        document.metadata.attachments = []  # a pack carries nothing but its pages
        data = document.write_pdf(pdf_variant="pdf/ua-1")  # tagged: structure, headings, table headers
        families = {_family(font) for font in document.fonts.values()}
        wrong = sorted(f for f in families if f != FONT)
        if wrong:  # fontconfig substitutes silently; refuse rather than print in another font
            raise RenderError(f"font {FONT} is not installed (text came out in {', '.join(wrong)}); run scripts/setup.sh")
        return data

    def splice(self, pages: list[int], other: Rendered) -> Rendered:
        """This document with `pages` replaced by all of `other`'s pages (the same number of them)."""
        if len(other.document.pages) != len(pages):
            raise RenderError(f"{self.title}: a part laid out again took {len(other.document.pages)} pages instead of {len(pages)}")
        new = list(self.document.pages)
        new[pages[0]:pages[-1] + 1] = other.document.pages
        return Rendered(self.document.copy(new), self.title, self.created)

    def parts(self) -> dict[str, list[int]]:
        """The pages of each block whose id starts with "part-" (each such block starts a page)."""
        owner: dict[str, list[int]] = {}
        current: str | None = None
        for number, page in enumerate(self.document.pages):
            starts = [anchor for anchor in page.anchors if anchor.startswith("part-")]
            if starts:
                current = starts[-1]
            if current is not None:
                owner.setdefault(current, []).append(number)
        return owner


class _Collect(logging.Handler):
    """Keeps WeasyPrint's warnings (a missing image, an unreadable style) so they can fail the build."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def render(html: str, *, base_url: Path, roots: list[Path], title: str, created: dt.date) -> Rendered:
    """Lay out one HTML document; fails when an image or style could not be loaded."""
    collect = _Collect()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collect)
    try:
        document = HTML(string=html, base_url=str(base_url) + "/", url_fetcher=LockedFetcher(roots)).render()
    finally:
        logger.removeHandler(collect)
    problems = [m for m in collect.messages if "refused" in m or "Failed to load" in m or "Error" in m]
    if problems:
        raise RenderError(f"{title}: {problems[0]}")
    return Rendered(document, title, created)


def _family(font: object) -> str:
    family = getattr(font, "family", b"")
    return family.decode("utf-8", "replace") if isinstance(family, bytes) else str(family)
