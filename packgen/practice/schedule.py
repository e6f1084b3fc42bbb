"""Every dated task of a cut-over, computed from the practice's dates: pure functions, no I/O."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from functools import lru_cache

import holidays as holiday_data

from ..errors import one_line
from ..names import slug
from .config import MIN_REGISTRATION_NOTICE, SWITCH_OFF_DAYS, Config, PracticeConfig, ThirdParty
from .dates import uk_day, uk_time, weekday

DAY = dt.timedelta(days=1)
SUBDIVISIONS = {"england-and-wales": "ENG", "scotland": "SCT", "northern-ireland": "NIR"}
CHECKLISTS = {
    "before": "Before the cut-over",
    "fdp": "Final data production day",
    "go_live": "Go-live day, and the days before it",
    "after": "After go-live",
}


# The steps of each third party: its notice, the reminder, the day it acts, and (when it provides an
# extract) checking it took it.
NOTIFY, REMIND, SWITCH_OFF, EXTRACT_TAKEN = "notify", "remind", "switch_off", "extract_taken"
PARTY_STEPS = (NOTIFY, REMIND, SWITCH_OFF, EXTRACT_TAKEN)


@dataclass(frozen=True)
class Task:
    """One thing to do (or one period to know about), with the rule that dated it."""

    step: str  # what is done: "planning_meeting", "go_live"…; for a third party one of PARTY_STEPS
    title: str
    date: dt.date
    owner: str
    rule: str
    short: str  # a few words for a calendar cell
    action: bool = True  # False for a date to know (FDP, read-only ends), not a thing to tick off
    on_calendar: bool = True  # False for detail that would crowd the one-page calendar
    end: dt.date | None = None  # last day, for a period
    time: str | None = None
    fixed: bool = False  # tied to a fixed event (FDP, go-live, IDP, training): may fall on a closed day
    reply_by: dt.date | None = None  # for a notice: the reply-by date its letter asks for
    moved_from: dt.date | None = None  # the calendar date, when a deadline moved to a working day
    party: ThirdParty | None = None  # the third party it concerns, for the steps of each party

    @property
    def key(self) -> str:
        """Stable identity, in calendar UIDs too: "planning_meeting", "notify:eastshire-pathology-service"."""
        return self.step if self.party is None else f"{self.step}:{slug(self.party.name)}"

    @property
    def last(self) -> dt.date:
        return self.end or self.date

    def overdue(self, today: dt.date) -> bool:
        """A thing to do is overdue when its last day has passed on the build date (printed LATE)."""
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


SERVICES = {
    "england": {"registration": "Primary Care Support England (PCSE)", "registration_short": "PCSE",
                "bowel_screening": "the NHS Bowel Cancer Screening Programme hub", "nhs111": "NHS 111", "fp10": "FP10",
                "nhs_app": "NHS App"},
    "wales": {"registration": "NHS Wales Shared Services Partnership (NWSSP)", "registration_short": "NWSSP",
              "bowel_screening": "Bowel Screening Wales", "nhs111": "NHS 111 Wales", "fp10": "WP10",
              "nhs_app": "NHS Wales App"},
}
MIN_REPLY_WORKING_DAYS = 3  # every letter leaves its reader at least this many working days to reply
REPLY_WORKING_DAYS = 5  # the reply-by asked for, when the switch-off leaves room for it
# What each kind of party does on its "switch-off" day: the day it must act, which its notice counts back from.
ACTIONS = {
    "subsidiary_supplier": "its link to {source} goes off", "pathology": "results stop going to {source}",
    "bowel_screening": "screening messages stop", "nhs111": "it confirms where messages go during the cut-over",
    "out_of_hours": "it confirms where reports go during the cut-over",
    "pharmacy": "outstanding repeat-dispensing issues are cancelled on the Spine",
    "pcse": "registration links pause", "sms_provider": "its link to {source} goes off",
    "online_services": "online services through {source} stop", "other": "its link to {source} goes off",
}
ACTION_SHORT = {"nhs111": "Routing", "out_of_hours": "Routing", "pharmacy": "RD cancelled", "pcse": "Links pause"}


def services(config: Config) -> dict[str, str]:
    """The national services the pack names, for the practice's nation, and `online`: the online services
    patients use, as they know them ("the NHS App and PatientAccess Online")."""
    found = SERVICES[config.practice.nation]
    names = [f"the {found['nhs_app']}"] + [p.name for p in config.third_parties if p.kind == "online_services"]
    online = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    return {**found, "online": online}


def logoff_words(config: Config) -> str:
    """The log-off time as printed ("6.30pm"), or "close of business" when none is set."""
    return uk_time(config.migration.logoff_time) if config.migration.logoff_time else "close of business"


def letter_parties(config: Config) -> list[ThirdParty]:
    """The parties that get letters and tasks: every one but `eps`, which is not switched off."""
    return [party for party in config.third_parties if party.kind != "eps"]


@dataclass(frozen=True)
class Base:
    """The practice-wide dates the per-party dates hang on."""

    links_off: dt.date
    cancel_repeat_dispensing: dt.date
    prescribing_from: dt.date
    prescribing_window_start: dt.date  # before any move earlier to leave pharmacies time
    registration_form: dt.date


def _min_notice(config: Config) -> int:
    """Working days a notice must come before its switch-off: a reply-by and a reminder fit between."""
    return max(config.schedule.reminder_working_days_before, MIN_REPLY_WORKING_DAYS) + 1


def base_dates(config: Config, cal: Calendar) -> Base:
    m, s = config.migration, config.schedule
    fdp = m.final_data_production
    links_off = cal.on_or_before(fdp - s.links_off_days_before * DAY)
    cancel = cal.subtract_working_days(fdp, s.cancel_repeat_dispensing_working_days_before)
    window = cal.on_or_before(months_before(fdp, s.prescribing_months_before))
    opens = min(window, cal.subtract_working_days(cancel, _min_notice(config)))
    form = cal.on_or_before(links_off - s.registration_form_days_before * DAY)
    return Base(links_off, cancel, opens, window, form)


@dataclass(frozen=True)
class PartyPlan:
    """One party's dates: notice < reply-by, notice < reminder < switch-off."""

    party: ThirdParty
    notice: dt.date
    notice_rule: str
    reply_by: dt.date
    reminder: dt.date
    switch_off: dt.date
    switch_off_rule: str
    asked_notice: dt.date  # what its own settings gave, before any move earlier; == notice when none
    moved_from: dt.date | None = None  # the notice's calendar date, when it fell on a closed day


def party_plan(party: ThirdParty, config: Config, cal: Calendar, base: Base) -> PartyPlan:
    m, s = config.migration, config.schedule
    fdp = m.final_data_production
    if party.kind == "pcse":
        off, off_rule = base.links_off, "the registration pause"
    elif party.kind == "pharmacy":
        off, off_rule = base.cancel_repeat_dispensing, "repeat-dispensing issues cancelled"
    else:
        off = cal.on_or_before(fdp - party.switch_off_before * DAY)
        off_rule = f"{_n(party.switch_off_before, 'day')} before FDP"
    raw = base.prescribing_window_start
    if party.kind == "pharmacy":
        asked, rule = base.prescribing_window_start, "the prescribing window's first day"
    else:
        raw = off - party.notice * DAY
        asked, rule = cal.on_or_before(raw), f"{_n(party.notice, 'day')}' notice before {off_rule}"
        if party.kind == "pcse" and base.registration_form < asked:
            asked, rule = base.registration_form, f"{_n(s.registration_form_days_before, 'day')} before the registration pause"
        if party.extract:
            for extract, what in ((fdp, "FDP"), (m.initial_data_production, "IDP")):
                if extract is None:
                    continue
                request = cal.on_or_before(extract - s.extract_request_days_before * DAY)
                if request < asked:
                    asked, rule = request, f"{_n(s.extract_request_days_before, 'day')} before {what}, to request its extract"
    latest = cal.subtract_working_days(off, _min_notice(config))
    notice = min(asked, latest)
    if notice < asked and party.kind != "pharmacy":
        rule = f"{_n(_min_notice(config), 'working day')} before {off_rule}: time to reply and to be reminded"
    if party.kind == "pharmacy":
        notice = base.prescribing_from
    reply_by = min(cal.add_working_days(notice, REPLY_WORKING_DAYS), cal.subtract_working_days(off, 1))
    reminder = cal.subtract_working_days(off, s.reminder_working_days_before)
    moved = raw if party.kind != "pharmacy" and notice == cal.on_or_before(raw) != raw else None
    return PartyPlan(party, notice, rule, reply_by, reminder, off, off_rule, asked, moved)


def registration_form_title(config: Config, pause: dt.date) -> str:
    m, svc = config.migration, services(config)
    if config.practice.nation == "england":
        return (f"Send {svc['registration_short']}'s online form for a clinical system migration: registration links "
                f"pause from {uk_day(pause)} until go-live on {uk_day(m.go_live)}; give {m.target_system}'s MESH mailbox")
    return (f"Tell {svc['registration_short']} that registration links pause from {uk_day(pause)} until go-live on "
            f"{uk_day(m.go_live)}, and give {m.target_system}'s MESH mailbox")


def build_schedule(config: Config) -> list[Task]:
    """All tasks for the practice, sorted by date."""
    m, s = config.migration, config.schedule
    cal = Calendar(m.holidays)
    fdp, go_live, idp = m.final_data_production, m.go_live, m.initial_data_production
    base = base_dates(config, cal)
    svc = services(config)
    logoff = logoff_words(config)
    tasks: list[Task] = []

    def add(step: str, title: str, day: dt.date, owner: str, rule: str, short: str, *, deadline: bool = False,
            **extra: object) -> None:
        """Add a task; a deadline on a weekend or bank holiday moves to the working day before."""
        moved = cal.on_or_before(day) if deadline else day
        tasks.append(Task(step, title, moved, owner, rule, short, moved_from=day if moved != day else None, **extra))  # type: ignore[arg-type]

    pm, clerks, admin, everyone = "Practice manager", "Prescription clerks", "Reception and admin", "All staff"
    regs = "Registrations"
    before_go_live = cal.subtract_working_days(go_live, 1)
    clear_down = cal.subtract_working_days(fdp, s.clear_down_working_days_before)
    breather = cal.working_days_from(go_live, s.breather_working_days) if s.breather_working_days else []
    reentry = cal.working_days_from(go_live, s.reentry_working_days)
    go_no_go = cal.subtract_working_days(fdp, s.go_no_go_working_days_before)
    first_extract = idp or fdp
    live_day = cal.working_days_from(go_live, 1)[0]  # the first working day from go-live

    # Before the cut-over
    add("extract_request", f"Request the final data extracts from {m.source_system} and from each subsidiary supplier",
        fdp - s.extract_request_days_before * DAY, pm, f"{_n(s.extract_request_days_before, 'day')} before FDP",
        "Request extracts", deadline=True)
    if idp:
        add("extract_request_idp", f"Request the initial data extracts (IDP) from {m.source_system} and from each subsidiary supplier",
            idp - s.extract_request_days_before * DAY, pm, f"{_n(s.extract_request_days_before, 'day')} before IDP",
            "Request IDP extracts", deadline=True)
        add("initial_data_production", f"Initial data production (IDP): {m.source_system} takes the first extract, "
            f"loaded into {m.target_system} for checking", idp, m.source_system, "IDP, from the settings", "IDP",
            action=False, fixed=True)
        checking = (cal.add_working_days(idp, 1), cal.add_working_days(idp, s.data_checking_working_days))
        signoff = (cal.add_working_days(checking[1], 1), cal.add_working_days(checking[1], s.data_signoff_working_days))
        check_rule = f"{_n(s.data_checking_working_days, 'working day')} after IDP"
        signoff_rule = f"{_n(s.data_signoff_working_days, 'working day')} after data checking"
    else:
        add("idp_request", "Ask the project manager for the initial data production (IDP) date, and add it to the "
            "settings as migration.initial_data_production", fdp - s.idp_request_days_before * DAY, pm,
            f"{_n(s.idp_request_days_before, 'day')} before FDP (no IDP date set)", "Ask for IDP date", deadline=True)
        last = cal.subtract_working_days(go_no_go, 1)
        signoff = (cal.subtract_working_days(last, s.data_signoff_working_days - 1), last)
        checking = (cal.subtract_working_days(signoff[0], s.data_checking_working_days), cal.subtract_working_days(signoff[0], 1))
        check_rule = f"{_n(s.data_checking_working_days, 'working day')}, finished before the re-check"
        signoff_rule = "finished the working day before the go/no-go decision"
    add("data_cleanup", f"Clean up duplicate records and demographic (PDS) mismatches in {m.source_system} before the "
        f"{'initial' if idp else 'final'} extract", cal.subtract_working_days(first_extract, s.data_cleanup_working_days_before),
        pm, f"{_n(s.data_cleanup_working_days_before, 'working day')} before {'IDP' if idp else 'FDP'}", "Data clean-up")
    add("data_checking", f"Check the migrated data in {m.target_system}: a sample of patients, registers, medication, "
        "results; report each problem to the project manager", checking[0], pm, check_rule, "Data checking", end=checking[1])
    add("data_signoff", "Re-check the data and sign it off, with the clinical safety sign-off (DCB0160) by the "
        "practice's clinical safety officer", signoff[0], pm, signoff_rule, "Data sign-off", end=signoff[1])
    add("planning_meeting", "Hold the cut-over planning meeting: agree how each activity runs and how it is re-entered",
        fdp - s.planning_meeting_days_before * DAY, pm, f"{_n(s.planning_meeting_days_before, 'day')} before FDP",
        "Planning meeting", deadline=True)
    planning = tasks[-1].date
    add("extra_staff", "Book extra staff or protected time for testing and re-entry; move data-rich clinics out of the cut-over",
        planning, pm, "at the planning meeting", "Book staff", on_calendar=False)
    window_rule = f"{_n(s.prescribing_months_before, 'month')} before FDP to {_n(s.prescribing_days_after, 'day')} after go-live"
    if base.prescribing_from < base.prescribing_window_start:
        window_rule = (f"opened early, {_n(_min_notice(config), 'working day')} before repeat dispensing is cancelled; "
                       f"ends {_n(s.prescribing_days_after, 'day')} after go-live")
    add("prescribing_window", f"2 prescriptions, or paper {svc['fp10']} forms instead of EPS repeats (if the practice chooses)",
        base.prescribing_from, clerks, window_rule, "Prescribing window", end=go_live + s.prescribing_days_after * DAY)
    if not any(p.kind == "pharmacy" for p in letter_parties(config)):
        add("pharmacy_notice", "Tell the partner and nominated pharmacies what the prescribing window means for them: "
            "repeat-dispensing issues cancelled before FDP and re-issued after go-live", base.prescribing_from, clerks,
            "the prescribing window's first day", "Tell pharmacies")
    add("fp10_order", f"Order enough paper {svc['fp10']} prescription forms for the prescribing window, if the practice uses paper",
        cal.subtract_working_days(base.prescribing_from, s.fp10_order_working_days_before), clerks,
        f"{_n(s.fp10_order_working_days_before, 'working day')} before the prescribing window", f"Order {svc['fp10']}")
    cancel = base.cancel_repeat_dispensing
    add("repeat_dispensing_report", f"Run the repeat-dispensing report in {m.source_system}: list the patients with "
        "outstanding repeat-dispensing issues", min(cal.subtract_working_days(fdp, s.repeat_dispensing_report_working_days_before),
                                                    cal.subtract_working_days(cancel, 1)), clerks,
        f"{_n(s.repeat_dispensing_report_working_days_before, 'working day')} before FDP", "RD report")
    add("cancel_repeat_dispensing", "Cancel outstanding repeat-dispensing issues on the Spine, keeping the list for re-issue",
        cancel, clerks, f"{_n(s.cancel_repeat_dispensing_working_days_before, 'working day')} before FDP", "Cancel RD")
    add("patient_notice", "Put up the patient poster and publish the notice on the website and by text message",
        fdp - s.patient_notice_days_before * DAY, pm, f"{_n(s.patient_notice_days_before, 'day')} before FDP",
        "Patient notice", deadline=True)
    plans = [party_plan(party, config, cal, base) for party in letter_parties(config)]
    for plan in plans:
        tasks.extend(_party_tasks(plan, config))
    registration = [plan for plan in plans if plan.party.kind == "pcse"]
    form_day = min((plan.notice for plan in registration), default=base.registration_form)
    if not registration:
        add("pcse_form", registration_form_title(config, base.links_off), form_day, pm,
            f"{_n(s.registration_form_days_before, 'day')} before the registration pause", f"Tell {svc['registration_short']}")
    add("fp69_clear", f"Clear FP69 flags and pending registrations in {m.source_system}: none outstanding at the pause",
        cal.subtract_working_days(base.links_off, s.fp69_clear_working_days_before), regs,
        f"{_n(s.fp69_clear_working_days_before, 'working day')} before the registration pause", "Clear FP69")
    add("go_no_go", f"Go/no-go decision with the project manager. If no: stay on {m.source_system}, do not log off for "
        "FDP, and tell every third party the new dates", go_no_go, pm,
        f"{_n(s.go_no_go_working_days_before, 'working day')} before FDP", "Go/no-go")
    add("links_off", "Switch off third-party links and communications; registration links (GP Links) pause: send no "
        "GP Links transactions until go-live; back up third-party systems", fdp - s.links_off_days_before * DAY, pm,
        f"{_n(s.links_off_days_before, 'day')} before FDP", "Links off", deadline=True)
    add("clear_down", "Export letter and clinical templates to Word; clear inboxes, workflows and open tasks to zero",
        clear_down, pm, f"{_n(s.clear_down_working_days_before, 'working day')} before FDP", "Clear down")
    add("prepare_logs", "Print the log sheets; set up a folder for each cut-over day; archive profiles of staff who have left",
        clear_down, pm, f"{_n(s.clear_down_working_days_before, 'working day')} before FDP", "Print logs", on_calendar=False)

    # Final data production and the cut-over
    add("logoff", f"Use {m.source_system} as normal until log-off; everyone logged off for the final extract at {logoff}",
        fdp, pm, f"FDP day, at {logoff}", "Log off", time=uk_time(m.logoff_time) if m.logoff_time else None, fixed=True)
    add("final_data_production", f"Final data production: {m.source_system} takes the final extract", fdp,
        m.source_system, "FDP", "FDP", action=False, fixed=True)
    add("confirm_extract", f"Get confirmation from {m.source_system} that the final extract was taken; inboxes and tasks still at zero",
        fdp, pm, "FDP day", "Extract confirmed", on_calendar=False, fixed=True)
    add("start_logs", f"Start the paper logs and the day's folder at log-off ({logoff}); send urgent referrals only",
        fdp, everyone, f"FDP day, from {logoff}", "Logs start", on_calendar=False, fixed=True)
    add("cut_over", f"Cut-over: from log-off ({logoff}) on FDP day, record everything on paper for re-entry", fdp, everyone,
        "FDP log-off to the day before go-live", "Cut-over", action=False, end=go_live - DAY, on_calendar=False, fixed=True)
    for day in m.training:
        add(f"training:{day.isoformat()}", f"Training on {m.target_system}", day, everyone, "from the settings",
            "Training", fixed=True)
    if m.training:
        add("training_done", f"Training on {m.target_system} finished: check every member of staff has had it",
            m.training[-1], pm, "the last training date in the settings", "Training done", on_calendar=False, fixed=True)
    else:
        add("training_done", f"Training on {m.target_system} finished for every member of staff",
            cal.subtract_working_days(go_live, s.training_done_working_days_before), pm,
            f"{_n(s.training_done_working_days_before, 'working day')} before go-live", "Training done")
    add("smartcards", f"Check every user's smartcard and access roles (RBAC) work in {m.target_system}",
        cal.subtract_working_days(go_live, s.smartcards_working_days_before), pm,
        f"{_n(s.smartcards_working_days_before, 'working day')} before go-live", "Smartcards")
    add("audit_trail", f"Arrange who can read {m.source_system}'s audit trail, which is not migrated, during the read-only period",
        cal.subtract_working_days(go_live, s.audit_trail_working_days_before), pm,
        f"{_n(s.audit_trail_working_days_before, 'working day')} before go-live", "Audit trail", on_calendar=False)
    add("pre_go_live_checks", "Set up scanners, check-in screens and call boards; check printers and templates",
        before_go_live, pm, "the working day before go-live", "Go-live checks", on_calendar=False)
    add("dmd_mapping", f"Check the EPS dm+d mapping in {m.target_system}", before_go_live, clerks,
        "the working day before go-live", "dm+d mapping", on_calendar=False)

    # Go-live and after
    add("go_live", f"Go-live: start using {m.target_system}", go_live, everyone, "go-live", "GO-LIVE", action=False, fixed=True)
    add("go_live_checks", f"Go-live data checks in {m.target_system}: a sample of patients, QOF and recall registers, "
        "immunisations; sign off the go-live data", go_live, pm, "go-live", "Data checks", on_calendar=False, fixed=True)
    add("links_on", "Switch third-party links back on and send the resume letters", go_live, pm, "go-live", "Links on",
        on_calendar=False, fixed=True)
    add("check_links", f"Check registration and pathology links work in {m.target_system}", go_live, pm, "go-live",
        "Check links", on_calendar=False, fixed=True)
    add("patients_online", "Tell patients to register again for online services; re-verify email addresses; update NHS App and text-message settings",
        go_live, pm, "go-live", "Online services", on_calendar=False, fixed=True)
    add("reissue_repeat_dispensing", f"Re-issue from {m.target_system} the repeat dispensing cancelled on the Spine",
        cal.add_working_days(live_day, s.reissue_repeat_dispensing_working_days_after), clerks,
        f"{_n(s.reissue_repeat_dispensing_working_days_after, 'working day')} after the first working day from go-live"
        if s.reissue_repeat_dispensing_working_days_after else "the first working day from go-live", "Re-issue RD")
    add("registrations_resume", "Registrations resume: register the patients on the waiting list", go_live, regs,
        "go-live", "Registrations", on_calendar=False, fixed=True)
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
    add("chase_links", "Chase any third party not yet switched back on, or that has not confirmed its new details",
        cal.add_working_days(go_live, s.chase_working_days_after),
        pm, f"{_n(s.chase_working_days_after, 'working day')} after go-live", "Chase links")
    add("tracking_update", "Update the tracking database with the go-live date",
        cal.add_working_days(go_live, s.tracking_update_working_days),
        "Project manager" if config.contacts.project_manager else pm,  # the owner roles.owners() names
        f"within {_n(s.tracking_update_working_days, 'working day')} after go-live", "Tracking database")
    add("rota_limit", f"Last day any {m.source_system} rota may reach", go_live + s.rota_limit_days_after * DAY, admin,
        f"go-live + {_n(s.rota_limit_days_after, 'day')}", "Rota limit", action=False, fixed=True)
    add("read_only_until", f"{m.source_system} read-only access ends", go_live + m.read_only_days * DAY, pm,
        f"go-live + {_n(m.read_only_days, 'day')}", "Read-only ends", action=False, fixed=True)
    add("support_until", f"{m.source_system} supplier support ends", go_live + m.source_support_days * DAY, pm,
        f"go-live + {_n(m.source_support_days, 'day')}", "Support ends", action=False, fixed=True)
    return sorted(tasks, key=lambda t: (t.date, t.last, _ORDER.get(t.step, 50), t.key))


# Tasks on the same day are listed in the order they are done.
_ORDER = {"extract_request": 0, "extract_request_idp": 0, "planning_meeting": 2, NOTIFY: 5, REMIND: 6,
          SWITCH_OFF: 7, "final_data_production": 10, "logoff": 11, "go_live": 20, "links_on": 21}


def _party_tasks(plan: PartyPlan, config: Config) -> list[Task]:
    """Notice, extract, reminder and switch-off (or the day it must act) for one third party."""
    party, m, s = plan.party, config.migration, config.schedule
    pm, name = "Practice manager", party.name
    off = plan.switch_off
    tasks = []
    if party.kind == "pcse":
        title = registration_form_title(config, plan.switch_off)
    else:
        title = f"Send the notice letter to {name}"
    if party.extract:
        title += ", asking for its own extract" + (" at IDP and at FDP" if m.initial_data_production else " on FDP day")
        tasks.append(Task(EXTRACT_TAKEN, f"Confirm {name} has taken its extract, matching the final extract",
                          m.final_data_production, pm, "FDP day", f"Extract taken: {name}", party=party,
                          on_calendar=False, fixed=True))
    tasks.append(Task(NOTIFY, f"{title}; reply by {uk_day(plan.reply_by)}", plan.notice, pm, plan.notice_rule,
                      f"Notice: {name}", party=party, reply_by=plan.reply_by, moved_from=plan.moved_from))
    action = ACTIONS[party.kind].format(source=m.source_system)
    remind_title, off_title = f"Remind {name}: {action} on {uk_day(off)}", f"{name}: {action} today; check it is done"
    if party.kind in ("nhs111", "out_of_hours"):  # not switched off: asked where messages go, and from when
        what = "messages" if party.kind == "nhs111" else "reports"
        ask = f"where its {what} go during the cut-over, and that they go to {m.target_system} from {uk_day(m.go_live)}"
        remind_title = f"Remind {name} to confirm {ask}"
        off_title = f"{name}: check it has confirmed {ask}"
    tasks.append(Task(REMIND, remind_title, plan.reminder, pm,
                      f"{_n(s.reminder_working_days_before, 'working day')} before {plan.switch_off_rule}",
                      f"Remind: {name}", party=party))
    tasks.append(Task(SWITCH_OFF, off_title, off, pm,
                      plan.switch_off_rule, f"{ACTION_SHORT.get(party.kind, 'Off')}: {name}", party=party))
    return tasks


def party_steps(tasks: list[Task], party: ThirdParty) -> dict[str, Task]:
    """A third party's tasks by step: NOTIFY, REMIND, SWITCH_OFF and, when it provides an extract, EXTRACT_TAKEN."""
    return {task.step: task for task in tasks if task.party == party}


def stage(day: dt.date, config: Config) -> str:
    """The checklist (CHECKLISTS) a day falls in: before FDP, FDP day, up to go-live, after go-live."""
    fdp, go_live = config.migration.final_data_production, config.migration.go_live
    return "before" if day < fdp else "fdp" if day == fdp else "go_live" if day <= go_live else "after"


def grouped(tasks: list[Task], config: Config) -> dict[str, list[Task]]:
    """The tasks to tick off (not the dates to know), by checklist, each in date order."""
    found: dict[str, list[Task]] = {name: [] for name in CHECKLISTS}
    for task in tasks:
        if task.action:
            found[stage(task.date, config)].append(task)
    return found


def key_dates(config: Config, tasks: list[Task]) -> dict[str, dt.date]:
    """Dates by name for templates and guidance: `dates.go_live`, `dates.cut_over_last_day`, …"""
    by_key = {t.key: t for t in tasks}
    dates = {task.step: task.date for task in tasks if task.party is None}
    dates["cut_over_last_day"] = by_key["cut_over"].end  # type: ignore[assignment]
    dates["prescribing_from"] = by_key["prescribing_window"].date
    dates["prescribing_until"] = by_key["prescribing_window"].end  # type: ignore[assignment]
    dates["reentry_end"] = by_key["reentry"].end  # type: ignore[assignment]
    dates["data_signoff"] = by_key["data_signoff"].last
    dates["pharmacy_notice"] = dates["prescribing_from"]
    cal = Calendar(config.migration.holidays)
    dates["repeat_order_by"] = cal.subtract_working_days(config.migration.final_data_production,
                                                         config.schedule.repeat_order_working_days_before)
    registration = [t.date for t in tasks if t.step == NOTIFY and t.party and t.party.kind == "pcse"]
    if registration:
        dates["pcse_form"] = min(registration)
    dates["repeat_dispensing"] = dates["reissue_repeat_dispensing"]  # the name before the re-issue had its own rule
    if "breather_slots" in by_key:
        dates["breather_end"] = by_key["breather_slots"].end  # type: ignore[assignment]
    bowel = [t.date for t in tasks if t.step == SWITCH_OFF and t.party and t.party.kind == "bowel_screening"]
    fdp = config.migration.final_data_production
    default_off = cal.on_or_before(fdp - SWITCH_OFF_DAYS["bowel_screening"] * DAY)
    dates["bowel_screening_off"] = min(bowel, default=default_off)
    return dates


@dataclass(frozen=True)
class BuildWarning:
    """Something to check that is not an error, and the config key it comes from."""

    key: tuple[str | int, ...]
    message: str

    def __str__(self) -> str:
        return self.message

    def line(self, practice: PracticeConfig) -> str:
        """`FILE:LINE: key: message` on one line: what build, check and a wave print after "warning: "."""
        return one_line(f"{practice.where(self.key)}: {self.message}")


def warnings(config: Config, tasks: list[Task], today: dt.date) -> list[BuildWarning]:
    """Key days on closed days, an unusual cut-over, deadlines already passed on the build date."""
    m = config.migration
    cal = Calendar(m.holidays)
    found = []
    for key, name, day in (("final_data_production", "final data production", m.final_data_production),
                           ("go_live", "go-live", m.go_live)):
        closed = cal.holiday(day) or ("a weekend" if day.weekday() >= 5 else None)
        if closed:
            found.append(BuildWarning(("migration", key), f"{name} ({uk_day(day)}) falls on {closed}"))
    length = (m.go_live - m.final_data_production).days
    if length > 14:
        found.append(BuildWarning(("migration", "go_live"),
                                  f"the cut-over lasts {length} days; more than 14 days means a long paper backlog"))
    if not config.third_parties:
        found.append(BuildWarning(("third_parties",), "no third parties are listed, so the pack has no letters; "
                                                      "add them under third_parties"))
    found += rule_warnings(config)
    for task in tasks:
        if task.overdue(today):
            key = (("third_parties", config.third_parties.index(task.party)) if task.party is not None
                   else ("migration", "final_data_production"))
            found.append(BuildWarning(key, f"LATE: '{task.title}' was due on {uk_day(task.last)}, "
                                           f"before the pack was built on {uk_day(today)}"))
    return found


def rule_warnings(config: Config) -> list[BuildWarning]:
    """Settings the rules had to override, and entries that no longer do what they once did."""
    m, s = config.migration, config.schedule
    cal = Calendar(m.holidays)
    base = base_dates(config, cal)
    found = []
    eps = [index for index, party in enumerate(config.third_parties) if party.kind == "eps"]
    if eps:
        found.append(BuildWarning(("third_parties", eps[0], "kind"),
                                  "kind eps gets no letter: the Electronic Prescription Service is not switched off. "
                                  "The repeat-dispensing tasks (report, cancel on the Spine, re-issue after go-live), "
                                  "the paper prescription stock order and the pharmacy letters (kind pharmacy) replace "
                                  "it; remove this entry"))
    for index, party in enumerate(config.third_parties):
        if party.kind == "eps":
            continue
        plan = party_plan(party, config, cal, base)
        if party.kind == "pharmacy" and party.notice_days is not None:
            found.append(BuildWarning(("third_parties", index, "notice_days"),
                                      f"{party.name}: a pharmacy is told on the prescribing window's first day "
                                      f"({uk_day(plan.notice)}), so notice_days is not used; change "
                                      "schedule.prescribing_months_before instead"))
        if party.kind in ("pcse", "pharmacy") and party.switch_off_days_before is not None:
            setting = ("schedule.links_off_days_before" if party.kind == "pcse"
                       else "schedule.cancel_repeat_dispensing_working_days_before")
            found.append(BuildWarning(("third_parties", index, "switch_off_days_before"),
                                      f"{party.name}: switch_off_days_before is not used for kind {party.kind}; "
                                      f"change {setting} instead"))
        if party.kind == "pcse" and party.notice_days is not None and party.notice_days < MIN_REGISTRATION_NOTICE:
            found.append(BuildWarning(("third_parties", index, "notice_days"),
                                      f"{party.name}: the registration service needs at least "
                                      f"{MIN_REGISTRATION_NOTICE} days' notice, so {MIN_REGISTRATION_NOTICE} is used; "
                                      f"set notice_days to {MIN_REGISTRATION_NOTICE} or more"))
        if (party.kind == "pcse" and config.practice.nation == "wales"
                and re.search(r"pcse|england", party.name, re.IGNORECASE)):
            found.append(BuildWarning(("third_parties", index, "name"),
                                      f"{party.name}: this practice is in Wales, where registrations go through "
                                      f"{SERVICES['wales']['registration']}; change this entry to it"))
        if plan.notice < plan.asked_notice and party.kind != "pharmacy":
            needed = (plan.switch_off - plan.notice).days
            found.append(BuildWarning(("third_parties", index, "notice_days"),
                                      f"{party.name}: its notice would leave fewer than {MIN_REPLY_WORKING_DAYS} "
                                      f"working days to reply, or no room for a reminder, before "
                                      f"{uk_day(plan.switch_off)}; it is sent on {uk_day(plan.notice)} instead. "
                                      f"Set notice_days to at least {needed}"))
    if base.prescribing_from < base.prescribing_window_start:
        found.append(BuildWarning(("schedule", "prescribing_months_before"),
                                  f"the prescribing window would open on {uk_day(base.prescribing_window_start)}, too "
                                  f"close to cancelling repeat dispensing ({uk_day(base.cancel_repeat_dispensing)}) "
                                  f"to tell the pharmacies; it opens on {uk_day(base.prescribing_from)} instead. "
                                  "Set prescribing_months_before higher"))
    if m.initial_data_production is not None:
        checked = cal.add_working_days(m.initial_data_production, s.data_checking_working_days + s.data_signoff_working_days)
        go_no_go = cal.subtract_working_days(m.final_data_production, s.go_no_go_working_days_before)
        if checked >= go_no_go:
            found.append(BuildWarning(("migration", "initial_data_production"),
                                      f"data checking and sign-off after IDP run to {uk_day(checked)}, not before the "
                                      f"go/no-go decision on {uk_day(go_no_go)}; set initial_data_production earlier "
                                      "or shorten schedule.data_checking_working_days"))
    if config.practice.nation == "wales" and m.holidays != "england-and-wales":
        found.append(BuildWarning(("migration", "holidays"), "the practice is in Wales; its bank holidays are "
                                                              "england-and-wales"))
    return found


@dataclass(frozen=True)
class CalendarDay:
    """One cell of the wall calendar."""

    date: dt.date
    closed: str | None  # "Saturday", "Sunday" or the bank holiday's name
    cut_over: bool
    labels: tuple[tuple[str, bool], ...]  # (text, is a milestone)


_GROUP_WORDS = {NOTIFY: "notices", REMIND: "reminders", SWITCH_OFF: "switch-offs", EXTRACT_TAKEN: "extracts"}


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
                on_day.setdefault(task.end, []).append(replace(task, short=f"End of {task.short.lower()}"))
    weeks: list[list[CalendarDay]] = []
    day = start
    while day <= stop:
        if day.weekday() == 0:
            weeks.append([])
        closed = cal.holiday(day) or (weekday(day) if day.weekday() >= 5 else None)
        weeks[-1].append(CalendarDay(day, closed, fdp <= day < go_live, _labels(on_day.get(day, []))))
        day += DAY
    return weeks


def _labels(tasks: list[Task]) -> tuple[tuple[str, bool], ...]:
    """Calendar words for one day's tasks; several per-party tasks of one kind become one count."""
    labels: list[tuple[str, bool]] = []
    by_kind: dict[str, list[Task]] = {}
    for task in tasks:
        if task.party:
            by_kind.setdefault(task.step, []).append(task)
        else:
            labels.append((task.short, task.step in ("final_data_production", "go_live")))
    for kind, group in by_kind.items():
        labels.append((group[0].short if len(group) == 1 else f"{len(group)} {_GROUP_WORDS[kind]}", False))
    return tuple(labels)
