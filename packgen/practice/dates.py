"""How dates are written on the page: in words in running text, DD/MM/YYYY in tables and on log sheets."""

from __future__ import annotations

import datetime as dt

# Spelled out rather than taken from the locale, so a build never depends on the machine's language.
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


def uk_date(day: dt.date) -> str:
    """04/03/2027."""
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def weekday(day: dt.date) -> str:
    """Thursday."""
    return WEEKDAYS[day.weekday()]


def uk_day(day: dt.date) -> str:
    """Thursday 4 March 2027: for running text, as the NHS style guide writes dates."""
    return f"{weekday(day)} {day.day} {MONTHS[day.month - 1]} {day.year}"


def long_date(day: dt.date) -> str:
    """4 March 2027: a date line (a letter's), where the weekday adds nothing."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def short_day(day: dt.date) -> str:
    """Thu 04/03/2027: for narrow table columns."""
    return f"{weekday(day)[:3]} {uk_date(day)}"


def month_name(day: dt.date) -> str:
    """March."""
    return MONTHS[day.month - 1]


def uk_time(hhmm: str) -> str:
    """18:30 → 6.30pm, 09:00 → 9am, 12:00 → midday, 00:00 → midnight (NHS style)."""
    hours, minutes = (int(part) for part in hhmm.split(":"))
    if minutes == 0 and hours in (0, 12):
        return "midnight" if hours == 0 else "midday"
    suffix = "am" if hours < 12 else "pm"
    twelve = hours % 12 or 12
    return f"{twelve}{'' if minutes == 0 else f'.{minutes:02d}'}{suffix}"
