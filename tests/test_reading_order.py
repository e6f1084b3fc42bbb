"""Each kind of page reads in the order a person reads it: text as `pdftotext` gives it without
-layout, which follows the page's blocks and columns rather than where text was drawn."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from .conftest import flat


def reading(path: Path, page: int | None = None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return flat(subprocess.run(["pdftotext", *pages, str(path), "-"], capture_output=True, text=True,
                               check=True).stdout)


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
def signoff(example_build, example_pack) -> str:
    page = next(n for n, text in enumerate(example_pack.pages, start=1) if "Re-entry sign-off" in text
                and "Tick each statement" in text)
    return reading(example_build.folder / "cutover-pack.pdf", page)


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
