"""Shared fixtures: the example practice's pack is built once per test session, however many processes
run the tests (see `shared_folder`)."""

from __future__ import annotations

import datetime as dt
import fcntl
import gc
import os
import re
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import pdfplumber
import pytest
from pypdf import PdfReader

from packgen.build import build
from packgen.errors import ConfigError
from packgen.overview import wave_rows, waves, write_overview
from packgen.pack.fill import fill
from packgen.practice.columns import LOGS
from packgen.practice.load import load
from packgen.render.pdf import Job, lay_out
from packgen.wave import Outcome

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "practices" / "riverside.yaml"
BUILD_DATE = dt.date(2026, 11, 27)
WAVE = ROOT / "practices" / "wave-eastshire-2027"
FAILURE = "practices/wave-eastshire-2027/millbrook-health-centre.yaml:1: content: the pack could not be laid out"


@dataclass
class BuiltPdf:
    """A PDF as a reader sees it: pages, their text and sizes."""

    path: Path
    reader: PdfReader

    @cached_property
    def pages(self) -> list[str]:
        """Each page's text as poppler's pdftotext reads it, in the order it is drawn (`-raw`): what
        a reader copying from the page gets. Ten times faster than pypdf's, for the same words."""
        text = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(self.path), "-"], check=True,
                              capture_output=True).stdout.decode("utf-8")
        pages = text.split("\f")[:-1]
        assert len(pages) == len(self.reader.pages), self.path
        return pages

    @cached_property
    def text(self) -> str:
        return "\n".join(self.pages)


def flat(text: str) -> str:
    """Text with every run of whitespace made one space: table cells wrap where a reader doesn't care."""
    return " ".join(text.split())


def read_pdf(path: Path) -> BuiltPdf:
    """The PDF at `path`, read once for as long as the file stays the same (the example's 350 pages are
    read by several tests, and extracting their text is slow)."""
    info = path.stat()
    return _read_pdf(path, info.st_ino, info.st_mtime_ns, info.st_size)


@lru_cache(maxsize=512)
def _read_pdf(path: Path, inode: int, modified: int, size: int) -> BuiltPdf:
    return BuiltPdf(path, PdfReader(path))


@dataclass(frozen=True)
class PrintRow:
    """One row of the guide's print list, as printed."""

    what: str  # what to print, then for whom
    file: str
    pages: int
    copies: int
    paper: int


def print_list(folder: Path) -> tuple[list[PrintRow], int]:
    """The rows and total of the print list in `folder`'s guide, each checked against the files beside
    it: a row's pages are the real pages of the files it names, and its paper is pages times copies."""
    guide = folder / "cutover-pack.pdf"
    # pdfplumber reads the table; only on the pages whose text (as read_pdf keeps it) holds the total
    candidates = [number for number, text in enumerate(read_pdf(guide).pages) if "Total sheets" in text]
    with pdfplumber.open(guide, pages=[number + 1 for number in candidates]) as pdf:
        [table] = [page.extract_table() for page in pdf.pages if "Total sheets of paper" in (page.extract_text() or "")]
    def cell(text: str | None) -> str:
        return re.sub(r"/\n(?=\d)", "/", (text or "").replace("-\n", "-")).replace("\n", " ")  # logs/⏎2027-…

    rows = [PrintRow(cell(what), cell(file), int(pages), int(copies), int(paper))
            for what, file, pages, copies, paper in table[1:-1]]
    total = int(table[-1][-1])
    for row in rows:
        if row.file.startswith("letters/ numbers "):
            numbers = re.findall(r"\d+", row.file)
            files = [path for path in (folder / "letters").glob("*.pdf") if path.name[:2] in numbers]
            assert len(files) == len(numbers), row
        elif match := re.fullmatch(r"logs/(\S+)\.pdf to logs/(\S+)\.pdf", row.file):  # the files by day
            files = [path for path in sorted((folder / "logs").glob("*.pdf"))
                     if re.fullmatch(r"\d{4}-\d{2}-\d{2}", path.stem) and match.group(1) <= path.stem <= match.group(2)]
            assert files[0].stem == match.group(1) and files[-1].stem == match.group(2), row
        elif match := re.fullmatch(r"the (\d+) files in logs/", row.file):
            files = sorted((folder / "logs").glob("*.pdf"))
            assert len(files) == int(match.group(1)), row
        else:
            files = [folder / row.file]
        assert row.pages == sum(len(read_pdf(path).reader.pages) for path in files), row
        assert row.paper == row.pages * row.copies, row
    assert total == sum(row.paper for row in rows)
    return rows, total


@contextmanager
def shared_folder(factory: pytest.TempPathFactory, name: str) -> Iterator[Path]:
    """A folder of the test session's, held by this process alone until the block ends.

    Under pytest-xdist each worker is a process of its own with its own session fixtures; the folder is
    then one for all of them, in the run's temporary folder, so that what is built there is built once:
    the first worker builds, and a later one, once it holds the lock, finds the build in place and
    unchanged (packgen reads its manifest and lays out nothing)."""
    root = factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the run's folder, above each worker's own
    folder = root / name
    folder.mkdir(exist_ok=True)
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield folder


@pytest.fixture(scope="session")
def example_build(tmp_path_factory: pytest.TempPathFactory):
    """The example practice's pack, as shipped: every sheet its list size asks for."""
    with shared_folder(tmp_path_factory, "example") as out:
        return build(load(EXAMPLE), out, BUILD_DATE)


@pytest.fixture(scope="session")
def example_wave(tmp_path_factory):
    """The example wave's overview, as `packgen build` writes it after its practices: Brookside
    built, Millbrook failed (the packs themselves are not needed for the overview)."""
    (name, configs), = waves([WAVE])
    brookside, millbrook = configs
    outcomes = {str(brookside): Outcome(str(brookside), "out/y02345-brookside-surgery", 90),
                str(millbrook): Outcome(str(millbrook), problems=(FAILURE,), exit_code=1)}
    rows = wave_rows(configs, outcomes, BUILD_DATE)
    out = tmp_path_factory.mktemp("wave")
    written = write_overview(name, rows, out, BUILD_DATE)
    return name, rows, out, written


@pytest.fixture(scope="session")
def small_build(tmp_path_factory):
    """A small practice's pack (MINIMAL, with no log sheets): no third parties, and a large-print card
    for reception."""
    with shared_folder(tmp_path_factory, "small") as folder:
        return build(load(write(folder / "p.yaml", NO_LOGS + MINIMAL + "large_print: [reception]\n")), folder / "out",
                     BUILD_DATE)


LATE = dt.date(2027, 6, 4)  # a week before MINIMAL's FDP: most deadlines, and the Lab's notice, have passed


@pytest.fixture(scope="session")
def late_build(tmp_path_factory):
    """MINIMAL with one third party, built late (on LATE)."""
    with shared_folder(tmp_path_factory, "late") as folder:
        config = write(folder / "p.yaml", NO_LOGS + MINIMAL + "third_parties:\n  - name: Lab\n    kind: pathology\n")
        return build(load(config), folder / "out", LATE)


@pytest.fixture(scope="session")
def example_pack(example_build) -> BuiltPdf:
    return read_pdf(example_build.folder / "cutover-pack.pdf")


def laid_out_files(config: Path, prefix: str, today: dt.date = BUILD_DATE) -> dict[str, BuiltPdf]:
    """The files of a practice's pack whose names start with `prefix` ("letters/", "roles/"), laid out as
    its build lays them out, without the rest of the pack: for tests about one kind of handout. A build
    writes these same bytes to these names (`test_handouts_laid_out_alone_are_the_files_a_build_writes`)."""
    pc = load(config)
    filled = fill(pc, today)
    roots = tuple(str(root) for root in pc.trust.folders)
    found = {}
    for doc in filled.documents:
        if doc.file and doc.file.startswith(prefix):
            assert not doc.second_pass, doc.title  # its page numbers would be provisional
            path = config.parent / "alone" / doc.file
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(lay_out(Job(filled.html[doc.key], doc.title, str(pc.base_dir), roots, today, True)).data)
            found[doc.file] = read_pdf(path)
    return found


def errors_of(path: Path) -> list[str]:
    """The one-line problems loading `path` reports; fails the test when it loads."""
    with pytest.raises(ConfigError) as caught:
        load(path)
    return caught.value.problems


def write(path: Path, text: str) -> Path:
    """Write a test file, making its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


MINIMAL = """\
practice:
  name: Hillside Surgery
  ods_code: B12345
  address: [1 Hill Road, Upton, UP1 1AA]
contacts:
  practice_manager: {name: Alex Green}
migration:
  source_system: Vision
  target_system: EMIS Web
  final_data_production: 2027-06-10
  go_live: 2027-06-14
"""

# Appended to MINIMAL by tests about something else, so they need not lay out dozens of log sheets.
NO_LOGS = "logs:\n" + "".join(f"  {name}: {{print: false}}\n" for name in LOGS)



@pytest.fixture(autouse=True)
def _settled_heap() -> None:
    """What is alive between tests (the session's builds, the PDFs read and kept) is left out of Python's
    garbage collections: they scan every tracked object, and with a test process's heap full of parsed
    PDFs each collection took long enough to make a build five times slower. The garbage of the tests
    before is collected first, so only what is still in use is set aside."""
    gc.collect()
    gc.freeze()
