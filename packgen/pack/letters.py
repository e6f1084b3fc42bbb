"""Letters to third parties: a notice before FDP and a resume letter at go-live, dated by the schedule."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2.sandbox import SandboxedEnvironment

from ..names import slug
from ..practice.config import KINDS, Config, ThirdParty
from ..practice.schedule import (MIN_REPLY_WORKING_DAYS, NOTIFY, REMIND, REPLY_WORKING_DAYS, SWITCH_OFF, Calendar, Task,
                       letter_parties, party_steps, services)
from ..render.content import required

KIND_NAMES = {
    "subsidiary_supplier": "Subsidiary supplier", "pathology": "Pathology",
    "bowel_screening": "Bowel screening", "nhs111": "NHS 111", "out_of_hours": "Out of hours",
    "pharmacy": "Community pharmacy", "pcse": "Registrations", "sms_provider": "Text-message (SMS) provider",
    "online_services": "Online services (NHS App and other apps)", "other": "Other",
}
# What the tracking page calls the day each kind must act.
ACT_WORDS = {"nhs111": "Routing confirmed", "out_of_hours": "Routing confirmed", "pharmacy": "Repeat dispensing cancelled",
             "pcse": "Registration links paused", "bowel_screening": "Messages stopped"}


def kind_name(party: ThirdParty, config: Config) -> str:
    """The kind as the tracking page names it, with the nation's own service names."""
    svc = services(config)
    if party.kind == "pcse":
        return f"Registrations ({svc['registration_short']})"
    if party.kind == "nhs111":
        return svc["nhs111"]
    return KIND_NAMES[party.kind]


def reply_by(cal: Calendar, sent: dt.date, switch_off: dt.date) -> dt.date:
    """Five working days after the letter, but before the switch-off; never fewer than three working days."""
    wanted = min(cal.add_working_days(sent, REPLY_WORKING_DAYS), cal.subtract_working_days(switch_off, 1))
    return max(wanted, cal.add_working_days(sent, MIN_REPLY_WORKING_DAYS))


def resume_reply_by(cal: Calendar, sent: dt.date, chase: dt.date) -> dt.date:
    """The chase date, and never fewer than three working days after the resume letter."""
    return max(chase, cal.add_working_days(sent, MIN_REPLY_WORKING_DAYS))


@dataclass(frozen=True)
class Letter:
    """One letter, ready to lay out: who, what, and the dates it carries."""

    party: ThirdParty
    kind: str  # "notice" or "resume"
    number: int  # position in sending order, from 1
    date: dt.date  # the date printed on the letter
    due: dt.date  # when the schedule says to send it
    switch_off: dt.date
    reply_by: dt.date
    subject: str
    body: str  # sanitised HTML

    @property
    def anchor(self) -> str:
        return f"letter-{self.number:02d}"

    @property
    def filename(self) -> str:
        """Sorts in sending order and names the party, in safe characters only."""
        return f"{self.number:02d}-{self.date.isoformat()}-{self.kind}-{slug(self.party.name)}.pdf"[:120]


@dataclass(frozen=True)
class Tracking:
    """One row of the third-parties tracking page."""

    party: ThirdParty
    kind_name: str
    act_words: str
    notice: Task
    remind: Task
    switch_off: Task
    switch_on: dt.date
    chase: dt.date


def build_letters(config: Config, tasks: list[Task], folders: list[Path], context: dict[str, Any],
                  env: SandboxedEnvironment, today: dt.date) -> list[Letter]:
    """Both letters for every third party (but `eps`, which gets none), numbered in the order they are sent."""
    chase = next(task.date for task in tasks if task.step == "chase_links")
    cal = Calendar(config.migration.holidays)
    go_live = config.migration.go_live
    drafts = []
    for party in letter_parties(config):
        steps = party_steps(tasks, party)
        off, notice = steps[SWITCH_OFF].date, steps[NOTIFY]
        sent = max(notice.date, today)
        notice_reply = notice.reply_by if sent == notice.date and notice.reply_by else reply_by(cal, sent, off)
        drafts.append((party, "notice", sent, notice.date, off, notice_reply))
        resumed = max(go_live, today)
        drafts.append((party, "resume", resumed, go_live, off, resume_reply_by(cal, resumed, chase)))
    drafts.sort(key=lambda d: (d[2], d[1] != "notice", d[0].name.lower()))
    idp = config.migration.initial_data_production
    letters = []
    for number, (party, kind, date, due, off, reply) in enumerate(drafts, start=1):
        name = wording_name(party.kind, kind)
        values = {"switch_off": off, "provides_extract": party.extract, "reply_by": reply, "date": date,
                  "idp_extract": bool(party.extract and idp is not None and date < idp)}
        section = required("letters", name, folders, {**context, "party": party, "letter": values}, env)
        letters.append(Letter(party, kind, number, date, due, off, reply, section.title, section.html))
    return letters


def wording_name(party_kind: str, letter: str) -> str:
    """The name of the Markdown file in `letters/` that holds a letter's wording: `pathology-notice`."""
    return f"{party_kind}-{letter}"


def wording_files() -> list[str]:
    """Every letter's wording file, by its path in a content folder."""
    return [f"letters/{wording_name(kind, letter)}.md" for kind in KINDS if kind != "eps" for letter in ("notice", "resume")]


def tracking(config: Config, tasks: list[Task]) -> list[Tracking]:
    """One row per third party (but `eps`), in the order they are listed in the config."""
    chase = next(task.date for task in tasks if task.step == "chase_links")
    rows = []
    for party in letter_parties(config):
        steps = party_steps(tasks, party)
        rows.append(Tracking(party, kind_name(party, config), ACT_WORDS.get(party.kind, "Switched off"),
                             steps[NOTIFY], steps[REMIND], steps[SWITCH_OFF], config.migration.go_live, chase))
    return rows
