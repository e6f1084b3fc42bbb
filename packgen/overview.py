"""The wave overview for the project manager: one row per practice, a shared chart, a week-by-week list,
and the same dates as wave.ics and wave.csv. The rows, chart and files are computed by pure functions;
`overview`, `wave_rows`, `wave_key` and `write_overview` read and write at the edge."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from icalendar import Calendar, Event

from . import __version__
from .errors import ConfigError, PackgenError
from .names import CACHE, MANIFEST, OVERVIEW, WAVE_CSV, WAVE_ICS, WAVES, slug
from .pack.drafts import by_email
from .pack.letters import Letter
from .pack.model import prepare
from .practice.config import Config
from .practice.dates import uk_date, uk_time
from .practice.load import load
from .practice.logs import printed_sheets
from .practice.schedule import DAY, SWITCH_OFF, Task, build_schedule
from .render.cache import Cache
from .render.manifest import inputs_key, manifest, unchanged
from .render.publish import publish
from .render.templates import default_dir, own_template_env, render_template
from .wave import Outcome, config_paths



@dataclass(frozen=True)
class Item:
    """One line of the week-by-week list: a letter to send, a switch-off, FDP or a go-live."""

    date: dt.date
    practice: str
    what: str
    milestone: bool = False  # FDP or go-live: printed in bold


@dataclass(frozen=True)
class Row:
    """One practice of the wave, as far as it could be read, and how its build went."""

    config: str  # the config's file name
    name: str  # the practice's name, or the file name when the config could not be read
    ods_code: str | None = None
    source_system: str | None = None
    target_system: str | None = None
    initial_data_production: dt.date | None = None
    final_data_production: dt.date | None = None
    go_live: dt.date | None = None
    planning_meeting: dt.date | None = None
    reentry_end: dt.date | None = None
    logoff_time: str | None = None
    letters: int | None = None
    by_post: int | None = None
    sheets: int | None = None
    pages: int | None = None
    folder: str | None = None
    error: str | None = None  # why the build failed, on one line
    items: tuple[Item, ...] = ()

    @property
    def built(self) -> bool:
        return self.error is None

    @property
    def cut_over_days(self) -> int | None:
        if self.final_data_production is None or self.go_live is None:
            return None
        return (self.go_live - self.final_data_production).days

    @property
    def dated(self) -> bool:
        """Whether the row has the dates the chart and calendar need."""
        return None not in (self.final_data_production, self.go_live, self.planning_meeting, self.reentry_end)


def practice_row(config: str, practice: Config, tasks: list[Task], letters: list[Letter] | None,
                 sheet_count: int | None, outcome: Outcome | None) -> Row:
    """The row of a practice whose config was read: `letters` are its letters when its content could be
    read too, `outcome` how its build went (None: it was not built)."""
    p, m = practice.practice, practice.migration
    by_key = {task.key: task for task in tasks}
    items = []
    for letter in letters or []:
        way = "by email" if by_email(letter.party) else "by post"
        items.append(Item(letter.date, p.name, f"Send letter {letter.number:02d}, the {letter.kind} letter to "
                                               f"{letter.party.name} ({way})"))
    for task in tasks:
        if task.step == SWITCH_OFF and task.party is not None:
            items.append(Item(task.date, p.name, f"{task.party.name} switches off"))
    logoff = f"; everyone logged off {m.source_system} by {uk_time(m.logoff_time)}" if m.logoff_time else ""
    items.append(Item(m.final_data_production, p.name, f"Final data production{logoff}", True))
    items.append(Item(m.go_live, p.name, f"Go-live on {m.target_system}", True))
    failed = outcome is None or bool(outcome.problems)
    return Row(
        config=Path(config).name, name=p.name, ods_code=p.ods_code, source_system=m.source_system,
        target_system=m.target_system, initial_data_production=getattr(m, "initial_data_production", None),
        final_data_production=m.final_data_production, go_live=m.go_live,
        planning_meeting=by_key["planning_meeting"].date, reentry_end=by_key["reentry"].last,
        logoff_time=m.logoff_time,
        letters=None if letters is None else len(letters),
        by_post=None if letters is None else sum(1 for letter in letters if not by_email(letter.party)),
        sheets=sheet_count, pages=None if failed or outcome is None else outcome.pages,
        folder=None if failed or outcome is None or not outcome.folder else Path(outcome.folder).name,
        error=(outcome.reason if outcome is not None else "not built") if failed else None,
        items=tuple(sorted(items, key=lambda item: (item.date, not item.milestone, item.what))))


def unread_row(config: str, error: str) -> Row:
    """The row of a practice whose config could not be read: its file name and why."""
    return Row(config=Path(config).name, name=Path(config).name, error=error)


# The chart, in millimetres: a label column, then one shared time axis with a line at each Monday.
CHART_WIDTH = 273.0
LABEL_WIDTH = 62.0
AXIS_HEIGHT = 9.0
ROW_HEIGHT = 12.0
LABEL_EM = 2.9  # font size of the chart's small labels
ROWS_PER_CHART = 10  # a chart never breaks across pages: more rows go in another chart


@dataclass(frozen=True)
class Bar:
    x: float
    width: float
    kind: str  # "preparation", "cut_over" or "reentry": each has its own fill, readable in black and white


@dataclass(frozen=True)
class Mark:
    x: float
    label: str
    anchor: str  # SVG text-anchor: where the label sits against the mark

    @property
    def box(self) -> tuple[float, float]:
        """Left edge and width of the white ground behind the label, so that week lines do not cross it."""
        width = round(len(self.label) * LABEL_EM * 0.56 + 0.8, 2)
        left = {"start": self.x, "end": self.x - width, "middle": self.x - width / 2}[self.anchor]
        return round(left, 2), width


@dataclass(frozen=True)
class ChartRow:
    y: float
    name: str
    detail: str  # ODS code, or why there is no bar
    failed: bool
    bars: tuple[Bar, ...]
    marks: tuple[Mark, ...]
    idp: float | None  # x of the IDP diamond


@dataclass(frozen=True)
class Week:
    x: float
    label: str | None  # the Monday's date, on every week that has room for it


@dataclass(frozen=True)
class Chart:
    width: float
    height: float
    left: float
    right: float
    weeks: tuple[Week, ...]
    rows: tuple[ChartRow, ...]
    today: float | None  # x of the build date, when it falls on the axis


def charts(rows: list[Row], today: dt.date) -> list[Chart]:
    """The Gantt chart: each practice from its planning meeting to the end of its re-entry, on one
    axis of whole weeks shared by every chunk of ROWS_PER_CHART rows."""
    dated = [row for row in rows if row.dated]
    if not dated:
        return []
    first = min(min(row.planning_meeting, row.initial_data_production or row.planning_meeting) for row in dated)  # type: ignore[type-var]
    last = max(row.reentry_end for row in dated)  # type: ignore[type-var]
    start = first - first.weekday() * DAY
    stop = last + (7 - last.weekday()) * DAY  # the Monday after the last day
    left, right = LABEL_WIDTH, CHART_WIDTH - 24.0  # room on the right for the last go-live label
    per_day = (right - left) / (stop - start).days

    def x(day: dt.date) -> float:
        return round(left + (day - start).days * per_day, 2)

    every = max(1, math.ceil(13.0 / (7 * per_day)))  # a label needs about 13 mm
    weeks = tuple(Week(x(start + 7 * n * DAY), uk_date(start + 7 * n * DAY)[:5] if n % every == 0 else None)
                  for n in range((stop - start).days // 7 + 1))
    chart_rows = []
    for index, row in enumerate(rows):
        y = round(AXIS_HEIGHT + (index % ROWS_PER_CHART) * ROW_HEIGHT, 2)
        detail = f"ODS {row.ods_code}" if row.ods_code else "config not read"
        if not row.built:
            detail += ": build failed"
        if not row.dated:
            chart_rows.append(ChartRow(y, row.name, detail, not row.built, (), (), None))
            continue
        fdp, go_live = row.final_data_production, row.go_live
        bars = (Bar(x(row.planning_meeting), x(fdp) - x(row.planning_meeting), "preparation"),  # type: ignore[arg-type]
                Bar(x(fdp), x(go_live) - x(fdp), "cut_over"),  # type: ignore[arg-type]
                Bar(x(go_live), x(row.reentry_end + DAY) - x(go_live), "reentry"))  # type: ignore[arg-type, operator]
        marks = (Mark(x(fdp), f"FDP {uk_date(fdp)[:5]}", "end"),  # type: ignore[arg-type]
                 Mark(x(go_live), f"Go-live {uk_date(go_live)[:5]}", "start"))  # type: ignore[arg-type]
        idp = x(row.initial_data_production) if row.initial_data_production else None
        if idp is not None and x(fdp) - idp > 34:  # room for its label left of FDP's  # type: ignore[arg-type]
            marks += (Mark(idp, f"IDP {uk_date(row.initial_data_production)[:5]}", "middle"),)  # type: ignore[arg-type]
        chart_rows.append(ChartRow(y, row.name, detail, not row.built, bars, marks, idp))
    chunks = [tuple(chart_rows[i:i + ROWS_PER_CHART]) for i in range(0, len(chart_rows), ROWS_PER_CHART)]
    today_x = x(today) if start <= today <= stop else None
    return [Chart(CHART_WIDTH, AXIS_HEIGHT + len(chunk) * ROW_HEIGHT + 2, left, right, weeks, chunk, today_x)
            for chunk in chunks]


@dataclass(frozen=True)
class WeekList:
    monday: dt.date
    items: tuple[Item, ...]


def week_by_week(rows: list[Row]) -> list[WeekList]:
    """Every letter to send, switch-off, FDP and go-live of the wave, by week (Monday to Sunday), in date order."""
    weeks: dict[dt.date, list[Item]] = {}
    for row in rows:
        for item in row.items:
            weeks.setdefault(item.date - item.date.weekday() * DAY, []).append(item)
    return [WeekList(monday, tuple(sorted(items, key=lambda i: (i.date, i.practice, not i.milestone, i.what))))
            for monday, items in sorted(weeks.items())]


def wave_ics(wave: str, rows: list[Row], today: dt.date) -> bytes:
    """Every practice's key dates in one calendar. UIDs are `<what>.<ods code>@wave.packgen`: stable across
    rebuilds, and apart from the practices' own (`…@packgen`), so importing both adds no duplicates."""
    cal = Calendar()
    cal.add("prodid", f"-//packgen {__version__}//wave overview//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"Wave: {wave}")
    stamp = dt.datetime.combine(today, dt.time(0, 0), tzinfo=dt.timezone.utc)
    for row in rows:
        if not row.dated:
            continue
        logoff = f", everyone logged off by {uk_time(row.logoff_time)}" if row.logoff_time else ""
        events = [("planning_meeting", "cut-over planning meeting", row.planning_meeting, row.planning_meeting)]
        if row.initial_data_production:
            events.append(("initial_data_production", "initial data production (IDP)", row.initial_data_production,
                           row.initial_data_production))
        events += [
            ("final_data_production", f"final data production (FDP){logoff}", row.final_data_production,
             row.final_data_production),
            ("cut_over", "cut-over (record on paper)", row.final_data_production, row.go_live - DAY),  # type: ignore[operator]
            ("go_live", f"go-live on {row.target_system}", row.go_live, row.go_live),
            ("reentry", "re-entry of the paper records", row.go_live, row.reentry_end),
        ]
        for key, what, first, last in events:
            event = Event()
            event.add("uid", f"{key}.{(row.ods_code or '').lower()}@wave.packgen")
            event.add("dtstamp", stamp)
            event.add("dtstart", first)
            event.add("dtend", last + DAY)  # all-day events end the day after (exclusive)
            event.add("summary", f"{row.name}: {what}")
            event.add("description", f"{row.name}, ODS {row.ods_code}: {row.source_system} to {row.target_system}.")
            event.add("transp", "TRANSPARENT")
            cal.add_component(event)
    return cal.to_ical()


CSV_COLUMNS = ("practice", "ods_code", "config", "source_system", "target_system", "initial_data_production",
               "final_data_production", "go_live", "cut_over_days", "planning_meeting", "reentry_end", "letters",
               "letters_by_post", "sheets", "pages", "build", "error", "folder")


def wave_csv(rows: list[Row]) -> bytes:
    """The table's rows for spreadsheets: dates as YYYY-MM-DD, and no cell that a spreadsheet would run as a formula."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        values = (row.name, row.ods_code, row.config, row.source_system, row.target_system,
                  row.initial_data_production, row.final_data_production, row.go_live, row.cut_over_days,
                  row.planning_meeting, row.reentry_end, row.letters, row.by_post, row.sheets, row.pages,
                  "built" if row.built else "failed", row.error, row.folder)
        writer.writerow([_cell(value) for value in values])
    return out.getvalue().encode("utf-8")


def _cell(value: object) -> str:
    if value is None:
        return ""
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def context(wave: str, rows: list[Row], today: dt.date) -> dict[str, Any]:
    """What templates/wave-overview.html shows."""
    built = sum(row.built for row in rows)
    return {"wave": wave, "rows": rows, "charts": charts(rows, today), "weeks": week_by_week(rows), "today": today,
            "built": built, "failed": len(rows) - built, "version": __version__, "title": f"Wave overview: {wave}"}


@dataclass(frozen=True)
class Written:
    """What write_overview did."""

    folder: Path
    pages: int
    laid_out: bool  # false: the overview was unchanged and came from the cache
    unchanged: bool  # the folder already held exactly these files


def overview(wave: str, configs: list[Path], outcomes: dict[str, Outcome], output: Path, today: dt.date) -> Written:
    """The wave's overview after its practices were built. When every practice built and nothing any of
    them read has changed since the overview was written, it is kept as it is without reading anything again."""
    key = wave_key(wave, configs, outcomes, today)
    folder = output / WAVES / slug(wave)
    if key is not None:
        kept = unchanged(folder, key)
        if kept is not None:
            return Written(folder, int(kept["files"][OVERVIEW]["pages"]), False, True)
    return write_overview(wave, wave_rows(configs, outcomes, today), output, today, key)


def wave_key(wave: str, configs: list[Path], outcomes: dict[str, Outcome], today: dt.date) -> str | None:
    """A hash of everything the overview shows, from the manifests of the packs just built (each holds
    a hash of everything its build read); None when a practice failed or its manifest cannot be read."""
    digest = hashlib.sha256(f"{wave}\0{today.isoformat()}".encode("utf-8"))
    for config in configs:
        outcome = outcomes.get(str(config))
        if outcome is None or outcome.problems or not outcome.folder:
            return None
        try:
            inputs = json.loads((Path(outcome.folder) / MANIFEST).read_text(encoding="utf-8"))["inputs"]
        except (OSError, ValueError, KeyError, TypeError):
            return None
        digest.update(f"\0{config}\0{outcome.folder}\0{outcome.pages}\0{inputs}".encode("utf-8"))
    return digest.hexdigest()


def write_overview(wave: str, rows: list[Row], output: Path, today: dt.date, key: str | None = None) -> Written:
    """Lay out overview.pdf (or take it from the cache when its HTML is unchanged) and publish
    OUTPUT/waves/<wave>/ with wave.ics, wave.csv and a manifest recording `key` (see wave_key)."""
    name = slug(wave)
    folder = output / WAVES / name
    text = render_template(own_template_env(), "wave-overview.html", context(wave, rows, today))
    templates = str(default_dir("templates"))
    html_key = inputs_key(text, templates, (templates,), today)
    cache = Cache(output / CACHE / WAVES / name)
    laid = cache.get(html_key)
    fresh = laid is None
    if laid is None:
        from .render.pdf import Job, lay_out  # WeasyPrint is loaded only when something is laid out

        laid = lay_out(Job(text, f"Wave overview: {wave}", templates, (templates,), today))
        cache.put(html_key, laid)
    cache.prune()
    files = {OVERVIEW: (laid.data, laid.pages, html_key), WAVE_ICS: (wave_ics(wave, rows, today), None, ""),
             WAVE_CSV: (wave_csv(rows), None, "")}
    files = {name: (data, pages, source or hashlib.sha256(data).hexdigest()) for name, (data, pages, source) in files.items()}
    inputs = key or hashlib.sha256(b"\0".join(data for data, _, _ in files.values())).hexdigest()
    if unchanged(folder, inputs) is not None:
        return Written(folder, laid.pages, fresh, True)
    data = {name: data for name, (data, _, _) in files.items()}
    data[MANIFEST] = manifest(files, inputs, 1, laid.read)
    publish(folder, data)
    return Written(folder, laid.pages, fresh, False)


def wave_rows(configs: list[Path], outcomes: dict[str, Outcome], today: dt.date) -> list[Row]:
    """A row for every config of the wave, read again here: the builds ran in other processes."""
    rows = []
    for config in configs:
        outcome = outcomes.get(str(config))
        try:
            practice = load(config)
        except ConfigError as exc:
            rows.append(unread_row(str(config), outcome.reason if outcome is not None else _one_line(exc.problems[0])))
            continue
        except PackgenError as exc:
            rows.append(unread_row(str(config), _one_line(exc.format_message())))
            continue
        c = practice.config
        try:
            pack = prepare(practice, today)
            tasks, letters, count = list(pack.tasks), list(pack.letters), len(pack.sheets)
        except PackgenError:  # its content is wrong: the build failed too, and says why
            tasks, letters, count = build_schedule(c), None, len(printed_sheets(c))
        rows.append(practice_row(str(config), c, tasks, letters, count, outcome))
    return rows


def _one_line(text: str) -> str:
    return " ".join(text.split())


def waves(args: list[Path]) -> list[tuple[str, list[Path]]]:
    """Each folder among `args` that holds practices: its name and its configs, in the order they are
    built. Two folders whose overviews would go in the same place are an error, found before any build."""
    found: list[tuple[str, list[Path]]] = []
    folders: dict[str, Path] = {}
    for arg in args:
        if arg.is_dir():
            configs = [path for path in config_paths([arg])[0] if path.is_file()]
            name = arg.resolve().name
            if not configs or folders.get(slug(name)) == arg.resolve():
                continue
            if slug(name) in folders:
                raise PackgenError(f"{folders[slug(name)]} and {arg.resolve()} would both have their overview in "
                                   f"{WAVES}/{slug(name)}; give the wave folders different names")
            folders[slug(name)] = arg.resolve()
            found.append((name, configs))
    return found
