"""A practice, read: its config validated, and the pack it asks for small enough to make."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..errors import ConfigError
from ..limits import MAX_LOG_SHEETS, MAX_PAGES
from .config import PracticeConfig, read
from .logs import DEFAULT_LIST_SIZE, log_specs, open_days, printed_sheets
from .yamlfile import Key


def load(path: str | Path, roots: Iterable[str | Path] = ()) -> PracticeConfig:
    """The practice config at `path` (see config.read), refused with a ConfigError if its pack would be too big."""
    practice = read(path, roots)
    within_page_limit(practice)
    return practice


FIXED_PAGES = 30  # cover, contents, guidance, timeline, calendar, checklists, role cards, poster...


def within_page_limit(practice: PracticeConfig) -> None:
    """Refuse settings that would make a pack of more than MAX_PAGES pages, or one log of more than
    MAX_LOG_SHEETS sheets (a log's sheets are laid out as one document), naming the setting to change.

    Counted before anything is laid out: one page per log sheet and per letter, plus the fixed parts."""
    config = practice.config
    specs = {spec.name: spec for spec in log_specs(config)}
    printed = printed_sheets(config)
    per_log: dict[str, int] = {}
    for sheet in printed:
        per_log[sheet.log.name] = per_log.get(sheet.log.name, 0) + 1
    letters = 2 * len(config.third_parties)
    total = FIXED_PAGES + letters + sum(per_log.values())
    days = len(open_days(config))

    def setting(log: str) -> tuple[Key, str]:
        """Where a log's sheets a day come from, and what that is, for a message."""
        if specs[log].expected is None:
            return ("logs", log, "sheets_per_day"), ""
        size = config.practice.list_size
        basis = f"{size:,} patients" if size else f"{DEFAULT_LIST_SIZE:,} patients, as practice.list_size is not set"
        return ("practice", "list_size"), f" ({specs[log].day_sheets} a day for {basis})"

    for log, count in per_log.items():
        if count > MAX_LOG_SHEETS:  # one log's sheets are one document, laid out in one worker
            key, basis = setting(log)
            raise ConfigError([f"{practice.where(key)}: {count:,} {log.replace('_', ' ')} log sheets over {days} "
                               f"open days{basis} are more than one log may print ({MAX_LOG_SHEETS}); lower "
                               f"logs.{log}.sheets_per_day or shorten the cut-over"])
    if total <= MAX_PAGES:
        return
    if per_log and max(per_log.values()) >= letters:
        log = max(per_log, key=lambda name: per_log[name])
        key, _basis = setting(log)
        why = (f"{per_log[log]:,} {log.replace('_', ' ')} log sheets for {days} open days; lower "
               f"logs.{log}.sheets_per_day, stop printing some logs or shorten the cut-over")
    else:
        key, why = ("third_parties",), f"{letters:,} letters to third parties; split the third parties between packs"
    raise ConfigError([f"{practice.where(key)}: the pack would have more than {MAX_PAGES:,} pages "
                       f"(at least {total:,}, with {why}"
                       f")"])
