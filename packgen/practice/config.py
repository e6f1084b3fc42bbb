"""The practice config: its schema, validation and the messages a user sees when it is wrong."""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    model_validator,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from ..errors import ConfigError
from ..limits import MAX_FILES, MAX_LIST_SIZE, MAX_SHEETS_PER_DAY, image_problem
from ..trust import Trust, real
from .columns import COLUMNS, LOGS
from .dates import WEEKDAYS as DAY_NAMES, uk_date
from .yamlfile import REMOVE, Key, MergedDoc, YamlDoc, dotted_key, read_config, same_name

MAX_TEXT = 300  # one line of a letter or a heading; longer is a mistake
MAX_NAME = 80  # a member of staff's name: it heads their own log sheets
FIRST_YEAR, LAST_YEAR = 2000, 2099  # a cut-over date outside these is a typing mistake


def _problem(message: str) -> PydanticCustomError:
    return PydanticCustomError("packgen", message)


def _iso_date(value: Any) -> dt.date:
    """Accept a YAML date or a 'YYYY-MM-DD' string; anything else is refused with a hint."""
    if isinstance(value, dt.datetime):
        raise _problem("must be a date alone, written YYYY-MM-DD, without a time")
    if isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value.strip()):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            raise _problem(f"'{value}' is not a real date") from None
    if isinstance(value, dt.date):
        if not FIRST_YEAR <= value.year <= LAST_YEAR:
            raise _problem(f"must be a date from {FIRST_YEAR} to {LAST_YEAR} (got {value.isoformat()})")
        return value
    raise _problem(f"must be a date written YYYY-MM-DD, for example 2027-03-04 (got {_shown(value)})")


def _text(value: Any) -> Any:
    """Refuse numbers where text is meant: YAML would drop a phone number's leading zero."""
    if isinstance(value, bool) or isinstance(value, (int, float)):
        raise _problem(f"must be text; put it in quotes, like \"{_shown(value)}\"")
    return value


def _one_line(value: str) -> str:
    """Refuse line breaks and control characters inside a value printed on one line (a NUL, a CR)."""
    for char in value:
        if unicodedata.category(char) in {"Cc", "Zl", "Zp"} and char != "\t":
            what = "a line break" if char in "\n\r\u2028\u2029\x85" else f"a control character (U+{ord(char):04X})"
            raise _problem(f"must be one line of text, without {what}; use a list for several lines")
    return value.replace("\t", " ")


def _shown(value: Any) -> str:
    if isinstance(value, int) and abs(value).bit_length() > 64:
        return f"a number of {len(str(abs(value))):,} digits" if abs(value).bit_length() < 14_000 else "a huge number"
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else text[:37] + "..."


# One address and nothing else: no spaces, no line breaks, no second address, no display name.
EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                   r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+")


def _patients(value: Any) -> int:
    """The list size: a plain whole number of patients, within what any practice could have."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise _problem(f"must be the number of registered patients, a whole number without commas, like 9800 "
                       f"(got {_shown(value)})")
    if value < 1:
        raise _problem(f"must be 1 or more (got {_shown(value)})")
    if value > MAX_LIST_SIZE:
        raise _problem(f"is more patients than any practice has; at most {MAX_LIST_SIZE:,} (got {_shown(value)})")
    return value


def _email(value: str) -> str:
    """An address goes into email headers as it is: refuse anything but one plain address."""
    if not EMAIL.fullmatch(value):
        raise _problem(f"must be one email address, like name@nhs.net (got {_shown(value)})")
    return value


Date = Annotated[dt.date, BeforeValidator(_iso_date)]
WEEKDAYS = tuple(name.lower() for name in DAY_NAMES)  # as written in a config: monday … sunday
Weekday = Literal[WEEKDAYS]  # type: ignore[valid-type]
ColumnKey = Literal[tuple(COLUMNS)]  # type: ignore[valid-type]
Text = Annotated[str, BeforeValidator(_text), StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TEXT),
                 AfterValidator(_one_line)]
Days = Annotated[int, Field(ge=0, le=3650)]
Email = Annotated[Text, AfterValidator(_email), Field(json_schema_extra={"format": "email"})]
Patients = Annotated[int, BeforeValidator(_patients), Field(ge=1, le=MAX_LIST_SIZE)]


class Strict(BaseModel):
    """Every config section: unknown keys are errors, so a typo never passes silently."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Practice(Strict):
    name: Text = Field(description="The practice's name as it appears on letters.")
    sms_name: Text | None = Field(None, description=(
        "The name as the text message to patients gives it (one SMS: at most 160 GSM characters); default name."))
    ods_code: str = Field(description="ODS code: one letter and five digits, e.g. A81001.")
    address: list[Text] = Field(min_length=1, max_length=8, description="Postal address, one line per item.")
    phone: Text | None = None
    email: Email | None = None
    logo: Path | None = Field(None, description="Logo image (PNG, JPEG or SVG), relative to the config file.")
    sheets_kept: Text = Field("in the cut-over tray at the reception desk", description=(
        "Where the blank log sheets are kept, as the role cards say it: 'Blank sheets are kept ...'."))
    open_days: list[Weekday] = Field(default_factory=lambda: list(WEEKDAYS[:5]), min_length=1, max_length=7,
                                     description="Days the practice is open; log sheets are printed for these.")
    list_size: Patients | None = Field(None, description=(
        "Registered patients (the list size). Sizes each log's sheets a day; without it, sheets are sized for "
        "10,000 patients."))
    nation: Literal["england", "wales"] = Field("england", description=(
        "england or wales: which national services the pack names; default from the ODS code (W = wales)."))

    @model_validator(mode="before")
    @classmethod
    def _nation_from_ods(cls, data: Any) -> Any:
        """A practice whose ODS code starts with W is in Wales, unless its config says otherwise."""
        if isinstance(data, dict) and data.get("nation") is None:
            code = data.get("ods_code")
            if isinstance(code, str) and code.strip()[:1].upper() == "W":
                return {**data, "nation": "wales"}
            if "nation" in data:
                return {key: value for key, value in data.items() if key != "nation"}
        return data

    @field_validator("ods_code", mode="before")
    @classmethod
    def _ods(cls, value: Any) -> str:
        if isinstance(value, str) and re.fullmatch(r"[A-Za-z][0-9]{5}", value.strip()):
            return value.strip().upper()
        raise _problem(f"must be one letter and five digits, like A81001 (got {_shown(value)})")

    @field_validator("logo", mode="after")
    @classmethod
    def _logo(cls, value: Path | None, info: ValidationInfo) -> Path | None:
        if value is None:
            return None
        path = _resolve(value, info)
        _confined(value, path, info)
        if path.suffix.lower() not in {".png", ".jpg", ".jpeg", ".svg"}:
            raise _problem("must be a PNG, JPEG or SVG image")
        problem = image_problem(real(path))
        if problem:
            raise _problem(f"{path.name} {problem}")
        return real(path)


class Person(Strict):
    name: Text
    phone: Text | None = None
    email: Email | None = None


class ProjectManager(Person):
    organisation: Text | None = None


class Contacts(Strict):
    practice_manager: Person
    project_manager: ProjectManager | None = None
    lead_gp: Person | None = None


class Migration(Strict):
    source_system: Text = Field(description="The system the practice leaves, e.g. EMIS Web.")
    target_system: Text = Field(description="The system the practice moves to, e.g. SystmOne.")
    final_data_production: Date = Field(description="Final data production (FDP): the final extract.")
    go_live: Date = Field(description="Go-live: the practice starts using the target system.")
    logoff_time: str | None = Field(None, description="Time (HH:MM) by which everyone is logged off on FDP day.")
    holidays: Literal["england-and-wales", "scotland", "northern-ireland"] = "england-and-wales"
    read_only_days: Days = Field(45, description="Days the source system stays read-only after go-live.")
    source_support_days: Days = Field(90, description="Days the source supplier supports its system after go-live.")
    initial_data_production: Date | None = Field(
        None, description="Initial data production (IDP): the first extract, which the practice checks; before FDP.")
    training: list[Date] = Field(default_factory=list, max_length=60,
                                 description="Dates of training on the target system; each before go-live.")

    @field_validator("initial_data_production", mode="after")
    @classmethod
    def _idp_before_fdp(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        fdp = info.data.get("final_data_production")
        if value is not None and fdp is not None:
            if value >= fdp:
                raise _problem(f"must be before final_data_production ({uk_date(fdp)})")
            if (fdp - value).days > 366:
                raise _problem(f"is {(fdp - value).days} days before final_data_production; IDP comes weeks before FDP")
        return value

    @field_validator("training", mode="after")
    @classmethod
    def _training_before_go_live(cls, value: list[dt.date], info: ValidationInfo) -> list[dt.date]:
        go_live = info.data.get("go_live")
        for day in value:
            if go_live is not None and day >= go_live:
                raise _problem(f"{uk_date(day)} is not before go_live ({uk_date(go_live)}); training comes before go-live")
            if go_live is not None and (go_live - day).days > 366:
                raise _problem(f"{uk_date(day)} is more than a year before go_live")
        return sorted(set(value))

    @field_validator("go_live", mode="after")
    @classmethod
    def _after_fdp(cls, value: dt.date, info: ValidationInfo) -> dt.date:
        fdp = info.data.get("final_data_production")
        if fdp is not None and value <= fdp:
            raise _problem(f"must be after final_data_production ({uk_date(fdp)})")
        if fdp is not None and (value - fdp).days > 366:
            raise _problem(f"is {(value - fdp).days} days after final_data_production; a cut-over lasts days or weeks")
        return value

    @field_validator("logoff_time", mode="before")
    @classmethod
    def _hhmm(cls, value: Any) -> str | None:
        if value is None:
            return None
        if isinstance(value, int):  # YAML 1.1 reads an unquoted 18:30 as a number
            raise _problem(f"write the time in quotes, like \"{value // 60:02d}:{value % 60:02d}\"")
        if isinstance(value, str) and re.fullmatch(r"([01][0-9]|2[0-3]):[0-5][0-9]", value.strip()):
            return value.strip()
        raise _problem(f"must be a time written \"HH:MM\", like \"18:30\" (got {_shown(value)})")


KINDS = ("subsidiary_supplier", "pathology", "bowel_screening", "nhs111", "out_of_hours", "pharmacy", "pcse",
         "sms_provider", "online_services", "other", "eps")
Kind = Literal[KINDS]  # type: ignore[valid-type]
# Days' notice before the day the party must act (its switch-off); every other kind: 7. A pharmacy is told
# on the prescribing window's first day instead; eps is kept for old configs and gets no letter.
NOTICE_DAYS = {"subsidiary_supplier": 5, "pcse": 14}
MIN_REGISTRATION_NOTICE = 14  # PCSE's online form: at least 2 weeks before the registration links pause
SWITCH_OFF_DAYS = {"bowel_screening": 2}  # every other kind: 1


class ThirdParty(Strict):
    """A supplier, link or service that must be told to stop before FDP and to resume at go-live."""

    name: Text
    kind: Kind
    contact: Text | None = Field(None, description="Addressee, e.g. a team or a person.")
    address: list[Text] = Field(default_factory=list, max_length=8)
    email: Email | None = None
    phone: Text | None = None
    notice_days: Days | None = Field(None, description=(
        "Days' notice before its switch-off (the day it must act); default by kind: subsidiary_supplier 5, "
        "pcse 14 (at least 14), others 7; not used for pharmacy (told on the prescribing window's first day)."))
    switch_off_days_before: Days | None = Field(None, description=(
        "Days before FDP its link goes off or it must act; default 1, bowel_screening 2; not used for pcse "
        "(schedule.links_off_days_before) or pharmacy (schedule.cancel_repeat_dispensing_working_days_before)."))
    provides_extract: bool | None = Field(None, description="Whether it provides its own extract; default true for subsidiary_supplier.")

    @property
    def notice(self) -> int:
        days = self.notice_days if self.notice_days is not None else NOTICE_DAYS.get(self.kind, 7)
        return max(days, MIN_REGISTRATION_NOTICE) if self.kind == "pcse" else days

    @property
    def switch_off_before(self) -> int:
        if self.switch_off_days_before is not None:
            return self.switch_off_days_before
        return SWITCH_OFF_DAYS.get(self.kind, 1)

    @property
    def extract(self) -> bool:
        return self.provides_extract if self.provides_extract is not None else self.kind == "subsidiary_supplier"


class Schedule(Strict):
    """Offsets of the computed deadlines; every one can be changed per practice."""

    planning_meeting_days_before: Days = Field(28, description="Cut-over planning meeting, days before FDP.")
    patient_notice_days_before: Days = Field(14, description="Patient poster up and website notice out, days before FDP.")
    repeat_order_working_days_before: Annotated[int, Field(ge=1, le=60)] = Field(
        5, description="Patients are asked to order repeat medicines by this many working days before FDP.")
    extract_request_days_before: Days = Field(35, description="Request data extracts, days before FDP (and before IDP).")
    reminder_working_days_before: Annotated[int, Field(ge=1, le=20)] = Field(
        2, description="Remind each third party, working days before its switch-off (and again on the day).")
    reminder_days_before: Days = Field(7, description="Reminder to save what is still needed, days before read-only access ends.")
    links_off_days_before: Annotated[int, Field(ge=1, le=60)] = Field(
        1, description="Third-party links off and the registration (GP Links) pause, days before FDP.")
    registration_form_days_before: Annotated[int, Field(ge=14, le=120)] = Field(
        14, description="Registration service's online form sent, days before the registration pause (at least 14).")
    fp69_clear_working_days_before: Annotated[int, Field(ge=1, le=60)] = Field(
        1, description="FP69 flags and pending registrations cleared, working days before the registration pause.")
    repeat_dispensing_report_working_days_before: Annotated[int, Field(ge=1, le=120)] = Field(
        10, description="Repeat-dispensing report run, working days before FDP.")
    cancel_repeat_dispensing_working_days_before: Annotated[int, Field(ge=1, le=60)] = Field(
        1, description="Outstanding repeat-dispensing issues cancelled on the Spine, working days before FDP.")
    reissue_repeat_dispensing_working_days_after: Annotated[int, Field(ge=0, le=20)] = Field(
        0, description="Repeat dispensing re-issued from the target system, working days after go-live (0: the first working day from go-live).")
    fp10_order_working_days_before: Annotated[int, Field(ge=1, le=120)] = Field(
        10, description="Paper FP10 stock ordered, working days before the prescribing window opens.")
    idp_request_days_before: Annotated[int, Field(ge=1, le=365)] = Field(
        84, description="Without an IDP date: ask the project manager for it, days before FDP.")
    data_checking_working_days: Annotated[int, Field(ge=1, le=60)] = Field(
        10, description="Working days of data checking after IDP.")
    data_signoff_working_days: Annotated[int, Field(ge=1, le=20)] = Field(
        3, description="Working days of data re-check and sign-off after data checking.")
    data_cleanup_working_days_before: Annotated[int, Field(ge=1, le=120)] = Field(
        5, description="Duplicate-record and PDS clean-up done, working days before the first extract (IDP, else FDP).")
    go_no_go_working_days_before: Annotated[int, Field(ge=1, le=60)] = Field(
        2, description="Go/no-go decision, working days before FDP.")
    smartcards_working_days_before: Annotated[int, Field(ge=5, le=120)] = Field(
        5, description="Smartcards and access roles (RBAC) checked, working days before go-live (at least 5).")
    training_done_working_days_before: Annotated[int, Field(ge=1, le=120)] = Field(
        1, description="Without training dates: training finished, working days before go-live.")
    audit_trail_working_days_before: Annotated[int, Field(ge=1, le=120)] = Field(
        5, description="Access to the old system's audit trail arranged, working days before go-live.")
    clear_down_working_days_before: Days = Field(1, description="Templates exported and inboxes at zero, working days before FDP.")
    breather_working_days: Days = Field(2, description="Working days from go-live with fewer or breather slots.")
    rota_limit_days_after: Days = Field(14, description="Source-system rotas reach no further than this many days after go-live.")
    prescribing_months_before: Annotated[int, Field(ge=1, le=12)] = Field(1, description="Two-prescription / FP10 window starts this many months before FDP; pharmacies are told that day.")
    prescribing_days_after: Days = Field(7, description="Two-prescription / FP10 window ends this many days after go-live.")
    chase_working_days_after: Annotated[int, Field(ge=3, le=60)] = Field(
        3, description="Chase third parties not back on, working days after go-live (at least 3: the resume letters' reply-by).")
    reentry_working_days: Annotated[int, Field(ge=1, le=60)] = Field(5, description="Working days of data re-entry from go-live.")
    tracking_update_working_days: Days = Field(5, description="Update the tracking database within this many working days after go-live.")


class LogSettings(Strict):
    """How one paper log is printed."""

    print: bool = Field(True, description="Print this log.")
    sheets_per_day: Annotated[int, Field(ge=1, le=MAX_SHEETS_PER_DAY)] | None = Field(None, description=(
        "Sheets for each open day of the cut-over after FDP day; default from practice.list_size."))
    fdp_day_sheets: Annotated[int, Field(ge=0, le=MAX_SHEETS_PER_DAY)] | None = Field(
        None, description="Sheets for the time after log-off on FDP day; default 1 (0: none).")
    spare_sheets: Annotated[int, Field(ge=1, le=50)] | None = Field(None, description=(
        "Numbered spare sheets, dated by hand when a day's sheets run out; default a quarter of a day's sheets, "
        "at least 2."))
    columns: Annotated[list[ColumnKey], Field(min_length=1, max_length=12)] | None = Field(
        None, description="Columns, in order; each row always ends with the re-entry columns.")


def _log_field(name: str) -> Any:
    title, _prefix, _purpose, columns = LOGS[name]
    return Field(default_factory=LogSettings,
                 description=f"{title}: sheets a day from the list size, columns {', '.join(columns)}.")


class Logs(Strict):
    """Which paper logs are printed, with how many sheets a day and which columns."""

    telephone: LogSettings = _log_field("telephone")
    home_visits: LogSettings = _log_field("home_visits")
    prescriptions: LogSettings = _log_field("prescriptions")
    referrals: LogSettings = _log_field("referrals")
    correspondence: LogSettings = _log_field("correspondence")
    appointments: LogSettings = _log_field("appointments")
    registrations: LogSettings = _log_field("registrations")


class RoleSettings(Strict):
    """One staff role's card."""

    print: bool = Field(True, description="Print this role's card.")
    staff: list[Annotated[Text, Field(max_length=MAX_NAME)]] = Field(
        default_factory=list, max_length=100, description="Names printed on the card (and clinicians' on their sheets).")
    copies: Annotated[int, Field(ge=0, le=200)] | None = Field(None, description="Copies to print; default one per name, or with no names 4 (reception, clinicians), "
                                                                              "2 (prescriptions, scanning) or 1 (the others).")


RoleKey = Literal["reception", "clinicians", "prescriptions", "scanning", "registrations", "practice_manager"]


class Roles(Strict):
    """Which role cards are printed, for whom, and how many copies."""

    reception: RoleSettings = Field(default_factory=RoleSettings)
    clinicians: RoleSettings = Field(default_factory=RoleSettings)
    prescriptions: RoleSettings = Field(default_factory=RoleSettings)
    scanning: RoleSettings = Field(default_factory=RoleSettings)
    registrations: RoleSettings = Field(default_factory=RoleSettings)
    practice_manager: RoleSettings = Field(default_factory=RoleSettings)


class Poster(Strict):
    """The patient poster."""

    copies: Annotated[int, Field(ge=0, le=200)] = Field(3, description="Copies to print (waiting room, reception, entrance).")


class Config(Strict):
    """A whole practice.yaml."""

    practice: Practice
    contacts: Contacts
    migration: Migration
    schedule: Schedule = Field(default_factory=Schedule)
    third_parties: list[ThirdParty] = Field(default_factory=list, max_length=200)
    logs: Logs = Field(default_factory=Logs)
    roles: Roles = Field(default_factory=Roles)
    large_print: list[RoleKey] = Field(
        default_factory=list, max_length=6,
        description="Roles that also get a large-print card (body text 16 pt or more), beside the normal one.")
    poster: Poster = Field(default_factory=Poster)

    @field_validator("large_print", mode="after")
    @classmethod
    def _printed_roles(cls, keys: list[str], info: ValidationInfo) -> list[str]:
        roles = info.data.get("roles")
        for key in keys:
            if keys.count(key) > 1:
                raise _problem(f"'{key}' is listed twice")
            if roles is not None and not getattr(roles, key).print:
                raise _problem(f"'{key}' has roles.{key}.print: false, so it has no card to print in large print")
        return keys

    @field_validator("third_parties", mode="after")
    @classmethod
    def _unique(cls, parties: list[ThirdParty]) -> list[ThirdParty]:
        seen: set[str] = set()
        for party in parties:
            key = same_name(party.name)
            if key in seen:
                raise _problem(f"'{party.name}' is listed twice; give each third party a different name")
            seen.add(key)
        return parties
    content: Path | None = Field(None, description="Folder whose Markdown replaces or adds to the default content.")
    templates: Path | None = Field(None, description="Folder whose templates replace the default ones by name.")

    @field_validator("content", "templates", mode="after")
    @classmethod
    def _folder(cls, value: Path | None, info: ValidationInfo) -> Path | None:
        if value is None:
            return None
        path = _resolve(value, info)
        if not path.is_dir():
            raise _problem(f"no such folder: {path}")
        trust = _trust(info)
        if not trust.inside(real(path)):
            raise _problem(f"{_leads(value, path)}is outside {trust.shown_roots()}; move it inside, or widen the "
                           "root with --root")
        count = 0
        for _folder, _subfolders, files in os.walk(path):
            count += len(files)
            if count > MAX_FILES:
                raise _problem(f"{path} holds more than {MAX_FILES:,} files; give a folder of the practice's own")
        return real(path)


def _resolve(value: Path, info: ValidationInfo) -> Path:
    """Relative paths are relative to the config file's folder, never the working directory. Links are
    kept, so that a message can say where one leads."""
    base = Path((info.context or {}).get("base_dir", "."))
    if not str(value).isprintable():
        raise _problem("must be a path without line breaks or control characters")
    return Path(os.path.abspath(base / value))


def _trust(info: ValidationInfo) -> Trust:
    context = info.context or {}
    return context.get("trust") or Trust([Path(context.get("base_dir", "."))])


def _leads(value: Path, path: Path) -> str:
    resolved = real(path)
    return f"'{value}' leads to {resolved}, which " if resolved != path else f"'{value}' "


def _confined(value: Path, path: Path, info: ValidationInfo) -> None:
    """Refuse a file outside the trusted root, after links, or one that is missing or not a regular file."""
    trust = _trust(info)
    if not trust.inside(real(path)):
        raise _problem(f"{_leads(value, path)}is outside {trust.shown_roots()}; move it inside, or widen the root "
                       "with --root")
    if not os.path.lexists(path):
        raise _problem(f"no such file: {path}")
    problem = trust.problem(path)
    if problem is not None:
        raise _problem(f"'{value}' {problem}")


class PracticeConfig:
    """A validated config together with where it came from (its own file and any files it extends),
    and the folders whose files it may read."""

    def __init__(self, config: Config, source: YamlDoc, shown: str, roots: tuple[Path, ...] = ()) -> None:
        self.config = config
        self.source = source
        self.shown = shown
        self.roots = roots or (default_root(source.path),)

    @property
    def trust(self) -> Trust:
        """The trusted root(s), with the keys that name the practice's own content and templates folders."""
        labels = {}
        for key in ("content", "templates"):
            folder = getattr(self.config, key)
            if folder is not None:
                labels[folder] = self.where((key,))
        return Trust(self.roots, labels)

    @property
    def base_dir(self) -> Path:
        return self.source.path.resolve().parent

    @property
    def config_hash(self) -> str:
        """SHA-256 of the config's bytes, and of every file it extends."""
        return self.source.sha256

    def where(self, key: tuple[str | int, ...]) -> str:
        """`FILE:LINE: dotted.key`, for a message about one key; FILE is the parent's when the key was written there."""
        file, line = self.source.locate(key)
        return f"{file or self.shown}:{line}: {dotted_key(self.source.written(key))}"


# Keys holding a path: written in a file this config extends, they are relative to that file's folder.
PATH_KEYS: tuple[Key, ...] = (("practice", "logo"), ("content",), ("templates",))
# Lists that a config merges with the files it extends item by item, and the key that names an item.
MERGED_BY: dict[Key, str] = {("third_parties",): "name"}


def default_root(path: str | Path) -> Path:
    """The trusted root when no --root is given: the folder of the config named on the command line."""
    return real(Path(os.path.abspath(path)).parent)


def read(path: str | Path, roots: Iterable[str | Path] = ()) -> PracticeConfig:
    """Read and validate a practice config and the files it extends, raising ConfigError with every problem found.
    `load.load` also checks the size of the pack it would make.

    Every file it names must lie, after links, in the config's folder or one of `roots` (see trust.py)."""
    shown = str(path)
    trusted = tuple(dict.fromkeys([default_root(path), *(real(Path(root)) for root in roots)]))
    trust = Trust(trusted)
    doc = read_config(Path(path), shown, trust, MERGED_BY)
    data = doc.data
    for key in PATH_KEYS:
        value = _value_at(data, key)
        if isinstance(value, str) and doc.layer_index(key) > 0:
            data = _replaced(data, key, str(doc.layer_of(key).path.resolve().parent / value))
    try:
        config = Config.model_validate(data, context={"base_dir": Path(path).resolve().parent, "trust": trust})
    except ValidationError as exc:
        raise ConfigError(_messages(exc, doc)) from None
    return PracticeConfig(config, doc, shown, trusted)


def _value_at(data: Any, key: Key) -> Any:
    """The value at `key` in nested mappings, or None."""
    for part in key:
        if not isinstance(data, dict):
            return None
        data = data.get(part)
    return data


def _replaced(data: dict[str, Any], key: Key, value: Any) -> dict[str, Any]:
    """A copy of `data` with `key` set to `value`, leaving the original (a file's own data) untouched."""
    copy = dict(data)
    copy[key[0]] = _replaced(data[key[0]], key[1:], value) if len(key) > 1 else value
    return copy


def _messages(exc: ValidationError, doc: MergedDoc) -> list[str]:
    """One `FILE:LINE: dotted.key: message` line per problem: the config's own in file order, then its parents'."""
    errors = exc.errors(include_url=False)
    # A misspelt key shows as "unknown" and its right spelling as "missing": report it once.
    suggested = {tuple(e["loc"][:-1]) + (_close(tuple(e["loc"])),) for e in errors if e["type"] == "extra_forbidden"}
    found = []
    for error in errors:
        loc = tuple(error["loc"])
        if error["type"] == "missing" and loc in suggested:
            continue
        file, line = doc.locate(loc)
        found.append((doc.order(loc), f"{file}:{line}: {dotted_key(doc.written(loc))}: {_message(error, loc)}"))
    return [message for _order, message in sorted(found, key=lambda f: f[0])]


MESSAGES = {
    "missing": "is required but missing",
    "string_type": "must be text",
    "list_type": "must be a list (one item per line starting with '- ')",
    "model_type": "must be a group of keys",
    "dict_type": "must be a group of keys",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "int_parsing_size": "is far too large a number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
}


def _message(error: dict[str, Any], loc: tuple[Any, ...]) -> str:
    kind = error["type"]
    if kind in {"model_type", "dict_type", "list_type"} and error["input"] is None:
        return "is empty; fill it in or remove the key"
    if kind == "extra_forbidden":
        return "unknown key" + _suggestion(loc)
    if kind == "literal_error":
        allowed = error["ctx"]["expected"].replace("'", "")
        return f"must be one of {allowed} (got {_shown(error['input'])})"
    if kind == "too_short":
        return "must not be empty" if error["ctx"].get("actual_length") == 0 else error["msg"].lower()
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_too_long" or kind == "too_long" and isinstance(error["input"], str):
        return f"is too long (at most {error['ctx'].get('max_length', MAX_TEXT)} characters)"
    if kind == "too_long":
        return f"has too many items (at most {error['ctx']['max_length']})"
    if kind == "greater_than_equal":
        return f"must be {error['ctx']['ge']} or more"
    if kind == "less_than_equal":
        return f"must be {error['ctx']['le']} or less"
    return MESSAGES.get(kind, error["msg"])


def _suggestion(loc: tuple[Any, ...]) -> str:
    """"; did you mean 'x'?" when a known key at the same place is close to the unknown one."""
    close = _close(loc)
    if close:
        return f"; did you mean '{close}'?"
    known = _known_keys(loc)
    return f"; expected one of: {', '.join(known)}" if known else ""


def _close(loc: tuple[Any, ...]) -> str | None:
    close = difflib.get_close_matches(str(loc[-1]), _known_keys(loc), n=1, cutoff=0.6)
    return close[0] if close else None


def _known_keys(loc: tuple[Any, ...]) -> list[str]:
    """The keys allowed beside the last part of `loc`."""
    model: Any = Config
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part) if hasattr(model, "model_fields") else None
        if field is None:
            return []
        model = _model_of(field.annotation)
        if model is None:
            return []
    return list(model.model_fields)


def _model_of(annotation: Any) -> Any:
    """The BaseModel inside an annotation such as `Person | None` or `list[Party]`."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_of(arg)
        if found is not None:
            return found
    return None


SHARED = "Shared"  # prefix of the relaxed copies of the schema's definitions


def json_schema() -> dict[str, Any]:
    """The JSON Schema of practice.yaml, for editors' completion and checking.

    A config with `extends` gets the rest from the files it extends, and a file without `practice:`
    is a file of shared defaults (`_wave.yaml`): in both, every key is optional. Any other config
    must be complete. Other lists replace the parent's whole, so their items are complete; an item
    of a list merged by name (a third party) needs only its name, and may be `remove: true`."""
    strict = Config.model_json_schema()
    defs: dict[str, Any] = strict.pop("$defs")
    relaxed: dict[str, Any] = {}
    loose = _relaxed_object(strict, defs, relaxed)
    for (key,), name in MERGED_BY.items():
        listed = loose["properties"][key]
        item = listed["items"]["$ref"].removeprefix("#/$defs/")
        relaxed[item] = _relaxed_object(defs[item], defs, relaxed)
        relaxed[item]["required"] = [name]
        relaxed[item]["properties"][REMOVE] = {"type": "boolean", "title": "Remove", "description": (
            f"true: leave out the item with this {name} that a file this one extends lists; give only the {name}.")}
        loose["properties"][key] = {**listed, "items": {"$ref": f"#/$defs/{SHARED}{item}"}}
    loose["properties"] = {"extends": {"type": "string", "title": "Extends", "description":
                                       "A file of shared values this one builds on, relative to this file's folder."},
                           **loose["properties"]}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "packgen practice config",
        "if": {"anyOf": [{"required": ["extends"]}, {"not": {"required": ["practice"]}}]},
        "then": {"$ref": f"#/$defs/{SHARED}Config"},
        "else": {"$ref": "#/$defs/Config"},
        "$defs": {**defs, **{SHARED + name: value for name, value in relaxed.items()},
                  "Config": strict, SHARED + "Config": loose},
    }


def _relaxed(node: Any, defs: dict[str, Any], relaxed: dict[str, Any]) -> Any:
    """The schema of a key's value with every mapping's keys optional; list items are left as they are."""
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref", "")
    if ref.startswith("#/$defs/"):
        name = ref.removeprefix("#/$defs/")
        if name not in relaxed:
            relaxed[name] = {}  # a cycle stops here
            relaxed[name] = _relaxed_object(defs[name], defs, relaxed)
        return {**node, "$ref": f"#/$defs/{SHARED}{name}"}
    if "anyOf" in node:
        return {**node, "anyOf": [_relaxed(option, defs, relaxed) for option in node["anyOf"]]}
    return _relaxed_object(node, defs, relaxed) if "properties" in node else node


def _relaxed_object(node: dict[str, Any], defs: dict[str, Any], relaxed: dict[str, Any]) -> dict[str, Any]:
    copy = {key: value for key, value in node.items() if key != "required"}
    if "properties" in copy:
        copy["properties"] = {key: _relaxed(value, defs, relaxed) for key, value in copy["properties"].items()}
    return copy
