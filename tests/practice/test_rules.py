"""Rules that must hold for every practice: property tests over generated configs, run on the schedule in-process."""

from __future__ import annotations

import datetime as dt
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from packgen.names import slug
from packgen.pack.letters import reply_by, resume_reply_by
from packgen.practice.config import KINDS, Config
from packgen.practice.dates import uk_day
from packgen.practice.logs import log_specs, sheets
from packgen.practice.schedule import Calendar, build_schedule, key_dates, logoff_words, warnings

D = dt.date
DAY = dt.timedelta(days=1)
EARLY = D(2025, 1, 1)  # a build date before every generated deadline


@st.composite
def configs(draw) -> Config:
    fdp = D(2026, 1, 1) + draw(st.integers(0, 365)) * DAY  # any day of a year: weekends and bank holidays too
    go_live = fdp + draw(st.integers(1, 21)) * DAY
    nation = draw(st.sampled_from(["england", "wales"]))
    explicit = draw(st.booleans())
    practice = {"name": "Test Surgery", "ods_code": ("W" if nation == "wales" else draw(st.sampled_from("ABCY"))) + "12345",
                "address": ["1 Road"]}
    if explicit:
        practice["nation"] = nation
    migration = {"source_system": "Vision", "target_system": "SystmOne", "final_data_production": fdp,
                 "go_live": go_live,
                 "holidays": "england-and-wales" if nation == "wales" else draw(
                     st.sampled_from(["england-and-wales", "scotland", "northern-ireland"]))}
    if draw(st.booleans()):
        migration["initial_data_production"] = fdp - draw(st.integers(10, 150)) * DAY
    migration["training"] = [go_live - d * DAY for d in draw(st.lists(st.integers(1, 60), max_size=3))]
    if draw(st.booleans()):
        migration["logoff_time"] = f"{draw(st.integers(0, 23)):02d}:{draw(st.sampled_from([0, 15, 30, 45])):02d}"
    kinds = draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=12))
    parties = []
    for index, kind in enumerate(kinds):
        party = {"name": f"Party {index} {kind}", "kind": kind}
        if draw(st.booleans()):
            party["notice_days"] = draw(st.integers(0, 70))  # short and long notice settings
        if draw(st.booleans()):
            party["switch_off_days_before"] = draw(st.integers(0, 10))
        if kind == "pathology" and draw(st.booleans()):
            party["provides_extract"] = True
        parties.append(party)
    schedule = draw(st.fixed_dictionaries({}, optional={
        "reminder_working_days_before": st.integers(1, 10),
        "links_off_days_before": st.integers(1, 7),
        "registration_form_days_before": st.integers(14, 40),
        "extract_request_days_before": st.integers(0, 60),
        "prescribing_months_before": st.integers(1, 3),
        "cancel_repeat_dispensing_working_days_before": st.integers(1, 15),
        "chase_working_days_after": st.integers(3, 10),
        "smartcards_working_days_before": st.integers(5, 15),
        "go_no_go_working_days_before": st.integers(1, 10),
    }))
    logs = {"telephone": {"fdp_day_sheets": draw(st.integers(0, 3))}} if draw(st.booleans()) else {}
    return Config.model_validate({"practice": practice, "contacts": {"practice_manager": {"name": "Pat"}},
                                  "migration": migration, "third_parties": parties, "schedule": schedule, "logs": logs})


def plan_of(config: Config):
    tasks = build_schedule(config)
    return tasks, {t.key: t for t in tasks}, key_dates(config, tasks), Calendar(config.migration.holidays)


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(configs())
def test_every_party_notice_reminder_switch_off_go_live_resume_chase_in_order(config):
    tasks, by_key, dates, cal = plan_of(config)
    go_live, chase = config.migration.go_live, dates["chase_links"]
    for party in config.third_parties:
        key = slug(party.name)
        if party.kind == "eps":
            continue
        notice, remind, off = by_key[f"notify:{key}"], by_key[f"remind:{key}"], by_key[f"switch_off:{key}"]
        resume = go_live  # the resume letter is dated go-live
        assert notice.date < remind.date < off.date < go_live <= resume < chase, party
        assert notice.reply_by is not None
        assert notice.reply_by >= cal.add_working_days(notice.date, 3), party
        assert notice.reply_by < off.date, party
        assert resume_reply_by(cal, resume, chase) >= cal.add_working_days(resume, 3)


@SETTINGS
@given(configs())
def test_no_task_on_a_closed_day_unless_it_is_a_fixed_event(config):
    tasks, _, _, cal = plan_of(config)
    for task in tasks:
        assert task.fixed or cal.working(task.date), (task.key, task.date)


@SETTINGS
@given(configs())
def test_eps_is_not_switched_off(config):
    tasks, by_key, dates, cal = plan_of(config)
    eps = [slug(p.name) for p in config.third_parties if p.kind == "eps"]
    assert not [t for t in tasks if t.party and slug(t.party.name) in eps]
    assert not [t for t in tasks if re.search(r"(stop|switch off|switches off)[^;]*\bEPS\b", t.title)]
    found = [w for w in warnings(config, tasks, EARLY) if "kind eps" in w.message]
    assert len(found) == (1 if eps else 0)
    fdp, go_live = config.migration.final_data_production, config.migration.go_live
    assert dates["fp10_order"] < dates["prescribing_from"] == dates["pharmacy_notice"]
    assert dates["repeat_dispensing_report"] < dates["cancel_repeat_dispensing"] < fdp
    assert dates["prescribing_from"] < dates["cancel_repeat_dispensing"]
    assert go_live <= dates["reissue_repeat_dispensing"]
    for party in config.third_parties:
        if party.kind == "pharmacy":
            assert by_key[f"notify:{slug(party.name)}"].date == dates["prescribing_from"]


@SETTINGS
@given(configs())
def test_registration_service_told_two_weeks_ahead_with_one_pause_date(config):
    tasks, by_key, dates, cal = plan_of(config)
    pause, fdp = dates["links_off"], config.migration.final_data_production
    assert dates["fp69_clear"] < pause < fdp
    assert dates["pcse_form"] <= pause - 14 * DAY
    for party in config.third_parties:
        if party.kind == "pcse":
            key = slug(party.name)
            assert by_key[f"switch_off:{key}"].date == pause
            assert by_key[f"notify:{key}"].date <= pause - 14 * DAY
    for task in tasks:
        for day in re.findall(r"pause (?:from|on) (\w+day \d+ \w+ \d{4})", task.title):
            assert day == uk_day(pause), task.title


@SETTINGS
@given(configs())
def test_nation_names_its_own_services(config):
    tasks, _, _, _ = plan_of(config)
    listed = " ".join(p.name for p in config.third_parties)
    words = " ".join([t.title for t in tasks] + [w.message for w in warnings(config, tasks, EARLY)])
    if config.practice.nation == "wales":
        for name in ("PCSE", "Primary Care Support England", "NHS England"):
            assert name not in words or name in listed, name
        assert "NWSSP" in words
    else:
        assert "NWSSP" not in words


@SETTINGS
@given(configs())
def test_paper_starts_at_log_off_on_fdp_day(config):
    fdp = config.migration.final_data_production
    printed = sheets(config)
    for spec in log_specs(config):
        on_fdp = [s for s in printed if s.log == spec and s.date == fdp]
        if on_fdp or fdp in {s.date for s in printed}:
            assert len(on_fdp) == spec.fdp_day_sheets
        assert all(s.starts == logoff_words(config) for s in on_fdp)
        assert all(s.starts is None for s in printed if s.log == spec and s.date != fdp)
    tasks, by_key, _, _ = plan_of(config)
    assert logoff_words(config) in by_key["start_logs"].title
    assert logoff_words(config) in by_key["cut_over"].title


@SETTINGS
@given(configs())
def test_the_guides_tasks_come_in_their_order(config):
    tasks, by_key, dates, cal = plan_of(config)
    m = config.migration
    assert dates["smartcards"] <= cal.subtract_working_days(m.go_live, 5)
    assert dates["go_no_go"] < m.final_data_production
    assert dates["training_done"] < m.go_live
    assert dates["data_cleanup"] < (m.initial_data_production or m.final_data_production)
    assert dates["data_checking"] <= dates["data_signoff"]
    assert dates["audit_trail"] < m.go_live
    assert m.go_live == dates["go_live_checks"]
    if m.initial_data_production:
        assert dates["extract_request_idp"] <= m.initial_data_production
        assert dates["data_checking"] > m.initial_data_production
        assert "idp_request" not in dates
    else:
        assert dates["idp_request"] < m.final_data_production
        assert dates["data_signoff"] < dates["go_no_go"]
        assert "initial_data_production" not in dates
    for day in m.training:
        assert by_key[f"training:{day.isoformat()}"].date == day < m.go_live


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 730), st.integers(-10, 40), st.sampled_from(["england-and-wales", "scotland", "northern-ireland"]))
def test_a_late_letter_still_leaves_three_working_days(sent, gap, region):
    cal = Calendar(region)
    day = D(2026, 1, 1) + sent * DAY
    assert reply_by(cal, day, day + gap * DAY) >= cal.add_working_days(day, 3)
