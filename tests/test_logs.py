"""Paper log sheets: pre-dated serials, landscape pages inside the margin, and a register that agrees."""

from __future__ import annotations

import datetime as dt
import re

import pdfplumber
import pytest

from packgen.build import build
from packgen.columns import COLUMNS, LOGS, REENTRY
from packgen.config import Config, load
from packgen.logs import open_days, sheets

from .conftest import BUILD_DATE, MINIMAL, flat, read_pdf, write

MM = 72 / 25.4
# Over Easter 2027: Thursday 25/03 open, Good Friday, a weekend, Easter Monday, Tuesday 30/03 open.
EASTER = MINIMAL.replace("2027-06-10", "2027-03-25").replace("2027-06-14", "2027-03-31")


@pytest.fixture(scope="module")
def easter(tmp_path_factory):
    folder = tmp_path_factory.mktemp("easter")
    result = build(load(write(folder / "p.yaml", EASTER)), folder / "out", BUILD_DATE)
    return result


def config_of(text: str) -> Config:
    import yaml

    return Config.model_validate(yaml.safe_load(text))


def test_sheets_skip_weekends_and_bank_holidays_and_serials_are_unique():
    config = config_of(EASTER)
    assert open_days(config) == [dt.date(2027, 3, 25), dt.date(2027, 3, 30)]
    printed = sheets(config)
    # FDP day: one sheet per log, for the time after log-off; then telephone 3, prescriptions 3, the rest 1 a day
    assert len(printed) == 7 + (3 + 1 + 3 + 1 + 1 + 1 + 1)
    serials = [s.serial for s in printed]
    assert len(set(serials)) == len(serials)
    assert serials[:4] == ["TEL-2027-03-25-01", "TEL-2027-03-30-01", "TEL-2027-03-30-02", "TEL-2027-03-30-03"]
    assert {s.starts for s in printed if s.date == dt.date(2027, 3, 25)} == {"close of business"}
    assert {s.starts for s in printed if s.date != dt.date(2027, 3, 25)} == {None}
    assert sorted(s for s in serials if s.startswith("TEL")) == [s for s in serials if s.startswith("TEL")]


def test_fdp_day_sheets_start_at_log_off_and_are_a_setting():
    config = config_of(EASTER.replace("  go_live:", "  logoff_time: \"13:15\"\n  go_live:")
                       + "logs:\n  telephone: {fdp_day_sheets: 2}\n  referrals: {fdp_day_sheets: 0}\n")
    on_fdp = [s for s in sheets(config) if s.date == dt.date(2027, 3, 25)]
    assert {s.starts for s in on_fdp} == {"1.15pm"}
    assert [s.serial for s in on_fdp if s.log.name == "telephone"] == ["TEL-2027-03-25-01", "TEL-2027-03-25-02"]
    assert all(s.of == 2 for s in on_fdp if s.log.name == "telephone")
    assert not [s for s in on_fdp if s.log.name == "referrals"]
    assert len([s for s in on_fdp if s.log.name == "prescriptions"]) == 1


def test_open_days_and_log_settings_change_the_sheets():
    config = config_of(EASTER.replace("  address:", "  open_days: [thursday, saturday, tuesday]\n  address:")
                       + "logs:\n  telephone: {sheets_per_day: 5}\n  referrals: {print: false}\n"
          "  home_visits: {columns: [patient, nhs_number, outcome]}\n")
    assert open_days(config) == [dt.date(2027, 3, 25), dt.date(2027, 3, 27), dt.date(2027, 3, 30)]
    printed = sheets(config)
    assert sum(s.log.name == "telephone" for s in printed) == 1 + 5 + 5  # FDP day: from log-off only
    assert not any(s.log.name == "referrals" for s in printed)
    visits = next(s for s in printed if s.log.name == "home_visits")
    assert [c.key for c in visits.log.columns] == ["patient", "nhs_number", "outcome"]


def test_each_log_is_its_own_landscape_pdf_one_page_per_sheet(easter):
    for name in LOGS:
        pdf = read_pdf(easter.folder / "logs" / f"{name.replace('_', '-')}.pdf")
        per_day = LOGS[name][4]
        assert len(pdf.pages) == 1 + per_day, name  # FDP day from log-off, then a full day
        for page in pdf.reader.pages:
            assert float(page.mediabox.width) == pytest.approx(841.89, abs=1)
            assert float(page.mediabox.height) == pytest.approx(595.28, abs=1)


def test_every_column_heading_the_date_and_the_serial_are_printed(easter):
    for name, (title, prefix, _purpose, columns, _per_day) in LOGS.items():
        pdf = read_pdf(easter.folder / "logs" / f"{name.replace('_', '-')}.pdf")
        first = flat(pdf.pages[0])
        assert title in first
        for key in columns:
            assert flat(COLUMNS[key].heading) in first, (name, key)
        for column in REENTRY:
            assert column.heading in first
        assert "Re-entry in EMIS Web" in first
        assert "Thu 25/03/2027" in first and f"{prefix}-2027-03-25-01" in first  # numeric on a log sheet
        assert "from close of business (after log-off)" in first
        assert "until log-off at close of business, use Vision as normal and write nothing here" in first
        assert "Sheet 1 of 1 for that day" in first
        second = flat(pdf.pages[1])
        assert "after log-off" not in second and "Sheet 1 of" in second
        assert ("Contains patient-identifiable information once completed. Keep secure; destroy under the "
                "practice's information governance policy after re-entry is checked.") in first


def test_register_lists_exactly_the_sheets_printed(easter):
    pack = read_pdf(easter.folder / "cutover-pack.pdf")
    serial = r"\b[A-Z]{2,3}-\d{4}-\d{2}-\d{2}-\d{2}\b"
    on_sheets = [re.search(serial, text).group() for name in LOGS
                 for text in read_pdf(easter.folder / "logs" / f"{name.replace('_', '-')}.pdf").pages]
    register = [found for text in pack.pages if "Sheet register" in text for found in re.findall(serial, text)]
    assert len(on_sheets) == 18
    assert register == on_sheets
    assert f"{len(on_sheets)} in all" in flat("\n".join(pack.pages))


def test_nothing_prints_within_10mm_of_the_paper_edge(easter):
    margin = 10 * MM - 0.5
    for name in LOGS:
        with pdfplumber.open(easter.folder / "logs" / f"{name.replace('_', '-')}.pdf") as pdf:
            for page in pdf.pages:
                objects = page.chars + page.rects + page.lines + page.curves + page.images
                assert objects
                for obj in objects:
                    assert obj["x0"] >= margin and obj["top"] >= margin, (name, obj.get("text"), obj["x0"], obj["top"])
                    assert obj["x1"] <= page.width - margin and obj["bottom"] <= page.height - margin, (name, obj.get("text"))


def test_rows_are_at_least_9mm_high(easter):
    with pdfplumber.open(easter.folder / "logs" / "telephone.pdf") as pdf:
        page = pdf.pages[0]
        # Horizontal rules under the heading: their spacing is the row height.
        ys = sorted({round(line["top"], 1) for line in page.lines if line["top"] == line["bottom"] and line["width"] > 5 * MM})
        body = [y for y in ys if y > 45 * MM]  # below the sheet's title block and column headings
        gaps = [b - a for a, b in zip(body, body[1:])]
        assert len(gaps) >= 11
        assert min(gaps) >= 9 * MM


def tagged_text(page) -> tuple[str, list[int]]:
    """A page's text in the order of its structure tree (what a screen reader reads), and every marked
    content id the tree names, in that order."""
    chars: dict[int, str] = {}
    for char in page.chars:
        chars[char["mcid"]] = chars.get(char["mcid"], "") + char["text"]
    order: list[int] = []

    def walk(node):
        order.extend(node.get("mcids", []))
        for kid in node.get("children", []):
            walk(kid)

    for node in page.structure_tree:
        walk(node)
    return flat(" ".join(chars.get(mcid, "") for mcid in order)), order


def test_each_stamped_sheet_reads_as_tagged_text_in_order(easter):
    """A sheet is laid out once and its date, serial and count stamped on each copy: a screen reader
    still finds them as text, after the title and before the table, on every sheet."""
    config = load(easter.folder.parent.parent / "p.yaml").config
    for name in LOGS:
        own = [sheet for sheet in sheets(config) if sheet.log.name == name]
        with pdfplumber.open(easter.folder / "logs" / f"{name.replace('_', '-')}.pdf") as pdf:
            assert len(pdf.pages) == len(own)
            for page, sheet in zip(pdf.pages, own):
                text, mcids = tagged_text(page)
                assert sorted(mcids) == list(range(len(mcids))), (name, sheet.serial)  # each id once
                assert {char["mcid"] for char in page.chars} <= set(mcids), (name, sheet.serial)  # all text tagged
                date = sheet.date.strftime("%a %d/%m/%Y")
                parts = [sheet.log.title, date, sheet.serial, f"Sheet {sheet.number} of {sheet.of} for that day",
                         sheet.log.columns[0].heading, "Contains patient-identifiable information", sheet.serial]
                at = -1
                for part in parts:
                    found = text.find(flat(part), at + 1)
                    assert found > at, (name, sheet.serial, part, text)
                    at = found
                assert ("from close of business (after log-off)" in text) == (sheet.starts is not None)
