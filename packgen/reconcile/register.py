"""Registration: where the sheet lies on the scan, as an affine map from millimetres to pixels.

The code's corners give a first map (turned, shifted and scaled however the page was scanned); the four
marks are then looked for where that map puts them, and the map is fitted again to all eight points by
least squares. Small and exact enough (a fraction of a millimetre) to find cells 10 mm high."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .layout import MARK, Layout

SEARCH = 7.0  # mm around where the first map puts a mark
MIN_MARKS = 2
MAX_RESIDUAL = 0.8  # mm: a worse fit means the page was folded, curled or is not the sheet it claims


class RegistrationError(Exception):
    """The page's marks could not be found, or do not agree with its code."""


@dataclass(frozen=True)
class Affine:
    """Millimetres on the sheet to pixels on the scan: [x_px, y_px] = m @ [x_mm, y_mm, 1]."""

    m: np.ndarray  # 2 x 3

    @property
    def per_mm(self) -> float:
        """Pixels per millimetre (the mean of the two axes)."""
        return float(np.sqrt(abs(np.linalg.det(self.m[:, :2]))))

    def apply(self, xy: np.ndarray) -> np.ndarray:
        """Points (…, 2) in mm to pixels (…, 2)."""
        return xy @ self.m[:, :2].T + self.m[:, 2]


def fit(source: np.ndarray, target: np.ndarray) -> tuple[Affine, np.ndarray]:
    """The least-squares affine map from `source` points to `target` points, and each point's error."""
    design = np.hstack([source, np.ones((len(source), 1))])
    solution, *_ = np.linalg.lstsq(design, target, rcond=None)
    affine = Affine(solution.T)
    return affine, np.linalg.norm(affine.apply(source) - target, axis=1)


def find_mark(grey: np.ndarray, affine: Affine, corner: tuple[float, float], paper: float) -> tuple[float, float] | None:
    """The centre (in pixels) of the solid square whose top-left corner is at `corner` mm, or None."""
    per_mm = affine.per_mm
    centre = affine.apply(np.array([corner[0] + MARK / 2, corner[1] + MARK / 2]))
    reach = int((SEARCH + MARK) * per_mm)
    x0, y0 = max(int(centre[0]) - reach, 0), max(int(centre[1]) - reach, 0)
    x1, y1 = min(int(centre[0]) + reach, grey.shape[1]), min(int(centre[1]) + reach, grey.shape[0])
    window = grey[y0:y1, x0:x1]
    side = int(round(MARK * per_mm * 0.8))  # a little inside the square, whatever its angle
    if window.shape[0] <= side or window.shape[1] <= side or side < 3:
        return None
    dark = (window < (paper * 0.55)).astype(np.int32)
    total = np.pad(dark.cumsum(0).cumsum(1), ((1, 0), (1, 0)))
    sums = total[side:, side:] - total[:-side, side:] - total[side:, :-side] + total[:-side, :-side]
    best = np.unravel_index(int(np.argmax(sums)), sums.shape)
    if sums[best] < 0.85 * side * side:
        return None
    # Centre of the dark pixels around the best box: sub-pixel, and not pulled by ink further away.
    pad = int(MARK * per_mm * 0.35) + 1
    by, bx = best
    ys, xs = slice(max(by - pad, 0), by + side + pad), slice(max(bx - pad, 0), bx + side + pad)
    part = dark[ys, xs]
    rows, cols = np.nonzero(part)
    if not len(rows):
        return None
    return x0 + xs.start + float(cols.mean()), y0 + ys.start + float(rows.mean())


def register(grey: np.ndarray, layout: Layout, code_corners: tuple[tuple[float, float], ...]) -> tuple[Affine, float]:
    """The affine map of this page from the code's corners and the marks, and its worst error in mm."""
    qr_mm = np.array(layout.qr_corners)
    qr_px = np.array(code_corners)
    first, _ = fit(qr_mm, qr_px)
    if first.per_mm < 2.0:
        raise RegistrationError("scanned at under 50 dpi, or the code is damaged")
    paper = float(np.percentile(grey[:: 4, :: 4], 90))
    found_mm, found_px = [], []
    for corner in layout.marks:
        spot = find_mark(grey, first, corner, paper)
        if spot is not None:
            found_mm.append((corner[0] + MARK / 2, corner[1] + MARK / 2))
            found_px.append(spot)
    if len(found_mm) < MIN_MARKS:
        raise RegistrationError(f"found {len(found_mm)} of the 4 corner marks; rescan the whole sheet, flat")
    source = np.vstack([qr_mm, np.array(found_mm)])
    target = np.vstack([qr_px, np.array(found_px)])
    affine, errors = fit(source, target)
    worst = float(errors.max() / affine.per_mm)
    if worst > MAX_RESIDUAL:
        raise RegistrationError(f"the corner marks are {worst:.1f} mm from where the code puts them; rescan it flat")
    return affine, worst
