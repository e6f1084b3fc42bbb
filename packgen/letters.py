"""Letters to third parties: a notice before FDP and a resume letter at go-live, dated by the schedule."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2.sandbox import SandboxedEnvironment

from .config import Config, ThirdParty
from .content import required
from .schedule import Calendar, Task, slug

KIND_NAMES = {
    "subsidiary_supplier": "Subsidiary supplier", "eps": "Electronic Prescription Service", "pathology": "Pathology",
    "bowel_screening": "Bowel screening", "nhs111": "NHS 111", "out_of_hours": "Out of hours",
    "pharmacy": "Community pharmacy", "pcse": "PCSE", "other": "Other",
}
REPLY_WORKING_DAYS = 5


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
    def late(self) -> bool:
        return self.date > self.due

    @property
    def provides_extract(self) -> bool:
        return self.party.extract

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
    notice: Task
    remind: Task
    switch_off: Task
    switch_on: dt.date
    chase: dt.date


def build_letters(config: Config, tasks: list[Task], folders: list[Path], context: dict[str, Any],
                  env: SandboxedEnvironment, today: dt.date) -> list[Letter]:
    """Both letters for every third party, numbered in the order they are sent."""
    by_key = {t.key: t for t in tasks}
    cal = Calendar(config.migration.holidays)
    drafts = []
    for party in config.third_parties:
        key = slug(party.name)
        off = by_key[f"switch_off:{key}"].date
        notice_due = by_key[f"notify:{key}"].date
        sent = max(notice_due, today)
        notice_reply = max(sent, min(cal.add_working_days(sent, REPLY_WORKING_DAYS), cal.subtract_working_days(off, 1)))
        go_live = config.migration.go_live
        drafts.append((party, "notice", sent, notice_due, off, notice_reply))
        drafts.append((party, "resume", max(go_live, today), go_live, off, by_key["chase_links"].date))
    drafts.sort(key=lambda d: (d[2], d[1] != "notice", d[0].name.lower()))
    letters = []
    for number, (party, kind, date, due, off, reply_by) in enumerate(drafts, start=1):
        name = f"{party.kind}-{kind}"
        values = {"switch_off": off, "provides_extract": party.extract, "reply_by": reply_by, "date": date}
        section = required("letters", name, folders, {**context, "party": party, "letter": values}, env)
        letters.append(Letter(party, kind, number, date, due, off, reply_by, section.title, section.html))
    return letters


def tracking(config: Config, tasks: list[Task]) -> list[Tracking]:
    """One row per third party, in the order they are listed in the config."""
    by_key = {t.key: t for t in tasks}
    rows = []
    for party in config.third_parties:
        key = slug(party.name)
        rows.append(Tracking(party, KIND_NAMES[party.kind], by_key[f"notify:{key}"], by_key[f"remind:{key}"],
                             by_key[f"switch_off:{key}"], config.migration.go_live, by_key["chase_links"].date))
    return rows
