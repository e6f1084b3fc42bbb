"""Paper log sheets for the cut-over: which logs, their columns, and one pre-dated sheet per serial."""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass

from .columns import COLUMNS, LOGS, Column
from .config import WEEKDAYS, Config
from .schedule import DAY, Calendar, logoff_words

ROWS_PER_SHEET = 12  # rows over 10 mm high: what fits under the heading of an A4 landscape sheet


@dataclass(frozen=True)
class LogSpec:
    """A kind of log and how it is printed for this practice."""

    name: str  # the config key, e.g. "telephone"
    title: str
    prefix: str  # serial prefix, e.g. "TEL"
    purpose: str  # one line printed on the sheet: what to record
    columns: tuple[Column, ...]
    sheets_per_day: int
    fdp_day_sheets: int = 1  # for the time after log-off on FDP day


@dataclass(frozen=True)
class Sheet:
    """One printed, pre-dated sheet with its unique serial."""

    log: LogSpec
    date: dt.date
    number: int  # n of `of` for that day
    of: int
    starts: str | None = None  # FDP day: the time paper starts ("6.30pm", "close of business")

    @property
    def serial(self) -> str:
        """Sorts by log and date: TEL-2027-03-04-02."""
        return f"{self.log.prefix}-{self.date.isoformat()}-{self.number:02d}"

    @property
    def anchor(self) -> str:
        return f"part-sheet-{self.serial}"


def log_specs(config: Config) -> list[LogSpec]:
    """The logs this practice prints, in the order of LOGS, with its columns and counts."""
    specs = []
    for name, (title, prefix, purpose, columns, per_day) in LOGS.items():
        setting = getattr(config.logs, name)
        if not setting.print:
            continue
        keys = setting.columns or columns
        specs.append(LogSpec(name, title, prefix, purpose, tuple(COLUMNS[k] for k in keys),
                             setting.sheets_per_day if setting.sheets_per_day is not None else per_day,
                             setting.fdp_day_sheets if setting.fdp_day_sheets is not None else 1))
    return specs


def open_days(config: Config) -> list[dt.date]:
    """Days of the cut-over (FDP to the day before go-live) on which the practice is open."""
    cal = Calendar(config.migration.holidays)
    open_weekdays = {WEEKDAYS.index(day) for day in config.practice.open_days}
    day, days = config.migration.final_data_production, []
    while day < config.migration.go_live:
        if day.weekday() in open_weekdays and cal.holiday(day) is None:
            days.append(day)
        day += DAY
    return days


def sheets_on(spec: LogSpec, day: dt.date, config: Config) -> int:
    """Sheets of one log for one day: on FDP day only the time after log-off is on paper, so fewer."""
    return spec.fdp_day_sheets if day == config.migration.final_data_production else spec.sheets_per_day


def sheets(config: Config) -> list[Sheet]:
    """Every sheet to print, by log then date then number: the order of the register.

    Until log-off on FDP day the source system is used as normal (its data is in the final extract),
    so that day's sheets are headed with the time paper starts and cover the time after it only."""
    days, fdp = open_days(config), config.migration.final_data_production
    starts = logoff_words(config)
    return [Sheet(spec, day, n, sheets_on(spec, day, config), starts if day == fdp else None)
            for spec in log_specs(config) for day in days for n in range(1, sheets_on(spec, day, config) + 1)]


BOX_WIDTH, BOX_HEIGHT, GAP = 3.3, 5.2, 1.6  # mm: one handwritten digit per box


def digit_boxes(groups: tuple[int, ...], slash: bool) -> dict[str, object]:
    """An SVG of write-in boxes (e.g. 2-2-4 for DD/MM/YYYY, 3-3-4 for an NHS number) as a data URI.

    One image per field instead of a dozen bordered elements keeps a 50-sheet pack quick to lay out."""
    shapes, x = [], 0.0
    for index, count in enumerate(groups):
        if index:
            if slash:
                shapes.append(f'<line x1="{x + 0.35:.2f}" y1="{BOX_HEIGHT - 0.8:.2f}" x2="{x + GAP - 0.35:.2f}" y2="0.8"/>')
            x += GAP
        for _ in range(count):
            shapes.append(f'<rect x="{x + 0.13:.2f}" y="0.13" width="{BOX_WIDTH:.2f}" height="{BOX_HEIGHT - 0.26:.2f}"/>')
            x += BOX_WIDTH
    width = x + 0.26
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.2f}mm" height="{BOX_HEIGHT:.2f}mm" '
           f'viewBox="0 0 {width:.2f} {BOX_HEIGHT:.2f}"><g fill="none" stroke="black" stroke-width="0.26">'
           + "".join(shapes) + "</g></svg>")
    return {"uri": "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode(), "width": round(width, 2),
            "height": BOX_HEIGHT}


DIGIT_BOXES = {"date": digit_boxes((2, 2, 4), slash=True), "nhs": digit_boxes((3, 3, 4), slash=False)}
