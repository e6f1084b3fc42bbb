"""The example pack as a reader sees it: its text, dates, headings and A4 pages."""

from __future__ import annotations

import datetime as dt

import re

import pytest
from click.testing import CliRunner

from packgen.build import build, practice_slug
from packgen.cli import main
from packgen.config import load
from packgen.content import find
from packgen.dates import uk_day
from packgen.logs import printed_sheets
from packgen.render import default_dir
from packgen.roles import ROLES

from .conftest import BUILD_DATE, EXAMPLE, MINIMAL, NO_LOGS, read_pdf, write

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
    for expected in ["Riverside Medical Centre", "ODS code Y01234", "EMIS Web", "SystmOne", "Cut-over pack",
                     day(dt.date(2027, 3, 4)), day(dt.date(2027, 3, 9)), f"to the end of {day(dt.date(2027, 3, 8))}",
                     "use EMIS Web as normal until log-off at 6.30pm", "From log-off at 6.30pm on",
                     "Jo Bloggs", "Sam Patel", "built 27/11/2026"]:
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
    assert not re.search(r"(?<![A-Z]-)\b\d{4}-\d{2}-\d{2}\b", text), "an ISO date reached the page (outside a serial)"


def test_every_guidance_heading_is_printed_and_in_the_contents(example_pack):
    titles = [path.read_text(encoding="utf-8").splitlines()[0].lstrip("# ").strip()
              for path in find("guidance", [default_dir("content")]).values()]
    assert len(titles) >= 14
    contents = example_pack.pages[1]
    body = "\n".join(example_pack.pages[2:])
    for title in titles:
        assert title in contents, title
        assert title in body, title
    for activity in ["Appointments and rotas", "Consultations", "Home visits", "Telephone calls", "Prescriptions",
                     "Referrals", "Scanning", "Links", "Bowel screening", "111 messages", "Out of hours",
                     "Summarisation and routine data entry"]:
        assert any(t.startswith(activity) for t in titles), activity


def test_guidance_shows_the_practice_values(example_pack):
    body = "\n".join(example_pack.pages[3:])
    assert "EMIS Web" in body and "SystmOne" in body
    assert "{{" not in body and "{%" not in body


def test_footer_counts_pages_and_bookmarks_list_sections(example_pack):
    pages = example_pack.pages
    letters = [text for text in pages if "Yours sincerely" in text]
    sheets = [text for text in pages if re.search(r"Sheet \d+ of \d+ for that day|Spare \d+ of \d+ for this log", text)]
    handouts = [text for text in pages if text.startswith("Cut-over role card") or "Thank you for your patience" in text]
    # 9 parties, two letters each; every log sheet, dated and spare, once
    assert len(letters) == 18 and len(sheets) == len(printed_sheets(load(EXAMPLE).config)) and len(handouts) == 7
    for number, text in enumerate(pages, start=1):
        if number > 1 and text not in letters + sheets + handouts:  # handed out or sent: no pack footer
            assert f"Page {number} of {len(pages)}" in text
    outline = [item.title for item in _flatten(example_pack.reader.outline)]
    assert "Key dates" in outline and "Guidance for the cut-over" in outline
    assert "Prescriptions" in outline


def _flatten(outline):
    for item in outline:
        if isinstance(item, list):
            yield from _flatten(item)
        else:
            yield item


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
    assert result.output.splitlines() == [
        f"wrote {pack} ({pages} pages)",
        *[f"wrote {pack.parent}/roles/{n:02d}-{key.replace('_', '-')}.pdf (1 page)" for n, key in enumerate(ROLES, start=1)],
        f"wrote {pack.parent}/patient-poster.pdf (1 page)",
        f"wrote {pack.parent}/patient-notice-large-print.pdf (1 page)",
        f"wrote {pack.parent}/letters/01-2027-06-02-notice-lab.pdf (1 page)",
        f"wrote {pack.parent}/letters/02-2027-06-14-resume-lab.pdf (1 page)",
        f"wrote {pack.parent}/timeline.ics",
        f"wrote {pack.parent}/patient-notice.txt",
        "laid out 23 of 23 documents",
    ]
    assert read_pdf(pack).pages[0].count("Hillside Surgery") >= 1
    assert sorted(p.name for p in pack.parent.iterdir()) == [
        "cutover-pack.pdf", "letters", "manifest.json", "patient-notice-large-print.pdf", "patient-notice.txt",
        "patient-poster.pdf", "roles", "timeline.ics"]
    assert not list(pack.parent.rglob(".*"))  # no temporary files left


def test_late_deadlines_are_warned_and_marked(tmp_path):
    path = write(tmp_path / "p.yaml", NO_LOGS + MINIMAL)
    result = build(load(path), tmp_path / "out", today=BUILD_DATE.replace(year=2027, month=6, day=1))
    assert any(w.startswith("LATE: 'Hold the cut-over planning meeting") and "was due Thursday 13 May 2027" in w
               for w in map(str, result.warnings))
    text = read_pdf(result.folder / "cutover-pack.pdf").text
    assert "LATE" in text


def test_publish_swaps_the_folder_whole_or_not_at_all(tmp_path, monkeypatch):
    import packgen.build
    from packgen.build import publish

    folder = tmp_path / "out" / "b12345-hillside"
    publish(folder, {"cutover-pack.pdf": b"old pack", "letters/01-a.pdf": b"old letter"})
    calls = []
    real = packgen.build.write_new

    def failing(path, data):
        calls.append(path)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real(path, data)

    monkeypatch.setattr(packgen.build, "write_new", failing)
    with pytest.raises(OSError):
        publish(folder, {"cutover-pack.pdf": b"new pack", "letters/01-b.pdf": b"new letter"})
    monkeypatch.undo()
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")) == ["cutover-pack.pdf", "letters", "letters/01-a.pdf"]
    assert (folder / "cutover-pack.pdf").read_bytes() == b"old pack"
    assert [p.name for p in folder.parent.iterdir()] == ["b12345-hillside"]  # no staging folder left
    publish(folder, {"cutover-pack.pdf": b"new pack"})
    assert sorted(p.name for p in folder.iterdir()) == ["cutover-pack.pdf"]  # the old letter is gone
    assert [p.name for p in folder.parent.iterdir()] == ["b12345-hillside"]
