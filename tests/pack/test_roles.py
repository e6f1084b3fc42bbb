"""Role cards, the patient poster and notice, and the print list: what is handed out reads right."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pdfplumber
import pytest

from packgen.build import build
from packgen.pack.printlist import log_rows
from packgen.pack.roles import DEFAULT_COPIES, ROLES
from packgen.pack.sms import SMS_LIMIT, gsm_length
from packgen.practice.dates import uk_day
from packgen.practice.load import load
from packgen.practice.logs import open_days, printed_sheets
from packgen.practice.schedule import build_schedule, key_dates

from ..conftest import BUILD_DATE, EXAMPLE, MINIMAL, NO_LOGS, ROOT, flat, laid_out_files, print_list, read_pdf, write

# Twelve long names on each card; a practice has one or two practice managers, so their card gets two.
LONG = (NO_LOGS + MINIMAL
        .replace("Hillside Surgery", "The Very Long Named Riverside and Upper Thames Valley Community Health Partnership Practice"
                 "\n  sms_name: Riverside and Upper Thames")  # the text message's name: one SMS
        .replace("{name: Alex Green}", "{name: Dr Alexandra Montgomery-Fothergill-Smythe, phone: 01234 567891}")
        + "roles:\n"
        + "".join(f"  {key}:\n    staff: [{', '.join(f'Staff Member Number {n} With A Long Surname' for n in range(2 if key == 'practice_manager' else 12))}]\n"
                  for key in ROLES))


def card_fits(pdf, title: str) -> None:
    """A card's instructions are on its first page, whole; the words it uses, explained, follow them
    there or, when the page is full, on a second page of their own, whose foot names the card and page."""
    assert len(pdf.pages) <= 2
    assert "Who to ask" in pdf.pages[0]
    if len(pdf.pages) == 2:
        assert pdf.pages[1].split("\n", 1)[0].startswith("Words on this card") or "Words on this card" in pdf.pages[1]
        assert "Words on this card" not in pdf.pages[0]
        assert f"{title}, role card" in flat(pdf.pages[1]) and "Page 2 of 2" in pdf.pages[1]


def test_each_role_card_is_one_page_in_the_example(example_build):
    cards = sorted(p for p in (example_build.folder / "roles").iterdir() if not p.stem.endswith("-large-print"))
    assert [c.name for c in cards] == [f"{n:02d}-{key.replace('_', '-')}.pdf" for n, key in enumerate(ROLES, start=1)]
    for card, (title, _logs, _sheets) in zip(cards, ROLES.values()):
        pdf = read_pdf(card)
        assert len(pdf.pages) == 1, card.name  # the words it uses too
        card_fits(pdf, title)
        text = flat(pdf.text)
        assert title in text and "Riverside Medical Centre" in text
        assert "Thursday 4 March 2027" in text and "Tuesday 9 March 2027" in text
        assert "Who to ask" in text
        assert ("Sam Patel" if title == "Practice manager" else "Jo Bloggs") in text.split("Who to ask")[1]


def test_role_cards_keep_their_instructions_on_one_page_with_long_names(tmp_path):
    cards = laid_out_files(write(tmp_path / "p.yaml", LONG), "roles/")
    assert len(cards) == len(ROLES)
    for (card, pdf), (title, _logs, _sheets) in zip(sorted(cards.items()), ROLES.values()):
        card_fits(pdf, title)
        assert f"Staff Member Number {1 if 'manager' in card else 11} With A Long Surname" in flat(pdf.text)


def test_clinicians_card_lists_their_logs(example_build):
    text = flat(read_pdf(example_build.folder / "roles" / "02-clinicians.pdf").text)
    for log in ["Telephone calls log", "Home visits log", "Referrals log"]:
        assert log in text
    assert "Dr Amira Hassan" in text  # the lead GP is whom clinicians ask


def test_a_named_clinician_s_card_counts_their_own_telephone_sheets_not_the_whole_log_s(tmp_path):
    """Each named clinician has telephone sheets of their own: the card says how many are theirs a day,
    counted from the sheets printed, not all the log's sheets of the day (theirs, the others' and the shared)."""
    text = (NO_LOGS.replace("  telephone: {print: false}\n", "")
            + MINIMAL.replace("  address:", "  list_size: 12000\n  address:")
            + "roles:\n  clinicians: {staff: [Dr Ann Ash, Dr Ben Birch]}\n")
    config = write(tmp_path / "p.yaml", text)
    cards = laid_out_files(config, "roles/")
    printed = printed_sheets(load(config).config)
    day = open_days(load(config).config)[1]  # the first day after FDP day: the clinicians' own sheets start then
    own = sum(1 for sheet in printed if sheet.date == day and sheet.holder == "Dr Ann Ash")
    whole = sum(1 for sheet in printed if sheet.date == day and sheet.log.name == "telephone")
    assert 1 < own < whole  # a test that can tell them apart
    assert own == sum(1 for sheet in printed if sheet.date == day and sheet.holder == "Dr Ben Birch")
    card = flat(cards["roles/02-clinicians.pdf"].text)
    assert re.findall(r"Telephone calls log \(TEL\): (\d+) a day of your own", card) == [str(own)]
    assert f"{whole} a day" not in card


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
            sizes = [round(char["size"], 1) for page in pdf.pages for char in page.chars if char["text"].strip()]
        assert min(sizes) >= 12, card.name  # clear print: nothing under 12 pt
        text = flat(read_pdf(card).text)
        order = [text.index(words) for words in ("What I do on each day", "FDP day, Thursday 4 March 2027",
                                                 "Each day after, to Monday 8 March 2027",
                                                 "Go-live day, Tuesday 9 March 2027", "After go-live",
                                                 "What changes for you", "Your sheets", "Who to ask")]
        assert order == sorted(order), card.name
        assert f"Blank log sheets are kept {config.practice.sheets_kept}." in text, card.name


@pytest.fixture(scope="module")
def staffed(tmp_path_factory):
    """A pack whose config names staff, copies, where the blank sheets are kept, and prints one log
    (one sheet a day of it) and not the registrations card."""
    folder = tmp_path_factory.mktemp("staffed")
    config = write(folder / "p.yaml", NO_LOGS.replace("  telephone: {print: false}\n", "  telephone: {sheets_per_day: 1}\n")
                   + MINIMAL.replace("  address:", "  sheets_kept: in the red box file in the back office\n  address:")
                   + "roles:\n  reception: {staff: [Ann, Bob, Cat]}\n  registrations: {print: false}\n"
                     "  scanning: {staff: [Kim Lowe, Lee Park], copies: 4}\n  clinicians: {staff: [Dr Ray], copies: 2}\n"
                     "poster: {copies: 1}\n")
    return build(load(config), folder / "out", BUILD_DATE)


def test_sheets_kept_and_the_owners_come_from_the_config(staffed):
    result = staffed
    card = flat(read_pdf(result.folder / "roles" / "02-clinicians.pdf").text)
    assert "Blank log sheets are kept in the red box file in the back office." in card
    assert "Kim Lowe (scanning and correspondence) looks after the generic mailbox." in card
    pack = flat(read_pdf(result.folder / "cutover-pack.pdf").text)
    assert "Kim Lowe (scanning and correspondence) looks after the generic mailbox" in pack
    assert "Alex Green (practice manager) updates the tracking database" in pack  # no project manager named


def test_print_list_counts_the_real_pages_on_one_page_in_the_reader_s_words(example_build, example_pack):
    rows, _total = print_list(example_build.folder)  # checks every row's pages against its files
    folder = example_build.folder
    assert rows[0].file == "cutover-pack.pdf" and rows[0].pages == len(example_pack.pages) and rows[0].copies == 1
    assert {row.file for row in rows if row.file.startswith("roles/")} == {f"roles/{p.name}" for p in (folder / "roles").iterdir()}
    # A role with staff named gets one card each; the others their role's default number of copies.
    config = load(EXAMPLE).config
    for key, row in zip(ROLES, (row for row in rows if row.what.startswith("Role card"))):
        staff = getattr(config.roles, key).staff
        if staff:
            assert row.copies == len(staff) and "One each for" in row.what, key
        else:
            assert row.copies == DEFAULT_COPIES[key] and "Each person in this role" in row.what, key
    poster = next(row for row in rows if row.file == "patient-poster.pdf")
    assert poster.copies == 3 and "Waiting room, reception desk and entrance" in poster.what
    assert any(row.file == "patient-notice-large-print.pdf" and row.copies == 1 for row in rows)
    # The sheets by day, then the spares: every sheet once, and no file by log as well
    printed, days = printed_sheets(config), open_days(config)
    logs = [row for row in rows if "logs/" in row.file]
    assert [(row.file, row.pages, row.copies) for row in logs] == [
        (f"logs/{days[0].isoformat()}.pdf to logs/{days[-1].isoformat()}.pdf", sum(not s.spare for s in printed), 1),
        ("logs/spares.pdf", sum(s.spare for s in printed), 1)]
    assert "every serial number must exist once" in logs[0].what and logs[1].what.startswith("Spare log sheets")
    page = next(p for p in example_pack.pages if "Total sheets of paper" in p)
    assert "Not printed" in page and "patient-notice.txt" in page and "timeline.ics" in page  # all on one page
    text = flat(page)
    assert not re.search(r"\b[a-z]+_[a-z_]+\b|(?<![\w-])(?:roles|poster|logs|practice)\.[a-z]", text), "a setting's name"


def test_the_readme_s_print_instructions_name_what_the_print_list_names(example_build):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### How to print the pack", 1)[1].split("\n## ", 1)[0].split("\n### ", 1)[0]
    kinds = [line.split("|")[1].strip() for line in section.splitlines() if line.startswith("| ")][1:]
    assert kinds
    for row in print_list(example_build.folder)[0]:
        assert any(row.what.startswith(kind) for kind in kinds), row.what
    for name in ["patient-notice.txt", "timeline.ics", ".eml", "logs/YYYY-MM-DD.pdf", "logs/<log>.pdf"]:
        assert name in section, name


def test_staff_names_set_copies(staffed):
    result = staffed
    assert not (result.folder / "roles" / "05-registrations.pdf").exists()
    rows = {row.file: row for row in print_list(result.folder)[0]}
    assert rows["roles/01-reception.pdf"].copies == 3 and "One each for Ann, Bob and Cat" in rows["roles/01-reception.pdf"].what
    assert rows["roles/02-clinicians.pdf"].copies == 2 and "Dr Ray, and spares" in rows["roles/02-clinicians.pdf"].what
    assert rows["roles/04-scanning.pdf"].copies == 4
    assert rows["roles/03-prescriptions.pdf"].copies == DEFAULT_COPIES["prescriptions"]
    assert rows["patient-poster.pdf"].copies == 1
    assert "roles/05-registrations.pdf" not in rows


def test_the_print_list_names_one_bundle_a_day_when_the_build_has_them_and_never_both():
    def doc(file: str, title: str = "Sheets: Hillside Surgery") -> SimpleNamespace:
        return SimpleNamespace(key=file, title=title, file=file, in_pack=False)

    specs = [SimpleNamespace(name="telephone"), SimpleNamespace(name="home_visits")]
    by_log = [doc("logs/telephone.pdf"), doc("logs/home-visits.pdf")]
    days = [doc("logs/2027-06-10.pdf"), doc("logs/2027-06-11.pdf")]
    spares = doc("logs/spares.pdf", "Spare log sheets: Hillside Surgery")
    pages = {"logs/telephone.pdf": 5, "logs/home-visits.pdf": 2, "logs/2027-06-10.pdf": 3, "logs/2027-06-11.pdf": 4,
             "logs/spares.pdf": 6}
    rows = log_rows(by_log + days + [spares], pages.__getitem__, SimpleNamespace(log_specs=specs))
    assert [(r.document, r.file, r.pages) for r in rows] == [
        ("Log sheets, one file a day", "logs/2027-06-10.pdf to logs/2027-06-11.pdf", 7),
        ("Spare log sheets", "logs/spares.pdf", 6)]
    assert "Never print the files by log too" in rows[0].for_whom
    [row] = log_rows(by_log, pages.__getitem__, SimpleNamespace(log_specs=specs))
    assert (row.document, row.file, row.pages) == ("Log sheets, one file a log", "the 2 files in logs/", 7)
