"""Role cards: which staff roles get a one-page card, the logs each fills in, and its wording."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2.sandbox import SandboxedEnvironment

from ..practice.columns import LOGS
from ..practice.config import Config
from ..practice.logs import LogSpec
from ..render.content import Section, required

# key: (title, logs the role fills in, other sheets it keeps)
ROLES: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "reception": ("Reception and admin", ("appointments", "prescriptions", "home_visits", "registrations"), ()),
    "clinicians": ("GPs and nurses", ("telephone", "home_visits", "referrals"), ("Daily consultations folder",)),
    "prescriptions": ("Prescription clerks", ("prescriptions",), ()),
    "scanning": ("Scanning and correspondence", ("correspondence",), ("Scanning batch cover sheets",)),
    "registrations": ("Registrations", ("registrations",), ()),
    "practice_manager": ("Practice manager", (), ("Sheet register", "Third parties tracking page",
                                                  "Checklists", "Re-entry tracker and sign-off")),
}
# Copies of a card when no staff are named and no number is set: a few to share in a small practice.
# Naming the staff prints one each instead.
DEFAULT_COPIES = {"reception": 4, "clinicians": 4, "prescriptions": 2, "scanning": 2, "registrations": 1,
                  "practice_manager": 1}


def owners(config: Config) -> dict[str, str]:
    """The one named owner of the tracking database and of the generic mailbox, the same on every page:
    the project manager (else the practice manager), and the first named scanning and correspondence
    staff member (else the practice manager)."""
    pm, manager = config.contacts.project_manager, config.contacts.practice_manager
    scanning = config.roles.scanning
    return {
        "tracking_database": f"{pm.name} (project manager)" if pm else f"{manager.name} (practice manager)",
        "generic_mailbox": (f"{scanning.staff[0]} (scanning and correspondence)" if scanning.print and scanning.staff
                            else f"{manager.name} (practice manager)"),
    }


def pick_up_order() -> list[str]:
    """Logs in the order staff pick up a day's sheets: role by role as ROLES lists them, reception first."""
    return list(dict.fromkeys([log for _title, logs, _sheets in ROLES.values() for log in logs] + list(LOGS)))


@dataclass(frozen=True)
class Role:
    """One role card, ready to lay out."""

    key: str
    title: str
    staff: tuple[str, ...]
    copies: int
    logs: tuple[LogSpec, ...]
    sheets: tuple[str, ...]
    wording: Section
    large_print: bool = False  # a large-print card is written beside the normal one

    @property
    def anchor(self) -> str:
        return f"part-role-{self.key.replace('_', '-')}"

    @property
    def filename(self) -> str:
        return f"roles/{list(ROLES).index(self.key) + 1:02d}-{self.key.replace('_', '-')}.pdf"

    @property
    def large_anchor(self) -> str:
        return f"{self.anchor}-large-print"

    @property
    def large_filename(self) -> str:
        return self.filename.removesuffix(".pdf") + "-large-print.pdf"


def wording_name(key: str) -> str:
    """The name of the Markdown file in `roles/` that holds a role card's wording: `practice-manager`."""
    return key.replace("_", "-")


def wording_files() -> list[str]:
    """Every role card's wording file, by its path in a content folder."""
    return [f"roles/{wording_name(key)}.md" for key in ROLES]


def build_roles(config: Config, specs: list[LogSpec], folders: list[Path], context: dict[str, Any],
                env: SandboxedEnvironment) -> list[Role]:
    """The cards this practice prints, in the order of ROLES."""
    by_name = {spec.name: spec for spec in specs}
    roles = []
    for key, (title, logs, extra) in ROLES.items():
        setting = getattr(config.roles, key)
        if not setting.print:
            continue
        role_context = {**context, "role": {"title": title, "staff": setting.staff}}
        wording = required("roles", wording_name(key), folders, role_context, env)
        copies = setting.copies if setting.copies is not None else len(setting.staff) or DEFAULT_COPIES[key]
        roles.append(Role(key, title, tuple(setting.staff), copies, tuple(by_name[n] for n in logs if n in by_name),
                          extra, wording, key in config.large_print))
    return roles
