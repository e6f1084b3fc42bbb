"""Measure packgen reconcile on a synthetic scanned set of the example's sheets; write its section of RESULTS.md.

Every log sheet of the example is rasterised, written on in random rows (pens and faint pencil), turned,
shifted, scaled, blurred, made noisy and JPEG-compressed; one is turned upside down, one left out, and a
blank page and a page of another practice are added. Measured at 150, 200 and 300 dpi.

Run with:  .venv/bin/python benchmarks/reconcile_bench.py
Targets (2-core machine) live here, never in the tests."""

from __future__ import annotations

import datetime as dt
import os
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from packgen.build import build  # noqa: E402
from packgen.practice.load import load  # noqa: E402
from packgen.practice.logs import sheets  # noqa: E402
from packgen.reconcile.report import summary  # noqa: E402
from packgen.reconcile.run import known_layouts, reconcile  # noqa: E402
from tests.reconcile.synthetic_scans import Distortion, blank_page, distort, rasterise, save_pdf, write_on  # noqa: E402
from tests.reconcile.test_reconcile import other_practice  # noqa: E402

EXAMPLE = ROOT / "practices" / "riverside.yaml"
TODAY = dt.date(2026, 11, 27)
DPIS = (150, 200, 300)
SCAN = Distortion(angle=5.0, shift=6.0, scale=0.03, noise=8.0, blur=0.8, jpeg=65)  # the worst each page may get
TARGETS = {"identified %": 100.0, "cells right %": 99.5, "false re-entered": 0, "pages per second": 2.0}
SECTION = "## Reading scans back (packgen reconcile)"


def scanned_set(pack: Path, dpi: int, folder: Path, seed: int = 2027):
    """The synthetic set at `dpi`: the PDF, what was written on each sheet, and the serial left out."""
    rng = random.Random(seed)
    config = load(EXAMPLE).config
    known = known_layouts(config)
    printed = sheets(config)
    left_out = printed[len(printed) // 2].serial
    pages, truths = [], []
    for log in dict.fromkeys(sheet.log.name for sheet in printed):
        own = [sheet for sheet in printed if sheet.log.name == log]
        images = rasterise(pack / "logs" / f"{log.replace('_', '-')}.pdf", dpi)
        for sheet, image in zip(own, images):
            if sheet.serial == left_out:
                continue
            truths.append(write_on(image, known[sheet.serial], sheet.serial, dpi, rng))
            how = Distortion(**{**SCAN.__dict__, "angle": rng.uniform(0, SCAN.angle), "noise": rng.uniform(2, SCAN.noise)})
            pages.append(distort(image, dpi, how, rng, upside_down=len(pages) == 3))
    pages.insert(5, distort(blank_page(dpi), dpi, SCAN, rng))
    other = rasterise(pack / "logs" / "telephone.pdf", dpi, 0, 1)[0]
    pages.append(distort(other_practice(other, "TEL-2027-03-04-01", dpi), dpi, SCAN, rng))
    return save_pdf(pages, folder / f"scans-{dpi}.pdf", dpi), truths, left_out, len(pages)


def measure(pack: Path, dpi: int, folder: Path) -> dict[str, float]:
    pdf, truths, left_out, count = scanned_set(pack, dpi, folder)
    config = load(EXAMPLE).config
    start = time.perf_counter()
    outcome = reconcile(config, [pdf])
    seconds = time.perf_counter() - start
    result = summary(outcome)
    reads = {read.serial: read for read in outcome.reads}
    identified = sum(1 for truth in truths if truth.serial in reads)
    right = total = false_reentered = 0
    for truth in truths:
        read = reads.get(truth.serial)
        if read is None:
            continue
        for (row, key), written in read.cells.items():
            total += 1
            right += written == ((row, key) in truth.cells)
        for row in read.rows:
            false_reentered += row.reentered and not truth.rows[row.number][1]
    assert result["missing"] == [left_out], result["missing"]
    assert len(result["unknown_pages"]) == 2, result["unknown_pages"]
    return {"pages": count, "identified %": 100 * identified / len(truths), "cells": total,
            "cells right %": 100 * right / total, "false re-entered": false_reentered,
            "pages per second": count / seconds}


def met(name: str, value: float) -> bool:
    target = TARGETS[name]
    return value <= target if name == "false re-entered" else value >= target


def main() -> None:
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        pack = build(load(EXAMPLE), folder / "out", TODAY).folder
        results = {dpi: measure(pack, dpi, folder) for dpi in DPIS}
    lines = [SECTION, "", f"Measured {dt.date.today().isoformat()} with `benchmarks/reconcile_bench.py`: every log sheet of "
             "the example (one left out, one upside down) written on in random rows with pens and faint pencil, "
             f"each page turned up to {SCAN.angle:g}°, shifted up to {SCAN.shift:g} mm, scaled up to "
             f"{SCAN.scale * 100:g}%, blurred, made noisy and JPEG-compressed (quality {SCAN.jpeg}), plus a blank "
             f"page and a page of another practice; read in one process, on a machine with {os.cpu_count()} cores "
             f"({platform.machine()}, Python {platform.python_version()}).",
             "", "| Measure | Target | " + " | ".join(f"{dpi} dpi" for dpi in DPIS) + " |",
             "|---|---|" + "---|" * len(DPIS)]
    lines.append("| pages in the set | | " + " | ".join(str(results[d]["pages"]) for d in DPIS) + " |")
    lines.append("| cells checked | | " + " | ".join(str(results[d]["cells"]) for d in DPIS) + " |")
    for name in TARGETS:
        sign = "≤" if name == "false re-entered" else "≥"
        values = [results[d][name] for d in DPIS]
        shown = [f"{v:.0f}" if name == "false re-entered" else f"{v:.2f}" for v in values]
        marks = [s + ("" if met(name, v) else " (missed)") for s, v in zip(shown, values)]
        lines.append(f"| {name} | {sign} {TARGETS[name]:g} | " + " | ".join(marks) + " |")
    section = "\n".join(lines) + "\n"
    print(section)
    path = ROOT / "benchmarks" / "RESULTS.md"
    text = path.read_text(encoding="utf-8")
    before = text.split(SECTION)[0].rstrip("\n")
    path.write_text(before + "\n\n" + section, encoding="utf-8")


if __name__ == "__main__":
    main()
