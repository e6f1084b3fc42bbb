"""What the pack contains: the practice's values, everything computed from them, and the wording
filled in with them. Nothing here lays anything out.

`Facts` is what Markdown may show; `Pack` adds the wording made from it. Templates see the fields of
both by their names (`values()`), as the README lists them; `documents.Pagination` adds what the
second pass knows (page numbers, the print list's rows)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from .. import __version__
from ..errors import ContentError
from ..practice.columns import REENTRY, Column
from ..practice.config import Contacts, Migration, Practice, PracticeConfig, Schedule, ThirdParty
from ..practice.logs import DEFAULT_LIST_SIZE, DIGIT_BOXES, ROWS_PER_SHEET, LogSpec, Sheet, log_specs, open_days, printed_sheets
from ..practice.schedule import (CHECKLISTS, BuildWarning, CalendarDay, Task, build_schedule, grouped, key_dates,
                       logoff_words, services, wall_calendar, warnings)
from ..reconcile.qr import sheet_marks
from ..render.content import Section, find, load_sections, markdown_env, render_text, required, unused
from ..render.templates import default_dir
from .glossary import Glossary, load_glossary
from .letters import Letter, Tracking, build_letters, tracking
from .letters import wording_files as letter_files
from .roles import Role, build_roles, owners
from .roles import wording_files as role_files
from .sms import patient_notice as with_text_message
from .sms import split_notice
from .starthere import StartHere, start_here


@dataclass(frozen=True, kw_only=True)
class Facts:
    """The practice's values and its computed dates: everything Markdown may show."""

    practice: Practice
    contacts: Contacts
    migration: Migration
    third_parties: tuple[ThirdParty, ...]
    schedule: Schedule
    tasks: tuple[Task, ...]
    task_by_key: Mapping[str, Task]
    checklists: Mapping[str, list[Task]]  # by checklist
    checklist_titles: Mapping[str, str]
    weeks: tuple[list[CalendarDay], ...]  # the wall calendar
    dates: Mapping[str, dt.date]  # `dates.go_live`, …: the README lists them
    logoff: str  # "6.30pm", or "close of business"
    services: Mapping[str, str]  # the national services of the practice's nation
    owners: Mapping[str, str]  # the one named owner of the tracking database and of the generic mailbox
    training: tuple[dt.date, ...]
    cut_over_days: int
    log_specs: tuple[LogSpec, ...]
    sheets: tuple[Sheet, ...]  # dated, then each log's numbered spares: the register's order
    list_size: str  # the patients the sheets are sized for, as printed ("10,000")
    open_days: tuple[dt.date, ...]
    reentry: tuple[Column, ...]
    rows_per_sheet: int
    digit_boxes: Mapping[str, Mapping[str, object]]
    marks: Mapping[str, object]  # where the sheets' marks and codes go (reconcile.qr.sheet_marks), shown by their own names
    poster_copies: int
    warnings: tuple[BuildWarning, ...]
    start_here: StartHere  # what the practice manager does now, from the build date
    today: dt.date
    version: str
    config_hash: str  # its first 10 characters, printed on the cover

    def values(self) -> dict[str, Any]:
        """Every field by its name, the marks' by theirs: what a template or Markdown file is given."""
        found = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "marks"}
        return {**found, **self.marks}


@dataclass(frozen=True, kw_only=True)
class Pack(Facts):
    """Everything the pack shows: the facts, and the wording filled in with them."""

    guidance: tuple[Section, ...]
    letters: tuple[Letter, ...]  # in sending order
    tracking: tuple[Tracking, ...]
    roles: tuple[Role, ...]
    glossary: Glossary
    poster: Section
    patient_notice: str  # the website notice and the text message, as plain text
    notice_paragraphs: tuple[str, ...]  # the website notice's, for its large-print copy


def content_folders(pc: PracticeConfig) -> list[Path]:
    """Where Markdown is looked for, lowest priority first: packgen's content, then the practice's."""
    own = pc.config.content
    return [default_dir("content")] + ([own] if own else [])


def context(pc: PracticeConfig, today: dt.date) -> Facts:
    """The practice's values and its computed dates."""
    c = pc.config
    tasks = build_schedule(c)
    specs, printed, days = log_specs(c), printed_sheets(c), open_days(c)
    return Facts(
        practice=c.practice, contacts=c.contacts, migration=c.migration, third_parties=tuple(c.third_parties),
        schedule=c.schedule, tasks=tuple(tasks), task_by_key={task.key: task for task in tasks}, 
        checklists=grouped(tasks, c), checklist_titles=CHECKLISTS,
        weeks=tuple(wall_calendar(c, tasks)), dates=key_dates(c, tasks), logoff=logoff_words(c),
        services=services(c), owners=owners(c), training=tuple(c.migration.training),
        cut_over_days=(c.migration.go_live - c.migration.final_data_production).days,
        log_specs=tuple(specs), sheets=tuple(printed), list_size=f"{c.practice.list_size or DEFAULT_LIST_SIZE:,}",
        open_days=tuple(days), reentry=tuple(REENTRY),
        rows_per_sheet=ROWS_PER_SHEET, digit_boxes=DIGIT_BOXES,
        marks=sheet_marks({spec.name: spec.columns for spec in specs}, ROWS_PER_SHEET),
        poster_copies=c.poster.copies, warnings=tuple(warnings(c, tasks, today)), start_here=start_here(c, tasks, today), today=today, version=__version__,
        config_hash=pc.config_hash[:10])


def unused_content(pc: PracticeConfig) -> list[BuildWarning]:
    """A warning for each Markdown file in the practice's content folder that the pack does not use
    (at its top, in a misspelt folder, under a name no letter or card has), saying where it should go."""
    if pc.config.content is None:
        return []
    named = ["poster.md", "patient-notice.md", *letter_files(), *role_files()]  # as prepare() reads them
    return [BuildWarning(("content",), problem) for problem in unused(pc.config.content, ["guidance"], named)]


def prepare(pc: PracticeConfig, today: dt.date) -> Pack:
    """Everything the pack shows, computed and with its wording filled in, but nothing laid out yet."""
    facts = context(pc, today)
    shown = facts.values()
    folders, md = content_folders(pc), markdown_env(pc.trust)
    guidance = load_sections("guidance", folders, shown, md)
    letters = build_letters(pc.config, list(facts.tasks), folders, shown, md, today)
    roles = build_roles(pc.config, list(facts.log_specs), folders, shown, md)
    glossary = load_glossary(folders, shown, md)
    poster = required("", "poster", folders, shown, md)
    notice = find("", folders).get("patient-notice")
    if notice is None:
        raise ContentError("no patient-notice.md in the content folders; add it to the practice's content folder")
    patient_notice = with_text_message(render_text(notice, shown, pc.trust), pc)
    return Pack(**{f.name: getattr(facts, f.name) for f in fields(facts)},
                guidance=tuple(guidance), letters=tuple(letters), tracking=tuple(tracking(pc.config, list(facts.tasks))),
                roles=tuple(roles), glossary=glossary, poster=poster, patient_notice=patient_notice,
                notice_paragraphs=tuple(notice_paragraphs(patient_notice)))


def notice_paragraphs(text: str) -> list[str]:
    """The website notice's paragraphs: those before the text message (a paragraph "Text message:")."""
    website, _versions = split_notice(text)
    return [" ".join(paragraph.split()) for paragraph in re.split(r"\n\s*\n", website) if paragraph.strip()]
