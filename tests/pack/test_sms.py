"""The text message to patients fits one SMS (160 GSM-7 characters), or the build says what to shorten."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from packgen.errors import ConfigError, ContentError
from packgen.pack.model import content_folders, context
from packgen.pack.sms import GSM_BASIC, GSM_EXTENSION, SMS_LIMIT, NotGsm, gsm_length, patient_notice, split_notice
from packgen.practice.load import load
from packgen.render.content import find, render_text

from ..conftest import BUILD_DATE, MINIMAL, write

LETTERS = sorted(GSM_BASIC - set("\n\r"))
names = st.text(alphabet=LETTERS + sorted(GSM_EXTENSION - {"\f"}), min_size=1, max_size=120).map(str.strip).filter(bool)
phones = st.from_regex(r"0[0-9]{4} [0-9]{6}( \(option [1-9]\))?", fullmatch=True)
fdps = st.dates(dt.date(2027, 1, 4), dt.date(2028, 12, 1))


def notice_of(tmp_path, name: str, phone: str | None, fdp: dt.date, days: int) -> tuple[str, object]:
    text = (MINIMAL.replace("Hillside Surgery", json.dumps(name))
            .replace("final_data_production: 2027-06-10", f"final_data_production: {fdp}")
            .replace("go_live: 2027-06-14", f"go_live: {fdp + dt.timedelta(days=days)}"))
    if phone:
        text = text.replace("  address:", f"  phone: '{phone}'\n  address:")
    pc = load(write(tmp_path / "p.yaml", text))
    rendered = render_text(find("", content_folders(pc))["patient-notice"], context(pc, BUILD_DATE).values(), pc.trust)
    return rendered, pc


def test_gsm_length_counts_the_extension_table_twice_and_refuses_other_characters():
    assert gsm_length("Riverside £5 @ 6.30pm") == 21
    assert gsm_length("[€]") == 6
    with pytest.raises(NotGsm):
        gsm_length("Tŷ Gwyn")
    with pytest.raises(NotGsm):
        gsm_length("it’s")  # a curly apostrophe: the message would go as UCS-2, 70 characters


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=names, phone=st.none() | phones, fdp=fdps, days=st.integers(1, 14))
def test_the_text_message_fits_one_sms_or_the_error_names_the_key(tmp_path, name, phone, fdp, days):
    rendered, pc = notice_of(tmp_path, name, phone, fdp, days)
    try:
        notice = patient_notice(rendered, pc)
    except ConfigError as exc:
        assert len(exc.problems) == 1 and "\n" not in exc.problems[0]
        assert ": practice.name: the text message to patients comes to " in exc.problems[0]
        assert all(gsm_length(version) > SMS_LIMIT for version in split_notice(rendered)[1])
        return
    sms = notice.split("Text message:\n", 1)[1].strip()
    assert 0 < gsm_length(sms) <= SMS_LIMIT
    assert sms == next(v for v in split_notice(rendered)[1] if gsm_length(v) <= SMS_LIMIT)  # the fullest that fits
    assert "111" in sms and (phone or "the surgery") in sms
    if len(name) <= 40:  # a name of up to 40 characters always fits, with the order-by date
        assert name in sms and " by " in sms


def test_a_name_a_text_cannot_carry_is_an_error_naming_the_key_and_sms_name_fixes_it(tmp_path):
    rendered, pc = notice_of(tmp_path, "Meddygfa Tŷ Gwyn", "01970 600100", dt.date(2027, 3, 4), 5)
    with pytest.raises(ConfigError) as caught:
        patient_notice(rendered, pc)
    assert caught.value.problems == [f"{tmp_path / 'p.yaml'}:2: practice.name: has 'ŷ' (U+0177), which the text "
                                     "message to patients cannot carry in its GSM alphabet (set practice.sms_name to "
                                     "the name as texts should show it)"]
    write(tmp_path / "p.yaml", (tmp_path / "p.yaml").read_text().replace("  ods_code:", "  sms_name: Meddygfa Ty Gwyn\n  ods_code:"))
    pc = load(tmp_path / "p.yaml")
    rendered = render_text(find("", content_folders(pc))["patient-notice"], context(pc, BUILD_DATE).values(), pc.trust)
    assert "\nMeddygfa Ty Gwyn: new " in patient_notice(rendered, pc)


def test_a_name_too_long_for_any_version_is_an_error_with_the_length_to_aim_for(tmp_path):
    rendered, pc = notice_of(tmp_path, "The " + "Very " * 24 + "Long Surgery", "01234 567890", dt.date(2027, 3, 4), 5)
    with pytest.raises(ConfigError) as caught:
        patient_notice(rendered, pc)
    problem, = caught.value.problems
    assert problem.startswith(f"{tmp_path / 'p.yaml'}:2: practice.name: the text message to patients comes to ")
    assert "set practice.sms_name to a name of at most " in problem and problem.endswith(", or shorten practice.phone")


def test_a_character_in_the_wording_itself_is_a_content_error(tmp_path):
    rendered, pc = notice_of(tmp_path, "Hillside Surgery", None, dt.date(2027, 3, 4), 5)
    with pytest.raises(ContentError, match=r"patient-notice.md: the text message has '’' \(U\+2019\)"):
        patient_notice(rendered.replace("Order repeat", "It’s time to order repeat"), pc)
