"""The text message to patients: the first of its versions that fits one SMS of 160 GSM-7 characters."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..errors import ConfigError, ContentError

if TYPE_CHECKING:
    from ..practice.config import PracticeConfig

SMS_LIMIT = 160  # GSM-7 characters in one text message; more is sent as 2 messages, or not at all
# The GSM 03.38 default alphabet (less its escape code), and its extension table, whose characters take 2.
GSM_BASIC = frozenset("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                      "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
GSM_EXTENSION = frozenset("^{}\\[~]|€\f")
HEADING = "text message:"  # the paragraph of patient-notice.md that starts the text message's versions


class NotGsm(ValueError):
    """A character a GSM-7 text message cannot carry (the message would go as UCS-2, 70 characters)."""

    def __init__(self, char: str) -> None:
        super().__init__(char)
        self.char = char


def gsm_length(text: str) -> int:
    """Characters `text` takes in a GSM-7 text message: 2 for the extension table's; NotGsm for any other."""
    length = 0
    for char in text:
        if char in GSM_BASIC:
            length += 1
        elif char in GSM_EXTENSION:
            length += 2
        else:
            raise NotGsm(char)
    return length


def shown(char: str) -> str:
    return f"'{char}' (U+{ord(char):04X})" if char.isprintable() else f"U+{ord(char):04X}"


def split_notice(text: str) -> tuple[str, list[str]]:
    """The website notice, and the text message's versions: each line after the paragraph "Text message:"."""
    parts = re.split(r"(?im)^[ \t]*text message:[ \t]*$", text.strip(), maxsplit=1)
    versions = [" ".join(line.split()) for line in parts[1].splitlines()] if len(parts) == 2 else []
    return parts[0].strip(), [version for version in versions if version]


def text_message(versions: list[str], pc: PracticeConfig) -> str:
    """The first version that fits one SMS; none that does is a one-line error naming what to shorten."""
    practice = pc.config.practice
    name_key = ("practice", "sms_name" if practice.sms_name else "name")
    shortest: int | None = None
    strange = ""  # the first character found that a text message cannot carry
    for version in versions:
        try:
            length = gsm_length(version)
        except NotGsm as exc:
            strange = strange or exc.char
            continue
        if length <= SMS_LIMIT:
            return version
        shortest = min(length, shortest or length)
    if shortest is None:  # every version has a character a text message cannot carry
        values = {name_key: practice.sms_name or practice.name, ("practice", "phone"): practice.phone or ""}
        key = next((key for key, value in values.items() if strange in value), None)
        if key is None:
            raise ContentError(f"patient-notice.md: the text message has {shown(strange)}, which a text message "
                               "cannot carry in its GSM alphabet; write it without")
        fix = " (set practice.sms_name to the name as texts should show it)" if key[1] == "name" else ""
        raise ConfigError([f"{pc.where(key)}: has {shown(strange)}, which the text message to patients cannot carry "
                           f"in its GSM alphabet{fix}"])
    over = shortest - SMS_LIMIT
    name = practice.sms_name or practice.name
    raise ConfigError([f"{pc.where(name_key)}: the text message to patients comes to {shortest} characters at its "
                       f"shortest, over the {SMS_LIMIT} of one SMS; set practice.sms_name to a name of at most "
                       f"{max(1, len(name) - over)} characters" + (", or shorten practice.phone" if practice.phone else "")])


def patient_notice(text: str, pc: PracticeConfig) -> str:
    """patient-notice.txt: the website notice, then the one text message that fits one SMS."""
    website, versions = split_notice(text)
    if not versions:
        return website + "\n"
    return f"{website}\n\nText message:\n{text_message(versions, pc)}\n"
