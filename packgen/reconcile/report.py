"""What the scans show, as the JSON contract (reconcile.json) and a report to print (reconcile.pdf)."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..practice.logs import Sheet
from .run import Outcome, SheetRead

OK, OUTSTANDING, BAD_INPUT = 0, 1, 2


@dataclass(frozen=True)
class Problem:
    """One row still to do: which sheet and row, where it was scanned, and its picture as a data: URI."""

    serial: str
    log: str
    row: int
    file: str
    page: int
    picture: str


def merged_rows(reads: list[SheetRead]) -> dict[str, dict[int, tuple[bool, bool, bool]]]:
    """Serial → row → (used, re-entered, checked), over every copy scanned: a later scan adds what was done."""
    rows: dict[str, dict[int, tuple[bool, bool, bool]]] = defaultdict(dict)
    for read in reads:
        for row in read.rows:
            old = rows[read.serial].get(row.number, (False, False, False))
            rows[read.serial][row.number] = (old[0] or row.used, old[1] or row.reentered, old[2] or row.checked)
    return rows


def summary(outcome: Outcome) -> dict[str, Any]:
    """The reconcile.json contract (documented in the README): plain, sorted, the same for the same scans."""
    issued = outcome.issued
    by_serial = {sheet.serial: sheet for sheet in issued}
    reads = sorted(outcome.reads, key=lambda r: (r.serial, r.file, r.page))
    seen: dict[str, int] = defaultdict(int)
    for read in reads:
        seen[read.serial] += 1
    log_reads = [r for r in reads if r.serial in by_serial]
    rows = merged_rows(log_reads)
    not_reentered, not_checked = [], []
    for serial in sorted(rows, key=lambda s: issued.index(by_serial[s])):
        for number, (used, reentered, checked) in sorted(rows[serial].items()):
            if used and not reentered:
                not_reentered.append({"serial": serial, "row": number})
            if reentered and not checked:
                not_checked.append({"serial": serial, "row": number})
    totals = {}
    for sheet in issued:
        entry = totals.setdefault(sheet.log.name, {"title": sheet.log.title, "issued": 0, "scanned": 0, "rows_used": 0,
                                                   "rows_reentered": 0, "rows_checked": 0})
        entry["issued"] += 1
        if sheet.serial in rows or seen.get(sheet.serial):
            entry["scanned"] += 1
        for used, reentered, checked in rows.get(sheet.serial, {}).values():
            entry["rows_used"] += used
            entry["rows_reentered"] += used and reentered
            entry["rows_checked"] += used and reentered and checked
    return {
        "practice": outcome.ods_code,
        "issued": len(issued),
        "scanned": sum(1 for sheet in issued if seen.get(sheet.serial)),
        "missing": [sheet.serial for sheet in issued if not seen.get(sheet.serial)],
        "duplicates": sorted(serial for serial, count in seen.items() if count > 1),
        "unknown_pages": [{"file": u.file, "page": u.page, "reason": u.reason}
                          for u in sorted(outcome.unknown, key=lambda u: (u.file, u.page))],
        "not_reentered": not_reentered,
        "not_checked": not_checked,
        "totals": totals,
        "sheets": [{"serial": r.serial, "kind": r.kind, "file": r.file, "page": r.page,
                    "rows": [{"row": row.number, "used": row.used, "reentered": row.reentered, "checked": row.checked}
                             for row in r.rows]} for r in reads],
    }


def exit_code(outcome: Outcome, result: dict[str, Any]) -> int:
    """0 when every issued sheet is scanned and every used row re-entered and checked; 2 when the scans are
    another practice's only; else 1."""
    if not outcome.reads and any(u.ods_code and u.ods_code != outcome.ods_code for u in outcome.unknown):
        return BAD_INPUT
    if result["missing"] or result["not_reentered"] or result["not_checked"]:
        return OUTSTANDING
    return OK


def to_json(result: dict[str, Any]) -> str:
    return json.dumps(result, indent=2, ensure_ascii=False) + "\n"


def png_uri(pixels: np.ndarray) -> str:
    from PIL import Image

    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def problems(outcome: Outcome, result: dict[str, Any], key: str) -> list[Problem]:
    """The rows listed under `key` (not_reentered or not_checked), each with the picture of its latest scan."""
    titles = {sheet.serial: sheet.log.title for sheet in outcome.issued}
    pictures: dict[tuple[str, int], tuple[str, int, np.ndarray]] = {}
    for read in sorted(outcome.reads, key=lambda r: (r.serial, r.file, r.page)):
        for number, picture in read.pictures.items():
            pictures[(read.serial, number)] = (read.file, read.page, picture)
    found = []
    for item in result[key]:
        file, page, picture = pictures.get((item["serial"], item["row"]), ("", 0, None))
        found.append(Problem(item["serial"], titles.get(item["serial"], ""), item["row"], file, page,
                             png_uri(picture) if picture is not None else ""))
    return found


def missing_by_log_and_day(issued: list[Sheet], missing: list[str]) -> list[tuple[str, dt.date | None, list[str]]]:
    """(log title, day, serials) for the sheets not scanned, in the order of the sheet register; the day of a
    log's numbered spares is None."""
    grouped: dict[tuple[str, dt.date | None], list[str]] = {}
    gone = set(missing)
    for sheet in issued:
        if sheet.serial in gone:
            grouped.setdefault((sheet.log.title, sheet.date), []).append(sheet.serial)
    return [(title, day, serials) for (title, day), serials in grouped.items()]


def report_pdf(outcome: Outcome, result: dict[str, Any], code: int, made: dt.date) -> bytes:
    """reconcile.pdf: the summary first, then one line per problem with the row as scanned; laid out by
    packgen's own templates and WeasyPrint path."""
    from ..render.pdf import Job, lay_out
    from ..render.templates import default_dir, own_template_env, render_template

    env = own_template_env()
    values = {
        "result": result, "code": code, "practice_name": outcome.practice, "made": made,
        "missing_groups": missing_by_log_and_day(outcome.issued, result["missing"]),
        "not_reentered": problems(outcome, result, "not_reentered"),
        "not_checked": problems(outcome, result, "not_checked"),
    }
    html = render_template(env, "reconcile-report.html", values)
    templates = default_dir("templates")
    laid = lay_out(Job(html, f"Paper logs reconciled: {outcome.practice}", str(templates), (str(templates),), made))
    return laid.data


def write(folder: Path, files: dict[str, bytes]) -> list[Path]:
    """Write the files into `folder`, each whole or not at all."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in files.items():
        path = folder / name
        part = folder / f".{name}.part"
        part.write_bytes(data)
        part.replace(path)
        written.append(path)
    return written
