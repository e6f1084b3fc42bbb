""".eml drafts beside the letters: each letter as an unsent email to its party, with the PDF attached."""

from __future__ import annotations

import hashlib
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage

from ..practice.config import EMAIL, Config, ThirdParty
from ..practice.dates import uk_day
from .letters import Letter



def is_address(value: str | None) -> bool:
    """Whether `value` is one plain email address, safe to put in a header as it is."""
    return value is not None and len(value) <= 254 and EMAIL.fullmatch(value) is not None


def by_email(party: ThirdParty) -> bool:
    """Whether the party's letters get an email draft; the others go by post."""
    return is_address(party.email)


def draft_name(letter: Letter) -> str:
    """`letters/NN-….eml`, beside the letter's PDF of the same name."""
    return f"letters/{letter.filename.removesuffix('.pdf')}.eml"


def one_line(text: str) -> str:
    """Text fit for a header: every run of whitespace, line breaks included, made one space."""
    return " ".join(text.split())


def sender(config: Config) -> Address | None:
    """From: the practice's address, else the practice manager's; None when neither is usable."""
    p, manager = config.practice, config.contacts.practice_manager
    if is_address(p.email):
        return _address(p.name, p.email)  # type: ignore[arg-type]
    if is_address(manager.email):
        return _address(manager.name, manager.email)  # type: ignore[arg-type]
    return None


def _address(name: str, address: str) -> Address:
    user, domain = address.rsplit("@", 1)
    return Address(display_name=one_line(name), username=user, domain=domain)


def covering_note(config: Config, letter: Letter) -> str:
    """The short plain-text note above the attached letter."""
    p, m, manager = config.practice, config.migration, config.contacts.practice_manager
    party = letter.party
    greeting = party.contact or party.name
    if letter.kind == "notice":
        change = (f"{p.name} is changing its clinical system from {m.source_system} to {m.target_system}. "
                  f"The final data production is on {uk_day(m.final_data_production)} and we start using "
                  f"{m.target_system} on {uk_day(m.go_live)}.")
    else:
        change = f"{p.name} started using {m.target_system} on {uk_day(m.go_live)}."
    lines = [
        f"Dear {greeting},",
        "",
        f"Please find attached our letter: {letter.subject}.",
        "",
        change,
        "",
        f"Please read the letter and reply to this email by {uk_day(letter.reply_by)}.",
        "",
        "Thank you,",
        "",
        manager.name,
        f"Practice manager, {p.name} (ODS {p.ods_code})",
    ]
    lines += [manager.phone or p.phone] if (manager.phone or p.phone) else []
    return "\n".join(one_line(line) for line in lines) + "\n"


def draft(config: Config, letter: Letter, pdf: bytes) -> bytes | None:
    """The letter as an unsent RFC 5322 message with its PDF attached byte for byte; None without an address.

    Every header value is one line (names and subjects have their line breaks made spaces; addresses
    must be plain addresses), so no value in a config can add a header. The MIME boundary comes from
    the letter itself, so the same letter gives the same bytes on every build."""
    party = letter.party
    if not by_email(party):
        return None
    message = EmailMessage(policy=policy.SMTP)
    message["X-Unsent"] = "1"
    found = sender(config)
    if found is not None:
        message["From"] = found
    message["To"] = _address(party.name, party.email)  # type: ignore[arg-type]
    message["Subject"] = one_line(letter.subject)
    message.set_content(covering_note(config, letter))
    message.add_attachment(pdf, maintype="application", subtype="pdf", filename=letter.filename)
    message.set_boundary("packgen-" + hashlib.sha256(pdf).hexdigest()[:32])
    return message.as_bytes()


def drafts(config: Config, letters: list[Letter], files: dict[str, bytes]) -> dict[str, bytes]:
    """`letters/NN-….eml` → the draft, for each letter (its PDF in `files`) whose party has an address."""
    found = {}
    for letter in letters:
        data = draft(config, letter, files[f"letters/{letter.filename}"])
        if data is not None:
            found[draft_name(letter)] = data
    return found
