"""Paper log sheets for the cut-over: which logs, how many sheets for the practice's size, and one sheet per serial."""

from __future__ import annotations

import base64
import datetime as dt
import math
from dataclasses import dataclass

from .columns import COLUMNS, LOGS, Column
from .config import WEEKDAYS, Config
from .dates import uk_day
from .schedule import DAY, Calendar, logoff_words

ROWS_PER_SHEET = 12  # rows over 10 mm high: what fits under the heading of an A4 landscape sheet

# Rows each log fills in a working day, per 1,000 registered patients (63.4 million in England; 252
# working days a year). The README states each source and the arithmetic.
RATES: dict[str, float | None] = {
    "telephone": 5.7,  # a quarter of the appointments are by telephone
    "home_visits": 0.36,  # 1.6% of the appointments are home visits
    "prescriptions": 20.1,  # 1,091 repeat prescriptions a week for 10,880 patients
    "referrals": 0.56,  # more than 9 million referrals a year
    "correspondence": 10.7,  # about 320 letters a week for 6,000 patients
    "appointments": 22.6,  # 1.43 million appointments every working day
    "registrations": None,  # no national daily count: one sheet a day, and the spares
}
DEFAULT_LIST_SIZE = 10_000  # patients, when practice.list_size is not set: about the average practice in England
SPARE_SHARE = 4  # spares: a quarter of a day's sheets (a day 25% busier than usual), and at least MIN_SPARES
MIN_SPARES = 2


@dataclass(frozen=True)
class LogSpec:
    """A kind of log and how it is printed for this practice."""

    name: str  # the config key, e.g. "telephone"
    title: str
    prefix: str  # serial prefix, e.g. "TEL"
    purpose: str  # one line printed on the sheet: what to record
    columns: tuple[Column, ...]
    sheets_per_day: int  # shared sheets for each open day after FDP day
    fdp_day_sheets: int = 1  # for the time after log-off on FDP day
    spare_sheets: int = MIN_SPARES  # numbered, undated: for a day whose sheets run out
    expected: int | None = None  # rows a day the list size suggests; None when set by hand or not known
    clinicians: tuple[str, ...] = ()  # named clinicians, each with sheets of their own (telephone only)
    clinician_sheets: int = 0  # each named clinician's sheets a day

    @property
    def day_sheets(self) -> int:
        """All of this log's sheets for one open day after FDP day: shared and the clinicians' own."""
        return self.sheets_per_day + len(self.clinicians) * self.clinician_sheets


@dataclass(frozen=True)
class Sheet:
    """One printed sheet with its unique serial: dated, or a numbered spare (date None) dated by hand."""

    log: LogSpec
    date: dt.date | None
    number: int  # n of `of` for that day (for its holder, if any), or of the log's spares
    of: int
    starts: str | None = None  # FDP day: the time paper starts ("6.30pm", "close of business")
    holder: str | None = None  # a named clinician's own sheet
    place: int = 0  # a clinician's sheet: its place among the day's sheets of the log, after the shared ones

    @property
    def serial(self) -> str:
        """Sorts by log and date: TEL-2027-03-04-02; a log's spares are TEL-SPARE-01 and on."""
        if self.date is None:
            return f"{self.log.prefix}-SPARE-{self.number:02d}"
        return f"{self.log.prefix}-{self.date.isoformat()}-{self.place or self.number:02d}"

    @property
    def spare(self) -> bool:
        return self.date is None

    @property
    def anchor(self) -> str:
        return f"part-sheet-{self.serial}"


def sheets_for(rows: float) -> int:
    """Sheets that hold `rows` rows (at least one)."""
    return max(1, math.ceil(round(rows / ROWS_PER_SHEET, 6)))


def log_specs(config: Config) -> list[LogSpec]:
    """The logs this practice prints, in the order of LOGS, with its columns and counts.

    A log's sheets a day follow from the list size and its rate (RATES), unless `logs.<log>.sheets_per_day`
    says otherwise. When clinicians are named (roles.clinicians.staff), the telephone calls are split
    equally between them, each with sheets of their own, and one shared sheet a day is left for everyone
    else (locums, trainees). Spares: a quarter of a day's sheets, at least 2, unless set."""
    size = config.practice.list_size or DEFAULT_LIST_SIZE
    named = tuple(config.roles.clinicians.staff)
    specs = []
    for name, (title, prefix, purpose, columns) in LOGS.items():
        setting = getattr(config.logs, name)
        if not setting.print:
            continue
        rate = RATES[name]
        rows = (setting.sheets_per_day * ROWS_PER_SHEET if setting.sheets_per_day
                else rate * size / 1000 if rate is not None else ROWS_PER_SHEET)
        expected = round(rows) if setting.sheets_per_day is None and rate is not None else None
        per_day, clinicians, own = sheets_for(rows), (), 0
        if name == "telephone" and named:
            per_day, clinicians, own = 1, named, sheets_for(rows / len(named))
        day = per_day + len(clinicians) * own
        spares = setting.spare_sheets or max(MIN_SPARES, math.ceil(day / SPARE_SHARE))
        keys = setting.columns or columns
        specs.append(LogSpec(name, title, prefix, purpose, tuple(COLUMNS[k] for k in keys), per_day,
                             setting.fdp_day_sheets if setting.fdp_day_sheets is not None else 1, spares, expected,
                             clinicians, own))
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
    """Shared sheets of one log for one day: on FDP day only the time after log-off is on paper, so fewer."""
    return spec.fdp_day_sheets if day == config.migration.final_data_production else spec.sheets_per_day


def sheets(config: Config) -> list[Sheet]:
    """Every dated sheet to print, by log then date, shared sheets then each clinician's: the order of the register.

    Until log-off on FDP day the source system is used as normal (its data is in the final extract),
    so that day's sheets are headed with the time paper starts and cover the time after it only; the
    clinicians' own sheets start the day after."""
    days, fdp = open_days(config), config.migration.final_data_production
    starts = logoff_words(config)
    found = []
    for spec in log_specs(config):
        for day in days:
            shared = sheets_on(spec, day, config)
            found += [Sheet(spec, day, n, shared, starts if day == fdp else None) for n in range(1, shared + 1)]
            if day != fdp:
                found += [Sheet(spec, day, n, spec.clinician_sheets, None, holder,
                                shared + index * spec.clinician_sheets + n)
                          for index, holder in enumerate(spec.clinicians) for n in range(1, spec.clinician_sheets + 1)]
    return found


def spare_sheets(config: Config) -> list[Sheet]:
    """Each log's numbered spares, undated: used when a day's sheets run out, and dated by hand."""
    return [Sheet(spec, None, n, spec.spare_sheets) for spec in log_specs(config)
            for n in range(1, spec.spare_sheets + 1)]


def printed_sheets(config: Config) -> list[Sheet]:
    """Every sheet printed, dated and spare: each log's dated sheets, then its spares (the register's order)."""
    every = sheets(config) + spare_sheets(config)
    return [sheet for spec in log_specs(config) for sheet in every if sheet.log == spec]


def by_day(printed: list[Sheet], order: list[str]) -> list[tuple[dt.date, list[Sheet]]]:
    """The dated sheets grouped by day, each day's in the order of `order` (log names): one bundle a day."""
    days: dict[dt.date, list[Sheet]] = {}
    for sheet in printed:
        if sheet.date is not None:
            days.setdefault(sheet.date, []).append(sheet)
    rank = {name: index for index, name in enumerate(order)}
    return [(day, sorted(found, key=lambda s: rank.get(s.log.name, len(rank)))) for day, found in sorted(days.items())]


SPARES = "logs/spares.pdf"


def groups(printed: list[Sheet], order: list[str]) -> list[tuple[str, str, list[Sheet]]]:
    """The files of log sheets by day, `logs/YYYY-MM-DD.pdf`, and of the spares, `logs/spares.pdf`, as
    (file, what it is, its sheets): each day's sheets, the logs in `order` (the order staff pick them up),
    then the spares. They are the same sheets as the files by log (bundles.py makes them of their pages)."""
    found = [(f"logs/{day.isoformat()}.pdf", f"Log sheets for {uk_day(day)}", sheets)
             for day, sheets in by_day(printed, order)]
    spares = [sheet for sheet in printed if sheet.spare]
    return found + ([(SPARES, "Spare log sheets", spares)] if spares else [])


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
