"""The glossary: one page at the end of the guide, explaining every abbreviation the pack prints;
role cards explain the ones they use."""

from __future__ import annotations

import re
from pathlib import Path

import pdfplumber
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from packgen.errors import ContentError
from packgen.pack.fill import fill
from packgen.pack.glossary import Glossary, Term, in_columns, terms_in
from packgen.render.pdf import Job, lay_out
from packgen.pack.model import prepare
from packgen.practice.load import load

from ..conftest import BUILD_DATE, EXAMPLE, MINIMAL, NO_LOGS, ROOT, flat, read_pdf, write

# A word in capitals: two or more capitals, digits, "+" or "&", joined by hyphens (GO-LIVE is one word).
CAPITALS = re.compile(r"\b[A-Z][A-Z0-9+&]+(?:-[A-Z][A-Z0-9+&]+)*\b")
# A code: letters and digits joined by "-" or "/", with a digit in it: a serial (TEL-2027-03-04-02,
# SCAN-2027-03-04) or a letter's reference (Y01234/NOTICE/01). It is data, read whole.
CODE = re.compile(r"\b(?=[A-Z0-9/-]*\d)[A-Z0-9]+(?:[-/][A-Z0-9]+)+\b")


def words_in_capitals(text: str, data: set[str]) -> set[str]:
    """The words in capitals of `text` that are the pack's own: codes are removed, and so are the
    words of the practice's own settings (`data`): its ODS code, postcodes, the names of its systems
    and third parties. Those are what the practice wrote, not words the pack chose. Where the text
    extracted from a PDF runs two blocks together ("CUT-OVERTraining" on the calendar), they are parted."""
    text = re.sub(r"([A-Z]{2})([A-Z][a-z])", r"\1 \2", text)
    return set(CAPITALS.findall(CODE.sub(" ", text))) - data


def setting_words(path: Path) -> set[str]:
    """Every word in capitals in the values of a config file."""
    found: set[str] = set()

    def walk(value: object) -> None:
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str):
            found.update(CAPITALS.findall(value))

    walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    return found


def defined(word: str, glossary: Glossary) -> bool:
    """A term, or a word of one ("NHS" of "NHS number"), in any case ("GO-LIVE" is "Go-live")."""
    names = {name.casefold() for term in glossary.terms for part in term.term.split(", ")
             for name in [part, *part.split()]}
    return word.casefold() in names


@pytest.fixture(scope="module")
def glossary() -> Glossary:
    return prepare(load(EXAMPLE), BUILD_DATE).glossary


def test_every_word_in_capitals_the_pack_prints_is_in_the_glossary(example_build, glossary):
    data = setting_words(EXAMPLE)
    missing = {}
    for path in sorted(example_build.folder.rglob("*.pdf")):
        for word in words_in_capitals(read_pdf(path).text, data):
            if not defined(word, glossary):
                missing.setdefault(word, path.relative_to(example_build.folder).as_posix())
    assert missing == {}
    assert {"FDP", "IDP", "EPS", "MESH", "PDS", "RBAC", "Go-live", "Cut-over", "dm+d", "Spine", "ODS code",
            "Repeat dispensing", "Smartcard", "Generic mailbox", "Tracking database"} <= {t.term for t in glossary.terms}


def test_the_rule_keeps_the_pack_s_words_and_drops_codes_and_settings():
    text = "Serial TEL-2027-03-04-02, reference Y01234/NOTICE/01, EMIS Web at EX1 2MP: FDP, GO-LIVE, CUT-OVERTraining."
    assert words_in_capitals(text, {"EMIS", "EX1", "2MP"}) == {"FDP", "GO-LIVE", "CUT-OVER"}


def test_the_glossary_is_the_last_page_and_prints_every_term(example_pack, glossary):
    reader = example_pack.reader
    starts = {item.title: reader.get_destination_page_number(item) for item in reader.outline if not isinstance(item, list)}
    assert starts["Glossary"] == len(reader.pages) - 1  # one page, the last
    last = flat(example_pack.pages[-1])
    for term in glossary.terms:
        assert f"{term.term}:" in last, term.term
    terms = [term.term.casefold() for term in glossary.terms]
    assert terms == sorted(terms)


def test_each_role_card_explains_the_words_in_capitals_it_uses(example_build):
    """In its "words on this card", or where the card first uses it ("Final data production (FDP)")."""
    data = setting_words(EXAMPLE)
    cards = sorted((example_build.folder / "roles").glob("*.pdf"))
    assert cards
    for card in cards:
        text = flat(read_pdf(card).text)
        body, _, words = text.partition("Words on this card")
        for word in words_in_capitals(body, data):
            assert re.search(rf"\b{re.escape(word)}\b[^:]*:", words) or f"({word})" in body, f"{card.name}: {word}"


def test_a_term_is_found_as_a_whole_word_in_any_case_unless_written_in_capitals():
    glossary = Glossary("Glossary", (Term("FDP", "x"), Term("Go-live", "x"), Term("Smartcard", "x"),
                                     Term("TEL, VIS", "x"), Term("dm+d", "x")))
    found = terms_in("After GO-LIVE, check smartcards and the VIS sheets; fdp and dm+dx are not terms.", glossary)
    assert [term.term for term in found] == ["Go-live", "Smartcard", "TEL, VIS"]
    # explained where it is used: "Home visits log (VIS)" needs no line of its own, unless VIS is used alone too
    assert not terms_in("Fill in the home visits log (VIS).", glossary)
    assert terms_in("Fill in the home visits log (VIS). Keep the VIS sheets.", glossary) == (glossary.terms[3],)
    # a term inside a longer one is not used on its own: "GP Links" is not "GP"
    links = Glossary("Glossary", (Term("GP", "x"), Term("GP Links", "x")))
    assert [term.term for term in terms_in("GP Links pause today.", links)] == ["GP Links"]
    assert [term.term for term in terms_in("GP Links pause; ask the lead GP.", links)] == ["GP", "GP Links"]


def test_a_welsh_glossary_names_the_welsh_services():
    terms = {term.term for term in prepare(load(ROOT / "practices" / "wales-example.yaml"), BUILD_DATE).glossary.terms}
    assert {"WP10", "NWSSP", "NHS 111 Wales"} <= terms
    assert not {"FP10", "PCSE", "NHS 111"} & terms


def test_a_practice_s_glossary_replaces_packgen_s(tmp_path):
    write(tmp_path / "mine" / "glossary.md", "# Words we use\n\n- **Huddle**: the 8am meeting at {{ practice.name }}.\n")
    config = write(tmp_path / "p.yaml", NO_LOGS + MINIMAL + "content: mine\n")
    glossary = prepare(load(config), BUILD_DATE).glossary
    assert glossary == Glossary("Words we use", (Term("Huddle", "the 8am meeting at Hillside Surgery."),))


def test_a_glossary_without_terms_is_an_error_naming_its_file(tmp_path):
    write(tmp_path / "mine" / "glossary.md", "# Glossary\n\nFDP means final data production.\n")
    config = write(tmp_path / "p.yaml", NO_LOGS + MINIMAL + "content: mine\n")
    with pytest.raises(ContentError) as caught:
        prepare(load(config), BUILD_DATE)
    assert "glossary.md: no terms found" in caught.value.message


def height(terms: tuple[Term, ...], chars: int) -> float:
    """A column's height in lines, as in_columns estimates it: each term's words wrapped at `chars`."""
    total = 0.0
    for term in terms:
        lines, used = 1, 0
        for word in f"{term.term}: {term.meaning}".split():
            lines, used = (lines + 1, len(word)) if used and used + 1 + len(word) > chars else (lines, used + len(word) + bool(used))
        total += lines + 0.25
    return total


words = st.text(alphabet="abcdefghij", min_size=1, max_size=14)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(words, min_size=1, max_size=40).map(" ".join), max_size=60), st.integers(20, 60),
       st.integers(5, 80))
def test_terms_in_columns_keep_their_order_and_are_balanced_when_they_fit(meanings, chars, lines):
    terms = tuple(Term(f"T{n}", meaning) for n, meaning in enumerate(meanings))
    columns = in_columns(terms, chars, lines)
    if columns is None:  # left to CSS columns
        assert height(terms, chars) > 2 * lines
        return
    left, right = columns
    assert left + right == terms  # every term, in order: down the first column, then the second
    biggest = max((height((term,), chars) for term in terms), default=0)
    assert abs(height(left, chars) - height(right, chars)) <= biggest + 1e-9  # within one term of each other


def glossary_pdf(folder: Path, settings: str) -> Path:
    """The glossary of MINIMAL with `settings`, laid out alone, as a PDF file."""
    pc = load(write(folder / "p.yaml", NO_LOGS + MINIMAL + settings))
    filled = fill(pc, BUILD_DATE)
    [doc] = [doc for doc in filled.documents if doc.title.startswith("Glossary")]
    laid = lay_out(Job(filled.html[doc.key], doc.title, str(pc.base_dir), tuple(map(str, pc.trust.folders)), BUILD_DATE, True))
    (folder / "glossary.pdf").write_bytes(laid.data)
    return folder / "glossary.pdf"


def test_a_glossary_longer_than_a_page_prints_every_term_in_order_from_below_its_heading(tmp_path):
    terms = [f"Term {n:03d}: {'word ' * (3 + n * 7 % 30)}end." for n in range(150)]
    write(tmp_path / "mine" / "glossary.md", "# Glossary\n\n" + "".join(f"- **{t.split(':')[0]}**:{t.split(':')[1]}\n" for t in terms))
    pdf = read_pdf(glossary_pdf(tmp_path, "content: mine\n"))
    assert "Term 000:" in pdf.pages[0]
    printed = re.findall(r"Term (\d{3}):", pdf.text)
    assert printed == [f"{n:03d}" for n in range(150)]  # read down the left column, then the right, page by page


def test_a_practice_s_own_glossary_template_of_one_list_prints_in_two_columns(tmp_path):
    # As a practice wrote it before packgen balanced the columns itself: one list, class glossary-terms.
    write(tmp_path / "templates" / "parts" / "glossary.html",
          '<section class="glossary part" id="part-glossary"><h1>{{ glossary.title }}</h1>\n'
          '<ul class="glossary-terms">{% for term in glossary.terms %}<li><strong>{{ term.term }}</strong>: '
          '{{ term.meaning|safe }}</li>{% endfor %}</ul></section>\n')
    with pdfplumber.open(glossary_pdf(tmp_path, "templates: templates\n")) as pdf:
        page = pdf.pages[0]
        starts = {round(word["x0"]) for word in page.extract_words(extra_attrs=["fontname"]) if word["fontname"].endswith("Bold")}
    middle = page.width / 2
    assert any(x < middle for x in starts) and any(x > middle for x in starts)  # terms in both halves
