"""Email drafts beside the letters: they parse back, carry the PDF byte for byte, and no value adds a header."""

from __future__ import annotations

import datetime as dt
from email import message_from_bytes, policy

from hypothesis import given, settings
from hypothesis import strategies as st

from packgen.practice.config import ThirdParty

from packgen.names import slug
from packgen.pack.drafts import draft
from packgen.pack.letters import Letter
from packgen.practice.load import load

from ..conftest import EXAMPLE, MINIMAL, errors_of, flat, print_list, write

HEADERS = {"X-Unsent", "From", "To", "Subject", "MIME-Version", "Content-Type"}


def _parse(data: bytes):
    return message_from_bytes(data, policy=policy.default)


def test_each_letter_with_an_address_has_a_draft_with_its_pdf(example_build):
    letters = example_build.folder / "letters"
    pdfs = sorted(letters.glob("*.pdf"))
    drafts = sorted(letters.glob("*.eml"))
    config = load(EXAMPLE).config
    emails = {party.name: party.email for party in config.third_parties}
    writes_to = [p for p in config.third_parties if p.kind != "eps"]  # eps gets no letter
    assert len(pdfs) == 2 * len(writes_to)
    assert len(drafts) == 2 * len([p for p in writes_to if p.email]) < len(pdfs)  # some go by post
    for pdf in pdfs:
        eml = pdf.with_suffix(".eml")
        party = next(p for p in config.third_parties if pdf.name.endswith(f"-{slug(p.name)}.pdf"))
        assert eml.exists() == (emails[party.name] is not None), pdf.name
        if not eml.exists():
            continue
        message = _parse(eml.read_bytes())
        assert set(message.keys()) == HEADERS
        assert message["X-Unsent"] == "1"
        assert message["To"].addresses[0].addr_spec == party.email
        assert message["From"].addresses[0].addr_spec == config.practice.email
        assert message["Subject"] == flat(message["Subject"])
        attachments = list(message.iter_attachments())
        assert [a.get_filename() for a in attachments] == [pdf.name]
        assert attachments[0].get_content_type() == "application/pdf"
        assert attachments[0].get_content() == pdf.read_bytes()
        note = message.get_body(("plain",)).get_content()
        assert "Dear " in note and "Jo Bloggs" in note and "Riverside Medical Centre" in note


def test_the_notice_draft_says_the_dates_in_words(example_build):
    eml = next((example_build.folder / "letters").glob("*-notice-eastshire-pathology-service.eml"))
    note = flat(_parse(eml.read_bytes()).get_body(("plain",)).get_content())
    assert "Dear Results Team," in note
    assert "The final data production is on Thursday 4 March 2027" in note
    assert "start using SystmOne on Tuesday 9 March 2027" in note
    assert message_subject(eml).startswith("Change of clinical system at Riverside Medical Centre")


def message_subject(path):
    return _parse(path.read_bytes())["Subject"]


def test_letters_without_an_address_go_by_post(example_build, example_pack):
    tracking = flat(" ".join(p for p in example_pack.pages if "Third party" in p and "Chased" in p))
    assert "Out of hours · by post" in tracking and "Community pharmacy · by post" in tracking
    assert "Pathology · by email" in tracking
    posted = [row for row in print_list(example_build.folder)[0] if row.what.startswith("Letters to send by post")]
    assert [row.what for row in posted] == ["Letters to send by post (4) Sign each one and post it on the date in its file name"]
    # the letters with no email draft beside them: out of hours and the pharmacy, notice and resume each
    numbers = sorted(p.name[:2] for p in (example_build.folder / "letters").glob("*.pdf") if not p.with_suffix(".eml").exists())
    assert len(numbers) == 4 and posted[0].file == f"letters/ numbers {', '.join(numbers[:-1])} and {numbers[-1]}"
    assert ".eml files in letters" in next(p for p in example_pack.pages if "Total sheets of paper" in p)


def test_an_address_with_a_line_break_is_a_config_error(tmp_path):
    party = 'third_parties:\n  - {name: Lab, kind: pathology, email: "lab@example.nhs.uk\\nBcc: spy@example.com"}\n'
    path = write(tmp_path / "p.yaml", MINIMAL + party)
    [problem] = errors_of(path)
    assert problem.startswith(f"{path}:13: third_parties.0.email: must be one line of text, without a line break")


def _letter(party: ThirdParty, subject: str) -> Letter:
    day = dt.date(2027, 3, 1)
    return Letter(party, "notice", 1, day, day, day, day, subject, "<p>x</p>")


CONFIG = load(EXAMPLE).config
HOSTILE = st.text(st.sampled_from("ab \r\n\t:<>@,;\"'é\u2028\x0bBcc"), min_size=1, max_size=40).filter(str.strip)


@settings(max_examples=150, deadline=None)
@given(name=HOSTILE, contact=HOSTILE, subject=HOSTILE)
def test_no_value_adds_a_header(name, contact, subject):
    config = CONFIG
    party = ThirdParty.model_construct(name=name, kind="pathology", contact=contact, email="lab@example.nhs.uk",
                                       address=[], phone=None, notice_days=None, switch_off_days_before=None,
                                       provides_extract=None)
    pdf = b"%PDF-1.7\n" + name.encode("utf-8", "replace")
    message = _parse(draft(config, _letter(party, subject), pdf))
    assert set(message.keys()) == HEADERS
    assert message["To"].addresses[0].addr_spec == "lab@example.nhs.uk"
    assert list(message.iter_attachments())[0].get_content() == pdf


def test_a_hostile_address_that_got_past_the_config_gets_no_draft():
    config = load(EXAMPLE).config
    party = ThirdParty.model_construct(name="Lab", kind="pathology", contact=None, email="a@b.example\nBcc: c@d.example",
                                       address=[], phone=None, notice_days=None, switch_off_days_before=None,
                                       provides_extract=None)
    assert draft(config, _letter(party, "Subject"), b"%PDF") is None

