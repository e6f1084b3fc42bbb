"""NHS content style on every page the example prints: "email", times like 6.30pm, dates in words in running text."""

from __future__ import annotations

import datetime as dt
import re

import pdfplumber
import pytest

from packgen.practice.dates import uk_day
from packgen.practice.load import load
from packgen.practice.schedule import build_schedule, warnings

from ..conftest import EXAMPLE, flat, read_pdf

NUMERIC_DATE = re.compile(r"\b\d{1,2}/\d{1,2}/\d{4}\b")
FORBIDDEN = {
    "e-mail": re.compile(r"\be-mail", re.IGNORECASE),
    "a 24-hour time (18:30)": re.compile(r"\b([01]?\d|2[0-3]):[0-5]\d\b"),
    "a time with a colon or a space before am/pm (6:30pm, 6.30 pm)": re.compile(
        r"\b\d{1,2}:\d\d\s*(am|pm)\b|\b\d{1,2}(\.\d\d)?\s+(am|pm)\b", re.IGNORECASE),
}


def pdfs(folder):
    return sorted(path for path in folder.rglob("*.pdf") if ".cache" not in path.parts)


def test_no_page_of_the_example_uses_a_form_the_nhs_style_forbids(example_build):
    found = []
    for path in pdfs(example_build.folder):
        for number, page in enumerate(read_pdf(path).pages, start=1):
            for what, pattern in FORBIDDEN.items():
                found += [f"{path.name} page {number}: {what}: {m.group(0)!r}" for m in pattern.finditer(page)]
    notice = (example_build.folder / "patient-notice.txt").read_text(encoding="utf-8")
    for what, pattern in FORBIDDEN.items():
        found += [f"patient-notice.txt: {what}: {m.group(0)!r}" for m in pattern.finditer(notice)]
    assert found == []
    assert "18:30" in EXAMPLE.read_text(encoding="utf-8")  # the config's time is there to be turned into 6.30pm


def outside_tables(page) -> list[str]:
    """Words of a page that hold a numeric date and sit outside every ruled table."""
    boxes = [table.bbox for table in page.find_tables()]
    return [word["text"] for word in page.extract_words() if NUMERIC_DATE.search(word["text"])
            and not any(x0 - 1 <= word["x0"] and word["x1"] <= x1 + 1 and top - 1 <= word["top"]
                        and word["bottom"] <= bottom + 1 for x0, top, x1, bottom in boxes)]


def test_numeric_dates_only_in_tables_and_on_log_sheets(example_build):
    found = []
    for path in pdfs(example_build.folder):
        if "logs" in path.relative_to(example_build.folder).parts:
            continue
        # only the pages whose text holds a numeric date at all need their tables found (pdfplumber is slow)
        dated = [number for number, text in enumerate(read_pdf(path).pages, start=1) if NUMERIC_DATE.search(text)]
        if not dated:
            continue
        with pdfplumber.open(path, pages=dated) as pdf:
            for number, page in zip(dated, pdf.pages):
                if page.width > page.height:  # a log sheet (landscape) in the pack: dates are its boxes
                    continue
                found += [f"{path.name} page {number}: {word}" for word in outside_tables(page)]
    assert found == []
    text = (example_build.folder / "patient-notice.txt").read_text(encoding="utf-8")
    assert not NUMERIC_DATE.search(text)


@pytest.mark.parametrize("name", ["letters", "roles"])
def test_letters_and_role_cards_give_dates_in_words(example_build, name):
    for path in pdfs(example_build.folder / name):
        text = flat(read_pdf(path).text)
        assert not NUMERIC_DATE.search(text), path.name
        assert re.search(r"\b\d{1,2} (January|February|March|April|May|June|July|August|September|October|"
                         r"November|December) \d{4}\b", text), path.name


def test_a_late_warning_gives_both_dates_in_words():
    config = load(EXAMPLE).config
    today = dt.date(2027, 3, 1)
    late = [w.message for w in warnings(config, build_schedule(config), today) if w.message.startswith("LATE")]
    assert late
    for message in late:
        assert not NUMERIC_DATE.search(message), message
        assert message.endswith(f"before the pack was built on {uk_day(today)}"), message
