"""Ink in the cells: is anything written in a row's entry cells, its re-entry cells, its checker's cell?

Each cell is sampled on a grid of STEP mm through the page's affine map, CELL_MARGIN mm inside its
ruled lines, so that the lines (and a slightly crooked scan) never count as writing. A cell has
writing when enough of it is clearly darker than the paper: a faint pencil stroke a few millimetres
long is enough, scanner noise and JPEG ringing are not."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .layout import CELL_MARGIN, Layout
from .register import Affine

STEP = 0.2  # mm between samples
CONTRAST = 25  # grey levels below the paper that count as ink (faint pencil is 50 to 100 below), or more on a noisy scan
MIN_INK = 0.5  # mm² of ink for a cell to be written in: a tick or one initial is more
CROP_STEP = 0.25  # mm per pixel of the row pictures in the report (about 100 dpi)

TEXT_KINDS = {"text"}  # entry cells printed empty; the others carry printed boxes and labels


@dataclass(frozen=True)
class Row:
    """What one row of a log sheet shows."""

    number: int  # from 1 at the top of the sheet
    used: bool
    reentered: bool
    checked: bool


def sample(grey: np.ndarray, affine: Affine, x0: float, y0: float, x1: float, y1: float, step: float) -> np.ndarray:
    """The grey values on a grid of `step` mm over the rectangle, nearest pixel; white outside the scan."""
    xs = np.arange(x0, x1, step)
    ys = np.arange(y0, y1, step)
    grid = np.stack(np.meshgrid(xs, ys), axis=-1)
    px = np.rint(affine.apply(grid)).astype(np.int64)
    h, w = grey.shape
    inside = (px[..., 0] >= 0) & (px[..., 0] < w) & (px[..., 1] >= 0) & (px[..., 1] < h)
    out = np.full(px.shape[:2], 255, dtype=np.uint8)
    out[inside] = grey[px[..., 1][inside], px[..., 0][inside]]
    return out


def paper_level(grey: np.ndarray) -> tuple[float, float]:
    """The grey of blank paper on this scan (most of a sheet is blank), and how far below it counts as ink:
    CONTRAST, or more on a noisy scan (3.5 times the paper's own noise)."""
    some = grey[::3, ::3].astype(np.float32)
    paper = float(np.percentile(some, 75))
    blank = some[np.abs(some - paper) < 30]
    noise = 1.4826 * float(np.median(np.abs(blank - np.median(blank)))) if blank.size else 0.0
    return paper, max(float(CONTRAST), 3.5 * noise)


def written(patch: np.ndarray, paper: tuple[float, float]) -> bool:
    """Whether a cell's samples hold writing: enough samples clearly darker than paper, not in ones and twos."""
    dark = patch < (paper[0] - paper[1])
    if not dark.any():
        return False
    # A sample counts only with a dark neighbour: single specks of noise or dust are not writing.
    neighbours = np.zeros_like(dark, dtype=np.int8)
    neighbours[1:, :] += dark[:-1, :]
    neighbours[:-1, :] += dark[1:, :]
    neighbours[:, 1:] += dark[:, :-1]
    neighbours[:, :-1] += dark[:, 1:]
    count = int((dark & (neighbours > 0)).sum())
    return count * STEP * STEP >= MIN_INK


def cell_ink(grey: np.ndarray, affine: Affine, layout: Layout, paper: tuple[float, float]) -> dict[tuple[int, str], bool]:
    """(row number, column key) → written, for every cell of the sheet."""
    found = {}
    for number, (top, bottom) in enumerate(layout.rows, start=1):
        for cell in layout.cells:
            patch = sample(grey, affine, cell.x0 + CELL_MARGIN, top + CELL_MARGIN, cell.x1 - CELL_MARGIN,
                           bottom - CELL_MARGIN, STEP)
            found[(number, cell.key)] = written(patch, paper)
    return found


def read_rows(grey: np.ndarray, affine: Affine, layout: Layout) -> tuple[list[Row], dict[tuple[int, str], bool]]:
    """Each row's state: used (an entry cell has writing), re-entered (date or initials), checked; and the
    cells read, (row, column key) → written, for the empty cells (entry cells printed blank, re-entry cells)."""
    paper = paper_level(grey)
    ink = cell_ink(grey, affine, layout, paper)
    entry = [c.key for c in layout.cells if not c.reentry and c.kind in TEXT_KINDS]
    rows = []
    for number in range(1, len(layout.rows) + 1):
        reentered = ink[(number, "reentered_date")] or ink[(number, "reentered_by")]
        checked = ink[(number, "checked_by")]
        # A log of printed boxes only has no empty entry cell to read: its rows count as used when re-entered.
        used = any(ink[(number, key)] for key in entry) if entry else reentered or checked
        rows.append(Row(number, used, reentered, checked))
    blank = {c.key for c in layout.cells if c.reentry or c.kind in TEXT_KINDS}
    return rows, {cell: value for cell, value in ink.items() if cell[1] in blank}


def row_picture(grey: np.ndarray, affine: Affine, layout: Layout, number: int) -> np.ndarray:
    """The row as it was scanned, straightened, with a little of the rows around it: for the report."""
    top, bottom = layout.rows[number - 1]
    left, right = layout.cells[0].x0, layout.cells[-1].x1
    return sample(grey, affine, left - 1, top - 2, right + 1, bottom + 2, CROP_STEP)
