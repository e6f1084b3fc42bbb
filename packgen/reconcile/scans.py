"""Scans in, one greyscale page image at a time: PDFs from a multifunction printer, PNG, JPEG and TIFF.

A scan is untrusted input. Images over MAX_PIXELS are refused before they are decoded (a decompression
bomb fails at once), a run reads at most MAX_PAGES pages, and a page that cannot be decoded is reported
as unreadable instead of stopping the run. A file that cannot be opened at all is an error."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import PackgenError

MAX_PIXELS = 60_000_000  # an A4 page scanned at 600 dpi is 35 million pixels
MAX_PAGES = 2000
READ_PIXELS_PER_MM = 5.8  # finer scans are reduced by a whole factor to no less than this (about 150 dpi): enough, and faster
RENDER_DPI = 200  # a PDF page that is not one scanned image is drawn at this resolution


class ScanError(PackgenError):
    """A scan file cannot be read at all, or the run is over a limit: exit code 2."""

    exit_code = 2


@dataclass
class Page:
    """One page of a scan: its greyscale pixels (rows, columns), or why it could not be read."""

    file: str
    number: int  # from 1 within its file
    grey: np.ndarray | None = None
    problem: str | None = None


def too_big(width: int, height: int) -> str | None:
    if width * height > MAX_PIXELS:
        return (f"image is {width} x {height} pixels, over the limit of {MAX_PIXELS // 1_000_000} million "
                "(scan at 600 dpi or less)")
    return None


def reduce(image: object) -> np.ndarray:
    """A PIL image as 8-bit grey; a fine scan box-reduced by a whole factor, keeping READ_PIXELS_PER_MM or more."""
    from PIL import Image

    assert isinstance(image, Image.Image)
    grey = image.convert("L")
    per_mm = max(grey.size) / 297.0  # A4, or a little more when the scanner's glass is larger
    factor = max(int(per_mm / READ_PIXELS_PER_MM), 1)
    if factor > 1:
        grey = grey.reduce(factor)
    return np.asarray(grey, dtype=np.uint8)


def pages(paths: list[Path], names: list[str] | None = None) -> Iterator[Page]:
    """Every page of every scan, in the order given. Raises ScanError for a file that is not a scan at all
    or when the run is over MAX_PAGES."""
    count = 0
    for index, path in enumerate(paths):
        name = names[index] if names else str(path)
        for page in _file_pages(path, name):
            count += 1
            if count > MAX_PAGES:
                raise ScanError(f"{name}: more than {MAX_PAGES} pages in this run; reconcile the scans in smaller sets")
            yield page


def _file_pages(path: Path, name: str) -> Iterator[Page]:
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise ScanError(f"{name}: cannot be read ({exc.strerror or exc})") from None
    if head.startswith(b"%PDF"):
        yield from _pdf_pages(path, name)
    else:
        yield from _image_pages(path, name)


def _pdf_pages(path: Path, name: str) -> Iterator[Page]:
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    try:
        pdf = pdfium.PdfDocument(str(path))
        total = len(pdf)
    except Exception:  # noqa: BLE001 - pdfium reports every damaged file its own way
        raise ScanError(f"{name}: not a PDF packgen can read (damaged or encrypted)") from None
    if total > MAX_PAGES:
        pdf.close()
        raise ScanError(f"{name}: {total} pages, over the limit of {MAX_PAGES}; split the scan")
    try:
        for index in range(total):
            try:
                page = pdf[index]
                images = list(page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2))
                if len(images) == 1:  # a scanner's page: take its image as it is, at its own resolution
                    width, height = images[0].get_px_size()
                    problem = too_big(width, height)
                    if problem:
                        yield Page(name, index + 1, problem=problem)
                        continue
                    image = images[0].get_bitmap(render=False).to_pil()
                else:
                    width_pt, height_pt = page.get_size()
                    scale = RENDER_DPI / 72
                    problem = too_big(int(width_pt * scale), int(height_pt * scale))
                    if problem:
                        yield Page(name, index + 1, problem=problem)
                        continue
                    image = page.render(scale=scale, grayscale=True).to_pil()
                yield Page(name, index + 1, reduce(image))
            except Exception:  # noqa: BLE001 - a damaged page is reported, and the others are read
                yield Page(name, index + 1, problem="page cannot be decoded (damaged)")
    finally:
        pdf.close()


def _image_pages(path: Path, name: str) -> Iterator[Page]:
    from PIL import Image, ImageFile, UnidentifiedImageError

    ImageFile.LOAD_TRUNCATED_IMAGES = False  # WeasyPrint turns it on; a scan cut short is unreadable, not grey

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS  # Pillow refuses larger images from their header, before decoding
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(path)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ScanError(f"{name}: image over the limit of {MAX_PIXELS // 1_000_000} million pixels "
                            "(scan at 600 dpi or less)") from None
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
            raise ScanError(f"{name}: not a PDF, PNG, JPEG or TIFF packgen can read") from None
        with image:
            frames = getattr(image, "n_frames", 1)
            if frames > MAX_PAGES:
                raise ScanError(f"{name}: {frames} pages, over the limit of {MAX_PAGES}; split the scan")
            for index in range(frames):
                try:
                    image.seek(index)
                    problem = too_big(*image.size)
                    if problem:
                        yield Page(name, index + 1, problem=problem)
                        continue
                    image.load()
                    yield Page(name, index + 1, reduce(image))
                except (Image.DecompressionBombError, Image.DecompressionBombWarning):
                    yield Page(name, index + 1, problem="image over the pixel limit")
                except Exception:  # noqa: BLE001 - truncated or damaged data: reported, not a crash
                    yield Page(name, index + 1, problem="image cannot be decoded (damaged or cut short)")


def count_pages(paths: list[Path]) -> int:
    """How many pages the scans hold, read from their headers only: for the progress bar. Files that cannot
    be opened count one page (the error comes when they are read)."""
    total = 0
    for path in paths:
        try:
            with path.open("rb") as handle:
                pdf = handle.read(4) == b"%PDF"
            if pdf:
                import pypdfium2 as pdfium

                document = pdfium.PdfDocument(str(path))
                total += len(document)
                document.close()
            else:
                from PIL import Image

                Image.MAX_IMAGE_PIXELS = MAX_PIXELS
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    with Image.open(path) as image:
                        total += getattr(image, "n_frames", 1)
        except Exception:  # noqa: BLE001 - only a count; reading the file reports the problem
            total += 1
    return total
