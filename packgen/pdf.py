"""HTML to PDF with WeasyPrint: locked-down fetching, a required font, reproducible bytes.

`lay_out` is what a worker process runs: it takes plain values and returns plain values, so that the
documents of a pack can be laid out side by side in separate processes."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from PIL import Image
from weasyprint import HTML, URLFetcher
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcherResponse

from .cache import Laid
from .errors import ContentError, RenderError
from .limits import MAX_IMAGE, MAX_PIXELS, image_problem, read_bounded

FONT = "Liberation Sans"

Image.MAX_IMAGE_PIXELS = MAX_PIXELS  # a larger image is refused, not decoded (a logo needs far fewer)


class LockedFetcher(URLFetcher):
    """Reads `data:` URLs and files under the given folders; refuses everything else."""

    def __init__(self, roots: list[Path]) -> None:
        super().__init__(allowed_protocols={"file", "data"})
        self.roots = [root.resolve() for root in roots]

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:  # type: ignore[override]
        parts = urlsplit(url)
        if parts.scheme == "data":
            if len(url) > MAX_IMAGE * 2:
                raise ValueError(f"refused a data: URL of {len(url):,} characters; at most {MAX_IMAGE * 2:,}")
            response = super().fetch(url, headers)
            data = response.read(MAX_IMAGE + 1)
            problem = image_problem(Path("data.svg" if b"<svg" in data[:4096] else "data"), data)
            if problem and "image" in str(response.headers.get_content_type()):
                raise ValueError(f"refused a data: URL image: it {problem}")
            return URLFetcherResponse(url, data, headers=response.headers)
        if parts.scheme != "file":
            raise ValueError(f"refused to fetch {url}: only local files are read")
        path = Path(unquote(parts.path)).resolve()
        if not any(path.is_relative_to(root) for root in self.roots):
            raise ValueError(f"refused to read {path}: outside the practice and packgen folders")
        try:
            data = read_bounded(path, MAX_IMAGE, "an image or style sheet")
        except ContentError as exc:
            raise ValueError(f"refused to read {exc.format_message()}") from None
        if path.suffix.lower() in {".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg"}:
            problem = image_problem(path, data)
            if problem:
                raise ValueError(f"refused to read {path}: it {problem}")
        return URLFetcherResponse(url, data)


@dataclass(frozen=True)
class Job:
    """What laying out one document needs, in plain values."""

    html: str
    title: str
    base_url: str
    roots: tuple[str, ...]
    created: dt.date
    tagged: bool = True


class _Collect(logging.Handler):
    """Keeps WeasyPrint's warnings (a missing image, an unreadable style) so they can fail the build."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def lay_out(job: Job) -> Laid:
    """Lay out and write one HTML document; fails when an image or style could not be loaded, or when
    the text came out in another font than Liberation Sans."""
    collect = _Collect()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collect)
    try:
        fetcher = LockedFetcher([Path(root) for root in job.roots])
        document = HTML(string=job.html, base_url=job.base_url + "/", url_fetcher=fetcher).render(
            font_config=_font_config())
    finally:
        logger.removeHandler(collect)
    problems = [m for m in collect.messages if "refused" in m or "Failed to load" in m or "Error" in m]
    if problems:
        raise RenderError(f"{job.title}: {problems[0]}")
    stamp = f"{job.created.isoformat()}T00:00:00Z"
    document.metadata.title = job.title
    document.metadata.created = stamp
    document.metadata.modified = stamp
    document.metadata.lang = "en-GB"
    document.metadata.attachments = []  # a pack carries nothing but its pages
    data = document.write_pdf(pdf_variant="pdf/ua-1" if job.tagged else None)  # tagged: headings, tables
    families = {_family(font) for font in document.fonts.values()}
    wrong = sorted(f for f in families if f != FONT)
    if wrong:  # fontconfig substitutes silently; refuse rather than print in another font
        raise RenderError(f"font {FONT} is not installed (text came out in {', '.join(wrong)}); run scripts/setup.sh")
    anchors: dict[str, int] = {}
    for number, page in enumerate(document.pages):
        for anchor in page.anchors:
            anchors.setdefault(anchor, number)
    names = tuple(page._page_box.page_type.name for page in document.pages)  # noqa: SLF001 - no public API
    return Laid(data, len(document.pages), anchors, names)


@lru_cache(maxsize=1)
def _font_config() -> FontConfiguration:
    """One font configuration for every document this process lays out: each new one holds native
    font maps that are never given back, so a process building a wave would keep growing."""
    return FontConfiguration()


def _family(font: object) -> str:
    family = getattr(font, "family", b"")
    return family.decode("utf-8", "replace") if isinstance(family, bytes) else str(family)
