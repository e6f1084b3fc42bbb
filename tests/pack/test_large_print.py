"""Large-print role cards: `large_print:` lists the roles that get one, beside the normal card."""

from __future__ import annotations

import typing

import pdfplumber

from packgen.pack.roles import ROLES
from packgen.practice.config import RoleKey

from ..conftest import MINIMAL, NO_LOGS, errors_of, flat, print_list, read_pdf, write
from ..render.test_accessibility import findings
from ..render.test_reading_order import in_order, reading


def test_a_large_print_card_is_written_beside_the_normal_one_and_counted_in_the_print_list(small_build):
    result = small_build
    large = result.folder / "roles" / "01-reception-large-print.pdf"
    normal = read_pdf(result.folder / "roles" / "01-reception.pdf")
    card = read_pdf(large)
    assert not (result.folder / "roles" / "02-clinicians-large-print.pdf").exists()
    # every word of the card, at 16 pt or more, and the same words as the normal card
    with pdfplumber.open(large) as pdf:
        sizes = [round(char["size"], 1) for page in pdf.pages for char in page.chars if char["text"].strip()]
    assert sizes and min(sizes) >= 16
    # each page's foot names the card and the page, in large print too
    pages = len(card.pages)
    feet = [f"{ROLES['reception'][0]}, large print Page {n} of {pages}" for n in range(1, pages + 1)]
    text = reading(large)
    assert in_order(text, feet) == []
    # the same words in the same reading order (pdftotext joins "log-" and "off" at the end of a line)
    for foot in feet:
        text = text.replace(foot, "")
    words = [flat(text.replace("•", "").replace(", large print", "").replace("-", "")),
             flat(reading(normal.path).replace("•", "").replace("-", ""))]
    assert words[0] == words[1]
    assert len(card.pages) > len(normal.pages)
    # printed from its file, one copy, counted in the print list
    rows = {row.file: row for row in print_list(result.folder)[0]}
    row = rows["roles/01-reception-large-print.pdf"]
    assert row.what == "Large-print role card: Reception and admin Staff in this role who need large print"
    assert (row.pages, row.copies) == (len(card.pages), 1)
    assert findings(large) == []


def test_large_print_names_roles_whose_card_is_printed(tmp_path):
    off = write(tmp_path / "off.yaml", NO_LOGS + MINIMAL + "roles:\n  scanning: {print: false}\nlarge_print: [scanning]\n")
    assert any("large_print" in e and "roles.scanning.print: false" in e for e in errors_of(off))
    unknown = write(tmp_path / "unknown.yaml", NO_LOGS + MINIMAL + "large_print: [receptionist]\n")
    assert any("large_print" in e and "receptionist" in e for e in errors_of(unknown))
    twice = write(tmp_path / "twice.yaml", NO_LOGS + MINIMAL + "large_print: [reception, reception]\n")
    assert any("large_print" in e and "listed twice" in e for e in errors_of(twice))


def test_every_role_can_have_a_large_print_card():
    assert set(typing.get_args(RoleKey)) == set(ROLES)


def min_size(path) -> float:
    with pdfplumber.open(path) as pdf:
        return min(round(char["size"], 1) for page in pdf.pages for char in page.chars if char["text"].strip())


def test_the_patient_notice_in_large_print_holds_the_website_notice(example_build):
    folder = example_build.folder
    path = folder / "patient-notice-large-print.pdf"
    notice = (folder / "patient-notice.txt").read_text(encoding="utf-8")
    website = notice.split("Text message:")[0]
    text = flat(reading(path))
    assert min_size(path) >= 16
    assert text.startswith("Notice to patients") and flat(website).replace("-", "") in text.replace("-", "")
    assert "Text message" not in text
    assert any(row.file == "patient-notice-large-print.pdf" and row.copies == 1 for row in print_list(folder)[0])
