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


def uk_day(day: dt.date) -> str:
    """Thursday 4 March 2027: for running text, as the NHS style guide writes dates."""
    return f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]} {day.year}"


def short_day(day: dt.date) -> str:
    """Thu 04/03/2027: for narrow table columns."""
    return f"{WEEKDAYS[day.weekday()][:3]} {uk_date(day)}"


def month_name(day: dt.date) -> str:
    """March."""
    return MONTHS[day.month - 1]
