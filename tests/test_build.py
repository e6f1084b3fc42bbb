"""The example pack as a reader sees it: its text, dates, headings and A4 pages."""

from __future__ import annotations

import datetime as dt

import re

import pdfplumber
import pytest
from click.testing import CliRunner

from packgen.build import practice_slug
from packgen.cli import main
from packgen.pack.roles import ROLES
from packgen.practice.dates import uk_day
from packgen.practice.load import load
from packgen.practice.logs import open_days
from packgen.practice.schedule import build_schedule
from packgen.render.content import find
from packgen.render.templates import default_dir

from .conftest import BUILD_DATE, EXAMPLE, MINIMAL, NO_LOGS, flat, read_pdf, write

A4 = (595.28, 841.89)  # points


def test_pack_is_written_under_the_practice_slug(example_build):
    assert example_build.folder.name == "y01234-riverside-medical-centre"
    assert (example_build.folder / "cutover-pack.pdf").is_file()


def test_every_page_is_a4_and_only_the_calendar_and_log_sheets_are_landscape(example_pack):
    texts = example_pack.pages
    for number, page in enumerate(example_pack.reader.pages):
        size = sorted((float(page.mediabox.width), float(page.mediabox.height)))
        assert size == pytest.approx(sorted(A4), abs=1)
        landscape = float(page.mediabox.width) > float(page.mediabox.height)
        is_wide = ("Calendar: December 2026 to March 2027" in texts[number]
                   or re.search(r"Sheet \d+ of \d+ for that day|Spare \d+ of \d+ for this log", texts[number]))
        assert landscape == bool(is_wide), number


def test_cover_names_the_practice_systems_and_dates(example_pack):
    cover = example_pack.pages[0]
    day = uk_day
    cover = " ".join(cover.split())
    for expected in ["Riverside Medical Centre", "ODS code Y01234", "EMIS Web", "SystmOne", "Cut-over guide", "For the practice manager",
                     day(dt.date(2027, 3, 4)), day(dt.date(2027, 3, 9)), f"to the end of {day(dt.date(2027, 3, 8))}",
                     "use EMIS Web as normal until log-off at 6.30pm", "From log-off at 6.30pm on",
                     "Jo Bloggs", "Sam Patel", "built 27 November 2026"]:
        assert expected in cover, expected
    assert re.search(r"packgen \d+\.\d+\.\d+ · config [0-9a-f]{10} · built", cover)


def test_key_dates_are_computed_and_written_dd_mm_yyyy(example_pack):
    text = example_pack.text
    for expected in [
        "Thu 28/01/2027",  # extract request: 35 days before FDP
        "Thu 04/02/2027",  # planning meeting: 28 days before FDP
        "Wed 03/03/2027",  # links off: the day before FDP
        "Mon 15/03/2027",  # fifth working day of re-entry
        "Tue 23/03/2027",  # rotas reach no further than go-live + 14
        "Fri 23/04/2027",  # read-only ends: go-live + 45
        "Mon 07/06/2027",  # support ends: go-live + 90
    ]:
        assert expected in text, expected
    assert not re.search(r"(?<![A-Z]-)(?<!logs/)(?<!logs/\s)\b\d{4}-\d{2}-\d{2}\b", text), \
        "an ISO date reached the page (outside a serial or the name of a day's file of log sheets)"


def test_every_guidance_heading_is_printed_and_in_the_contents(example_pack):
    titles = [path.read_text(encoding="utf-8").splitlines()[0].lstrip("# ").strip()
              for path in find("guidance", [default_dir("content")]).values()]
    assert len(titles) >= 14
    contents = example_pack.pages[2]
    body = "\n".join(example_pack.pages[3:])
    for title in titles:
        assert title in contents, title
        assert title in body, title
    for activity in ["Appointments and rotas", "Consultations", "Home visits", "Telephone calls", "Prescriptions",
                     "Referrals", "Scanning", "Links", "Bowel screening", "111 messages", "Out of hours",
                     "Summarisation and routine data entry"]:
        assert any(t.startswith(activity) for t in titles), activity


# The parts that open with other words than the contents gives them.
OPENS_WITH = {"Checklists": "Checklist: ", "Role cards": "Cut-over role card", "Poster for patients": "We are changing our",
              "Third parties and letters": "Third parties", "Scanning checklist": "Scanning",
              "Re-entry tracker and sign-off": "Re-entry tracker"}


def test_every_contents_entry_is_a_link_to_its_heading_on_the_page_it_names(example_pack):
    reader = example_pack.reader
    number_of = {page.indirect_reference.idnum: number for number, page in enumerate(reader.pages)}
    contents = [n for n, text in enumerate(example_pack.pages) if "Riverside Medical Centre Contents" in text]
    assert contents == list(range(2, 2 + len(contents)))  # after the cover and start here
    printed = [(title, int(page)) for n in contents for line in example_pack.pages[n].splitlines()
               if not re.search(r"\bPage \d+ of \d+$", line) and (found := re.fullmatch(r"(.*\S) (\d+)", line))
               for title, page in [found.groups()]]
    links = []
    for n in contents:
        for annotation in reader.pages[n].get("/Annots", []):
            annotation = annotation.get_object()
            assert annotation["/Subtype"] == "/Link" and "/A" not in annotation  # a link within the pack, no address
            page, fit, _x, y = list(annotation["/Dest"])[:4]
            assert fit == "/XYZ"
            links.append((str(annotation["/Contents"]), number_of[page.idnum], float(y)))
    assert len(printed) > 20
    assert [(title, target + 1) for title, target, _y in links] == printed  # each entry, to the page it prints
    with pdfplumber.open(example_pack.path) as pdf:
        for title, target, y in links:
            page = pdf.pages[target]
            below = page.crop((0, page.height - y - 1, page.width, page.height)).extract_text().splitlines()
            letter = re.fullmatch(r"\d\d/\d\d/\d{4}: (?:notice|resume letter) to (.+)", title)
            if letter:  # a letter opens with the practice's letterhead, then the party's name and address
                assert below[0] == "Riverside Medical Centre" and letter[1] in "\n".join(below), title
                continue
            heading = OPENS_WITH.get(title, re.sub(r" \([A-Z]+\)$", "", title))  # a log's code is on its sheets
            assert any(line.startswith(heading) or line.endswith(heading) for line in below[:2]), (title, below[:2])


def test_guidance_shows_the_practice_values(example_pack):
    body = "\n".join(example_pack.pages[3:])
    assert "EMIS Web" in body and "SystmOne" in body
    assert "{{" not in body and "{%" not in body


def test_the_guide_holds_no_handout_and_every_page_after_the_cover_is_numbered(example_pack):
    pages = example_pack.pages
    # letters, log sheets (dated and spare), role cards and the poster are printed from their own files
    assert not [text for text in pages if "Yours sincerely" in text
                or re.search(r"Sheet \d+ of \d+ for that day|Spare \d+ of \d+ for this log", text)
                or text.startswith("Cut-over role card") or "We are changing our computer" in text]
    for number, text in enumerate(pages, start=1):
        if number > 1:
            assert f"Page {number} of {len(pages)}" in text and "Cut-over guide · ODS Y01234" in text
    outline = [item.title for item in _flatten(example_pack.reader.outline)]
    assert "Key dates" in outline and "Guidance for the cut-over" in outline
    assert "Prescriptions" in outline


def _flatten(outline):
    for item in outline:
        if isinstance(item, list):
            yield from _flatten(item)
        else:
            yield item


def test_each_task_is_listed_once_in_the_guide(example_pack):
    """Each task to tick off is a line of its checklist, and is written nowhere else in the guide."""
    def norm(text: str) -> str:
        return re.sub(r"-\s+", "-", flat(text))  # a line may end at a hyphen

    text = norm(example_pack.text)
    titles = [norm(task.title) for task in build_schedule(load(EXAMPLE).config) if task.action]
    for title in set(titles):
        assert text.count(title) == sum(other.count(title) for other in titles), title


def test_only_liberation_sans_is_embedded(example_pack):
    fonts = set()
    for page in example_pack.reader.pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    assert fonts <= {"Liberation-Sans", "Liberation-Sans-Bold"}, fonts


def test_slug_is_safe_whatever_the_name(tmp_path):
    path = write(tmp_path / "p.yaml", MINIMAL.replace("Hillside Surgery", "'../../St Mary''s & Dr Ŵyn'"))
    assert practice_slug(load(path)) == "b12345-st-mary-s-dr-wyn"


def test_cli_build_prints_what_it_wrote(tmp_path):
    config = write(tmp_path / "p.yaml", NO_LOGS + MINIMAL + "third_parties:\n  - name: Lab\n    kind: pathology\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", str(config), "-o", str(out), "--today", BUILD_DATE.isoformat()])
    assert result.exit_code == 0, result.output
    pack = out / "b12345-hillside-surgery" / "cutover-pack.pdf"
    pages = len(read_pdf(pack).pages)
    covers = len(open_days(load(config).config))  # a batch cover sheet for each day the practice is open
    assert result.output.splitlines() == [
        f"wrote {pack} ({pages} pages)",
        *[f"wrote {card} ({count} page{'s' if count > 1 else ''})"
          for card in [pack.parent / "roles" / f"{n:02d}-{key.replace('_', '-')}.pdf" for n, key in enumerate(ROLES, start=1)]
          for count in [len(read_pdf(card).pages)]],
        f"wrote {pack.parent}/patient-poster.pdf (1 page)",
        f"wrote {pack.parent}/patient-notice-large-print.pdf (1 page)",
        f"wrote {pack.parent}/scanning-batch-cover-sheets.pdf ({covers} page{'s' if covers > 1 else ''})",
        f"wrote {pack.parent}/letters/01-2027-06-02-notice-lab.pdf (1 page)",
        f"wrote {pack.parent}/letters/02-2027-06-14-resume-lab.pdf (1 page)",
        f"wrote {pack.parent}/timeline.ics",
        f"wrote {pack.parent}/patient-notice.txt",
        "laid out 25 of 25 documents",
    ]
    assert read_pdf(pack).pages[0].count("Hillside Surgery") >= 1
    assert sorted(p.name for p in pack.parent.iterdir()) == [
        "cutover-pack.pdf", "letters", "manifest.json", "patient-notice-large-print.pdf", "patient-notice.txt",
        "patient-poster.pdf", "roles", "scanning-batch-cover-sheets.pdf", "timeline.ics"]
    assert not list(pack.parent.rglob(".*"))  # no temporary files left


def test_late_deadlines_are_warned_and_marked(late_build):
    result = late_build
    assert any(w.startswith("LATE: 'Hold the cut-over planning meeting") and "was due on Thursday 13 May 2027" in w
               for w in map(str, result.warnings))
    text = read_pdf(result.folder / "cutover-pack.pdf").text
    assert "LATE" in text


def test_publish_swaps_the_folder_whole_or_not_at_all(tmp_path, monkeypatch):
    import packgen.render.publish
    from packgen.render.publish import publish

    folder = tmp_path / "out" / "b12345-hillside"
    publish(folder, {"cutover-pack.pdf": b"old pack", "letters/01-a.pdf": b"old letter"})
    calls = []
    real = packgen.render.publish.write_new

    def failing(path, data):
        calls.append(path)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real(path, data)

    monkeypatch.setattr(packgen.render.publish, "write_new", failing)
    with pytest.raises(OSError):
        publish(folder, {"cutover-pack.pdf": b"new pack", "letters/01-b.pdf": b"new letter"})
    monkeypatch.undo()
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")) == ["cutover-pack.pdf", "letters", "letters/01-a.pdf"]
    assert (folder / "cutover-pack.pdf").read_bytes() == b"old pack"
    assert [p.name for p in folder.parent.iterdir()] == ["b12345-hillside"]  # no staging folder left
    publish(folder, {"cutover-pack.pdf": b"new pack"})
    assert sorted(p.name for p in folder.iterdir()) == ["cutover-pack.pdf"]  # the old letter is gone
    assert [p.name for p in folder.parent.iterdir()] == ["b12345-hillside"]


def test_handouts_laid_out_alone_are_the_files_a_build_writes(small_build, late_build):
    """Tests about one kind of handout lay out only those (conftest.laid_out_files): the same bytes."""
    from .conftest import LATE, laid_out_files

    for build, prefix, day in ((small_build, "roles/", BUILD_DATE), (small_build, "patient-", BUILD_DATE),
                               (late_build, "letters/", LATE)):
        alone = laid_out_files(build.folder.parent.parent / "p.yaml", prefix, day)
        assert alone, prefix
        for file, pdf in alone.items():
            assert pdf.path.read_bytes() == (build.folder / file).read_bytes(), file
