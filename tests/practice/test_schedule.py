"""The schedule's rules, checked against a real calendar: weekends, bank holidays and nations."""

from __future__ import annotations

import datetime as dt

import pytest

from packgen.practice.config import Config
from packgen.practice.schedule import build_schedule, grouped, key_dates, months_before, wall_calendar, warnings

D = dt.date


def config(fdp: dt.date, go_live: dt.date, holidays: str = "england-and-wales", parties=(), **schedule) -> Config:
    return Config.model_validate({
        "practice": {"name": "Test Surgery", "ods_code": "A12345", "address": ["1 Road"]},
        "contacts": {"practice_manager": {"name": "Pat"}},
        "migration": {"source_system": "Vision", "target_system": "SystmOne", "final_data_production": fdp,
                      "go_live": go_live, "holidays": holidays},
        "third_parties": list(parties),
        "schedule": schedule,
    })


def dates_of(cfg: Config) -> dict[str, dt.date]:
    return key_dates(cfg, build_schedule(cfg))


def by_key(cfg: Config):
    return {t.key: t for t in build_schedule(cfg)}


# The example practice: FDP Thursday 04/03/2027, go-live Tuesday 09/03/2027, no holiday near.
@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("extract_request", D(2027, 1, 28)),  # 35 days before FDP, a Thursday
        ("planning_meeting", D(2027, 2, 4)),  # 28 days before
        ("patient_notice", D(2027, 2, 18)),  # 14 days before
        ("prescribing_from", D(2027, 2, 4)),  # one month before FDP
        ("links_off", D(2027, 3, 3)),  # the day before FDP
        ("bowel_screening_off", D(2027, 3, 2)),  # two days before FDP
        ("clear_down", D(2027, 3, 3)),  # the working day before FDP
        ("cut_over_last_day", D(2027, 3, 8)),
        ("breather_end", D(2027, 3, 10)),  # go-live and the next working day
        ("chase_links", D(2027, 3, 12)),  # 3 working days after go-live
        ("reentry_end", D(2027, 3, 15)),  # 5 working days from go-live: Tue-Fri, then Monday
        ("tracking_update", D(2027, 3, 16)),  # 5 working days after go-live
        ("prescribing_until", D(2027, 3, 16)),  # go-live + 7
        ("rota_limit", D(2027, 3, 23)),  # go-live + 14
        ("read_only_until", D(2027, 4, 23)),  # go-live + 45
        ("support_until", D(2027, 6, 7)),  # go-live + 90
    ],
)
def test_default_rules(key, expected):
    assert dates_of(config(D(2027, 3, 4), D(2027, 3, 9)))[key] == expected


def test_offsets_are_settings():
    dates = dates_of(config(D(2027, 3, 4), D(2027, 3, 9), planning_meeting_days_before=42, reentry_working_days=10,
                            rota_limit_days_after=7))
    assert dates["planning_meeting"] == D(2027, 1, 21)
    assert dates["reentry_end"] == D(2027, 3, 22)
    assert dates["rota_limit"] == D(2027, 3, 16)


def test_cut_over_across_christmas_and_new_year_in_england():
    # 25/12/2026 is a Friday, 28/12/2026 the Boxing Day substitute, 01/01/2027 a Friday.
    cfg = config(D(2026, 12, 29), D(2027, 1, 5))
    dates = dates_of(cfg)
    tasks = by_key(cfg)
    assert dates["links_off"] == D(2026, 12, 24)  # 28/12 is a bank holiday: brought forward past Christmas
    assert tasks["links_off"].moved_from == D(2026, 12, 28)
    assert dates["clear_down"] == D(2026, 12, 24)
    assert dates["breather_end"] == D(2027, 1, 6)
    assert dates["chase_links"] == D(2027, 1, 8)
    assert dates["reentry_end"] == D(2027, 1, 11)
    assert dates["extract_request"] == D(2026, 11, 24)  # 35 days before, a Tuesday


def test_deadline_on_christmas_day_moves_to_christmas_eve():
    # The lab acts on Monday 04/01/2027; 10 days' notice before that is Christmas Day.
    cfg = config(D(2027, 1, 5), D(2027, 1, 8), parties=[{"name": "Lab", "kind": "pathology", "notice_days": 10}])
    notice = by_key(cfg)["notify:lab"]
    assert (notice.moved_from, notice.date) == (D(2026, 12, 25), D(2026, 12, 24))


def test_cut_over_across_easter():
    # Good Friday 26/03/2027, Easter Monday 29/03/2027.
    cfg = config(D(2027, 3, 30), D(2027, 4, 6), parties=[
        {"name": "Bowel Hub", "kind": "bowel_screening"},
        {"name": "Docs", "kind": "subsidiary_supplier", "notice_days": 4},
    ])
    tasks = by_key(cfg)
    assert tasks["links_off"].date == D(2027, 3, 25)  # Easter Monday -> Maundy Thursday
    assert tasks["switch_off:bowel-hub"].date == D(2027, 3, 25)  # 28/03 is Easter Sunday -> Thursday
    assert tasks["notify:docs"].date == D(2027, 2, 23)  # provides an extract: notified when extracts are requested
    docs = config(D(2027, 3, 30), D(2027, 4, 6), parties=[
        {"name": "Docs", "kind": "subsidiary_supplier", "notice_days": 4, "provides_extract": False}])
    # 4 days before its switch-off (Thursday 25/03) is a Sunday; it moves to Friday 19/03
    assert by_key(docs)["notify:docs"].date == D(2027, 3, 19)
    assert tasks["remind:bowel-hub"].date == D(2027, 3, 23)  # 2 working days before its switch-off
    assert dates_of(cfg)["clear_down"] == D(2027, 3, 25)


def test_scotland_keeps_2_january():
    # 02/01/2027 is a Saturday: Scotland observes it on Monday 04/01/2027; England does not.
    scot = by_key(config(D(2027, 1, 5), D(2027, 1, 8), holidays="scotland"))
    eng = by_key(config(D(2027, 1, 5), D(2027, 1, 8)))
    assert scot["links_off"].date == D(2026, 12, 31)
    assert eng["links_off"].date == D(2027, 1, 4)


def test_default_notice_by_kind():
    cfg = config(D(2027, 3, 4), D(2027, 3, 9), parties=[
        {"name": "EPS", "kind": "eps"}, {"name": "Docman", "kind": "subsidiary_supplier"},
        {"name": "Pharmacy", "kind": "pharmacy"}, {"name": "Hub", "kind": "bowel_screening"},
        {"name": "Lab", "kind": "pathology"}, {"name": "PCSE", "kind": "pcse"},
    ])
    tasks = by_key(cfg)
    assert not [key for key in tasks if key.endswith(":eps")]  # EPS is not switched off: no letter, no task
    assert tasks["notify:docman"].date == D(2027, 1, 28)  # 5 days' notice, but it must be asked for its extract at 35
    assert tasks["notify:pharmacy"].date == D(2027, 2, 4)  # the prescribing window's first day
    assert tasks["notify:lab"].date == D(2027, 2, 24)  # 7 days before its switch-off on 03/03
    assert tasks["notify:pcse"].date == D(2027, 2, 17)  # 14 days before the registration pause on 03/03
    assert tasks["switch_off:hub"].date == D(2027, 3, 2)
    assert "extract_taken:pharmacy" not in tasks and tasks["extract_taken:docman"].date == D(2027, 3, 4)
    plain_cfg = config(D(2027, 3, 4), D(2027, 3, 9), parties=[
        {"name": "Docman", "kind": "subsidiary_supplier", "provides_extract": False}])
    plain = by_key(plain_cfg)
    # 5 days before its switch-off on Wednesday 03/03 is Friday 26/02, which leaves only 2 working days to reply:
    # it goes a working day earlier, and the build says which setting to change.
    assert plain["notify:docman"].date == D(2027, 2, 25)
    found = [str(w) for w in warnings(plain_cfg, build_schedule(plain_cfg), D(2026, 11, 27))]
    assert any("Docman" in w and "Set notice_days to at least 6" in w for w in found), found


def test_months_before_clamps_to_the_end_of_the_month():
    assert months_before(D(2027, 3, 31), 1) == D(2027, 2, 28)
    assert months_before(D(2028, 3, 30), 1) == D(2028, 2, 29)
    assert months_before(D(2027, 1, 15), 2) == D(2026, 11, 15)


def test_checklists_hold_every_task_to_tick_off_once():
    cfg = config(D(2027, 3, 4), D(2027, 3, 9), parties=[{"name": "EPS", "kind": "eps"}])
    tasks = build_schedule(cfg)
    checklists = grouped(tasks, cfg)
    assert all(t.date < D(2027, 3, 4) for t in checklists["before"])
    assert all(t.date == D(2027, 3, 4) for t in checklists["fdp"])
    assert all(D(2027, 3, 4) < t.date <= D(2027, 3, 9) for t in checklists["go_live"])
    assert all(t.date > D(2027, 3, 9) for t in checklists["after"])
    assert sum(len(group) for group in checklists.values()) == len([t for t in tasks if t.action])


def test_wall_calendar_is_whole_weeks_from_first_task_to_end_of_reentry():
    cfg = config(D(2026, 12, 29), D(2027, 1, 5))
    weeks = wall_calendar(cfg, build_schedule(cfg))
    assert weeks[0][0].date == D(2026, 10, 5)  # Monday of the week to ask for the IDP date (84 days before FDP)
    assert weeks[-1][-1].date == D(2027, 1, 17)  # Sunday of the week re-entry and tracking end
    assert all(len(week) == 7 for week in weeks)
    days = {day.date: day for week in weeks for day in week}
    assert days[D(2026, 12, 28)].closed == "Boxing Day (observed)"
    assert days[D(2026, 12, 30)].cut_over and not days[D(2027, 1, 5)].cut_over
    assert ("GO-LIVE", True) in days[D(2027, 1, 5)].labels


@pytest.mark.parametrize(
    ("fdp", "go_live", "expected"),
    [
        (D(2027, 3, 6), D(2027, 3, 9), "final data production (Saturday 6 March 2027) falls on a weekend"),
        (D(2027, 3, 4), D(2027, 3, 29), "go-live (Monday 29 March 2027) falls on Easter Monday"),
        (D(2027, 3, 1), D(2027, 3, 22), "the cut-over lasts 21 days; more than 14 days means a long paper backlog"),
    ],
)
def test_warnings(fdp, go_live, expected):
    cfg = config(fdp, go_live)
    assert expected in [w.message for w in warnings(cfg, build_schedule(cfg), D(2026, 11, 27))]


def test_past_deadlines_are_late_but_dates_to_know_are_not():
    cfg = config(D(2027, 3, 4), D(2027, 3, 9))
    tasks = by_key(cfg)
    today = D(2027, 3, 5)
    assert tasks["links_off"].overdue(today)
    assert not tasks["final_data_production"].overdue(today)  # a date to know, not a thing to do
    assert not tasks["reentry"].overdue(today)
    found = [w.message for w in warnings(cfg, list(tasks.values()), today)]
    assert "LATE: 'Hold the cut-over planning meeting: agree how each activity runs and how it is re-entered' was due on " \
           "Thursday 4 February 2027, before the pack was built on Friday 5 March 2027" in found
