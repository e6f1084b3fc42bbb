"""packgen reconcile: scans of the example's own sheets, written on and scanned badly, are read back right."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pdfplumber
import pikepdf
import pytest
import segno
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from packgen.cli import main
from packgen.practice.columns import COLUMNS, LOGS
from packgen.practice.load import load
from packgen.practice.logs import printed_sheets, sheets
from packgen.reconcile import run
from packgen.reconcile.layout import (BATCH, LOG_WIDTH, MARK, QR_BORDER, QR_SIZE, SIGNOFF, column_widths, log_layout,
                                      parse_payload, payload)
from packgen.reconcile.qr import read_codes
from packgen.reconcile.report import exit_code, missing_by_log_and_day, summary
from packgen.reconcile.run import known_layouts, reconcile
from packgen.reconcile.scans import reduce

from ..conftest import EXAMPLE, MINIMAL, NO_LOGS, write
from .synthetic_scans import CLEAN, ROUGH, TYPICAL, Distortion, Truth, blank_page, distort, rasterise, save_pdf, write_on

MM = 72 / 25.4
# The example practice's telephone sheet for its FDP day (after log-off), and nothing else: one page is the whole set.
ONE_DAY = ("".join(line for line in EXAMPLE.read_text(encoding="utf-8").split("migration:")[0].splitlines(True)
                   if not line.strip().startswith("logo:"))
           + "migration:\n  source_system: EMIS Web\n  target_system: SystmOne\n"
           "  final_data_production: 2027-03-04\n  go_live: 2027-03-05\n"
           + "logs:\n" + "".join(f"  {name}: {{print: false}}\n" for name in LOGS if name != "telephone"))



@dataclass
class ScanSet:
    pdf: Path
    truths: list[Truth]
    left_out: str
    upside_down: str


def log_pdf(folder: Path, name: str) -> Path:
    return folder / "logs" / f"{name.replace('_', '-')}.pdf"


def other_practice(image: Image.Image, serial: str, dpi: int) -> Image.Image:
    """The sheet with another practice's code printed over its own."""
    code = segno.make(payload("B12345", serial), version=2, error="m", micro=False)
    px = dpi / 25.4
    side = round(QR_SIZE * px)
    modules = np.pad(np.array(code.matrix, dtype=np.uint8), QR_BORDER)
    picture = Image.fromarray(((1 - modules) * 255).astype(np.uint8)).resize((side, side), Image.Resampling.NEAREST)
    page = image.copy()
    layout = log_layout(tuple(COLUMNS[k] for k in LOGS["telephone"][3]), 12)
    page.paste(picture, (round(layout.qr[0] * px), round(layout.qr[1] * px)))
    return page


def make_set(build_folder: Path, folder: Path, dpi: int, how: Distortion, seed: int, faint: float = 0.25) -> ScanSet:
    """Six sheets written on and scanned into one PDF: one upside down, one sheet left out, plus a blank page
    and a page of another practice."""
    rng = random.Random(seed)
    config = load(EXAMPLE).config
    known = known_layouts(config)
    printed = sheets(config)
    chosen = [("telephone", 0), ("telephone", 1), ("prescriptions", 0), ("home_visits", 1), ("registrations", 0),
              ("referrals", 2)]
    left_out = [s for s in printed if s.log.name == "telephone"][2].serial
    pages, truths = [], []
    for index, (log, number) in enumerate(chosen):
        sheet = [s for s in printed if s.log.name == log][number]
        image = rasterise(log_pdf(build_folder, log), dpi, number, 1)[0]
        truths.append(write_on(image, known[sheet.serial], sheet.serial, dpi, rng, faint_share=faint))
        pages.append(distort(image, dpi, how, rng, upside_down=index == 1))
    blank = rasterise(log_pdf(build_folder, "telephone"), dpi, 2, 1)[0]
    pages.insert(3, distort(blank_page(dpi), dpi, how, rng))
    pages.append(distort(other_practice(blank, "TEL-2027-03-04-03", dpi), dpi, how, rng))
    return ScanSet(save_pdf(pages, folder / f"scan-{dpi}-{seed}.pdf", dpi), truths, left_out, truths[1].serial)


@pytest.fixture(scope="module")
def scan_sets(example_build, tmp_path_factory) -> dict[str, ScanSet]:
    folder = tmp_path_factory.mktemp("scans")
    return {
        "150 grey, typical": make_set(example_build.folder, folder, 150, TYPICAL, 1),
        "200 colour, rough": make_set(example_build.folder, folder, 200,
                                      Distortion(**{**ROUGH.__dict__, "mode": "RGB"}), 2),
        "200 black and white": make_set(example_build.folder, folder, 200,
                                        Distortion(**{**TYPICAL.__dict__, "mode": "1", "jpeg": None}), 3, faint=0.0),
    }


def reconcile_cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["reconcile", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


# The layout is one source for the template and the reader.

def test_ruled_lines_marks_and_code_are_where_the_layout_says(example_build):
    config = load(EXAMPLE).config
    for name in LOGS:
        layout = log_layout(tuple(COLUMNS[k] for k in LOGS[name][3]), 12)
        with pdfplumber.open(log_pdf(example_build.folder, name)) as pdf:
            page = pdf.pages[0]
            rules = page.lines + page.rects
            across = {round((r["x0"] + r["x1"]) / 2 / MM, 2) for r in rules if r["x1"] - r["x0"] < 1 and r["height"] > 5 * MM}
            down = {round((r["top"] + r["bottom"]) / 2 / MM, 2) for r in rules if r["bottom"] - r["top"] < 1 and r["width"] > 5 * MM}
            for edge in [cell.x0 for cell in layout.cells] + [layout.cells[-1].x1]:
                assert min(abs(edge - x) for x in across) < 0.2, (name, edge, sorted(across))
            for top, bottom in layout.rows:
                assert min(abs(top - y) for y in down) < 0.2 and min(abs(bottom - y) for y in down) < 0.2, (name, top)
            marks = sorted((round(r["x0"] / MM, 1), round(r["top"] / MM, 1)) for r in page.rects
                           if abs(r["width"] / MM - MARK) < 0.05 and abs(r["height"] / MM - MARK) < 0.05)
            assert set(layout.marks) <= set(marks), name
    assert sum(column_widths(tuple(COLUMNS[k] for k in LOGS["telephone"][3]))) == pytest.approx(LOG_WIDTH)
    assert config.practice.ods_code == "Y01234"


def test_every_sheet_batch_cover_and_the_sign_off_carry_a_code_that_reads_back(example_build):
    config = load(EXAMPLE).config
    for name in LOGS:
        serials = [s.serial for s in printed_sheets(config) if s.log.name == name]  # dated, then spares
        for index, image in enumerate(rasterise(log_pdf(example_build.folder, name), 150)):
            codes = read_codes(reduce(image))
            assert [parse_payload(c.text).serial for c in codes] == [serials[index]]
    found = []
    for pdf_path in (example_build.folder / "scanning-batch-cover-sheets.pdf", example_build.folder / "cutover-pack.pdf"):
        with pdfplumber.open(pdf_path) as pdf:
            wanted = [i for i, page in enumerate(pdf.pages)
                      if "Put this sheet on top" in (page.extract_text() or "") or "Tick each statement" in (page.extract_text() or "")]
            for index in wanted:
                marks = sorted((round(r["x0"] / MM, 1), round(r["top"] / MM, 1)) for r in pdf.pages[index].rects
                               if abs(r["width"] / MM - MARK) < 0.05)
                assert set(BATCH.marks) == set(SIGNOFF.marks) and set(BATCH.marks) <= set(marks)
        for index in wanted:
            found += [parse_payload(c.text).serial for c in read_codes(reduce(rasterise(pdf_path, 150, index, 1)[0]))]
    assert found == ["SCAN-2027-03-04", "SCAN-2027-03-05", "SCAN-2027-03-08", "SIGNOFF"]


@given(st.from_regex(r"[A-Z][0-9]{5}", fullmatch=True), st.from_regex(r"[A-Z]{2,3}-(20[0-9]{2}-[01][0-9]-[0-3][0-9]|SPARE)-[0-9]{2}", fullmatch=True))
def test_a_code_always_reads_back_as_what_was_printed(ods, serial):
    found = parse_payload(payload(ods, serial))
    assert (found.ods_code, found.serial) == (ods, serial)
    assert len(segno.make(payload(ods, serial), version=2, error="m").matrix) == 25


@given(st.lists(st.sampled_from(sorted(COLUMNS)), min_size=1, max_size=8, unique=True))
def test_columns_always_fill_the_sheet_and_never_overlap(keys):
    layout = log_layout(tuple(COLUMNS[k] for k in keys), 12)
    assert layout.cells[0].x0 == 10.0 and layout.cells[-1].x1 == pytest.approx(287.0, abs=0.01)
    for left, right in zip(layout.cells, layout.cells[1:]):
        assert left.x1 == pytest.approx(right.x0, abs=0.01) and left.x1 > left.x0


# Reading the scans.

@pytest.mark.parametrize("name", ["150 grey, typical", "200 colour, rough", "200 black and white"])
def test_synthetic_scans_are_read_right(scan_sets, name, tmp_path):
    scans = scan_sets[name]
    code, out, _ = reconcile_cli(str(EXAMPLE), str(scans.pdf), "-o", str(tmp_path), "--json")
    assert code == 1
    result = json.loads(out)
    assert result == json.loads((tmp_path / "reconcile.json").read_text(encoding="utf-8"))
    assert result["practice"] == "Y01234" and result["issued"] == len(printed_sheets(load(EXAMPLE).config))
    assert result["scanned"] == 6
    assert scans.left_out in result["missing"] and len(result["missing"]) == result["issued"] - result["scanned"]
    reasons = {page["page"]: page["reason"] for page in result["unknown_pages"]}
    assert reasons == {4: "blank page", 8: "a sheet of another practice (ODS B12345)"}
    read = {sheet["serial"]: sheet for sheet in result["sheets"]}
    assert sorted(read) == sorted(t.serial for t in scans.truths)
    assert read[scans.upside_down]["page"] == 2
    for truth in scans.truths:
        got = {row["row"]: (row["used"], row["reentered"], row["checked"]) for row in read[truth.serial]["rows"]}
        assert got == truth.rows, truth.serial
    expected = [{"serial": t.serial, "row": n} for t in scans.truths for n, (u, r, _) in t.rows.items() if u and not r]
    assert sorted(result["not_reentered"], key=str) == sorted(expected, key=str)


def test_the_same_scans_in_any_order_give_the_same_result(example_build, tmp_path):
    rng = random.Random(5)
    config = load(EXAMPLE).config
    known = known_layouts(config)
    files = []
    for index, sheet in enumerate([s for s in sheets(config) if s.log.name == "telephone"][:3]):
        image = rasterise(log_pdf(example_build.folder, "telephone"), 150, index, 1)[0]
        write_on(image, known[sheet.serial], sheet.serial, 150, rng)
        path = tmp_path / f"page-{index}.{['png', 'jpg', 'tiff'][index]}"
        distort(image, 150, TYPICAL, rng, upside_down=index == 2).save(path)
        files.append(str(path))
    first = reconcile_cli(str(EXAMPLE), *files, "-o", str(tmp_path / "a"), "--json")
    again = reconcile_cli(str(EXAMPLE), *reversed(files), "-o", str(tmp_path / "b"), "--json")
    assert first == again
    assert json.loads(first[1])["scanned"] == 3


def test_every_sheet_scanned_and_every_row_done_exits_0_with_a_clean_report(example_build, tmp_path):
    """The day's sheet and the log's numbered spares, written on: a spare is read like any other sheet."""
    config = write(tmp_path / "one-day.yaml", ONE_DAY)
    known = known_layouts(load(config).config)
    issued = [sheet.serial for sheet in printed_sheets(load(config).config)]
    in_example = [sheet.serial for sheet in printed_sheets(load(EXAMPLE).config) if sheet.log.name == "telephone"]
    assert issued[0] == "TEL-2027-03-04-01" and issued[1:] and all("-SPARE-" in serial for serial in issued[1:])
    rng = random.Random(11)
    pages, truths = [], []
    for serial in issued:  # the example prints the same telephone sheets, with the same columns
        image = rasterise(log_pdf(example_build.folder, "telephone"), 150, in_example.index(serial), 1)[0]
        truth = write_on(image, known[serial], serial, 150, rng, share=0.5, done=1.0)
        assert any(used for used, _, _ in truth.rows.values())
        pages.append(distort(image, 150, CLEAN, rng))
        truths.append(truth)
    save_pdf(pages, tmp_path / "all.pdf", 150)
    code, out, _ = reconcile_cli(str(config), str(tmp_path / "all.pdf"), "-o", str(tmp_path / "out"))
    assert code == 0, out
    assert f"{len(issued)} of {len(issued)} log sheets scanned" in out
    result = json.loads((tmp_path / "out" / "reconcile.json").read_text(encoding="utf-8"))
    read = {sheet["serial"]: sheet for sheet in result["sheets"]}
    for truth in truths:
        assert {row["row"]: (row["used"], row["reentered"], row["checked"]) for row in read[truth.serial]["rows"]} == truth.rows
    assert result["totals"]["telephone"]["rows_used"] == sum(u for t in truths for u, _, _ in t.rows.values())
    with pdfplumber.open(tmp_path / "out" / "reconcile.pdf") as pdf:
        text = " ".join((pdf.pages[0].extract_text() or "").split())
    assert "Every sheet printed has been scanned, and every row used has been re-entered and checked." in text


def test_a_spare_not_scanned_is_missing_like_any_sheet(tmp_path):
    config = load(write(tmp_path / "one-day.yaml", ONE_DAY)).config
    outcome = run.Outcome("Y01234", "Riverside Medical Centre", printed_sheets(config))
    result = summary(outcome)
    assert result["missing"] == [sheet.serial for sheet in printed_sheets(config)]
    spares = [sheet.serial for sheet in printed_sheets(config) if sheet.spare]
    assert spares and ("Telephone calls log", None, spares) in missing_by_log_and_day(outcome.issued, result["missing"])


def test_report_lists_each_problem_row_with_its_picture(scan_sets, tmp_path):
    scans = scan_sets["150 grey, typical"]
    code, _, _ = reconcile_cli(str(EXAMPLE), str(scans.pdf), "-o", str(tmp_path))
    result = json.loads((tmp_path / "reconcile.json").read_text(encoding="utf-8"))
    problems = len(result["not_reentered"]) + len(result["not_checked"])
    assert code == 1 and problems
    with pdfplumber.open(tmp_path / "reconcile.pdf") as pdf:
        text = " ".join(" ".join((page.extract_text() or "") for page in pdf.pages).split())
        images = sum(len(page.images) for page in pdf.pages)
        assert pdf.pages[0].width > pdf.pages[0].height
    assert images == problems
    assert "Rows used but not re-entered" in text and "Sheets not scanned" in text
    first = result["not_reentered"][0]
    assert f"{first['serial']}, row {first['row']}" in text
    assert "blank page" in text and "a sheet of another practice (ODS B12345)" in text


# Bad input: one line, exit 2; damaged pages: reported, never a crash.

def test_scans_of_another_practice_only_exit_2(example_build, tmp_path):
    image = other_practice(rasterise(log_pdf(example_build.folder, "telephone"), 150, 0, 1)[0], "TEL-2027-03-04-01", 150)
    image.save(tmp_path / "other.png")
    code, out, err = reconcile_cli(str(EXAMPLE), str(tmp_path / "other.png"), "-o", str(tmp_path / "out"))
    assert code == 2 and out == ""
    assert err == ("Error: the scans are sheets of another practice only (ODS B12345), not of Y01234: "
                   "check the config and the scans\n")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("name, data, message", [
    ("notes.pdf", b"%PDF-1.7\n garbage", "not a PDF packgen can read (damaged or encrypted)"),
    ("scan.png", b"\x89PNG\r\n\x1a\n not really", "not a PDF, PNG, JPEG or TIFF packgen can read"),
    ("scan.txt", b"hello", "not a PDF, PNG, JPEG or TIFF packgen can read"),
])
def test_a_file_that_is_not_a_scan_is_a_one_line_error(tmp_path, name, data, message):
    (tmp_path / name).write_bytes(data)
    code, out, err = reconcile_cli(str(EXAMPLE), str(tmp_path / name), "-o", str(tmp_path / "out"))
    assert code == 2 and err == f"Error: {tmp_path / name}: {message}\n"
    assert not (tmp_path / "out").exists()


def test_a_decompression_bomb_is_refused_before_it_is_decoded(tmp_path):
    Image.new("1", (9000, 9000), 1).save(tmp_path / "bomb.png")  # 81 million pixels in a few kilobytes
    assert (tmp_path / "bomb.png").stat().st_size < 100_000
    code, _, err = reconcile_cli(str(EXAMPLE), str(tmp_path / "bomb.png"), "-o", str(tmp_path / "out"))
    assert code == 2 and err.startswith(f"Error: {tmp_path / 'bomb.png'}: image over the limit of 60 million pixels")
    assert err.count("\n") == 1


def test_damaged_and_oversized_pages_in_a_pdf_are_reported_and_the_rest_read(example_build, tmp_path):
    image = rasterise(log_pdf(example_build.folder, "telephone"), 150, 0, 1)[0]
    save_pdf([image.convert("RGB"), image.convert("RGB"), Image.new("1", (9000, 9000), 1)], tmp_path / "mixed.pdf", 150)
    with pikepdf.open(tmp_path / "mixed.pdf", allow_overwriting_input=True) as pdf:
        second = pdf.pages[1]
        for _, xobject in second.Resources.XObject.items():
            xobject.write(b"\xff\xd8\xff not a jpeg", filter=pikepdf.Name.DCTDecode)
        pdf.save(tmp_path / "mixed.pdf")
    image.save(tmp_path / "whole.jpg", quality=80)
    (tmp_path / "cut.jpg").write_bytes((tmp_path / "whole.jpg").read_bytes()[:5000])
    code, out, _ = reconcile_cli(str(EXAMPLE), str(tmp_path / "mixed.pdf"), str(tmp_path / "cut.jpg"), "-o",
                                 str(tmp_path / "out"), "--json")
    assert code == 1
    result = json.loads(out)
    assert [s["serial"] for s in result["sheets"]] == ["TEL-2027-03-04-01"]
    reasons = {(Path(p["file"]).name, p["page"]): p["reason"] for p in result["unknown_pages"]}
    assert set(reasons) == {("mixed.pdf", 2), ("mixed.pdf", 3), ("cut.jpg", 1)}
    assert "over the limit of 60 million" in reasons[("mixed.pdf", 3)]
    assert reasons[("cut.jpg", 1)] == "image cannot be decoded (damaged or cut short)"


def test_a_page_over_the_time_limit_is_reported_not_waited_for(example_build, tmp_path, monkeypatch):
    image = rasterise(log_pdf(example_build.folder, "telephone"), 150, 0, 1)[0]
    image.save(tmp_path / "slow.png")
    monkeypatch.setattr(run, "PAGE_SECONDS", 1e-4)
    outcome = reconcile(load(EXAMPLE).config, [tmp_path / "slow.png"])
    assert [u.reason for u in outcome.unknown] == ["took longer than 0.0001 seconds to read"]


def test_a_wrong_config_is_reported_by_file_and_line(tmp_path):
    bad = write(tmp_path / "bad.yaml", MINIMAL.replace("2027-06-14", "2027-06-01") + NO_LOGS)
    (tmp_path / "scan.png").write_bytes(b"")
    code, _, err = reconcile_cli(str(bad), str(tmp_path / "scan.png"))
    assert code == 2 and "bad.yaml:" in err and "go_live" in err


def test_exit_codes_follow_what_is_outstanding():
    config = load(EXAMPLE).config
    outcome = run.Outcome("Y01234", "Riverside Medical Centre", sheets(config))
    assert exit_code(outcome, summary(outcome)) == 1  # nothing scanned: every sheet is missing
    outcome.unknown.append(run.Unknown("a.pdf", 1, "a sheet of another practice (ODS B12345)", "B12345"))
    assert exit_code(outcome, summary(outcome)) == 2
