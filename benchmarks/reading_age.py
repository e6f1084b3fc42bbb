"""Measure the reading age of the example's patient texts and role cards; write its section of RESULTS.md.

The texts are taken from a build, as readers get them: the poster's and role cards' PDF text, and the
website notice and text message from patient-notice.txt. Each is scored with textstat's Flesch-Kincaid
grade; the UK reading age is the grade plus 5 (grade 6, the last year of primary school, is age 11).

Targets: patient material grade 6 or less (reading age 11 or less); role cards reading age 12 or less.

Run with:  .venv/bin/python -m pip install -e ".[bench]" && .venv/bin/python benchmarks/reading_age.py [OUTPUT_FOLDER]
(without a folder, the example is built into a temporary one)."""

from __future__ import annotations

import datetime as dt
import re
import sys
import tempfile
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import textstat  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from packgen.build import build  # noqa: E402
from packgen.practice.load import load  # noqa: E402

EXAMPLE = ROOT / "practices" / "riverside.yaml"
BUILD_DATE = dt.date(2026, 11, 27)
SECTION = "## Reading age of the patient texts and role cards"
PATIENT_GRADE, CARD_AGE = 6, 12
END = (".", "!", "?", ":")


def sentences(text: str) -> str:
    """PDF text as sentences: bullets dropped, wrapped lines joined, and a heading, label or list item that
    has no full stop given one, so that it is not scored as part of the next sentence."""
    blocks: list[str] = []
    for raw in text.splitlines():
        line = raw.replace("•", " ").strip()
        if not line:
            continue
        previous = blocks[-1] if blocks else ""
        heading = len(previous.split()) <= 8 and line[:1].isupper()  # a short line, then a capital: it ended
        if not blocks or raw.strip().startswith("•") or previous.endswith(END) or heading:
            blocks.append(line)
        else:
            blocks[-1] += " " + line
    return " ".join(block if block.endswith(END) else block + "." for block in blocks)


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def texts(folder: Path) -> dict[str, tuple[str, str]]:
    """Name → (kind, text) of every text measured."""
    notice = (folder / "patient-notice.txt").read_text(encoding="utf-8")
    website, sms = notice.split("Text message:")
    found = {"Poster": ("patient", sentences(pdf_text(folder / "patient-poster.pdf"))),
             "Website notice": ("patient", " ".join(website.split())),
             "Text message": ("patient", " ".join(sms.split()))}
    for card in sorted((folder / "roles").glob("*.pdf")):
        if "large-print" not in card.name:
            found[f"Role card {card.stem}"] = ("card", sentences(pdf_text(card)))
    return found


def score(text: str) -> tuple[float, float]:
    grade = textstat.flesch_kincaid_grade(text)
    return grade, grade + 5


def main() -> None:
    if len(sys.argv) > 1:
        folder = Path(sys.argv[1])
    else:
        out = Path(tempfile.mkdtemp(prefix="reading-age-"))
        folder = build(load(EXAMPLE), out, BUILD_DATE).folder
    lines = [SECTION, "",
             f"`benchmarks/reading_age.py` (textstat {version('textstat')}, Flesch-Kincaid grade; reading age = "
             f"grade + 5), on the example built for {BUILD_DATE.day} {BUILD_DATE:%B %Y}. "
             f"Targets: patient material grade ≤ {PATIENT_GRADE} (reading age ≤ {PATIENT_GRADE + 5}); role cards "
             f"reading age ≤ {CARD_AGE}.", "",
             "| Text | Words | Grade | Reading age | Target |", "|---|---|---|---|---|"]
    missed = 0
    for name, (kind, text) in texts(folder).items():
        grade, age = score(text)
        ok = grade <= PATIENT_GRADE if kind == "patient" else age <= CARD_AGE
        missed += not ok
        target = f"grade ≤ {PATIENT_GRADE}" if kind == "patient" else f"age ≤ {CARD_AGE}"
        lines.append(f"| {name} | {len(text.split())} | {grade:.1f} | {age:.1f} | {target}{'' if ok else ' (missed)'} |")
    section = "\n".join(lines) + "\n"
    print(section)
    path = ROOT / "benchmarks" / "RESULTS.md"
    text = path.read_text(encoding="utf-8")
    before, _, after = text.partition(SECTION)
    rest = re.search(r"^## ", after, re.MULTILINE)
    tail = after[rest.start():] if rest else ""
    path.write_text(before.rstrip("\n") + "\n\n" + section + ("\n" + tail if tail else ""), encoding="utf-8")
    sys.exit(1 if missed else 0)


if __name__ == "__main__":
    main()
