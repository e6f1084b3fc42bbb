"""The "start here" page: what the practice manager does now, worked out from the build date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..practice.config import Config
from ..practice.schedule import CHECKLISTS, Task, stage

WEEK = 7  # "this week": the build date and the 6 days after it
WEEK_LINES = 6  # tasks named under "this week"; the rest are counted


@dataclass(frozen=True)
class StartHere:
    """Where the practice is on the build date, and the tasks to do first."""

    now: str  # the checklist (CHECKLISTS) the build date falls in
    stages: tuple[str, ...]  # that checklist and those after it: the ones still to come
    week: tuple[Task, ...]  # tasks to do in the week from the build date, by date (at most WEEK_LINES)
    more: int  # tasks of that week not named
    week_end: dt.date
    late: int  # tasks whose last day passed before the build date
    next_task: Task | None  # the first task after the week, when none falls in it
    days_to_fdp: int  # negative once final data production has passed


def start_here(config: Config, tasks: list[Task], today: dt.date) -> StartHere:
    """What to do now, from the build date: a pack built after FDP starts at the checklist of the day."""
    now = stage(today, config)
    names = list(CHECKLISTS)
    week_end = today + dt.timedelta(days=WEEK - 1)
    todo = [task for task in tasks if task.action]
    week = [task for task in todo if task.date <= week_end and task.last >= today]
    later = [task for task in todo if task.date > week_end]
    return StartHere(
        now=now,
        stages=tuple(names[names.index(now):]),
        week=tuple(week[:WEEK_LINES]),
        more=max(0, len(week) - WEEK_LINES),
        week_end=week_end,
        late=sum(1 for task in todo if task.overdue(today)),
        next_task=later[0] if later and not week else None,
        days_to_fdp=(config.migration.final_data_production - today).days,
    )
