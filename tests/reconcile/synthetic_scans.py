"""Scans made from the example's own sheets: rasterised, written on in random rows, then turned, shifted,
scaled, blurred, made noisy and JPEG-compressed like a multifunction printer's. Used by the tests and by
benchmarks/reconcile_bench.py; the same seed always gives the same scans."""

from __future__ import annotations

import io
import math
import random
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from packgen.reconcile.layout import Layout

MM = 25.4
PLATEN = 8.0  # mm of glass around the paper


@dataclass(frozen=True)
class Distortion:
    """How badly a page is scanned."""

    angle: float = 0.0  # degrees, at most this either way
    shift: float = 0.0  # mm, at most this either way
    scale: float = 0.0  # fraction, at most this either way
    noise: float = 0.0  # standard deviation of grey noise
    blur: float = 0.0  # Gaussian radius in pixels
    jpeg: int | None = None  # JPEG quality
    mode: str = "L"  # "L" grey, "RGB" colour, "1" black and white


CLEAN = Distortion()
TYPICAL = Distortion(angle=2.0, shift=4.0, scale=0.02, noise=6.0, blur=0.6, jpeg=75)
ROUGH = Distortion(angle=5.0, shift=8.0, scale=0.04, noise=10.0, blur=1.0, jpeg=55)


@dataclass
class Truth:
    """What was written on a page: for each row, (used, re-entered, checked), and each cell written in."""

    serial: str
    rows: dict[int, tuple[bool, bool, bool]] = field(default_factory=dict)
    cells: set[tuple[int, str]] = field(default_factory=set)


def rasterise(pdf: Path, dpi: int, first: int = 0, count: int | None = None) -> list[Image.Image]:
    """The PDF's pages as greyscale images at `dpi`."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(pdf))
    last = len(document) if count is None else min(len(document), first + count)
    images = [document[i].render(scale=dpi / 72, grayscale=True).to_pil().convert("L") for i in range(first, last)]
    document.close()
    return images


def scribble(draw: ImageDraw.ImageDraw, box: tuple[float, float, float, float], px: float, rng: random.Random,
             faint: bool) -> None:
    """Handwriting-like strokes inside `box` (mm): a pen, or a faint pencil."""
    x0, y0, x1, y1 = box
    width = max(1, round((rng.uniform(0.22, 0.35) if faint else rng.uniform(0.3, 0.7)) * px))
    ink = rng.randint(150, 175) if faint else rng.randint(0, 70)
    length = min(x1 - x0, rng.uniform(4.0, 30.0))
    start = x0 + rng.uniform(0, max(x1 - x0 - length, 0))
    mid, amp = (y0 + y1) / 2, (y1 - y0) / 2 * rng.uniform(0.4, 0.9)
    freq = rng.uniform(0.6, 1.4)
    steps = max(int(length * 3), 4)
    points = [((start + length * i / steps) * px, (mid + amp * math.sin(i / steps * length * freq + rng.random())) * px)
              for i in range(steps + 1)]
    draw.line(points, fill=ink, width=width, joint="curve")


def write_on(image: Image.Image, layout: Layout, serial: str, dpi: int, rng: random.Random,
             share: float = 0.4, faint_share: float = 0.25, done: float = 0.7) -> Truth:
    """Write in a random `share` of the rows: entry cells, then (with chance `done`) the re-entry cells, then
    (again) the checker's."""
    px = dpi / MM
    draw = ImageDraw.Draw(image)
    truth = Truth(serial)
    entry = [c for c in layout.cells if not c.reentry and c.kind == "text"]
    for number, (top, bottom) in enumerate(layout.rows, start=1):
        used = rng.random() < share
        reentered = used and rng.random() < done
        checked = reentered and rng.random() < done
        truth.rows[number] = (used, reentered, checked)
        written = []
        if used:
            written += rng.sample(entry, rng.randint(1, len(entry)))
        if reentered:
            written += [c for c in layout.cells if c.key == "reentered_date" or (c.key == "reentered_by" and rng.random() < 0.6)]
        if checked:
            written += [c for c in layout.cells if c.key == "checked_by"]
        for cell in written:
            inset = 2.0
            scribble(draw, (cell.x0 + inset, top + inset, cell.x1 - inset, bottom - inset), px, rng,
                     rng.random() < faint_share)
            truth.cells.add((number, cell.key))
    return truth


def distort(image: Image.Image, dpi: int, how: Distortion, rng: random.Random, upside_down: bool = False) -> Image.Image:
    """The page as a scanner might return it."""
    px = dpi / MM
    platen = round(PLATEN * px)  # the scanner's glass is a little larger than the paper
    page = Image.new("L", (image.width + 2 * platen, image.height + 2 * platen), 255)
    page.paste(image, (platen, platen))
    size = page.size
    if how.scale:
        factor = 1 + rng.uniform(-how.scale, how.scale)
        page = page.resize((round(page.width * factor), round(page.height * factor)), Image.Resampling.BILINEAR)
    if how.angle:
        page = page.rotate(rng.uniform(-how.angle, how.angle), resample=Image.Resampling.BILINEAR, fillcolor=255)
    if upside_down:
        page = page.rotate(180)
    if how.shift:
        canvas = Image.new("L", size, 255)
        dx, dy = (round(rng.uniform(-how.shift, how.shift) * px) for _ in range(2))
        canvas.paste(page, (dx + (size[0] - page.width) // 2, dy + (size[1] - page.height) // 2))
        page = canvas
    if how.blur:
        page = page.filter(ImageFilter.GaussianBlur(how.blur))
    if how.noise:
        pixels = np.asarray(page, dtype=np.float32)
        noise = np.random.default_rng(rng.randint(0, 2**31)).normal(0, how.noise, pixels.shape)
        page = Image.fromarray(np.clip(pixels * 0.96 + 8 + noise, 0, 255).astype(np.uint8))
    if how.mode == "RGB":
        page = Image.merge("RGB", [page, page.point(lambda v: min(255, v + 4)), page.point(lambda v: max(0, v - 6))])
    elif how.mode == "1":
        page = page.point(lambda v: 255 if v > 150 else 0).convert("1")
    if how.jpeg and how.mode != "1":
        out = io.BytesIO()
        page.save(out, format="JPEG", quality=how.jpeg)
        page = Image.open(io.BytesIO(out.getvalue()))
        page.load()
    return page


def save_pdf(pages: list[Image.Image], path: Path, dpi: int) -> Path:
    """Pages as one PDF, one image a page, as a multifunction printer writes them."""
    first, *rest = pages
    first.save(path, "PDF", save_all=True, append_images=rest, resolution=dpi)
    return path


def blank_page(dpi: int, portrait: bool = False) -> Image.Image:
    width, height = (210, 297) if portrait else (297, 210)
    return Image.new("L", (round(width / MM * dpi), round(height / MM * dpi)), 255)
