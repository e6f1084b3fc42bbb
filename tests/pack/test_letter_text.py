"""What each letter says, read as its recipient would: rendered in-process (no layout), checked against the schedule."""

from __future__ import annotations

import html
import re

import pytest

from packgen.names import slug
from packgen.pack.model import prepare
from packgen.practice.config import KINDS
from packgen.practice.dates import uk_day
from packgen.practice.load import load
from packgen.practice.schedule import Calendar

from ..conftest import BUILD_DATE, EXAMPLE, MINIMAL, ROOT, write

DAY = uk_day  # however the pack writes a date in running text
LETTER_KINDS = [kind for kind in KINDS if kind != "eps"]
PARTIES = "third_parties:\n" + "".join(
    f"  - {{name: {kind.replace('_', ' ').title()} Service, kind: {kind}}}\n" for kind in LETTER_KINDS)


def text_of(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


@pytest.fixture(scope="module")
def every_kind(tmp_path_factory):
    folder = tmp_path_factory.mktemp("kinds")
    pc = load(write(folder / "p.yaml", MINIMAL + PARTIES + "  - {name: Old EPS, kind: eps}\n"))
    return pc, prepare(pc, BUILD_DATE)


def letters_of(ctx, kind: str, which: str):
    return [letter for letter in ctx.letters if letter.party.kind == kind and letter.kind == which]


@pytest.mark.parametrize("kind", LETTER_KINDS)
@pytest.mark.parametrize("which", ["notice", "resume"])
def test_each_letter_asks_one_thing_from_one_date_with_one_reply_by(every_kind, kind, which):
    pc, ctx = every_kind
    m, cal = pc.config.migration, Calendar(pc.config.migration.holidays)
    (letter,) = letters_of(ctx, kind, which)
    text = text_of(letter.body)
    assert text.count("What we ask:") == 1, text
    assert text.count("Please confirm by") == 1, text
    assert f"Please confirm by {DAY(letter.reply_by)}" in text
    assert letter.reply_by >= cal.add_working_days(letter.date, 3)
    if which == "notice":
        assert letter.reply_by < letter.switch_off
    for name in (m.source_system, m.target_system, pc.config.practice.ods_code):
        assert name in text, name
    assert DAY(m.go_live) in text
    assert "EPS service desk" not in text.lower()
    assert not re.search(r"(stop|switch off|switches off)[^.]*(\bEPS\b|Electronic Prescription)", text, re.IGNORECASE)


def test_eps_gets_no_letter_and_one_warning(every_kind):
    pc, ctx = every_kind
    assert not [letter for letter in ctx.letters if letter.party.kind == "eps"]
    assert not [row for row in ctx.tracking if row.party.kind == "eps"]
    found = [w.message for w in ctx.warnings if "eps" in w.message.lower()]
    assert len(found) == 1 and "pharmacy" in found[0] and "repeat-dispensing" in found[0]


def test_every_notice_names_the_date_its_tracking_row_and_reminder_give(every_kind):
    pc, ctx = every_kind
    tasks = ctx.task_by_key
    for letter in letters_of(ctx, "pathology", "notice") + letters_of(ctx, "subsidiary_supplier", "notice") + \
            letters_of(ctx, "bowel_screening", "notice") + letters_of(ctx, "sms_provider", "notice") + \
            letters_of(ctx, "online_services", "notice") + letters_of(ctx, "other", "notice") + \
            letters_of(ctx, "pcse", "notice"):
        key = slug(letter.party.name)
        assert letter.switch_off == tasks[f"switch_off:{key}"].date
        assert DAY(letter.switch_off) in text_of(letter.body), letter.party.kind
        assert letter.date == tasks[f"notify:{key}"].date < tasks[f"remind:{key}"].date < letter.switch_off


@pytest.mark.parametrize("kind", ["nhs111", "out_of_hours"])
def test_111_and_out_of_hours_are_asked_where_messages_go_not_to_switch_off(every_kind, kind):
    pc, ctx = every_kind
    for letter in letters_of(ctx, kind, "notice") + letters_of(ctx, kind, "resume"):
        text = text_of(letter.body + letter.subject)
        assert not re.search(r"switch(es)? off|stop sending|please stop", text, re.IGNORECASE), text
        assert f"to {pc.config.migration.target_system} from {DAY(pc.config.migration.go_live)}" in text
    notice = text_of(letters_of(ctx, kind, "notice")[0].body)
    assert "We are not asking you to stop" in notice and "routed" in notice


def test_pharmacy_is_told_on_the_windows_first_day_what_the_window_means(every_kind):
    pc, ctx = every_kind
    dates = ctx.dates
    (letter,) = letters_of(ctx, "pharmacy", "notice")
    assert letter.date == dates["prescribing_from"] == dates["pharmacy_notice"]
    text = text_of(letter.body + letter.subject)
    for key in ("prescribing_from", "prescribing_until", "cancel_repeat_dispensing", "reissue_repeat_dispensing"):
        assert DAY(dates[key]) in text, key
    assert "Electronic Prescription Service is not switched off" in text
    assert "FP10" in text


def test_registration_letter_gives_the_one_pause_date_and_the_mesh_mailbox(every_kind):
    pc, ctx = every_kind
    dates = ctx.dates
    (letter,) = letters_of(ctx, "pcse", "notice")
    text = text_of(letter.body)
    assert letter.switch_off == dates["links_off"] and letter.date == dates["pcse_form"]
    assert (dates["links_off"] - letter.date).days >= 14
    assert f"Pause from: {DAY(dates['links_off'])}" in text and f"Resume on: {DAY(dates['go_live'])}" in text
    assert "MESH mailbox" in text and "FP69" in text and "no GP Links transactions" in text
    pause_days = set(re.findall(r"pause (?:from|on) ([A-Z][a-z]+day (?:\d{1,2} [A-Z][a-z]+ \d{4}|\d\d/\d\d/\d{4}))", " ".join(
        text_of(x.body) for x in ctx.letters) + " ".join(t.title for t in ctx.tasks)))
    assert pause_days <= {DAY(dates["links_off"]), dates["links_off"].strftime("%d/%m/%Y")}, pause_days


def test_the_registration_form_note_is_printed_in_england(example_build):
    from ..conftest import read_pdf

    path = next((example_build.folder / "letters").glob("*-notice-primary-care-support-england.pdf"))
    assert "online form" in " ".join(read_pdf(path).text.split())


def wales_text() -> tuple[str, str]:
    pc = load(ROOT / "practices" / "wales-example.yaml")
    ctx = prepare(pc, BUILD_DATE)
    parts = [letter.subject + " " + letter.body for letter in ctx.letters]
    parts += [role.wording.html for role in ctx.roles] + [ctx.poster.html, ctx.patient_notice]
    parts += [section.html for section in ctx.guidance] + [t.title for t in ctx.tasks]
    parts += [w.message for w in ctx.warnings] + [row.kind_name for row in ctx.tracking]
    return text_of(" ".join(parts)), " ".join(p.name for p in pc.config.third_parties)


def test_a_welsh_pack_names_welsh_services_only():
    text, listed = wales_text()
    for name in ("PCSE", "Primary Care Support England", "NHS England"):
        assert name not in text or name in listed, name
    for name in ("NWSSP", "NHS 111 Wales", "WP10"):
        assert name in text, name


def test_nation_comes_from_the_ods_code_unless_set(tmp_path):
    welsh = load(write(tmp_path / "w.yaml", MINIMAL.replace("B12345", "W12345")))
    assert welsh.config.practice.nation == "wales"
    assert load(write(tmp_path / "e.yaml", MINIMAL)).config.practice.nation == "england"
    told = load(write(tmp_path / "t.yaml", MINIMAL.replace("B12345", "W12345").replace(
        "  address:", "  nation: england\n  address:")))
    assert told.config.practice.nation == "england"


def test_log_off_is_where_paper_starts_on_the_role_cards(every_kind):
    pc, ctx = every_kind
    for role in ctx.roles:
        if role.key in ("reception", "clinicians", "prescriptions", "scanning"):
            assert "log-off" in text_of(role.wording.html), role.key
    example = prepare(load(EXAMPLE), BUILD_DATE)
    assert example.logoff == "6.30pm"
    reception = text_of(next(r for r in example.roles if r.key == "reception").wording.html)
    assert "as normal until log-off at 6.30pm" in reception
