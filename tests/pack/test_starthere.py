"""Start here: the page after the cover says what to do now, worked out from the build date."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from functools import cache

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from packgen.build import build
from packgen.pack.documents import documents, html, pagination
from packgen.pack.fill import pack_env
from packgen.pack.glossary import plain
from packgen.pack.model import prepare
from packgen.pack.starthere import WEEK, start_here
from packgen.practice.dates import uk_day
from packgen.practice.load import load
from packgen.practice.schedule import CHECKLISTS, build_schedule, stage

from ..conftest import BUILD_DATE, EXAMPLE, MINIMAL, NO_LOGS, flat, read_pdf, write

PC = load(EXAMPLE)
CONFIG = PC.config
TASKS = build_schedule(CONFIG)
FDP, GO_LIVE = CONFIG.migration.final_data_production, CONFIG.migration.go_live
HEADINGS = {"before": "Before final data production", "fdp": "On final data production day",
            "go_live": "On go-live day", "after": "After go-live"}
# Build dates from well before the first task to well after the read-only period ends.
DAYS = st.integers(min_value=-130, max_value=130).map(lambda offset: FDP + dt.timedelta(days=offset))


@cache
def context():
    """The example's wording, filled in once; each test then changes only the build date."""
    pack = prepare(PC, BUILD_DATE)
    docs = documents(pack)
    return (pack, pagination(pack, docs, None, None), pack_env(PC),
            next(d for d in docs if d.key == "part-start-here"))


def page_text(today: dt.date) -> str:
    pack, pages, env, doc = context()
    return plain(html(env, replace(pack, today=today, start_here=start_here(CONFIG, TASKS, today)), pages, doc))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DAYS)
def test_the_page_starts_at_the_stage_of_the_build_date(today):
    text = page_text(today)
    now = list(CHECKLISTS).index(stage(today, CONFIG))
    for index, (name, heading) in enumerate(HEADINGS.items()):
        assert (heading in text) == (index >= now), (today, heading)
    assert "This week" in text and uk_day(today + dt.timedelta(days=WEEK - 1)) in text
    assert (FDP <= today) == ("Before final data production" not in text)


@settings(max_examples=60, deadline=None)
@given(DAYS)
def test_this_week_names_the_tasks_due_in_it_and_counts_the_late_ones(today):
    found = start_here(CONFIG, TASKS, today)
    end = today + dt.timedelta(days=WEEK - 1)
    due = [t for t in TASKS if t.action and t.date <= end and t.last >= today]
    assert list(found.week) + [t for t in due if t not in found.week] == due  # the first, in date order
    assert len(found.week) + found.more == len(due)
    assert found.late == sum(1 for t in TASKS if t.action and t.last < today)
    later = [t for t in TASKS if t.action and t.date > end]
    assert found.next_task == (later[0] if later and not due else None)
    text = page_text(today)
    for task in found.week:
        assert task.short in text
        assert task.title not in text  # each task's full line is in the checklists only
    assert ("LATE" in text) == bool(found.late)


def test_the_example_guide_starts_here_with_the_pages_it_names(example_pack):
    pages = example_pack.pages
    start = flat(pages[1])
    assert start.startswith("Start here") or "\nStart here\n" in pages[1]
    assert f"built on {uk_day(BUILD_DATE)}" in start
    following = start_here(CONFIG, TASKS, BUILD_DATE).next_task
    assert following is not None  # nothing is due in the example's first week
    number = int(re.search(rf"{re.escape(following.short)} \(page (\d+)\)", start).group(1))
    assert following.title in flat(pages[number - 1])
    for words, heading in [("checklist for before the cut-over, from page", "Checklist: Before the cut-over"),
                           ("print list on page", "Print list"), ("glossary on page", "Glossary"),
                           ("re-entry tracker (page", "Re-entry tracker")]:
        number = int(re.search(rf"{re.escape(words)} (\d+)", start).group(1))
        assert heading in pages[number - 1], (words, number)


def test_a_guide_built_during_the_cut_over_starts_at_go_live(tmp_path):
    path = write(tmp_path / "p.yaml", NO_LOGS + MINIMAL)
    cut_over = dt.date(2027, 6, 11)  # the day after FDP (10 June 2027); go-live is 14 June
    result = build(load(path), tmp_path / "out", cut_over)
    start = flat(read_pdf(result.folder / "cutover-pack.pdf").pages[1])
    assert "The cut-over has started: go-live is on Monday 14 June 2027." in start
    assert "Before final data production" not in start and "On final data production day" not in start
    assert "On go-live day: Monday 14 June 2027" in start and "After go-live" in start
    assert "due before today" in start
