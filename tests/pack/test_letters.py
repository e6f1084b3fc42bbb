"""Letters to third parties: one notice and one resume letter each, dated by the schedule, printed literally."""

from __future__ import annotations

from packgen.build import build
from packgen.practice.config import KINDS
from packgen.practice.load import load

from ..conftest import BUILD_DATE, MINIMAL, NO_LOGS, flat, laid_out_files, read_pdf, write

ALL_KINDS = "third_parties:\n" + "".join(
    f"  - name: {kind.replace('_', ' ').title()} Service\n    kind: {kind}\n    contact: Links Team\n"
    f"    address: [{kind.title()} House, 1 Long Road, Townley, TN1 1AA]\n"
    for kind in KINDS if kind != "eps"
)
LETTER_KINDS = [kind for kind in KINDS if kind != "eps"]


def test_two_letters_per_party_with_the_right_dates(example_build):
    letters = sorted(p.name for p in (example_build.folder / "letters").glob("*.pdf"))
    assert len(letters) == 18  # 9 parties in the example, two letters each
    assert letters[0] == "01-2026-12-17-notice-docman.pdf"  # 35 days before IDP, to ask for its extracts
    assert [name[:2] for name in letters] == [f"{n:02d}" for n in range(1, 19)]
    dates = [name[3:13] for name in letters]
    assert dates == sorted(dates), "file names sort in sending order"
    pathology = read_pdf(example_build.folder / "letters" / next(n for n in letters if "notice-eastshire-pathology" in n))
    assert pathology.reader.get_num_pages() == 1
    text = pathology.text
    assert "19 February 2027" in text  # dated on its notice deadline: 10 days before its switch-off (a Sunday), moved to Friday
    for line in ["Results Team", "Eastshire Pathology Service", "Eastshire General Hospital", "Hospital Road", "ES1 1AA"]:
        assert line in text, line
    assert "Thursday 4 March 2027" in text and "Tuesday 9 March 2027" in text
    assert "Riverside Medical Centre" in text and "ODS code Y01234" in text and "Jo Bloggs" in text
    resume = read_pdf(example_build.folder / "letters" / next(n for n in letters if "resume-eastshire-pathology" in n))
    assert "9 March 2027" in resume.pages[0].split("Dear")[0]  # dated go-live


def test_every_kind_has_both_letters_on_one_page_each(tmp_path):
    letters = laid_out_files(write(tmp_path / "p.yaml", NO_LOGS + MINIMAL + ALL_KINDS), "letters/")
    assert len(letters) == 2 * len(LETTER_KINDS)
    for kind in LETTER_KINDS:
        name = kind.replace("_", " ").title() + " Service"
        for which in ("notice", "resume"):
            pdf = next(pdf for file, pdf in letters.items() if f"-{which}-{kind.replace('_', '-')}-service" in file)
            assert pdf.reader.get_num_pages() == 1, pdf.path.name
            assert name in pdf.text and "Townley" in pdf.text and "Dear Links Team" in pdf.text
            assert "EMIS Web" in pdf.text and ("Vision" in pdf.text or which == "resume")


def test_names_print_literally(tmp_path):
    party = ("third_parties:\n  - name: \"Tŷ Gwyn & <Partners> 'Ŵyn' \\\"Lab\\\"\"\n    kind: pathology\n"
             "    address: [Heol y Dŵr, Caerdydd]\n")
    name = "'Meddygfa Tŷ & Co <Ltd>'\n  sms_name: Meddygfa Ty"  # ŷ is not in a text message's alphabet
    letters = laid_out_files(write(tmp_path / "p.yaml", NO_LOGS + MINIMAL.replace("Hillside Surgery", name) + party), "letters/")
    letter = letters[min(letters)]
    assert "Tŷ Gwyn & <Partners> 'Ŵyn' \"Lab\"" in letter.text
    assert "Heol y Dŵr" in letter.text
    assert "Meddygfa Tŷ & Co <Ltd>" in letter.text
    assert "&amp;" not in letter.text and "&lt;" not in letter.text
    assert min(letters).endswith("-notice-ty-gwyn-partners-wyn-lab.pdf")


def test_late_notice_is_dated_on_the_build_date_and_flagged(late_build):
    # built on Friday 04/06/2027: the notice was due 7 days before its switch-off on 09/06/2027, Wednesday 02/06/2027
    result = late_build
    notice = next((result.folder / "letters").glob("*-notice-lab.pdf"))
    assert notice.name.startswith("01-2027-06-04-")
    assert any("Send the notice letter to Lab" in w and "Wednesday 2 June 2027" in w for w in map(str, result.warnings))
    pack = read_pdf(result.folder / "cutover-pack.pdf")
    tracking = flat(next(p for p in pack.pages if "Notice due" in flat(p)))
    assert "Wed 02/06/2027" in tracking and "LATE" in tracking


def test_no_third_parties_builds_with_a_warning(small_build):
    result = small_build
    assert "no third parties are listed, so the pack has no letters; add them under third_parties" in map(str, result.warnings)
    assert not (result.folder / "letters").exists()
    assert "No third parties are listed" in read_pdf(result.folder / "cutover-pack.pdf").text


def test_tracking_page_lists_every_party(example_pack):
    page = " ".join(flat(p) for p in example_pack.pages if "Notice due" in flat(p) and "Chased" in p)
    for name in ["Docman", "Eastshire Pathology Service", "Eastshire NHS 111", "TextLink Messaging",
                 "Eastshire Out of Hours Service", "Riverside Pharmacy", "Primary Care Support England"]:
        assert name in page, name


def test_rebuild_removes_letters_that_no_longer_exist(tmp_path):
    path = write(tmp_path / "p.yaml", NO_LOGS + MINIMAL + "third_parties:\n  - name: Docs\n    kind: other\n  - name: Lab\n    kind: pathology\n")
    first = build(load(path), tmp_path / "out", BUILD_DATE)
    assert len(list((first.folder / "letters").iterdir())) == 4
    write(tmp_path / "p.yaml", NO_LOGS + MINIMAL + "third_parties:\n  - name: Lab\n    kind: pathology\n")
    second = build(load(path), tmp_path / "out", BUILD_DATE)
    assert sorted(p.name for p in (second.folder / "letters").iterdir()) == [
        "01-2027-06-02-notice-lab.pdf", "02-2027-06-14-resume-lab.pdf"]
    write(tmp_path / "p.yaml", NO_LOGS + MINIMAL)
    third = build(load(path), tmp_path / "out", BUILD_DATE)
    assert not (third.folder / "letters").exists()
