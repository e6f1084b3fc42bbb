"""How dates are written: in words in running text, DD/MM/YYYY in tables and on log sheets."""

from __future__ import annotations

import datetime as dt
import re

from hypothesis import given
from hypothesis import strategies as st

from packgen.practice.dates import short_day, uk_date, uk_day, uk_time

DAYS = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31))


def test_running_text_writes_the_date_in_words():
    assert uk_day(dt.date(2027, 3, 4)) == "Thursday 4 March 2027"
    assert uk_day(dt.date(2027, 12, 25)) == "Saturday 25 December 2027"


def test_tables_keep_the_numeric_forms():
    assert uk_date(dt.date(2027, 3, 4)) == "04/03/2027"
    assert short_day(dt.date(2027, 3, 4)) == "Thu 04/03/2027"


@given(DAYS)
def test_a_date_in_words_reads_back_as_the_same_day(day):
    written = uk_day(day)
    assert re.fullmatch(r"[A-Z][a-z]+day [1-9]\d? [A-Z][a-z]+ \d{4}", written), written
    assert dt.datetime.strptime(written, "%A %d %B %Y").date() == day


def test_times_in_running_text():
    assert [uk_time(t) for t in ("18:30", "19:00", "12:00", "00:00", "00:15", "09:05")] == [
        "6.30pm", "7pm", "midday", "midnight", "12.15am", "9.05am"]
