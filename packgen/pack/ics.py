"""The schedule as an iCalendar file (RFC 5545): one all-day event per task, with stable UIDs."""

from __future__ import annotations

import datetime as dt
import re

from icalendar import Calendar, Event

from .. import __version__
from ..practice.config import Config
from ..practice.schedule import DAY, Task


# Control characters, and the characters some readers take as a line break: never written, even escaped.
BREAKS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def one_line(text: str) -> str:
    """Text for one iCalendar value: any control character or line break (a bare CR too) becomes a space,
    so that a reader that splits lines on them sees no extra line, let alone an extra event."""
    return BREAKS.sub(" ", text).strip()


def timeline_ics(config: Config, tasks: list[Task], today: dt.date) -> bytes:
    """Events keep their UID across rebuilds, so a calendar app updates them instead of adding copies."""
    p, m = config.practice, config.migration
    cal = Calendar()
    cal.add("prodid", f"-//packgen {__version__}//cut-over timeline//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", one_line(f"Cut-over: {p.name} ({m.source_system} to {m.target_system})"))
    stamp = dt.datetime.combine(today, dt.time(0, 0), tzinfo=dt.timezone.utc)
    for task in tasks:
        event = Event()
        event.add("uid", one_line(f"{task.key}.{p.ods_code.lower()}@packgen"))
        event.add("dtstamp", stamp)
        event.add("dtstart", task.date)
        event.add("dtend", task.last + DAY)  # all-day events end the day after (exclusive)
        event.add("summary", one_line(f"{task.title}" + (f" (by {task.time})" if task.time else "")))
        event.add("description", one_line(f"Owner: {task.owner}. Rule: {task.rule}. {p.name}, ODS {p.ods_code}."))
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    return cal.to_ical()
