"""HTML to PDF with WeasyPrint: locked-down fetching, a required font, reproducible bytes.

`lay_out` is what a worker process runs: it takes plain values and returns plain values, so that the
documents of a pack can be laid out side by side in separate processes."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from PIL import Image, UnidentifiedImageError
import weasyprint
import weasyprint.css as _weasy_css
from weasyprint import CSS, HTML, URLFetcher
from weasyprint.document import Page
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcherResponse

from ..errors import ContentError, RenderError
from ..limits import MAX_IMAGE, MAX_PIXELS, image_problem
from ..names import FONT
from ..trust import NotReadable, Trust, read_regular, real
from .cache import Laid
from .copies import Translate, share
from .stamp import copy_blanks
from .tags import install as install_tags

Image.MAX_IMAGE_PIXELS = MAX_PIXELS  # a larger image is refused, not decoded (a logo needs far fewer)
install_tags()  # header cells get a scope; tables marked data-pdf-tag become a TOC or a list


class LockedFetcher(URLFetcher):
    """Reads `data:` URLs and regular files inside the trusted folders (after links); refuses everything
    else, and everything once `close()` is called (after layout: nothing is fetched to be attached).
    Keeps what it read, for the cache (see `Laid.read`)."""

    def __init__(self, roots: list[Path]) -> None:
        super().__init__(allowed_protocols={"file", "data"})
        self.trust = Trust(roots)
        self.roots = tuple(str(root) for root in roots)
        self.read: set[tuple[str, str, str]] = set()  # each file: path asked for, path read, sha256 of its bytes
        self.refused: list[str] = []  # why, for messages WeasyPrint gives without a reason
        self.fetches = 0  # asked for, read or refused
        self.closed = False

    def close(self) -> None:
        self.closed = True

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:  # type: ignore[override]
        self.fetches += 1
        try:
            return self._fetch(url, headers)
        except ValueError as exc:
            self.refused.append(str(exc))
            raise

    def _fetch(self, url: str, headers: dict | None) -> URLFetcherResponse:
        parts = urlsplit(url)
        if self.closed:
            raise ValueError(f"refused to fetch {url[:80]}: a pack attaches no files")
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
        path = Path(unquote(parts.path))
        resolved = real(path)
        if not self.trust.inside(resolved):
            raise ValueError(f"refused to read {resolved}: outside the trusted root and packgen's folders")
        try:
            data = read_regular(resolved, MAX_IMAGE, "an image or style sheet")
        except NotReadable as exc:
            raise ValueError(f"refused to read {resolved}: it {exc}") from None
        except OSError as exc:
            raise ValueError(f"cannot read {resolved}: {exc.strerror}") from None
        if resolved.suffix.lower() in {".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg"}:
            problem = image_problem(resolved, data)
            if problem:
                raise ValueError(f"refused to read {resolved}: it {problem}")
        self.read.add((str(path), str(resolved), hashlib.sha256(data).hexdigest()))
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
    """Keeps what WeasyPrint logs while it lays out: an error (an image or style sheet that could not be
    loaded) fails the build; a warning (a CSS property it ignores) does not, unless it follows a file
    the fetcher refused (WeasyPrint reports a @font-face it could not load only as a warning)."""

    def __init__(self, refused: list[str]) -> None:
        super().__init__(logging.WARNING)
        self.refused = refused  # the fetcher's list, filled as it refuses
        self.records: list[tuple[int, logging.LogRecord]] = []  # each with how many refusals came before it

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((len(self.refused), record))

    def problem(self) -> str | None:
        """Why the layout failed, on one line; None when it did not."""
        errors = [record for _, record in self.records if record.levelno >= logging.ERROR]
        if errors:
            return _with_reason(errors[0])
        if not self.refused:
            return None
        after = [record for refusals, record in self.records if refusals]
        return f"{_with_reason(after[0])} ({self.refused[0]})" if after else self.refused[0]


def _with_reason(record: logging.LogRecord) -> str:
    """The message, with the reason WeasyPrint leaves out when it wraps an image error in an empty one."""
    message = " ".join(record.getMessage().split())
    for arg in record.args if isinstance(record.args, tuple) else ():
        if isinstance(arg, BaseException) and not str(arg).strip():
            cause = arg.__cause__ or arg.__context__
            if isinstance(cause, UnidentifiedImageError):
                reason = "not a PNG, JPEG or SVG image that can be read"
            elif cause is not None and str(cause).strip():
                reason = " ".join(str(cause).split())
            else:
                reason = type(cause or arg).__name__
            message = message.rstrip(": ") + ": " + reason
    return message


def lay_out(job: Job) -> Laid:
    """Lay out and write one HTML document; fails when an image or style could not be loaded, or when
    the text came out in another font than FONT."""
    fetcher = LockedFetcher([Path(root) for root in job.roots])
    collect = _Collect(fetcher.refused)
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collect)
    text, shared = share(job.html) if job.tagged else (job.html, None)  # stamps of one shape laid out once
    try:
        document = HTML(string=text, base_url=job.base_url + "/", url_fetcher=fetcher).render(
            font_config=_font_config())
    finally:
        logger.removeHandler(collect)
    fetcher.close()  # layout is done: writing the PDF fetches nothing (no attachment, from anywhere)
    problem = collect.problem()
    if problem:
        raise ContentError(f"{job.title}: {problem}")  # an image, style or font the input names
    stamp = f"{job.created.isoformat()}T00:00:00Z"
    document.metadata.title = job.title
    document.metadata.created = stamp
    document.metadata.modified = stamp
    document.metadata.lang = "en-GB"
    document.metadata.attachments = []  # a pack carries nothing but its pages: no <link rel=attachment>,
    for page in document.pages:  # and no <a rel=attachment>
        page.links = [link for link in page.links if link[0] != "attachment"]
    data = document.write_pdf(pdf_variant="pdf/ua-1" if job.tagged else None)  # tagged: headings, tables
    sources: list[tuple[int, Translate | None]] = [(number, None) for number in range(len(document.pages))]
    if job.tagged and "data-blank=" in job.html:  # a form laid out once: its copies are stamped on it
        data, sources = copy_blanks(data, shared)
    families = {_family(font) for font in document.fonts.values()}
    wrong = sorted(f for f in families if f != FONT)
    if wrong:  # fontconfig substitutes silently; refuse rather than print in another font
        raise RenderError(f"font {FONT} is not installed (text came out in {', '.join(wrong)}); run scripts/setup.sh")
    anchors: dict[str, int] = {}
    for number, (source, translate) in enumerate(sources):
        for anchor in document.pages[source].anchors:
            anchors.setdefault(translate(anchor) if translate else anchor, number)
    return Laid(data, len(sources), anchors, tuple(page_name(document.pages[source]) for source, _ in sources),
                tuple(sorted(fetcher.read)))


def page_name(page: Page) -> str:
    """The CSS named page a laid-out page is on ("letter", "log"…; "" for the default).

    WeasyPrint has no public API for it: this is the one place that reads its private page box, and
    tests/test_pdf.py says which WeasyPrint changed it."""
    try:
        return str(page._page_box.page_type.name)  # noqa: SLF001
    except AttributeError:
        raise RenderError(f"WeasyPrint {weasyprint.__version__} no longer tells a page's named page "
                          "(page._page_box.page_type.name); install the version pyproject.toml names") from None


_SHEETS: dict[tuple[str, str, str, tuple[str, ...]], CSS | None] = {}  # None: parsed for each document


def _style_sheet(**options: Any) -> CSS:
    """WeasyPrint's style sheet of a `<style>` element (`weasyprint.css.find_stylesheets` makes one with
    this), parsed once in a process for each text, base URL and set of trusted folders: the same style
    sheet heads every document of a pack, and parsing it took a sixth of each layout. Each document gets
    the parsed rules and its `@page` rules added to its own, as a parse would give. A sheet whose parse
    asked for a file (a font, an import: each document fetches, and may be refused, on its own) or made
    layers, counter styles or colour profiles (kept in the document's own tables) is parsed each time."""
    fetcher = options.get("url_fetcher")
    if "string" not in options or not isinstance(fetcher, LockedFetcher):
        return CSS(**options)  # a <link>, or an @import
    key = (options["string"], str(options["base_url"]), options["media_type"], fetcher.roots)
    if key not in _SHEETS:
        if len(_SHEETS) >= 8:  # a wave's worker lays out many practices: keep the last few
            _SHEETS.clear()
        fetches, own = fetcher.fetches, {"counter_style": {}, "color_profiles": {}, "page_rules": [], "layers": []}
        _SHEETS[key] = CSS(**{**options, **own})
        if fetcher.fetches != fetches or any(own[name] for name in ("counter_style", "color_profiles", "layers")):
            _SHEETS[key] = None
    parsed = _SHEETS[key]
    if parsed is None:
        return CSS(**options)
    sheet = copy.copy(parsed)
    options["page_rules"].extend(parsed.page_rules)
    sheet.page_rules, sheet.layers = options["page_rules"], options["layers"]
    return sheet


_weasy_css.CSS = _style_sheet  # noqa: SLF001 - a <style> element's text is parsed once a process


@lru_cache(maxsize=1)
def _font_config() -> FontConfiguration:
    """One font configuration for every document this process lays out: each new one holds native
    font maps that are never given back, so a process building a wave would keep growing."""
    return FontConfiguration()


def _family(font: object) -> str:
    family = getattr(font, "family", b"")
    return family.decode("utf-8", "replace") if isinstance(family, bytes) else str(family)
