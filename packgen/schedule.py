"""Every dated task of a cut-over, computed from the practice's dates: pure functions, no I/O."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

import holidays as holiday_data

from .config import SWITCH_OFF_DAYS, Config, ThirdParty
from .dates import uk_date

DAY = dt.timedelta(days=1)
SUBDIVISIONS = {"england-and-wales": "ENG", "scotland": "SCT", "northern-ireland": "NIR"}
PHASES = {
    "before": "Before the cut-over",
    "cut_over": "Final data production and the cut-over",
    "after": "Go-live and after",
}


@dataclass(frozen=True)
class Task:
    """One thing to do (or one period to know about), with the rule that dated it."""

    key: str  # stable identity, e.g. "planning_meeting" or "notify:eastshire-pathology-service"
    title: str
    date: dt.date
    phase: str  # a key of PHASES
    owner: str
    rule: str
    end: dt.date | None = None  # last day, for a period
    time: str | None = None
    moved_from: dt.date | None = None  # the calendar date, when a deadline moved to a working day
    party: str | None = None  # the third party's name, for per-party tasks

    def late(self, today: dt.date) -> bool:
        """A task is late when its last day has passed on the build date."""
        return (self.end or self.date) < today


@dataclass(frozen=True)
class Calendar:
    """Working days for one practice: Monday to Friday, less its nation's bank holidays."""

    region: str

    def holiday(self, day: dt.date) -> str | None:
        return _holidays(self.region, day.year).get(day)

    def working(self, day: dt.date) -> bool:
        return day.weekday() < 5 and self.holiday(day) is None

    def on_or_before(self, day: dt.date) -> dt.date:
        """The deadline rule: a deadline on a weekend or bank holiday moves earlier, which is safe."""
        while not self.working(day):
            day -= DAY
        return day

    def working_days_from(self, start: dt.date, count: int) -> list[dt.date]:
        """The first `count` working days on or after `start`."""
        found: list[dt.date] = []
        day = start
        while len(found) < count:
            if self.working(day):
                found.append(day)
            day += DAY
        return found

    def add_working_days(self, start: dt.date, count: int) -> dt.date:
        """The working day `count` working days after `start` (`start` itself when count is 0)."""
        day = start
        for _ in range(count):
            day += DAY
            while not self.working(day):
                day += DAY
        return day

    def subtract_working_days(self, start: dt.date, count: int) -> dt.date:
        day = start
        for _ in range(count):
            day -= DAY
            while not self.working(day):
                day -= DAY
        return day


@lru_cache(maxsize=64)
def _holidays(region: str, year: int) -> dict[dt.date, str]:
    return dict(holiday_data.country_holidays("GB", subdiv=SUBDIVISIONS[region], years=year))


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day of the month `months` earlier, or the month's last day when it has none."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _n(count: int, unit: str) -> str:
    """'1 day', '2 days'."""
    return f"{count} {unit}{'' if count == 1 else 's'}"


def slug(text: str) -> str:
    """Lower-case a-z0-9 words joined by hyphens: safe in file names, UIDs and keys."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


def build_schedule(config: Config) -> list[Task]:
    """All tasks for the practice, sorted by date."""
    m = config.migration
    s = config.schedule
    cal = Calendar(m.holidays)
    fdp, go_live = m.final_data_production, m.go_live
    tasks: list[Task] = []

    def deadline(key: str, title: str, day: dt.date, phase: str, owner: str, rule: str, **extra: object) -> None:
        moved = cal.on_or_before(day)
        tasks.append(Task(key, title, moved, phase, owner, rule, moved_from=day if moved != day else None, **extra))

    def event(key: str, title: str, day: dt.date, phase: str, owner: str, rule: str, **extra: object) -> None:
        tasks.append(Task(key, title, day, phase, owner, rule, **extra))

    pm, clinical, admin = "Practice manager", "GPs and nurses", "Reception and admin"
    deadline("extract_request", f"Request data extracts from {m.source_system} and the subsidiary suppliers", fdp - s.extract_request_days_before * DAY,
             "before", pm, f"{_n(s.extract_request_days_before, 'day')} before FDP")
    deadline("planning_meeting", "Hold the cut-over planning meeting", fdp - s.planning_meeting_days_before * DAY,
             "before", pm, f"{_n(s.planning_meeting_days_before, 'day')} before FDP")
    start = months_before(fdp, s.prescribing_months_before)
    event("prescribing_window", "Two prescriptions, or paper FP10 instead of EPS repeats (if the practice chooses)", start, "before",
          "Prescription clerks", f"{_n(s.prescribing_months_before, 'month')} before FDP to {_n(s.prescribing_days_after, 'day')} after go-live",
          end=go_live + s.prescribing_days_after * DAY)
    for party in config.third_parties:
        _party_tasks(party, config, cal, deadline, event)
    deadline("links_off", "Switch off third-party links and communications", fdp - DAY, "before", pm, "1 day before FDP")
    clear_down = cal.subtract_working_days(fdp, s.clear_down_working_days_before)
    event("clear_down", "Export letter and clinical templates to Word; clear inboxes, workflows and open tasks to zero",
          clear_down, "before", pm, f"{_n(s.clear_down_working_days_before, 'working day')} before FDP")
    event("logoff", f"Everyone logged off {m.source_system} for the final extract", fdp, "cut_over", pm,
          "FDP day" + (f", by {m.logoff_time}" if m.logoff_time else ""), time=m.logoff_time)
    event("final_data_production", f"Final data production: {m.source_system} takes the final extract", fdp, "cut_over", m.source_system, "FDP")
    event("cut_over", "Cut-over: record everything on paper for re-entry", fdp, "cut_over", "All staff",
          "FDP to the day before go-live", end=go_live - DAY)
    event("go_live", f"Go-live: start using {m.target_system}", go_live, "after", "All staff", "go-live")
    event("links_on", "Switch third-party links back on", go_live, "after", pm, "go-live")
    breather = cal.working_days_from(go_live, s.breather_working_days) if s.breather_working_days else []
    if breather:
        event("breather_slots", "Fewer or breather slots in the rotas (both systems)", breather[0], "after", admin,
              f"first {_n(s.breather_working_days, 'working day')} from go-live", end=breather[-1])
    reentry = cal.working_days_from(go_live, s.reentry_working_days)
    event("reentry", f"Re-enter everything recorded during the cut-over into {m.target_system}", reentry[0], "after",
          "All staff", f"{_n(s.reentry_working_days, 'working day')} from go-live", end=reentry[-1])
    event("chase_links", "Chase any third party not yet switched back on", cal.add_working_days(go_live, s.chase_working_days_after),
          "after", pm, f"{_n(s.chase_working_days_after, 'working day')} after go-live")
    event("tracking_update", "Update the tracking database with the go-live date", cal.add_working_days(go_live, s.tracking_update_working_days),
          "after", "Project manager", f"within {_n(s.tracking_update_working_days, 'working day')} after go-live")
    event("rota_limit", f"Last day any {m.source_system} rota may reach", go_live + s.rota_limit_days_after * DAY, "after", admin,
          f"go-live + {s.rota_limit_days_after} days")
    event("read_only_until", f"{m.source_system} read-only access ends", go_live + m.read_only_days * DAY, "after", pm,
          f"go-live + {m.read_only_days} days")
    event("support_until", f"{m.source_system} supplier support ends", go_live + m.source_support_days * DAY, "after", pm,
          f"go-live + {m.source_support_days} days")
    order = {phase: i for i, phase in enumerate(PHASES)}
    return sorted(tasks, key=lambda t: (order[t.phase], t.date, t.key))


def _party_tasks(party: ThirdParty, config: Config, cal: Calendar, deadline, event) -> None:  # type: ignore[no-untyped-def]
    """Notice, reminders, switch-off and extract request for one third party."""
    fdp = config.migration.final_data_production
    pm = "Practice manager"
    key = slug(party.name)
    off = cal.on_or_before(fdp - party.switch_off_before * DAY)
    deadline(f"notify:{key}", f"Send notice to {party.name}", fdp - party.notice * DAY, "before", pm,
             f"{_n(party.notice, 'day')}' notice before FDP", party=party.name)
    if party.extract:
        deadline(f"extract:{key}", f"Ask {party.name} for its own extract on FDP day",
                 fdp - config.schedule.extract_request_days_before * DAY, "before", pm,
                 f"{_n(config.schedule.extract_request_days_before, 'day')} before FDP", party=party.name)
    deadline(f"remind:{key}", f"Remind {party.name} of the switch-off", off - config.schedule.reminder_days_before * DAY, "before", pm,
             f"{_n(config.schedule.reminder_days_before, 'day')} before its switch-off", party=party.name)
    event(f"switch_off:{key}", f"{party.name}: switch-off day (remind again on the day)", off, "before", pm,
          f"{_n(party.switch_off_before, 'day')} before FDP", party=party.name)


def key_dates(config: Config, tasks: list[Task]) -> dict[str, dt.date]:
    """Dates by name for templates and guidance: `dates.go_live`, `dates.cut_over_last_day`, …"""
    by_key = {t.key: t for t in tasks}
    dates = {key: task.date for key, task in by_key.items() if ":" not in key}
    dates["cut_over_last_day"] = by_key["cut_over"].end  # type: ignore[assignment]
    dates["prescribing_from"] = by_key["prescribing_window"].date
    dates["prescribing_until"] = by_key["prescribing_window"].end  # type: ignore[assignment]
    dates["reentry_end"] = by_key["reentry"].end  # type: ignore[assignment]
    if "breather_slots" in by_key:
        dates["breather_end"] = by_key["breather_slots"].end  # type: ignore[assignment]
    bowel = [t.date for t in tasks if t.key.startswith("switch_off:") and _kind_of(config, t.party) == "bowel_screening"]
    fdp = config.migration.final_data_production
    default_off = Calendar(config.migration.holidays).on_or_before(fdp - SWITCH_OFF_DAYS["bowel_screening"] * DAY)
    dates["bowel_screening_off"] = min(bowel, default=default_off)
    return dates


def _kind_of(config: Config, party_name: str | None) -> str | None:
    return next((p.kind for p in config.third_parties if p.name == party_name), None)


def warnings(config: Config, tasks: list[Task], today: dt.date) -> list[str]:
    """Things to check that are not errors: key days on closed days, an unusual cut-over, late deadlines."""
    m = config.migration
    cal = Calendar(m.holidays)
    found = []
    for name, day in (("final data production", m.final_data_production), ("go-live", m.go_live)):
        closed = cal.holiday(day) or ("a weekend" if day.weekday() >= 5 else None)
        if closed:
            found.append(f"{name} ({uk_date(day)}) falls on {closed}")
    length = (m.go_live - m.final_data_production).days
    if length > 14:
        found.append(f"the cut-over lasts {length} days; more than 14 days means a long paper backlog")
    for task in tasks:
        if task.late(today):
            found.append(f"LATE: '{task.title}' was due {uk_date(task.end or task.date)}, before the build date {uk_date(today)}")
    return found
