"""Reproducible and incremental builds: same inputs, same bytes; a change lays out only what it touches."""

from __future__ import annotations

import datetime as dt
import json
import shutil

import pikepdf
import pytest
from click.testing import CliRunner
from pikepdf import PdfImage
from PIL import Image
from pypdf import PdfReader

from packgen.build import build
from packgen.cli import main
from packgen.pack.roles import ROLES
from packgen.practice.dates import uk_day
from packgen.practice.load import load
from packgen.trust import default_dir

from ..conftest import BUILD_DATE, MINIMAL, NO_LOGS, write

CONFIG = NO_LOGS + MINIMAL + "third_parties:\n  - name: Lab\n    kind: pathology\n    address: [1 Lab Road]\n"

# The documents of this config: the guide's 14, and beside it 6 role cards, the poster, the patient notice
# in large print, the scanning batch cover sheets and 2 letters.
DOCUMENTS = 25


def snapshot(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def first(tmp_path_factory):
    """CONFIG built once from scratch in a folder `work`, and a copy of that folder as it was then: each
    test starts from the copy (see `copy_of`)."""
    base = tmp_path_factory.mktemp("first")
    built = build(load(write(base / "work" / "p.yaml", CONFIG)), base / "work" / "out", BUILD_DATE, jobs=1)
    shutil.copytree(base / "work", base / "pristine", symlinks=True)
    return built


def copy_of(first):
    """The config and output folder of the first build, cache and all, as they were after it, in the same
    place (a laid-out document is kept for the folder its relative addresses were read from); each test
    changes them as it likes."""
    work = first.folder.parent.parent
    shutil.rmtree(work)
    shutil.copytree(work.parent / "pristine", work, symlinks=True)
    return work / "p.yaml", work / "out"


def test_same_inputs_give_identical_bytes_and_an_unchanged_rebuild_lays_out_nothing(first):
    path, out = copy_of(first)
    assert len(first.laid_out) == first.documents == DOCUMENTS
    before = snapshot(first.folder)
    again = build(load(path), out, BUILD_DATE)
    assert again.unchanged and again.laid_out == []
    assert snapshot(again.folder) == before
    manifest = json.loads((again.folder / "manifest.json").read_text())
    assert set(manifest["files"]) == set(before) - {"manifest.json"}
    assert manifest["files"]["cutover-pack.pdf"]["pages"] == again.files["cutover-pack.pdf"]
    forced = build(load(path), out, BUILD_DATE, force=True, jobs=2)
    # byte-identical: every document laid out again (the first build's one at a time, this one's two at
    # a time)
    assert len(forced.laid_out) == DOCUMENTS and snapshot(forced.folder) == before


def test_a_changed_address_lays_out_only_that_partys_letters(first):
    path, out = copy_of(first)
    old = json.loads((first.folder / "manifest.json").read_text())["files"]
    write(path, CONFIG.replace("1 Lab Road", "2 Lab Road"))
    second = build(load(path), out, BUILD_DATE)
    # The two letters, and the cover, which prints a hash of the config file.
    assert sorted(second.laid_out) == [
        "Change of clinical system at Hillside Surgery (B12345): please stop electronic results on "
        f"{uk_day(dt.date(2027, 6, 9))} (Lab)",
        "Cover: Hillside Surgery",
        "Hillside Surgery (B12345) is live on EMIS Web: please resume electronic results (Lab)"]
    new = json.loads((second.folder / "manifest.json").read_text())["files"]
    changed = sorted(name for name in new if new[name]["source"] != old[name]["source"])
    assert changed == ["cutover-pack.pdf", "letters/01-2027-06-02-notice-lab.pdf", "letters/02-2027-06-14-resume-lab.pdf"]
    notice = PdfReader(second.folder / "letters/01-2027-06-02-notice-lab.pdf").pages[0].extract_text()
    assert "2 Lab Road" in notice
    letter = "\n".join(page.extract_text() for page in
                       PdfReader(second.folder / "letters/01-2027-06-02-notice-lab.pdf").pages)
    assert "2 Lab Road" in letter and "1 Lab Road" not in letter
    cached = sorted(p.name for p in (out / ".cache" / second.folder.name).iterdir())
    # A PDF and a JSON for each document, the first drafts of start here, the contents and the print
    # list, the page numbers and the guide; nothing of the first build that this one did not use.
    assert len(cached) == 2 * (DOCUMENTS + 3 + 1 + 1)


def test_the_cli_says_how_many_documents_were_laid_out(first):
    # What it says after laying out every document is in test_build.test_cli_build_prints_what_it_wrote.
    path, out = copy_of(first)
    args = ["build", str(path), "-o", str(out), "--today", BUILD_DATE.isoformat()]
    write(path, CONFIG.replace("1 Lab Road", "2 Lab Road"))
    assert CliRunner().invoke(main, args).output.splitlines()[-1] == f"laid out 3 of {DOCUMENTS} documents; {DOCUMENTS - 3} unchanged since the last build"
    folder = out / "b12345-hillside-surgery"
    kept = len(json.loads((folder / "manifest.json").read_text())["files"])  # every file but the manifest
    assert CliRunner().invoke(main, args).output.splitlines() == [
        f"nothing changed since the last build: kept {folder} as it is ({kept} files)"]


def test_cache_damage_is_noticed_and_laid_out_again(first):
    path, out = copy_of(first)
    before = snapshot(first.folder)
    # The role cards' entries (each entry is checked on its own: some stand for any number)
    damaged = [meta.with_suffix(".pdf") for meta in sorted((out / ".cache").rglob("*.json"))
               if any(anchor.startswith("part-role-") for anchor in json.loads(meta.read_text())["anchors"])]
    assert len(damaged) == len(ROLES)
    for entry in damaged:
        entry.write_bytes(b"not a pdf")
    (out / first.folder.name / "patient-poster.pdf").unlink()  # the folder no longer matches its manifest
    again = build(load(path), out, BUILD_DATE)
    assert not again.unchanged
    assert sorted(again.laid_out) == sorted(f"{title}: role card, Hillside Surgery" for title, *_ in ROLES.values())
    assert snapshot(again.folder) == before
    assert all(entry.read_bytes().startswith(b"%PDF-") for entry in damaged)  # stored again, whole


def test_edited_wording_lays_out_only_the_document_that_shows_it(first):
    path, out = copy_of(first)  # its cache spares laying out what the content does not change
    own = path.parent / "my-content" / "guidance"
    own.mkdir(parents=True)
    write(own / "10-about-the-cut-over.md", "# About the cut-over\n\nRead this first.\n")
    write(path, CONFIG + "content: my-content\n")
    build(load(path), out, BUILD_DATE)
    write(own / "10-about-the-cut-over.md", "# About the cut-over\n\nRead all of this first.\n")
    second = build(load(path), out, BUILD_DATE)
    assert not second.unchanged
    assert second.laid_out == ["Guidance for the cut-over: Hillside Surgery"]
    pack = "\n".join(page.extract_text() for page in PdfReader(second.folder / "cutover-pack.pdf").pages)
    assert "Read all of this first." in pack


def test_a_build_on_another_day_records_that_day_in_every_pdf(first):
    path, out = copy_of(first)
    day = BUILD_DATE + dt.timedelta(days=1)
    later = build(load(path), out, day)
    pdfs = sorted(later.folder.rglob("*.pdf"))
    assert pdfs and {p.name: PdfReader(p).metadata.creation_date.date() for p in pdfs} == {p.name: day for p in pdfs}


# A practice's own letter template, signed with an image it shows by a relative address (read from the
# config's folder), and its own cover, in the guide, showing the same image; CONFIG's two letters and the
# cover are the documents that show it.
SHOWN = ["Change of clinical system at Hillside Surgery (B12345): please stop electronic results on "
         f"{uk_day(dt.date(2027, 6, 9))} (Lab)", "Cover: Hillside Surgery",
         "Hillside Surgery (B12345) is live on EMIS Web: please resume electronic results (Lab)"]
NOTICE = "letters/01-2027-06-02-notice-lab.pdf"
SIZE = (37, 23)  # of the image: no other image of the pack has it


def signed(path, src, colour):
    """CONFIG with `templates: templates`, whose letter and cover show the image `src` (made here, all `colour`)."""
    image = f'<img src="{src}" alt="Signature">'
    for name, mark in (("letter.html", '<div class="sign-space"></div>'), ("cover.html", '<div class="cover-head">')):
        template = (default_dir("templates") / "parts" / name).read_text(encoding="utf-8")
        assert mark in template
        write(path.parent / "templates" / "parts" / name, template.replace(mark, mark + image))
    paint(path.parent / src, colour)
    return write(path, CONFIG + "templates: templates\n")


def paint(path, colour):
    Image.new("RGB", SIZE, colour).save(path)


def signatures(pdf):
    """The colour of each signature image the PDF shows, page by page."""
    with pikepdf.open(pdf) as document:
        return [PdfImage(image).as_pil_image().convert("RGB").getpixel((0, 0))
                for page in document.pages for image in page.get_images().values()
                if (int(image.Width), int(image.Height)) == SIZE]


@pytest.mark.parametrize("src", ["sig.png", "templates/sig.png"])  # beside the config; in its templates folder
def test_a_changed_image_is_shown_and_only_the_documents_that_show_it_are_laid_out(first, src):
    path, out = copy_of(first)
    folder = build(load(signed(path, src, "red")), out, BUILD_DATE).folder
    assert signatures(folder / NOTICE) == signatures(folder / "cutover-pack.pdf") == [(255, 0, 0)]
    paint(path.parent / src, "blue")
    again = build(load(path), out, BUILD_DATE)
    assert not again.unchanged and sorted(again.laid_out) == SHOWN
    assert signatures(folder / NOTICE) == signatures(folder / "cutover-pack.pdf") == [(0, 0, 255)]


def test_a_removed_image_is_the_error_a_first_build_gives(first):
    path, out = copy_of(first)
    build(load(signed(path, "sig.png", "red")), out, BUILD_DATE)
    (path.parent / "sig.png").unlink()
    args = ["build", str(path), "-o", str(out), "--today", BUILD_DATE.isoformat()]
    again, forced = (CliRunner().invoke(main, args + extra) for extra in ([], ["--force"]))
    assert again.exit_code == forced.exit_code != 0
    assert again.output == forced.output and len(again.output.splitlines()) == 1 and "sig.png" in again.output


def test_the_same_practice_in_another_folder_shows_that_folders_image(first, tmp_path):
    # The same config and templates, so the same HTML, built into the same output folder: the relative
    # address leads to another file.
    path, out = copy_of(first)
    build(load(signed(path, "sig.png", "red")), out, BUILD_DATE)
    moved = tmp_path / "moved"
    shutil.copytree(path.parent, moved, ignore=shutil.ignore_patterns("out"))
    paint(moved / "sig.png", "blue")
    again = build(load(moved / "p.yaml"), out, BUILD_DATE)
    assert not again.unchanged and signatures(again.folder / NOTICE) == [(0, 0, 255)]
