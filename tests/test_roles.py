"""Role cards, the patient poster and notice, and the print list: what is handed out reads right."""

from __future__ import annotations


import pdfplumber
import pytest

from packgen.build import build
from packgen.columns import LOGS
from packgen.config import load
from packgen.roles import ROLES

from .conftest import BUILD_DATE, EXAMPLE, MINIMAL, NO_LOGS, flat, read_pdf, write

LONG = (NO_LOGS + MINIMAL
        .replace("Hillside Surgery", "The Very Long Named Riverside and Upper Thames Valley Community Health Partnership Practice")
        .replace("{name: Alex Green}", "{name: Dr Alexandra Montgomery-Fothergill-Smythe, phone: 01234 567891}")
        + "roles:\n"
        + "".join(f"  {key}:\n    staff: [{', '.join(f'Staff Member Number {n} With A Long Surname' for n in range(12))}]\n"
                  for key in ROLES))


def test_each_role_card_is_one_page_in_the_example(example_build):
    cards = sorted((example_build.folder / "roles").iterdir())
    assert [c.name for c in cards] == [f"{n:02d}-{key.replace('_', '-')}.pdf" for n, key in enumerate(ROLES, start=1)]
    for card, (title, _logs, _sheets) in zip(cards, ROLES.values()):
        pdf = read_pdf(card)
        assert len(pdf.pages) == 1, card.name
        text = flat(pdf.text)
        assert title in text and "Riverside Medical Centre" in text
        assert "Thursday 4 March 2027" in text and "Tuesday 9 March 2027" in text
        assert "Whom to ask" in text
        assert ("Sam Patel" if title == "Practice manager" else "Jo Bloggs") in text.split("Whom to ask")[1]


@pytest.fixture(scope="module")
def long_build(tmp_path_factory):
    folder = tmp_path_factory.mktemp("long")
    return build(load(write(folder / "p.yaml", LONG)), folder / "out", BUILD_DATE)


def test_role_cards_fit_one_page_with_long_names(long_build):
    for card in sorted((long_build.folder / "roles").iterdir()):
        pdf = read_pdf(card)
        assert len(pdf.pages) == 1, card.name
        assert "Staff Member Number 11 With A Long Surname" in flat(pdf.text)


def test_clinicians_card_lists_their_logs(example_build):
    text = flat(read_pdf(example_build.folder / "roles" / "02-clinicians.pdf").text)
    for log in ["Telephone calls log", "Home visits log", "Referrals log"]:
        assert log in text
    assert "Dr Amira Hassan" in text  # the lead GP is whom clinicians ask


def test_poster_is_large_print_and_plain_text_notice_is_beside_it(example_build):
    with pdfplumber.open(example_build.folder / "patient-poster.pdf") as pdf:
        assert len(pdf.pages) == 1
        page = pdf.pages[0]
        assert page.width < page.height  # portrait
        sizes = [char["size"] for char in page.chars if char["text"].strip()]
        assert sizes and min(sizes) >= 16
    text = flat(read_pdf(example_build.folder / "patient-poster.pdf").text)
    assert "Riverside Medical Centre" in text and "Tuesday 9 March 2027" in text
    notice = (example_build.folder / "patient-notice.txt").read_text(encoding="utf-8")
    assert "Riverside Medical Centre" in notice and "09/03/2027" in notice
    assert "<" not in notice and "&amp;" not in notice and "{{" not in notice
    sms = notice.split("Text message:", 1)[1].strip()
    assert 0 < len(sms) <= 306


def test_print_list_page_counts_equal_the_real_ones(example_build, example_pack):
    page = flat(next(p for p in example_pack.pages if p.startswith("Print list") or "\nPrint list\n" in p))
    total = len(example_pack.pages)
    assert f"cutover-pack.pdf {total} " in page
    folder = example_build.folder
    for card in sorted((folder / "roles").iterdir()):
        pages = len(read_pdf(card).pages)
        assert f"roles/{card.name} {pages} " in page
    assert f"patient-poster.pdf {len(read_pdf(folder / 'patient-poster.pdf').pages)} " in page
    letters = sum(len(read_pdf(p).pages) for p in (folder / "letters").glob("*.pdf"))
    # each log's file; the files of a day's sheets are the same pages again
    sheets = sum(len(read_pdf(folder / "logs" / f"{name.replace('_', '-')}.pdf").pages) for name in LOGS)
    assert f"letters/ {letters} " in page and f"logs/ {sheets} " in page
    # Poster: 3 copies by default, one already in the pack; role cards: one for each name, one in the pack.
    assert "Patient poster Waiting room, reception desk and entrance patient-poster.pdf 1 2 2" in page
    clinicians = len(load(EXAMPLE).config.roles.clinicians.staff)
    extra = 2 + clinicians - 1  # the poster and the clinicians' card need extra copies in the example
    assert f"Total sheets of A4 paper {total + extra}" in page
    assert f"Page {example_pack.pages.index(next(p for p in example_pack.pages if 'Total sheets of A4 paper' in p)) + 1} of {total}" in page


def test_staff_names_set_copies(tmp_path):
    config = write(tmp_path / "p.yaml", NO_LOGS + MINIMAL + "roles:\n  reception: {staff: [Ann, Bob, Cat]}\n"
                   "  registrations: {print: false}\n  scanning: {copies: 4}\nposter: {copies: 1}\n")
    result = build(load(config), tmp_path / "out", BUILD_DATE)
    assert not (result.folder / "roles" / "05-registrations.pdf").exists()
    pack = read_pdf(result.folder / "cutover-pack.pdf")
    page = flat(next(p for p in pack.pages if "Total sheets of A4 paper" in p))
    assert "Role card: Reception and admin Ann, Bob, Cat roles/01-reception.pdf 1 2 2" in page
    assert "Role card: Scanning and correspondence Staff in this role roles/04-scanning.pdf 1 3 3" in page
    assert "patient-poster.pdf 1 0" in page
    assert f"Total sheets of A4 paper {len(pack.pages) + 5}" in page
