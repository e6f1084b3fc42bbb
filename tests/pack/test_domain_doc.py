"""docs/domain.md: every place its coverage table names is really in the example pack."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest

from packgen.pack.model import content_folders, context
from packgen.practice.config import json_schema
from packgen.practice.load import load
from packgen.practice.schedule import slug
from packgen.render.content import load_sections, markdown_env

from ..conftest import BUILD_DATE, EXAMPLE, ROOT, flat, read_pdf

DOC = ROOT / "docs" / "domain.md"
# The guide's pages the table must cover, by the start of their heading in the document.
GROUPS = ["03 ", "04 ", "05 ", "06 ", "07 ", "Training", "Migration key phases"]
# Documents of the guide a "where" entry may name (as the contents prints them).
DOCUMENTS = {"Start here", "Print list", "Key dates", "Calendar", "Checklists", "Third parties", "Paper log sheets",
             "Sheet register", "Scanning checklist", "Re-entry tracker and sign-off", "Glossary"}
# Places beside the guide: files, as named in the table.
FILES = {"patient-notice.txt": "patient-notice.txt", "timeline.ics": "timeline.ics", "Poster for patients": "patient-poster.pdf",
         "Scanning batch cover sheets": "scanning-batch-cover-sheets.pdf"}
SEP = " › "


@dataclass(frozen=True)
class Row:
    group: str
    number: str
    instruction: str
    where: list[str]
    page: str
    note: str


def rows(text: str) -> list[Row]:
    """The table rows of every group, with the "where" cell split into its entries."""
    found, group = [], ""
    for line in text.splitlines():
        if line.startswith("## "):
            group = line[3:].strip()
        elif line.startswith("| ") and not line.startswith("| # |"):
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            assert len(cells) == 5, line
            number, instruction, where, page, note = cells
            found.append(Row(group, number, instruction, [w.strip() for w in where.split(";")], page, note))
    return found


TABLE = rows(DOC.read_text(encoding="utf-8"))


def test_every_guide_page_has_its_group_and_rows_are_numbered_once():
    groups = {row.group for row in TABLE}
    for start in GROUPS:
        assert any(group.startswith(start) for group in groups), start
    numbers = [row.number for row in TABLE]
    assert len(numbers) == len(set(numbers))
    # One row for each of the fifteen key phases.
    assert [n for n in numbers if n.startswith("K.")] == [f"K.{i:02d}" for i in range(1, 16)]


def test_every_row_says_where_or_why_not():
    for row in TABLE:
        assert row.instruction and row.where and all(row.where), row.number
        if "Not carried" in row.where:
            assert row.note, f"{row.number}: 'Not carried' needs a note saying why"
        else:
            assert re.fullmatch(r"\d+", row.page), f"{row.number}: page {row.page!r}"


def guidance_sections(pack: Any) -> dict[str, list[str]]:
    """Each guidance section's printed lines (running heads and footers removed), by its title."""
    pc = load(EXAMPLE)
    sections = load_sections("guidance", content_folders(pc), context(pc, BUILD_DATE).values(), markdown_env(pc.trust))
    titles = [section.title for section in sections]
    heads = {f"{pc.config.practice.name} {title}" for title in titles + ["Guidance for the cut-over"]}
    body = []
    for page in pack.pages:
        lines = page.splitlines()
        if not heads & {line.strip() for line in lines}:
            continue
        body += [line for line in lines if line.strip() not in heads and not line.startswith("Cut-over guide · ODS")
                 and not re.fullmatch(r"Page \d+ of \d+", line.strip())]
    # A section starts at the line that is its title alone (its heading), the first after the section before.
    starts, at = [], 0
    for title in titles:
        at = next(i for i in range(at, len(body)) if body[i].strip() == title)
        starts.append(at)
    return {title: [line.strip() for line in body[start:end]]
            for title, start, end in zip(titles, starts, starts[1:] + [len(body)])}


def _setting_exists(dotted: str) -> bool:
    schema = json_schema()
    node: dict[str, Any] = schema["else"]  # the complete config (a file with `extends` is the same, all optional)
    for part in dotted.split("."):
        while "$ref" in node or "items" in node or "anyOf" in node:
            if "$ref" in node:
                node = schema["$defs"][node["$ref"].rsplit("/", 1)[1]]
            elif "items" in node:
                node = node["items"]
            else:
                node = next(option for option in node["anyOf"] if "$ref" in option or "properties" in option)
        if part not in node.get("properties", {}):
            return False
        node = node["properties"][part]
    return True


@pytest.fixture(scope="module")
def guidance(example_pack) -> dict[str, list[str]]:
    return guidance_sections(example_pack)


def test_every_place_named_is_in_the_example_pack(guidance, example_pack, example_build):
    whole = flat(example_pack.text)
    for row in TABLE:
        for entry in row.where:
            parts = entry.split(SEP)
            where = f"docs/domain.md {row.number}: {entry!r}"
            if parts[0] == "Guidance":
                assert 2 <= len(parts) <= 3, where
                assert parts[1] in guidance, f"{where}: no guidance section {parts[1]!r}"
                if len(parts) == 3:
                    assert parts[2] in guidance[parts[1]], f"{where}: no heading {parts[2]!r} in that section"
            elif parts[0] in DOCUMENTS:
                for part in parts:
                    assert flat(part) in whole, f"{where}: {part!r} is not in the pack"
            elif parts[0] == "Letters":
                kind, _, party = parts[1].partition(" to ")
                assert len(parts) == 2 and kind in {"notice", "resume letter"}, where
                name = f"-{kind.split()[0]}-{slug(party)}.pdf"
                assert any(path.name.endswith(name) for path in (example_build.folder / "letters").iterdir()), where
            elif parts[0] == "Role cards":
                assert len(parts) == 2, where
                assert any(flat(read_pdf(card).text).count(parts[1]) for card in (example_build.folder / "roles").iterdir()), where
            elif parts[0] == "Setting":
                assert len(parts) == 2 and _setting_exists(parts[1]), f"{where}: no such config key"
            elif entry in FILES:
                assert (example_build.folder / FILES[entry]).is_file(), where
            else:
                assert entry in {"Not carried", "Build warning"}, f"{where}: not a place the table knows"


def test_the_check_catches_a_stale_entry(guidance):
    assert "Sign off" in guidance["Checking the data before FDP"]
    assert "Sign off" not in guidance["Home visits"]
    assert not _setting_exists("migration.no_such_key") and _setting_exists("third_parties.notice_days")
