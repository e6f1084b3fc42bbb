"""The wave overview: overview.pdf, wave.ics and wave.csv for the example wave."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest
import vobject
from hypothesis import given, settings
from hypothesis import strategies as st

from packgen.errors import PackgenError
from packgen.overview import ROW_HEIGHT, ROWS_PER_CHART, Row, _cell, charts, overview, wave_ics, wave_rows, waves, write_overview
from packgen.pack.ics import timeline_ics
from packgen.practice.load import load
from packgen.practice.logs import printed_sheets
from packgen.practice.schedule import build_schedule
from packgen.wave import Outcome

from .conftest import BUILD_DATE, FAILURE, WAVE, flat, read_pdf


def test_the_overview_has_a_row_per_practice_and_marks_the_failed_one(example_wave):
    name, _, _, written = example_wave
    assert name == "wave-eastshire-2027" and written.folder.name == name and written.laid_out
    pdf = read_pdf(written.folder / "overview.pdf")
    assert {(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in pdf.reader.pages} == {(842, 595)}
    first = flat(pdf.pages[0])
    assert "Wave overview: wave-eastshire-2027" in first and "2 practices: 1 built, 1 failed" in first
    brookside = printed_sheets(load(WAVE / "brookside-surgery.yaml").config)  # dated and spare
    assert ("Brookside Surgery ODS Y02345 EMIS Web → SystmOne – Thu 22/04/2027 Tue 27/04/2027 5 days 14 4 by post "
            f"{len(brookside)}") in first
    assert "Built: 90 pages" in first
    assert "Millbrook Health Centre ODS Y03456" in first and "Wed 12/05/2027 Mon 17/05/2027" in first
    assert f"FAILED {FAILURE}" in first.replace("2027/ ", "2027/")  # the path wraps after a slash


def test_the_chart_and_the_week_by_week_list(example_wave):
    pdf = read_pdf(example_wave[3].folder / "overview.pdf")
    text = flat(pdf.text)
    assert "Week beginning (Monday)" in text
    for label in ("22/03", "19/04", "17/05", "FDP 22/04", "Go-live 27/04", "FDP 12/05", "Go-live 17/05"):
        assert label in text, label
    assert "ODS Y03456: build failed" in text
    assert "Week beginning Monday 15 March 2027" in text
    assert ("Thu 18/03/2027 Brookside Surgery Send letter 01, the notice letter to Docman (by email)") in text
    assert "Brook Street Pharmacy (by post)" in text
    assert ("Thu 22/04/2027 Brookside Surgery Final data production; everyone logged off EMIS Web by 6.30pm") in text
    assert "Wed 12/05/2027 Millbrook Health Centre Final data production; everyone logged off EMIS Web by 7pm" in text
    assert "Mon 17/05/2027 Millbrook Health Centre Go-live on SystmOne" in text
    assert "Wed 21/04/2027 Brookside Surgery Docman switches off" in text


def test_an_unchanged_wave_reuses_its_overview(example_wave):
    name, rows, out, written = example_wave
    again = write_overview(name, rows, out, BUILD_DATE)
    assert (again.laid_out, again.unchanged) == (False, True)
    assert sorted(p.name for p in written.folder.iterdir()) == ["manifest.json", "overview.pdf", "wave.csv", "wave.ics"]


def test_the_wave_calendar_opens_in_a_second_parser(example_wave):
    name, rows, _, written = example_wave
    data = (written.folder / "wave.ics").read_text(encoding="utf-8")
    calendar = vobject.readOne(data)
    events = {event.uid.value: event for event in calendar.vevent_list}
    assert len(events) == 10  # five key dates for each of two practices
    fdp = events["final_data_production.y02345@wave.packgen"]
    assert str(fdp.dtstart.value) == "2027-04-22"
    assert fdp.summary.value == "Brookside Surgery: final data production (FDP), everyone logged off by 6.30pm"
    cut_over = events["cut_over.y03456@wave.packgen"]
    assert (str(cut_over.dtstart.value), str(cut_over.dtend.value)) == ("2027-05-12", "2027-05-17")
    own = set()
    for config in sorted(WAVE.glob("[!_]*.yaml")):
        c = load(config).config
        own |= {e.uid.value for e in vobject.readOne(timeline_ics(c, build_schedule(c), BUILD_DATE).decode()).vevent_list}
    assert not own & set(events)  # apart from the practices' own calendars
    later = wave_ics(name, rows, BUILD_DATE.replace(day=28))
    assert {e.uid.value for e in vobject.readOne(later.decode()).vevent_list} == set(events)  # stable across rebuilds


def test_the_wave_table_for_spreadsheets(example_wave):
    rows = list(csv.DictReader(io.StringIO((example_wave[3].folder / "wave.csv").read_text(encoding="utf-8"))))
    assert [(r["practice"], r["ods_code"], r["final_data_production"], r["go_live"], r["cut_over_days"], r["build"])
            for r in rows] == [("Brookside Surgery", "Y02345", "2027-04-22", "2027-04-27", "5", "built"),
                               ("Millbrook Health Centre", "Y03456", "2027-05-12", "2027-05-17", "5", "failed")]
    brookside = printed_sheets(load(WAVE / "brookside-surgery.yaml").config)  # dated and spare
    assert rows[0]["letters"] == "14" and rows[0]["letters_by_post"] == "4" and rows[0]["sheets"] == str(len(brookside))
    assert rows[1]["error"] == FAILURE and rows[0]["error"] == ""


def test_no_cell_runs_as_a_formula():
    assert [_cell(v) for v in ("=1+1", "+44 1234", "-x", "@SUM(A1)", "Brookside", None)] == [
        "'=1+1", "'+44 1234", "'-x", "'@SUM(A1)", "Brookside", ""]


def test_a_config_that_cannot_be_read_still_has_its_row(tmp_path):
    bad = tmp_path / "wave" / "broken.yaml"
    bad.parent.mkdir()
    bad.write_text("practice: [\n", encoding="utf-8")
    rows = wave_rows([bad], {str(bad): Outcome(str(bad), problems=(f"{bad}:1: the YAML is malformed",), exit_code=2)},
                     BUILD_DATE)
    assert [(r.name, r.built, r.error) for r in rows] == [("broken.yaml", False, f"{bad}:1: the YAML is malformed")]
    assert waves([tmp_path / "wave", Path(bad)]) == [("wave", [bad])]


DAYS = st.dates(min_value=dt.date(2026, 1, 1), max_value=dt.date(2029, 12, 31))


@settings(max_examples=200, deadline=None)
@given(starts=st.lists(st.tuples(DAYS, st.integers(0, 60), st.integers(1, 30), st.integers(1, 20),
                                 st.one_of(st.none(), st.integers(1, 60))), min_size=1, max_size=30),
       today=DAYS)
def test_every_bar_lies_on_the_shared_axis_in_date_order(starts, today):
    rows = [Row(config=f"{n}.yaml", name=f"Practice {n}", ods_code=f"A{n:05d}", planning_meeting=planning,
                final_data_production=planning + dt.timedelta(days=lead),
                go_live=planning + dt.timedelta(days=lead + cut),
                reentry_end=planning + dt.timedelta(days=lead + cut + reentry),
                initial_data_production=None if idp is None else planning + dt.timedelta(days=lead) - dt.timedelta(days=idp))
            for n, (planning, lead, cut, reentry, idp) in enumerate(starts)]
    found = charts(rows, today)
    assert sum(len(chart.rows) for chart in found) == len(rows)
    assert all(len(chart.rows) <= ROWS_PER_CHART for chart in found)
    for chart in found:
        assert chart.weeks == found[0].weeks  # one time axis for the whole wave
        xs = [week.x for week in chart.weeks]
        assert xs[0] == chart.left and xs[-1] == pytest.approx(chart.right, abs=0.01)
        gaps = [b - a for a, b in zip(xs, xs[1:])]
        assert max(gaps) - min(gaps) <= 0.03  # every week the same width (x is rounded to 0.01 mm)
        assert any(week.label for week in chart.weeks)
        for row in chart.rows:
            preparation, cut_over, reentry = row.bars
            assert chart.left <= preparation.x and reentry.x + reentry.width <= chart.right + 0.01
            assert preparation.x + preparation.width == pytest.approx(cut_over.x, abs=0.01)
            assert cut_over.x + cut_over.width == pytest.approx(reentry.x, abs=0.01)
            assert cut_over.width > 0 and reentry.width > 0 and preparation.width >= 0
            for mark in row.marks:
                assert sum(mark.box) <= chart.width  # no label runs off the right of the page
            if row.idp is not None:
                assert chart.left <= row.idp <= cut_over.x
            assert row.y + ROW_HEIGHT <= chart.height
        if chart.today is not None:
            assert chart.left <= chart.today <= chart.right + 0.01


def test_an_idp_is_shown_in_the_table_and_on_the_chart(tmp_path):
    row = Row(config="p.yaml", name="Hillside Surgery", ods_code="B12345", source_system="Vision",
              target_system="EMIS Web", initial_data_production=dt.date(2027, 4, 1),
              final_data_production=dt.date(2027, 5, 6), go_live=dt.date(2027, 5, 10),
              planning_meeting=dt.date(2027, 4, 8), reentry_end=dt.date(2027, 5, 14), letters=0, by_post=0,
              sheets=12, pages=40, folder="b12345-hillside-surgery")
    written = write_overview("wave", [row], tmp_path, BUILD_DATE)
    text = flat(read_pdf(written.folder / "overview.pdf").text)
    assert "Hillside Surgery ODS B12345 Vision → EMIS Web Thu 01/04/2027 Thu 06/05/2027 Mon 10/05/2027 4 days" in text
    assert "IDP 01/04" in text and "29/03" in text  # the axis starts on the Monday before the IDP
    events = {e.uid.value: e for e in vobject.readOne((written.folder / "wave.ics").read_text()).vevent_list}
    assert str(events["initial_data_production.b12345@wave.packgen"].dtstart.value) == "2027-04-01"


def test_a_wave_whose_packs_did_not_change_keeps_its_overview_without_reading_them_again(tmp_path, monkeypatch):
    (name, configs), = waves([WAVE])
    outcomes = {}
    for n, config in enumerate(configs):
        folder = tmp_path / "out" / f"practice-{n}"
        folder.mkdir(parents=True)
        (folder / "manifest.json").write_text(json.dumps({"inputs": f"hash-{n}"}), encoding="utf-8")
        outcomes[str(config)] = Outcome(str(config), str(folder), 90)
    first = overview(name, configs, outcomes, tmp_path / "out", BUILD_DATE)
    assert not first.unchanged
    monkeypatch.setattr("packgen.overview.wave_rows", lambda *args: pytest.fail("read the wave again"))
    again = overview(name, configs, outcomes, tmp_path / "out", BUILD_DATE)
    assert (again.unchanged, again.laid_out, again.pages) == (True, False, first.pages)
    monkeypatch.undo()
    (tmp_path / "out" / "practice-0" / "manifest.json").write_text(json.dumps({"inputs": "changed"}), encoding="utf-8")
    changed = overview(name, configs, outcomes, tmp_path / "out", BUILD_DATE)
    assert not changed.unchanged and not changed.laid_out  # the same table: its PDF comes from the cache


def test_two_wave_folders_of_the_same_name_are_refused_before_any_build(tmp_path):
    for parent in ("north", "south"):
        (tmp_path / parent / "wave").mkdir(parents=True)
        (tmp_path / parent / "wave" / "p.yaml").write_text("x: 1\n", encoding="utf-8")
    with pytest.raises(PackgenError, match="would both have their overview in waves/wave"):
        waves([tmp_path / "north" / "wave", tmp_path / "south" / "wave"])
    assert len(waves([tmp_path / "north" / "wave", tmp_path / "north" / "wave" / "."])) == 1
