"""Role cards, the patient poster and notice, and the print list: what is handed out reads right."""

from __future__ import annotations


import re

import pdfplumber
import pytest

from packgen.build import build
from packgen.config import load
from packgen.dates import uk_day
from packgen.roles import ROLES
from packgen.schedule import build_schedule, key_dates
from packgen.sms import SMS_LIMIT, gsm_length

from .conftest import BUILD_DATE, EXAMPLE, MINIMAL, NO_LOGS, flat, read_pdf, write

LONG = (NO_LOGS + MINIMAL
        .replace("Hillside Surgery", "The Very Long Named Riverside and Upper Thames Valley Community Health Partnership Practice"
                 "\n  sms_name: Riverside and Upper Thames")  # the text message's name: one SMS
        .replace("{name: Alex Green}", "{name: Dr Alexandra Montgomery-Fothergill-Smythe, phone: 01234 567891}")
        + "roles:\n"
        + "".join(f"  {key}:\n    staff: [{', '.join(f'Staff Member Number {n} With A Long Surname' for n in range(12))}]\n"
                  for key in ROLES))


def test_each_role_card_is_one_page_in_the_example(example_build):
    cards = sorted(p for p in (example_build.folder / "roles").iterdir() if not p.stem.endswith("-large-print"))
    assert [c.name for c in cards] == [f"{n:02d}-{key.replace('_', '-')}.pdf" for n, key in enumerate(ROLES, start=1)]
    for card, (title, _logs, _sheets) in zip(cards, ROLES.values()):
        pdf = read_pdf(card)
        assert len(pdf.pages) == 1, card.name
        text = flat(pdf.text)
        assert title in text and "Riverside Medical Centre" in text
        assert "Thursday 4 March 2027" in text and "Tuesday 9 March 2027" in text
        assert "Who to ask" in text
        assert ("Sam Patel" if title == "Practice manager" else "Jo Bloggs") in text.split("Who to ask")[1]


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
    assert "Riverside Medical Centre" in notice and "Tuesday 9 March 2027" in notice
    assert "<" not in notice and "&amp;" not in notice and "{{" not in notice
    sms = notice.split("Text message:", 1)[1].strip()
    assert 0 < gsm_length(sms) <= SMS_LIMIT


def test_patient_material_answers_patients_questions(example_build):
    """Urgent help (the surgery's number while open; 111 closed, 999 in an emergency), the date to order repeat
    medicines by, the online services by the names patients know, paper prescriptions, and other formats."""
    config = load(EXAMPLE).config
    dates = key_dates(config, build_schedule(config))
    folder = example_build.folder
    notice = (folder / "patient-notice.txt").read_text(encoding="utf-8")
    website, sms = (flat(part) for part in notice.split("Text message:"))
    for text in (flat(read_pdf(folder / "patient-poster.pdf").text), website):
        assert re.search(r"while we are open, call us on 01234.567890", text), text
        assert "When we are closed, call NHS 111 on 111" in text and "In an emergency, call 999" in text
        assert f"order your repeat medicines by {uk_day(dates['repeat_order_by'])}" in text
        assert "the NHS App and PatientAccess Online" in text
        assert "paper prescription" in text and "large print" in text
    assert "by 25 February" in sms and "NHS App" in sms and "01234 567890" in sms and "111 if closed" in sms


def test_role_cards_start_with_each_day_and_end_with_where_the_sheets_are_and_who_to_ask(example_build):
    config = load(EXAMPLE).config
    for card in sorted((example_build.folder / "roles").iterdir()):
        with pdfplumber.open(card) as pdf:
            sizes = [round(char["size"], 1) for char in pdf.pages[0].chars if char["text"].strip()]
        assert min(sizes) >= 12, card.name  # clear print: nothing under 12 pt
        text = flat(read_pdf(card).text)
        order = [text.index(words) for words in ("What I do on each day", "FDP day, Thursday 4 March 2027",
                                                 "Each day after, to Monday 8 March 2027",
                                                 "Go-live day, Tuesday 9 March 2027", "After go-live",
                                                 "What changes for you", "Your sheets", "Who to ask")]
        assert order == sorted(order), card.name
        assert f"Blank log sheets are kept {config.practice.sheets_kept}." in text, card.name


def test_sheets_kept_and_the_owners_come_from_the_config(tmp_path):
    config = write(tmp_path / "p.yaml", NO_LOGS.replace("  telephone: {print: false}\n", "") + MINIMAL.replace(
        "  address:", "  sheets_kept: in the red box file in the back office\n  address:")
        + "roles:\n  scanning: {staff: [Kim Lowe, Lee Park]}\n")
    result = build(load(config), tmp_path / "out", BUILD_DATE)
    card = flat(read_pdf(result.folder / "roles" / "02-clinicians.pdf").text)
    assert "Blank log sheets are kept in the red box file in the back office." in card
    assert "Kim Lowe (scanning and correspondence) looks after it." in card
    pack = flat(read_pdf(result.folder / "cutover-pack.pdf").text)
    assert "Kim Lowe (scanning and correspondence) looks after the generic mailbox" in pack
    assert "Alex Green (practice manager) updates the tracking database" in pack  # no project manager named


def test_print_list_page_counts_equal_the_real_ones(example_build, example_pack):
    page = flat(" ".join(p for p in example_pack.pages if "Document, and for whom" in p))  # the print list, on its pages
    total = len(example_pack.pages)
    assert f"cutover-pack.pdf {total} " in page
    folder = example_build.folder
    for card in sorted((folder / "roles").iterdir()):
        pages = len(read_pdf(card).pages)
        assert f"roles/{card.name} {pages} " in page
    assert f"patient-poster.pdf {len(read_pdf(folder / 'patient-poster.pdf').pages)} " in page
    letters = sum(len(read_pdf(p).pages) for p in (folder / "letters").glob("*.pdf"))
    sheets = sum(len(read_pdf(p).pages) for p in (folder / "logs").iterdir())
    assert f"letters/ {letters} " in page and f"logs/ {sheets} " in page
    # Poster: 3 copies by default, one already in the pack; role cards: one each, in the pack.
    assert "Patient poster Waiting room, reception desk and entrance patient-poster.pdf 1 2 2" in page
    # and one copy of each large-print card, which is not in the pack
    extra = 2 + sum(len(read_pdf(card).pages) for card in (folder / "roles").glob("*-large-print.pdf"))
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
