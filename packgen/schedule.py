"""Every dated task of a cut-over, computed from the practice's dates: pure functions, no I/O."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, replace
from functools import lru_cache

import holidays as holiday_data

from .config import SWITCH_OFF_DAYS, Config, ThirdParty
from .dates import uk_date, uk_day

DAY = dt.timedelta(days=1)
SUBDIVISIONS = {"england-and-wales": "ENG", "scotland": "SCT", "northern-ireland": "NIR"}
PHASES = {
    "before": "Before the cut-over",
    "cut_over": "Final data production and the cut-over",
    "after": "Go-live and after",
}
CHECKLISTS = {
    "before": "Before the cut-over",
    "fdp": "Final data production day",
    "go_live": "Go-live day, and the days before it",
    "after": "After go-live",
}


@dataclass(frozen=True)
class Task:
    """One thing to do (or one period to know about), with the rule that dated it."""

    key: str  # stable identity, e.g. "planning_meeting" or "notify:eastshire-pathology-service"
    title: str
    date: dt.date
    owner: str
    rule: str
    short: str  # a few words for a calendar cell
    action: bool = True  # False for a date to know (FDP, read-only ends), not a thing to tick off
    on_calendar: bool = True  # False for detail that would crowd the one-page calendar
    end: dt.date | None = None  # last day, for a period
    time: str | None = None
    moved_from: dt.date | None = None  # the calendar date, when a deadline moved to a working day
    party: str | None = None  # the third party's name, for per-party tasks

    @property
    def last(self) -> dt.date:
        return self.end or self.date

    def late(self, today: dt.date) -> bool:
        """A thing to do is late when its last day has passed on the build date."""
        return self.action and self.last < today


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
    """Lower-case a-z0-9 words joined by hyphens (Tŷ Gwyn → ty-gwyn): safe in file names, UIDs and keys."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-") or "x"


def build_schedule(config: Config) -> list[Task]:
    """All tasks for the practice, sorted by date."""
    m, s = config.migration, config.schedule
    cal = Calendar(m.holidays)
    fdp, go_live = m.final_data_production, m.go_live
    tasks: list[Task] = []

    def add(key: str, title: str, day: dt.date, owner: str, rule: str, short: str, *, deadline: bool = False,
            **extra: object) -> None:
        """Add a task; a deadline on a weekend or bank holiday moves to the working day before."""
        moved = cal.on_or_before(day) if deadline else day
        tasks.append(Task(key, title, moved, owner, rule, short, moved_from=day if moved != day else None, **extra))  # type: ignore[arg-type]

    pm, clerks, admin, everyone = "Practice manager", "Prescription clerks", "Reception and admin", "All staff"
    before_go_live = cal.subtract_working_days(go_live, 1)
    clear_down = cal.subtract_working_days(fdp, s.clear_down_working_days_before)
    breather = cal.working_days_from(go_live, s.breather_working_days) if s.breather_working_days else []
    reentry = cal.working_days_from(go_live, s.reentry_working_days)

    # Before the cut-over
    add("extract_request", f"Request data extracts from {m.source_system} and from each subsidiary supplier",
        fdp - s.extract_request_days_before * DAY, pm, f"{_n(s.extract_request_days_before, 'day')} before FDP",
        "Request extracts", deadline=True)
    add("planning_meeting", "Hold the cut-over planning meeting: agree how each activity runs and how it is re-entered",
        fdp - s.planning_meeting_days_before * DAY, pm, f"{_n(s.planning_meeting_days_before, 'day')} before FDP",
        "Planning meeting", deadline=True)
    planning = tasks[-1].date
    add("extra_staff", "Book extra staff or protected time for testing and re-entry; move data-rich clinics out of the cut-over",
        planning, pm, "at the planning meeting", "Book staff", on_calendar=False)
    add("prescribing_window", "Two prescriptions, or paper FP10 instead of EPS repeats (if the practice chooses)",
        months_before(fdp, s.prescribing_months_before), clerks,
        f"{_n(s.prescribing_months_before, 'month')} before FDP to {_n(s.prescribing_days_after, 'day')} after go-live",
        "Prescribing window", end=go_live + s.prescribing_days_after * DAY)
    add("patient_notice", "Put up the patient poster and publish the notice on the website and by text message",
        fdp - s.patient_notice_days_before * DAY, pm, f"{_n(s.patient_notice_days_before, 'day')} before FDP",
        "Patient notice", deadline=True)
    for party in config.third_parties:
        tasks.extend(_party_tasks(party, config, cal))
    add("links_off", "Switch off third-party links and communications; back up third-party systems", fdp - DAY, pm,
        "1 day before FDP", "Links off", deadline=True)
    add("clear_down", "Export letter and clinical templates to Word; clear inboxes, workflows and open tasks to zero",
        clear_down, pm, f"{_n(s.clear_down_working_days_before, 'working day')} before FDP", "Clear down")
    add("prepare_logs", "Print the log sheets; set up a folder for each cut-over day; archive profiles of staff who have left",
        clear_down, pm, f"{_n(s.clear_down_working_days_before, 'working day')} before FDP", "Print logs", on_calendar=False)

    # Final data production and the cut-over
    add("logoff", f"Everyone logged off {m.source_system} for the final extract", fdp, pm,
        "FDP day" + (f", by {m.logoff_time}" if m.logoff_time else ""), "Log off", time=m.logoff_time)
    add("final_data_production", f"Final data production: {m.source_system} takes the final extract", fdp,
        m.source_system, "FDP", "FDP", action=False)
    add("confirm_extract", f"Get confirmation from {m.source_system} that the final extract was taken; inboxes and tasks still at zero",
        fdp, pm, "FDP day", "Extract confirmed", on_calendar=False)
    add("start_logs", "Start the paper logs and the day's folder; send urgent referrals only", fdp, everyone,
        "FDP day", "Logs start", on_calendar=False)
    add("cut_over", "Cut-over: record everything on paper for re-entry", fdp, everyone, "FDP to the day before go-live",
        "Cut-over", action=False, end=go_live - DAY, on_calendar=False)
    add("pre_go_live_checks", "Fix PDS and registration mismatches; activate smartcards; set up scanners, check-in screens and call boards",
        before_go_live, pm, "the working day before go-live", "Go-live checks", on_calendar=False)
    add("dmd_mapping", f"Check the EPS dm+d mapping in {m.target_system}", before_go_live, clerks,
        "the working day before go-live", "dm+d mapping", on_calendar=False)

    # Go-live and after
    add("go_live", f"Go-live: start using {m.target_system}", go_live, everyone, "go-live", "GO-LIVE", action=False)
    add("links_on", "Switch third-party links back on and send the resume letters", go_live, pm, "go-live", "Links on", on_calendar=False)
    add("check_links", f"Check registration and pathology links work in {m.target_system}", go_live, pm, "go-live", "Check links", on_calendar=False)
    add("patients_online", "Tell patients to register again for online services; re-verify e-mail addresses; update NHS App and text-message settings",
        go_live, pm, "go-live", "Online services", on_calendar=False)
    add("repeat_dispensing", "Re-issue EPS repeat dispensing cancelled on the Spine", go_live, clerks, "go-live",
        "Repeat dispensing", on_calendar=False)
    add("registrations_resume", "Register the patients on the registrations waiting list", go_live, "Registrations",
        "go-live", "Registrations", on_calendar=False)
    if breather:
        add("breather_slots", "Fewer or breather slots in the rotas (both systems)", breather[0], admin,
            f"first {_n(s.breather_working_days, 'working day')} from go-live", "Breather slots", action=False,
            end=breather[-1])
    add("reentry", f"Re-enter everything recorded during the cut-over into {m.target_system}", reentry[0], everyone,
        f"{_n(s.reentry_working_days, 'working day')} from go-live", "Re-entry", end=reentry[-1])
    add("reentry_signoff", "Check every log sheet has been re-entered and checked; sign off the re-entry", reentry[-1], pm,
        "last day of re-entry", "Re-entry signed off", on_calendar=False)
    add("save_before_read_only_ends", f"Save anything still needed from {m.source_system} before read-only access ends",
        go_live + max(0, m.read_only_days - s.reminder_days_before) * DAY, pm,
        f"{_n(s.reminder_days_before, 'day')} before read-only access ends", "Save from old system", deadline=True)
    add("chase_links", "Chase any third party not yet switched back on", cal.add_working_days(go_live, s.chase_working_days_after),
        pm, f"{_n(s.chase_working_days_after, 'working day')} after go-live", "Chase links")
    add("tracking_update", "Update the tracking database with the go-live date",
        cal.add_working_days(go_live, s.tracking_update_working_days), "Project manager",
        f"within {_n(s.tracking_update_working_days, 'working day')} after go-live", "Tracking database")
    add("rota_limit", f"Last day any {m.source_system} rota may reach", go_live + s.rota_limit_days_after * DAY, admin,
        f"go-live + {_n(s.rota_limit_days_after, 'day')}", "Rota limit", action=False)
    add("read_only_until", f"{m.source_system} read-only access ends", go_live + m.read_only_days * DAY, pm,
        f"go-live + {_n(m.read_only_days, 'day')}", "Read-only ends", action=False)
    add("support_until", f"{m.source_system} supplier support ends", go_live + m.source_support_days * DAY, pm,
        f"go-live + {_n(m.source_support_days, 'day')}", "Support ends", action=False)
    return sorted(tasks, key=lambda t: (t.date, t.last, _ORDER.get(t.key.split(":")[0], 50), t.key))


# Tasks on the same day are listed in the order they are done.
_ORDER = {"extract_request": 0, "planning_meeting": 2, "notify": 5, "remind": 6, "switch_off": 7,
          "final_data_production": 10, "logoff": 11, "go_live": 20, "links_on": 21}


def _party_tasks(party: ThirdParty, config: Config, cal: Calendar) -> list[Task]:
    """Notice, extract request, reminder and switch-off for one third party."""
    fdp, s = config.migration.final_data_production, config.schedule
    pm, key, name = "Practice manager", slug(party.name), party.name
    off_day = fdp - party.switch_off_before * DAY
    off = cal.on_or_before(off_day)

    def deadline(kind: str, title: str, day: dt.date, rule: str, short: str) -> Task:
        moved = cal.on_or_before(day)
        return Task(f"{kind}:{key}", title, moved, pm, rule, short, moved_from=day if moved != day else None, party=name)

    notice_day, rule = fdp - party.notice * DAY, f"{_n(party.notice, 'day')}' notice before FDP"
    title = f"Send the notice letter to {name}"
    tasks = []
    if party.extract:
        # One letter asks for the switch-off and for the party's own extract, so it goes at the earlier date.
        request = fdp - s.extract_request_days_before * DAY
        if request < notice_day:
            notice_day, rule = request, f"{_n(s.extract_request_days_before, 'day')} before FDP, to request its extract"
        title += ", asking for its own extract on FDP day"
        tasks.append(Task(f"extract_taken:{key}", f"Confirm {name} has taken its extract, matching the final extract", fdp,
                          pm, "FDP day", f"Extract taken: {name}", party=name, on_calendar=False))
    tasks.append(deadline("notify", title, notice_day, rule, f"Notice: {name}"))
    tasks.append(deadline("remind", f"Remind {name} of the switch-off on {uk_date(off)}", off - s.reminder_days_before * DAY,
                          f"{_n(s.reminder_days_before, 'day')} before its switch-off", f"Remind: {name}"))
    tasks.append(Task(f"switch_off:{key}", f"{name} switches off: remind them on the day and confirm", off, pm,
                      f"{_n(party.switch_off_before, 'day')} before FDP", f"Off: {name}",
                      moved_from=off_day if off != off_day else None, party=name))
    return tasks


def grouped(tasks: list[Task], config: Config, groups: dict[str, str]) -> dict[str, list[Task]]:
    """Tasks by timeline phase (PHASES) or by checklist (CHECKLISTS), each group in date order."""
    fdp, go_live = config.migration.final_data_production, config.migration.go_live

    def group(task: Task) -> str:
        if task.date < fdp:
            return "before"
        if groups is CHECKLISTS:
            return "fdp" if task.date == fdp else "go_live" if task.date <= go_live else "after"
        return "cut_over" if task.date < go_live else "after"

    found: dict[str, list[Task]] = {name: [] for name in groups}
    for task in tasks:
        if groups is PHASES or task.action:
            found[group(task)].append(task)
    return found


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


@dataclass(frozen=True)
class BuildWarning:
    """Something to check that is not an error, and the config key it comes from."""

    key: tuple[str | int, ...]
    message: str

    def __str__(self) -> str:
        return self.message


def warnings(config: Config, tasks: list[Task], today: dt.date) -> list[BuildWarning]:
    """Key days on closed days, an unusual cut-over, deadlines already passed on the build date."""
    m = config.migration
    cal = Calendar(m.holidays)
    found = []
    for key, name, day in (("final_data_production", "final data production", m.final_data_production),
                           ("go_live", "go-live", m.go_live)):
        closed = cal.holiday(day) or ("a weekend" if day.weekday() >= 5 else None)
        if closed:
            found.append(BuildWarning(("migration", key), f"{name} ({uk_date(day)}) falls on {closed}"))
    length = (m.go_live - m.final_data_production).days
    if length > 14:
        found.append(BuildWarning(("migration", "go_live"),
                                  f"the cut-over lasts {length} days; more than 14 days means a long paper backlog"))
    if not config.third_parties:
        found.append(BuildWarning(("third_parties",), "no third parties are listed, so the pack has no letters; "
                                                      "add them under third_parties"))
    parties = {party.name: index for index, party in enumerate(config.third_parties)}
    for task in tasks:
        if task.late(today):
            key = ("third_parties", parties[task.party]) if task.party in parties else ("migration", "final_data_production")
            found.append(BuildWarning(key, f"LATE: '{task.title}' was due {uk_day(task.last)}, "
                                           f"before the build date {uk_date(today)}"))
    return found


@dataclass(frozen=True)
class CalendarDay:
    """One cell of the wall calendar."""

    date: dt.date
    closed: str | None  # "Saturday", "Sunday" or the bank holiday's name
    cut_over: bool
    labels: tuple[tuple[str, bool], ...]  # (text, is a milestone)


_GROUP_WORDS = {"notify": "notices", "remind": "reminders", "switch_off": "switch-offs", "extract_taken": "extracts"}


def wall_calendar(config: Config, tasks: list[Task]) -> list[list[CalendarDay]]:
    """Whole weeks, Monday to Sunday, from the earliest task before FDP to the end of re-entry."""
    cal = Calendar(config.migration.holidays)
    fdp, go_live = config.migration.final_data_production, config.migration.go_live
    by_key = {t.key: t for t in tasks}
    first = min(t.date for t in tasks if t.date <= fdp)
    last = max(by_key["reentry"].last, by_key["tracking_update"].date, by_key["chase_links"].date)
    start = first - first.weekday() * DAY
    stop = last + (6 - last.weekday()) * DAY
    on_day: dict[dt.date, list[Task]] = {}
    for task in tasks:
        if task.on_calendar:
            on_day.setdefault(task.date, []).append(task)
            if task.end and task.end != task.date:
                on_day.setdefault(task.end, []).append(replace(task, key=task.key + ":end", short=f"End of {task.short.lower()}"))
    weeks: list[list[CalendarDay]] = []
    day = start
    while day <= stop:
        if day.weekday() == 0:
            weeks.append([])
        closed = cal.holiday(day) or ("Saturday" if day.weekday() == 5 else "Sunday" if day.weekday() == 6 else None)
        weeks[-1].append(CalendarDay(day, closed, fdp <= day < go_live, _labels(on_day.get(day, []))))
        day += DAY
    return weeks


def _labels(tasks: list[Task]) -> tuple[tuple[str, bool], ...]:
    """Calendar words for one day's tasks; several per-party tasks of one kind become one count."""
    labels: list[tuple[str, bool]] = []
    by_kind: dict[str, list[Task]] = {}
    for task in tasks:
        if task.party:
            by_kind.setdefault(task.key.split(":")[0], []).append(task)
        else:
            labels.append((task.short, task.key in ("final_data_production", "go_live")))
    for kind, group in by_kind.items():
        labels.append((group[0].short if len(group) == 1 else f"{len(group)} {_GROUP_WORDS[kind]}", False))
    return tuple(labels)
