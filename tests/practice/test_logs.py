"""Paper log sheets: pre-dated serials, sized to the practice, spares, clinicians' own sheets, landscape pages
inside the margin, the sheets by day, and a register that agrees."""

from __future__ import annotations

import datetime as dt
import math
import re
from types import SimpleNamespace

import pdfplumber
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from packgen.build import build
from packgen.limits import MAX_LOG_SHEETS
from packgen.pack.documents import documents
from packgen.pack.roles import pick_up_order
from packgen.practice.columns import COLUMNS, LOGS, REENTRY
from packgen.practice.config import Config
from packgen.practice.load import load
from packgen.practice.logs import DEFAULT_LIST_SIZE, RATES, ROWS_PER_SHEET, groups, log_specs, open_days, printed_sheets, sheets

from ..conftest import BUILD_DATE, MINIMAL, ROOT, errors_of, flat, read_pdf, write

MM = 72 / 25.4
# Over Easter 2027: Thursday 25/03 open, Good Friday, a weekend, Easter Monday, Tuesday 30/03 open.
EASTER = MINIMAL.replace("2027-06-10", "2027-03-25").replace("2027-06-14", "2027-03-31")
# The same, built: a small practice (few sheets to lay out) with two clinicians named.
SMALL = (EASTER.replace("  address:", "  list_size: 1500\n  address:")
         + "roles:\n  clinicians: {staff: [Dr Ann Lee, Sam Cole]}\n")
SERIAL = r"\b[A-Z]{2,3}-(?:\d{4}-\d{2}-\d{2}|SPARE)-\d{2}\b"


@pytest.fixture(scope="module")
def easter(tmp_path_factory):
    folder = tmp_path_factory.mktemp("easter")
    result = build(load(write(folder / "p.yaml", SMALL)), folder / "out", BUILD_DATE)
    return result


@pytest.fixture(scope="module")
def easter_logs(easter):
    """Each log of `easter` opened with pdfplumber once for the module: a page's objects are read once
    (pdfplumber keeps them), however many tests look at them."""
    opened = {name: pdfplumber.open(easter.folder / "logs" / f"{name.replace('_', '-')}.pdf") for name in LOGS}
    yield opened
    for pdf in opened.values():
        pdf.close()


def config_of(text: str) -> Config:
    import yaml

    return Config.model_validate(yaml.safe_load(text))


def test_sheets_skip_weekends_and_bank_holidays_and_serials_are_unique():
    config = config_of(EASTER)
    assert open_days(config) == [dt.date(2027, 3, 25), dt.date(2027, 3, 30)]
    printed = sheets(config)
    # FDP day: one sheet per log, for the time after log-off; then each log's sheets for a full day
    assert len(printed) == len(LOGS) + sum(spec.sheets_per_day for spec in log_specs(config))
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
    for spec in log_specs(config_of(SMALL)):
        pdf = read_pdf(easter.folder / "logs" / f"{spec.name.replace('_', '-')}.pdf")
        # FDP day from log-off, then a full day, then the spares
        assert len(pdf.pages) == spec.fdp_day_sheets + spec.day_sheets + spec.spare_sheets, spec.name
        for page in pdf.reader.pages:
            assert float(page.mediabox.width) == pytest.approx(841.89, abs=1)
            assert float(page.mediabox.height) == pytest.approx(595.28, abs=1)


def test_every_column_heading_the_date_and_the_serial_are_printed(easter):
    for name, (title, prefix, _purpose, columns) in LOGS.items():
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


def test_register_lists_exactly_the_sheets_printed_spares_included(easter):
    pack = read_pdf(easter.folder / "cutover-pack.pdf")
    printed = printed_sheets(config_of(SMALL))
    on_sheets = [re.search(SERIAL, text).group() for spec in log_specs(config_of(SMALL))
                 for text in read_pdf(easter.folder / "logs" / f"{spec.name.replace('_', '-')}.pdf").pages]
    register = [found for text in pack.pages if "Sheet register" in text for found in re.findall(SERIAL, text)]
    assert on_sheets == [sheet.serial for sheet in printed]
    assert register == on_sheets and any(sheet.spare for sheet in printed)
    assert f"{len(on_sheets)} in all, spares included" in flat("\n".join(pack.pages))


def test_nothing_prints_within_10mm_of_the_paper_edge(easter_logs):
    margin = 10 * MM - 0.5
    for name, pdf in easter_logs.items():
        for page in pdf.pages:
            objects = page.chars + page.rects + page.lines + page.curves + page.images
            assert objects
            for obj in objects:
                assert obj["x0"] >= margin and obj["top"] >= margin, (name, obj.get("text"), obj["x0"], obj["top"])
                assert obj["x1"] <= page.width - margin and obj["bottom"] <= page.height - margin, (name, obj.get("text"))


def test_rows_are_at_least_9mm_high(easter_logs):
    page = easter_logs["telephone"].pages[0]
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


def test_each_stamped_sheet_reads_as_tagged_text_in_order(easter, easter_logs):
    """A sheet is laid out once and its date, serial and count stamped on each copy: a screen reader
    still finds them as text, after the title and before the table, on every sheet."""
    config = load(easter.folder.parent.parent / "p.yaml").config
    for name in LOGS:
        own = [sheet for sheet in printed_sheets(config) if sheet.log.name == name]  # dated, then the spares
        pdf = easter_logs[name]
        assert len(pdf.pages) == len(own)
        for page, sheet in zip(pdf.pages, own):
            text, mcids = tagged_text(page)
            assert sorted(mcids) == list(range(len(mcids))), (name, sheet.serial)  # each id once
            assert {char["mcid"] for char in page.chars} <= set(mcids), (name, sheet.serial)  # all text tagged
            date = "Spare sheet" if sheet.spare else sheet.date.strftime("%a %d/%m/%Y")
            count = (f"Spare {sheet.number} of {sheet.of} for this log" if sheet.spare
                     else f"Sheet {sheet.number} of {sheet.of} for that day")
            parts = [sheet.log.title, date, *([sheet.holder] if sheet.holder else []), sheet.serial, count,
                     sheet.log.columns[0].heading, "Contains patient-identifiable information", sheet.serial]
            at = -1
            for part in parts:
                found = text.find(flat(part), at + 1)
                assert found > at, (name, sheet.serial, part, text)
                at = found
            assert ("from close of business (after log-off)" in text) == (sheet.starts is not None)


# Sheets sized to the practice: the README's rates, its arithmetic, and what overrides them.

def stated_rates() -> dict[str, float | None]:
    """Each log's rows a day per 1,000 patients as the README's table states them (None: no rate)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `(\w+)` \| [A-Z]+ \| ([^|]+) \|", readme, flags=re.MULTILINE)
    return {name: (float(rate) if re.fullmatch(r"[\d.]+", rate.strip()) else None) for name, rate in rows}


def with_list_size(text: str, size: int) -> str:
    return text.replace("  address:", f"  list_size: {size}\n  address:")


def test_the_rates_are_the_ones_the_readme_states():
    assert stated_rates() == RATES and set(RATES) == set(LOGS)


@pytest.mark.parametrize("size", [3000, 12000])
def test_sheets_a_day_scale_with_the_list_size(size):
    config = config_of(with_list_size(EASTER, size))
    printed = sheets(config)
    full_day = dt.date(2027, 3, 30)
    for name, rate in stated_rates().items():
        expected = max(1, math.ceil(rate * size / 1000 / ROWS_PER_SHEET)) if rate is not None else 1
        assert sum(s.log.name == name and s.date == full_day for s in printed) == expected, name
        spec = next(spec for spec in log_specs(config) if spec.name == name)
        assert spec.spare_sheets == max(2, math.ceil(expected / 4)), name
        assert spec.expected == (round(rate * size / 1000) if rate is not None else None)


def test_without_a_list_size_the_sheets_are_those_of_an_average_practice():
    assert log_specs(config_of(EASTER)) == log_specs(config_of(with_list_size(EASTER, DEFAULT_LIST_SIZE)))


def test_a_log_setting_overrides_the_list_size():
    config = config_of(with_list_size(EASTER, 12000) + "logs:\n  appointments: {sheets_per_day: 2, spare_sheets: 7}\n")
    spec = next(spec for spec in log_specs(config) if spec.name == "appointments")
    assert (spec.sheets_per_day, spec.spare_sheets, spec.expected) == (2, 7, None)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 60_000), st.integers(1, 60_000))
def test_a_larger_practice_never_gets_fewer_sheets_and_they_hold_the_expected_rows(small, large):
    small, large = sorted((small, large))
    sized = [log_specs(config_of(with_list_size(EASTER, size))) for size in (small, large)]
    for few, many in zip(*sized):
        assert few.day_sheets <= many.day_sheets and few.spare_sheets <= many.spare_sheets
    for spec in sized[1]:
        if spec.expected is not None:
            assert spec.day_sheets * ROWS_PER_SHEET >= RATES[spec.name] * large / 1000


@pytest.mark.parametrize("value, message", [
    ("'9,800'", "must be the number of registered patients, a whole number without commas, like 9800 (got '9,800')"),
    ("0", "must be 1 or more (got 0)"),
    ("true", "must be the number of registered patients, a whole number without commas, like 9800 (got True)"),
    ("250000", "is more patients than any practice has; at most 150,000 (got 250000)"),
])
def test_a_wrong_list_size_is_one_line_naming_file_line_and_key(tmp_path, value, message):
    path = write(tmp_path / "p.yaml", MINIMAL.replace("  address:", f"  list_size: {value}\n  address:"))
    assert errors_of(path) == [f"{path}:4: practice.list_size: {message}"]


def test_a_clinician_s_name_fits_the_head_of_their_sheets(tmp_path):
    path = write(tmp_path / "p.yaml", MINIMAL + "roles:\n  clinicians: {staff: [Dr A, " + "B" * 81 + "]}\n")
    assert errors_of(path) == [f"{path}:13: roles.clinicians.staff.1: is too long (at most 80 characters)"]


def test_sheets_from_the_list_size_over_one_log_s_limit_name_the_list_size(tmp_path):
    path = write(tmp_path / "p.yaml", with_list_size(MINIMAL, 40000).replace("2027-06-14", "2027-06-24"))
    (problem,) = errors_of(path)
    assert problem.startswith(f"{path}:4: practice.list_size: ")
    assert f"a day for 40,000 patients) are more than one log may print ({MAX_LOG_SHEETS}); lower logs." in problem


# Spares and clinicians' own sheets.

def test_spares_have_serials_of_their_own_and_no_date():
    config = config_of(SMALL)
    spares = [sheet for sheet in printed_sheets(config) if sheet.spare]
    for spec in log_specs(config):
        own = [sheet.serial for sheet in spares if sheet.log == spec]
        assert own == [f"{spec.prefix}-SPARE-{n:02d}" for n in range(1, spec.spare_sheets + 1)]
    assert all(sheet.date is None and sheet.holder is None for sheet in spares)
    serials = [sheet.serial for sheet in printed_sheets(config)]
    assert len(serials) == len(set(serials))


def test_each_named_clinician_gets_telephone_sheets_of_their_own():
    config = config_of(with_list_size(EASTER, 12000) + "roles:\n  clinicians: {staff: [Dr A, Dr B, Dr C]}\n")
    spec = next(spec for spec in log_specs(config) if spec.name == "telephone")
    calls = RATES["telephone"] * 12  # a day, for 12,000 patients
    assert spec.clinicians == ("Dr A", "Dr B", "Dr C") and spec.sheets_per_day == 1
    assert spec.clinician_sheets == math.ceil(calls / 3 / ROWS_PER_SHEET)
    full_day = [sheet for sheet in sheets(config) if sheet.log == spec and sheet.date == dt.date(2027, 3, 30)]
    for name in spec.clinicians:
        own = [sheet for sheet in full_day if sheet.holder == name]
        assert [(sheet.number, sheet.of) for sheet in own] == [(n, spec.clinician_sheets)
                                                              for n in range(1, spec.clinician_sheets + 1)]
    assert [sheet.serial for sheet in full_day] == [f"TEL-2027-03-30-{n:02d}" for n in range(1, len(full_day) + 1)]
    assert not [sheet for sheet in sheets(config) if sheet.holder and sheet.date == dt.date(2027, 3, 25)]


def test_a_clinician_s_sheet_and_a_spare_say_what_they_are(easter):
    pages = read_pdf(easter.folder / "logs" / "telephone.pdf").pages
    own = next(flat(text) for text in pages if "Dr Ann Lee" in text)
    assert "Tue 30/03/2027" in own and "For calls by Dr Ann Lee." in own
    shared = next(flat(text) for text in pages if "Shared sheet" in text)
    assert "For calls by anyone without a sheet of their own" in shared
    spare = flat(pages[-1])
    assert "Spare sheet" in spare and "TEL-SPARE-" in spare and "Spare: use it only when that day's sheets have run out" in spare
    assert not re.search(r"\d{2}/\d{2}/\d{4}", spare)  # no date printed: it is written on


# The sheets by day: copies of the same pages, a partition of the dated sheets.

def test_each_day_s_file_holds_exactly_that_day_s_sheets_as_printed_per_log(easter):
    config = config_of(SMALL)
    folder = easter.folder / "logs"
    per_log = {}
    for spec in log_specs(config):
        for text in read_pdf(folder / f"{spec.name.replace('_', '-')}.pdf").pages:
            per_log[re.search(SERIAL, text).group()] = text
    for day in open_days(config):
        pages = read_pdf(folder / f"{day.isoformat()}.pdf").pages
        serials = [re.search(SERIAL, text).group() for text in pages]
        assert sorted(serials) == sorted(sheet.serial for sheet in sheets(config) if sheet.date == day)
        assert all(text == per_log[serial] for serial, text in zip(serials, pages))  # the same pages
        logs = [serial.split("-")[0] for serial in serials]
        order = [LOGS[name][1] for name in pick_up_order()]
        assert logs == sorted(logs, key=order.index)  # in the order staff pick them up
    spares = [re.search(SERIAL, text).group() for text in read_pdf(folder / "spares.pdf").pages]
    assert spares == [sheet.serial for sheet in printed_sheets(config) if sheet.spare]


configs = st.builds(
    lambda size, days, clinicians, fdp_sheets, spares: config_of(
        with_list_size(EASTER, size).replace("2027-03-25", "2027-06-10").replace("2027-03-31", f"2027-06-{10 + days}")
        + (f"roles:\n  clinicians: {{staff: [{', '.join(f'Dr {n}' for n in range(clinicians))}]}}\n" if clinicians else "")
        + f"logs:\n  telephone: {{fdp_day_sheets: {fdp_sheets}}}\n"
        + (f"  referrals: {{spare_sheets: {spares}}}\n" if spares else "")),
    st.integers(1, 20_000), st.integers(1, 10), st.integers(0, 6), st.integers(0, 3), st.integers(0, 4))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configs)
def test_every_serial_is_in_one_per_log_file_once_and_the_days_partition_the_dated_sheets(config):
    printed = printed_sheets(config)
    pack = SimpleNamespace(practice=config.practice, roles=(), letters=(), log_specs=tuple(log_specs(config)),
                           open_days=tuple(open_days(config)),
                           sheets=tuple(printed))
    files = [doc.values["sheets"] for doc in documents(pack) if doc.template == "parts/log-sheets.html"]
    serials = [sheet.serial for found in files for sheet in found]
    assert sorted(serials) == sorted(sheet.serial for sheet in printed) and len(set(serials)) == len(serials)
    days = [found for file, _what, found in groups(printed, pick_up_order()) if file != "logs/spares.pdf"]
    by_day = [sheet for found in days for sheet in found]
    assert sorted(s.serial for s in by_day) == sorted(s.serial for s in printed if not s.spare)
    assert len({s.serial for s in by_day}) == len(by_day)
    assert all(len({s.date for s in found}) == 1 for found in days)


def test_a_day_s_file_keeps_each_page_s_tags_and_nothing_else(easter):
    import pikepdf

    for path in sorted((easter.folder / "logs").glob("20*.pdf")) + [easter.folder / "logs" / "spares.pdf"]:
        with pikepdf.open(path) as pdf:
            pages = {page.obj.objgen for page in pdf.pages}
            tree = pdf.Root.StructTreeRoot
            parents = dict(pikepdf.NumberTree(tree.ParentTree).items())
            assert {int(page.obj.StructParents) for page in pdf.pages} == set(parents), path.name
            seen, stack = [], [tree]
            while stack:
                element = stack.pop()
                if "/Pg" in element:
                    seen.append(element.Pg.objgen)
                kids = element.get("/K")
                stack += [kid for kid in (kids if isinstance(kids, pikepdf.Array) else [kids])
                          if isinstance(kid, pikepdf.Dictionary)]
            assert set(seen) == pages, path.name  # every page tagged, no tag on a page left out
            for page in pdf.pages:  # each page carries only what it draws, not every sheet's codes
                drawn = {str(item.operands[0]) for item in pikepdf.parse_content_stream(page, "Do")}
                assert set(page.Resources.get("/XObject", {}).keys()) == drawn, path.name


def test_a_rebuild_takes_the_pack_and_the_files_by_day_from_the_cache(easter, monkeypatch):
    # A file missing from the output folder makes the build run again; nothing it makes has changed, so the
    # joined pack and the day files are found in the cache like the documents, not joined again.
    import packgen.pack.bundles
    import packgen.render.join

    def refuse(*args, **kwargs):
        raise AssertionError("joined again")

    monkeypatch.setattr(packgen.render.join, "join", refuse)
    monkeypatch.setattr(packgen.pack.bundles, "join", refuse)
    folder = easter.folder
    before = {path: path.read_bytes() for path in folder.rglob("*.pdf")}
    assert len([path for path in before if re.fullmatch(r"\d{4}-\d{2}-\d{2}", path.stem)]) == 2
    (folder / "cutover-pack.pdf").unlink()
    again = build(load(folder.parent.parent / "p.yaml"), folder.parent, BUILD_DATE)
    assert not again.unchanged and again.laid_out == []
    assert {path: path.read_bytes() for path in folder.rglob("*.pdf")} == before
