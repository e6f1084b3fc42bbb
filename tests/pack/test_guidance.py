"""The guidance agrees with the cut-over's rules for every practice: paper from log-off, EPS kept on,
111 and out-of-hours kept on, and in Wales the Welsh services only."""

from __future__ import annotations

import datetime as dt
import html
import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from packgen.pack.model import content_folders, context
from packgen.practice.config import KINDS
from packgen.practice.dates import uk_day
from packgen.practice.load import load
from packgen.render.content import load_sections, markdown_env

from ..conftest import BUILD_DATE, flat
from .test_domain_doc import guidance_sections

ENGLISH_ONLY = ("PCSE", "Primary Care Support England", "NHS England")


def guidance_text(yaml_text: str) -> str:
    """The guidance a practice's pack prints, as plain text: every section filled in and made into HTML."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "practice.yaml"
        path.write_text(yaml_text, encoding="utf-8")
        pc = load(path)
        sections = load_sections("guidance", content_folders(pc), context(pc, BUILD_DATE).values(), markdown_env(pc.trust))
    text = "\n".join(f"{section.title}\n{section.html}" for section in sections)
    return html.unescape(re.sub(r"<[^>]+>", " ", text))


def sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.:!?])\s+|\n", flat(text)) if s.strip()]


def says_switch_off(sentence: str) -> bool:
    """A sentence that asks for something to be switched or turned off, rather than saying it is not."""
    return bool(re.search(r"\b(switch|turn)\w*\b.*\boff\b", sentence, re.I)) and not re.search(r"\bnot\b", sentence, re.I)


def config(*, ods: str, fdp: dt.date, days: int, logoff: str | None, idp: int | None, training: list[int],
           kinds: list[str], nation: str | None) -> str:
    go_live = fdp + dt.timedelta(days=days)
    lines = ["practice:", "  name: Test Surgery", f"  ods_code: {ods}", "  address: [1 Road, Town, TO1 1AA]"]
    if nation:
        lines.append(f"  nation: {nation}")
    lines += ["contacts:", "  practice_manager: {name: Alex Green}", "migration:", "  source_system: Vision",
              "  target_system: EMIS Web", f"  final_data_production: {fdp}", f"  go_live: {go_live}"]
    if logoff:
        lines.append(f'  logoff_time: "{logoff}"')
    if idp:
        lines.append(f"  initial_data_production: {fdp - dt.timedelta(days=idp)}")
    if training:
        lines.append(f"  training: [{', '.join(str(go_live - dt.timedelta(days=d)) for d in training)}]")
    lines.append("third_parties:" + ("" if kinds else " []"))
    lines += [f"  - {{name: Party {n}, kind: {kind}}}" for n, kind in enumerate(kinds)]
    return "\n".join(lines) + "\n"


practices = st.builds(
    config,
    ods=st.sampled_from(["W91234", "Y01234", "A81001"]),
    fdp=st.dates(min_value=dt.date(2027, 1, 1), max_value=dt.date(2028, 12, 31)),
    days=st.integers(1, 14),
    logoff=st.one_of(st.none(), st.sampled_from(["18:30", "12:00", "17:00", "09:15"])),
    idp=st.one_of(st.none(), st.integers(20, 120)),
    training=st.lists(st.integers(1, 60), max_size=3),
    kinds=st.lists(st.sampled_from(KINDS), max_size=6),
    nation=st.sampled_from([None, "england", "wales"]),
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(practices)
def test_guidance_keeps_the_rules_for_any_practice(yaml_text):
    text = guidance_text(yaml_text)
    pc_nation = re.search(r"nation: (\w+)", yaml_text)
    wales = pc_nation.group(1) == "wales" if pc_nation else "ods_code: W" in yaml_text
    fdp = dt.date.fromisoformat(re.search(r"final_data_production: (\S+)", yaml_text).group(1))
    logoff = re.search(r'logoff_time: "(\d+):(\d+)"', yaml_text)
    when = "close of business"
    if logoff:
        hours, minutes = int(logoff.group(1)), int(logoff.group(2))
        when = "midday" if (hours, minutes) == (12, 0) else \
            f"{hours % 12 or 12}{'' if minutes == 0 else f'.{minutes:02d}'}{'am' if hours < 12 else 'pm'}"
    flat_text = flat(text)
    assert f"Paper recording starts at {when} on {uk_day(fdp)}" in flat_text
    assert f"use Vision as normal until {when}" in flat_text
    if wales:
        for name in ENGLISH_ONLY:
            assert name not in text, name
        assert "NWSSP" in text and "Bowel Screening Wales" in text and "NHS 111 Wales" in text
    else:
        assert "Primary Care Support England (PCSE)" in text and "NWSSP" not in text
    for sentence in sentences(text):
        if re.search(r"\bEPS\b|Electronic Prescription|\b111\b|out-of-hours|out of hours", sentence, re.I):
            assert not says_switch_off(sentence), sentence
    assert "{{" not in text and "{%" not in text and "None" not in text


def test_the_switch_off_check_tells_an_ask_from_a_denial():
    assert says_switch_off("Ask EPS to switch off messaging from Monday.")
    assert says_switch_off("Turn off EPS.")
    assert not says_switch_off("The Electronic Prescription Service (EPS) is not switched off.")
    assert not says_switch_off("Check that EPS keeps working.")


def test_english_pack_says_paper_starts_at_logoff_and_keeps_eps_on(example_pack):
    sections = guidance_sections(example_pack)
    printed = flat(" ".join(" ".join(lines) for lines in sections.values()))
    assert "On FDP day, use EMIS Web as normal until 6.30pm." in printed
    assert "Paper recording starts at 6.30pm on Thursday 4 March 2027." in printed
    assert "Do not ask anyone to switch it off." in flat(" ".join(sections["Prescriptions"]))
    for sentence in sentences(printed):
        if re.search(r"\bEPS\b|Electronic Prescription|\b111\b|out-of-hours|out of hours", sentence, re.I):
            assert not says_switch_off(sentence), sentence
    for name in ("Primary Care Support England (PCSE)", "NHS 111"):
        assert name in printed
