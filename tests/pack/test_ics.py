"""timeline.ics: valid iCalendar, one all-day event per task, agreeing with the schedule, stable UIDs."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from packgen.pack.ics import BREAKS, timeline_ics
from packgen.practice.load import load
from packgen.practice.schedule import build_schedule

from ..conftest import EXAMPLE


def test_ics_parses_back_to_the_timeline(example_build):
    data = (example_build.folder / "timeline.ics").read_bytes()
    cal = Calendar.from_ical(data)
    events = cal.walk("VEVENT")
    tasks = build_schedule(load(EXAMPLE).config)
    assert len(events) == len(tasks)
    by_uid = {str(e["UID"]): e for e in events}
    assert len(by_uid) == len(events)  # unique
    for task in tasks:
        event = by_uid[f"{task.key}.y01234@packgen"]
        assert event.decoded("DTSTART") == task.date
        assert event.decoded("DTEND") == task.last + dt.timedelta(days=1)
        assert str(event["SUMMARY"]).startswith(task.title)
    assert data.startswith(b"BEGIN:VCALENDAR\r\n") and b"VERSION:2.0" in data and b"PRODID:" in data
    assert all("DTSTAMP" in e for e in events)


def test_ics_is_identical_when_rebuilt_on_the_same_day():
    config = load(EXAMPLE).config
    tasks = build_schedule(config)
    day = dt.date(2026, 11, 27)
    assert timeline_ics(config, tasks, day) == timeline_ics(config, build_schedule(config), day)


def test_pack_dates_agree_with_the_ics(example_build, example_pack):
    cal = Calendar.from_ical((example_build.folder / "timeline.ics").read_bytes())
    go_live = next(e for e in cal.walk("VEVENT") if str(e["UID"]).startswith("go_live."))
    assert go_live.decoded("DTSTART") == dt.date(2027, 3, 9)
    assert "Tue 09/03/2027" in example_pack.text  # the short form of the key dates and checklists


CONFIG = load(EXAMPLE).config
TASKS = build_schedule(CONFIG)


@settings(max_examples=80, deadline=None)
@given(name=st.text(alphabet=st.characters(blacklist_categories=["Cs"]), min_size=1, max_size=40)
       | st.sampled_from(["Riverside\rBEGIN:VEVENT", "A\r\nB", "A\x0bB\x0cC\x1cD\x85E\u2028F\u2029G", "A\x00B"]))
def test_no_character_of_a_name_breaks_a_line_of_the_ics(name):
    config = CONFIG.model_copy(update={"practice": CONFIG.practice.model_copy(update={"name": name})})
    data = timeline_ics(config, TASKS, dt.date(2026, 11, 27))
    text = data.decode("utf-8")
    lines = text.split("\r\n")
    assert lines[-1] == "" and text.splitlines() == lines[:-1]  # no line break but CRLF, whatever reads it
    assert not any(BREAKS.search(line) for line in lines)
    assert sum(line == "BEGIN:VEVENT" for line in lines) == len(TASKS)
    assert len(Calendar.from_ical(data).walk("VEVENT")) == len(TASKS)
