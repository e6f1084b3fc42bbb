"""Each kind of page reads in the order a person reads it.

Two readers, each where it models a person:
- Running text, forms and the letter (`reading`): `pdftotext` without -layout, which follows the
  page's blocks and columns as the eye does, not the order text was drawn in.
- Tables (`drawn`): a person reads the header row, then row by row, each row left to right. That is
  the order of the page's structure tree, which a screen reader follows, and WeasyPrint draws text in
  the same order, so pypdf's extraction (drawing order) gives it. `pdftotext` cannot follow a grid:
  it reads a column whose cells hold only tick boxes after everything to its left, and joins the
  lines of narrow neighbouring cells (the calendar). How a table looks is checked on the page images.

Pages are found by their heading and words of their own (`page_with`), in whichever PDF of the output
holds them, never by page number: the set of pages and files changes. Text is compared `squashed`
(no spaces, hyphens or case), so a line break or a hyphenated word at the end of a line is no
difference; what is compared comes from the config, the schedule and the Markdown sources, so rewording
a page does not break its test."""

from __future__ import annotations

import functools
import re
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from packgen.pack.letters import tracking
from packgen.practice.dates import short_day, uk_day
from packgen.practice.load import load
from packgen.practice.logs import log_specs, open_days, printed_sheets, sheets
from packgen.practice.schedule import CHECKLISTS, build_schedule, grouped, wall_calendar

from ..conftest import EXAMPLE, ROOT, flat

CONTENT = ROOT / "content"


def reading(path: Path, page: int | None = None) -> str:
    """The text of `path` (or of one page) as pdftotext reads it, without -layout."""
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return flat(subprocess.run(["pdftotext", *pages, str(path), "-"], capture_output=True, text=True,
                               check=True).stdout)


@functools.cache
def _pages(path: Path) -> tuple[str, ...]:
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return tuple(flat(page) for page in text.split("\f"))


@functools.cache
def _reader(path: Path) -> PdfReader:
    return PdfReader(path)


def page_with(folder: Path, *words: str) -> tuple[Path, int]:
    """The first page holding all of `words` (its heading and words of its own), in the PDFs of
    `folder`: those at the top (the pack) first, then those in its subfolders, by name."""
    paths = sorted(folder.rglob("*.pdf"), key=lambda p: (len(p.relative_to(folder).parts), str(p)))
    for path in paths:
        for number, text in enumerate(_pages(path), start=1):
            if all(squashed(word) in squashed(text) for word in words):
                return path, number
    raise AssertionError(f"no page of {folder} holds {words}")


def drawn(path: Path, first: int, parts: list[str]) -> list[str]:
    """`in_order` over the text of `path` in drawing order, from page `first` on: pages are added one
    by one until every part is found in order, or the document ends."""
    text = ""
    for page in _reader(path).pages[first - 1:]:
        text += " " + (page.extract_text() or "")
        if not in_order(squashed(text), [squashed(part) for part in parts]):
            return []
    return in_order(squashed(text), [squashed(part) for part in parts])


def squashed(text: str) -> str:
    """`text` without spaces, hyphens or case, and with plain quotes."""
    return re.sub(r"[\s\-\u00ad]+", "", text.replace("\u2019", "'").replace("\u2018", "'")).lower()


def in_order(text: str, parts: list[str]) -> list[str]:
    """The parts of `parts` missing from `text`, or found before the part listed ahead of them."""
    wrong, at = [], -1
    for part in parts:
        found = text.find(part, at + 1)
        if found < 0:
            wrong.append(f"{part!r} not found after {text[max(at, 0):at + 40]!r}")
        else:
            at = found
    return wrong


def source_order(path: Path, words: int = 5) -> list[str]:
    """Each heading of a Markdown file and the first words of each paragraph and list item, in the
    order written: those no template fills in (nothing inside `{% if %}` or `{% for %}`, no
    `{{ value }}`, link or emphasis among the words taken)."""
    parts, depth = [], 0
    for line in path.read_text(encoding="utf-8").splitlines():
        opened = len(re.findall(r"{%-?\s*(?:if|for)\b", line))
        closed = len(re.findall(r"{%-?\s*end(?:if|for)\b", line))
        inside, depth = depth or opened, depth + opened - closed
        text = re.sub(r"^\s*(#+|[-*+]|\d+\.)\s+", "", line).strip()
        first = " ".join(text.split()[:words])
        if inside or not first or re.search(r"[{}\[\]*_`<>|]", first):
            continue
        parts.append(first)
    return parts


def test_a_role_card_reads_title_dates_then_instructions(example_build):
    text = reading(example_build.folder / "roles" / "01-reception.pdf")
    assert in_order(text, [
        "Reception and admin", "What I do on each day",
        "FDP day, Thursday 4 March 2027", "Use EMIS Web as normal until log-off at 6.30pm",
        "Each day after, to Monday 8 March 2027", "Book in EMIS Web",
        "Go-live day, Tuesday 9 March 2027", "Log in to SystmOne", "After go-live",
        "What changes for you", "How to record it", "Do not", "Your sheets",
    ]) == []


def test_a_log_sheet_reads_its_heading_instruction_then_columns_left_to_right(example_build):
    text = reading(example_build.folder / "logs" / "appointments.pdf", 1)
    assert in_order(text, [
        "Thu 04/03/2027", "Appointments log", "APT-2027-03-04-01", "from 6.30pm (after log-off)",
        "Final data production day: until log-off at 6.30pm",
        "Patient name", "Date of birth", "NHS number", "Appointment (date and time)", "With (clinician)",
        "Booked by", "Contains patient-identifiable information",
    ]) == []


def test_a_letter_reads_sender_recipient_date_greeting_body_and_signature(example_build):
    text = reading(example_build.folder / "letters" / "01-2026-12-17-notice-docman.pdf")
    assert in_order(text, [
        "Riverside Medical Centre", "ODS code Y01234", "Migrations Team", "Docman", "BS1 4AA",
        "17 December 2026", "Our reference: Y01234/NOTICE/01", "Dear Migrations Team,",
        "Change of clinical system at Riverside Medical Centre",
        "What we ask:", "Please confirm by Thursday 24 December 2026", "Yours sincerely,", "Jo Bloggs",
        "Practice Manager, Riverside Medical Centre",
    ]) == []


@pytest.fixture(scope="module")
def signoff(example_build) -> str:
    return reading(*page_with(example_build.folder, "Re-entry sign-off", "Tick each statement"))


def test_the_signoff_reads_its_statements_in_order_then_the_signature(signoff):
    assert in_order(signoff, [
        "Tick each statement that is true",
        "Every sheet in the sheet register has been returned",
        "Every daily consultations folder",
        "Every scanning batch",
        "The tracking database shows the go-live date.",
        "Completed sheets are stored securely",
        "Notes and outstanding items:",
        "Signed", "Date", "Name", "Jo Bloggs", "Role", "Practice Manager, Riverside Medical Centre",
    ]) == []


@pytest.fixture(scope="module")
def config():
    return load(EXAMPLE).config


@pytest.fixture(scope="module")
def tasks(config):
    return build_schedule(config)


def title_of(path: Path) -> str:
    """The first heading of a Markdown file."""
    return next(line.lstrip("#").strip() for line in path.read_text(encoding="utf-8").splitlines()
                if line.startswith("#"))


def from_page(path: Path, first: int) -> str:
    """pdftotext's reading of `path` from page `first` to the end."""
    return " ".join(_pages(path)[first - 1:])


def test_the_cover_reads_practice_title_systems_dates_then_contacts(example_build, config):
    path, page = page_with(example_build.folder, "Cut-over guide", f"ODS code {config.practice.ods_code}",
                           config.contacts.practice_manager.name)
    m, c = config.migration, config.contacts
    assert in_order(squashed(_pages(path)[page - 1]), [squashed(part) for part in [
        config.practice.name, config.practice.ods_code, "Cut-over guide", m.source_system, m.target_system,
        uk_day(m.final_data_production), uk_day(m.go_live),
        c.practice_manager.name, c.project_manager.name, c.lead_gp.name, *config.practice.address,
    ]]) == []


def test_the_contents_reads_each_entry_then_its_page(example_build):
    """Entries in the order of the pack, each followed by its page number, not the numbers in a column
    read after the titles."""
    path, page = page_with(example_build.folder, "Contents", "Start here", "Key dates", "Calendar", "Glossary")
    text = from_page(path, page)
    entries = ["Start here", "Key dates", "Calendar", *CHECKLISTS.values(),
               *(title_of(md) for md in sorted((CONTENT / "guidance").glob("*.md"))), "Glossary"]
    at, wrong = 0, []
    for entry in entries:
        found = re.compile(re.escape(entry) + r" \d+ ").search(text, at)
        if found:
            at = found.end()
        else:
            wrong.append(f"{entry!r} and its page not found after {text[at:at + 60]!r}")
    assert wrong == []


def test_the_key_dates_read_heading_then_each_row_what_when_how(example_build, tasks):
    path, page = page_with(example_build.folder, "Key dates", "How it is set")
    by_key = {task.key: task for task in tasks}
    rows = [by_key[key] for key in ("extract_request_idp", "planning_meeting", "go_no_go", "go_live")]
    assert drawn(path, page, ["Key dates", "What", "When", "How it is set",
                              *(part for task in rows for part in (short_day(task.date), task.rule))]) == []


def test_the_guidance_reads_in_the_order_it_is_written(example_build):
    """Every section's heading, subheadings and the first words of its paragraphs and list items, in
    the order of the Markdown files, on whatever pages and in whichever file the guidance is."""
    files = sorted((CONTENT / "guidance").glob("*.md"))
    expected = [part for md in files for part in source_order(md)]
    path, page = page_with(example_build.folder, *source_order(files[0])[:3])  # not the contents
    assert len(expected) > 10 * len(files)
    assert in_order(squashed(from_page(path, page)), [squashed(part) for part in expected]) == []


def test_the_patient_poster_reads_in_the_order_it_is_written(example_build, config):
    poster = CONTENT / "poster.md"
    expected = source_order(poster)
    assert len(expected) > 5
    path, page = page_with(example_build.folder, title_of(poster), expected[-1])
    assert in_order(squashed(_pages(path)[page - 1]), [squashed(part) for part in [
        *expected, config.practice.name]]) == []


def row_of(task) -> list[str]:
    """What a person reads along a row of a checklist."""
    return [short_day(task.date), task.title, task.owner]


def test_each_checklist_reads_its_header_then_its_tasks_row_by_row(example_build, config, tasks):
    checklists = grouped(tasks, config)
    for name, title in CHECKLISTS.items():
        path, page = page_with(example_build.folder, f"Checklist: {title}", "Initials")
        assert drawn(path, page, [f"Checklist: {title}", "Due", "Task", "Owner", "Done", "Initials",
                                  *(part for task in checklists[name] for part in row_of(task))]) == [], name


def test_the_calendar_reads_weekdays_then_day_by_day_each_with_its_own_labels(example_build, config, tasks):
    weeks = wall_calendar(config, tasks)
    path, page = page_with(example_build.folder, "Calendar:", "Monday", "Sunday", "Cut-over")
    expected = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    for day in (day for week in weeks for day in week):
        expected.append(str(day.date.day))
        if day.closed and day.closed not in ("Saturday", "Sunday"):
            expected.append(day.closed)
        expected += ["Cut-over"] * day.cut_over + [text for text, _ in day.labels]
    assert drawn(path, page, expected) == []


def test_the_third_parties_read_party_by_party_each_row_left_to_right(example_build, config, tasks):
    rows = tracking(config, tasks)
    path, page = page_with(example_build.folder, "Third parties", rows[0].party.name, "Switched back on")
    expected = ["Third parties", "Third party", "Notice due", "Sent", "Reply by", "Reminded", "Acts on",
                "Switched back on", "Chased"]
    for row in rows:
        expected += [row.party.name, row.kind_name, short_day(row.notice.date), short_day(row.notice.reply_by),
                     short_day(row.remind.date), row.act_words, short_day(row.switch_off.date),
                     short_day(row.switch_on), short_day(row.chase)]
    assert drawn(path, page, expected) == []


def test_the_sheet_register_reads_log_by_log_then_sheet_by_sheet(example_build, config):
    every = sheets(config)
    path, page = page_with(example_build.folder, "Sheet register", every[0].serial)
    expected = ["Sheet register", "Serial", "Date", "Issued to", "Returned", "Re-entered", "Checked"]
    for spec in log_specs(config):
        expected += [spec.title, *(part for sheet in every if sheet.log == spec
                                   for part in (sheet.serial, short_day(sheet.date)))]
    assert drawn(path, page, expected) == []


def test_the_scanning_checklist_reads_each_item_then_where_it_comes_from(example_build, config):
    path, page = page_with(example_build.folder, "Scanning", "Keep for scanning", "Where it comes from")
    assert drawn(path, page, ["Scanning", "Keep for scanning", "Where it comes from", "Kept", "Scanned",
                              "Out-of-hours reports", f"{config.migration.source_system} and the out-of-hours provider",
                              "NHS 111 messages", "The generic mailbox"]) == []


def test_a_batch_cover_sheet_reads_title_day_instruction_then_sources(example_build, config):
    day = open_days(config)[0]
    path, page = page_with(example_build.folder, "Scanning batch cover sheet", uk_day(day), "Number of items",
                           "Total items in this batch")
    assert drawn(path, page, ["Scanning batch cover sheet", uk_day(day), config.practice.name, "Source",
                              "Number of items", "Scanned by", "Date scanned", "Checked by",
                              "Out-of-hours reports", "NHS 111 messages", "Total items in this batch"]) == []


def test_the_reentry_tracker_reads_each_log_then_its_count(example_build, config):
    specs, every, days = log_specs(config), printed_sheets(config), open_days(config)  # spares are printed too
    path, page = page_with(example_build.folder, "Re-entry tracker", "Sheets printed")
    expected = ["Re-entry tracker", "Log", "Sheets printed", "Sheets returned", "Entries re-entered", "Checked by",
                "Date finished"]
    for spec in specs:
        expected += [spec.title, f"{spec.prefix} serials", str(sum(sheet.log == spec for sheet in every))]
    expected += ["Daily consultation folders", str(len(days)), "Scanning batches", str(len(days))]
    assert drawn(path, page, expected) == []


def test_the_large_print_card_reads_title_dates_then_instructions(example_build, config):
    """The example lists reception under `large_print:`; its card reads as the normal card does, with
    the role's own wording in the order it is written."""
    title, *body = source_order(CONTENT / "roles" / "reception.md")
    path = next((example_build.folder / "roles").glob("*-reception-large-print.pdf"))
    assert in_order(squashed(reading(path)), [squashed(part) for part in [
        "large print", title, *body, "Your sheets", "Who to ask", config.contacts.practice_manager.name,
    ]]) == []
