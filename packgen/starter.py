"""`packgen init`: a commented starter practice.yaml, checked by the same rules as any other config."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import yaml

from .practice.config import json_schema

from .errors import ConfigError, PackgenError
from .practice.load import load

SCHEMA_FILE = "practice.schema.json"


@dataclass(frozen=True)
class Answers:
    """The values a starter config cannot guess."""

    name: str
    ods_code: str
    address: list[str]
    practice_manager: str
    source_system: str
    target_system: str
    final_data_production: dt.date
    go_live: dt.date


def starter_yaml(a: Answers) -> str:
    """The text of a starter config; every value is quoted by the YAML library, never pasted in."""
    def q(value: object) -> str:
        return yaml.safe_dump(value, default_flow_style=True, allow_unicode=True).strip().removesuffix("...").strip()

    return f"""# yaml-language-server: $schema={SCHEMA_FILE}
# Cut-over pack settings for {a.name.replace(chr(10), ' ')}. Build the pack with:  packgen build <this file>
# Every key is described in the README; `packgen check <this file>` checks it without building.

practice:
  name: {q(a.name)}
  ods_code: {q(a.ods_code)}                  # one letter and five digits
  address: {q(a.address)}
  # phone: "01234 567890"
  # email: practice@nhs.net
  # logo: logo.png                     # PNG, JPEG or SVG, in this folder
  # list_size: 9800                   # registered patients: sizes the log sheets (default 10,000)
  # open_days: [monday, tuesday, wednesday, thursday, friday]
  # nation: england                    # or wales; default from the ODS code (W = wales)

contacts:
  practice_manager: {{name: {q(a.practice_manager)}}}
  # project_manager: {{name: "", organisation: "", phone: "", email: ""}}
  # lead_gp: {{name: ""}}

migration:
  source_system: {q(a.source_system)}
  target_system: {q(a.target_system)}
  final_data_production: {a.final_data_production.isoformat()}   # the final extract (FDP)
  go_live: {a.go_live.isoformat()}                 # the first day on {a.target_system.replace(chr(10), ' ')}
  # logoff_time: "18:30"               # everyone logged off on FDP day (in quotes)
  # holidays: england-and-wales        # or scotland, northern-ireland
  # read_only_days: 45                 # check with the source supplier
  # source_support_days: 90
  # initial_data_production: YYYY-MM-DD  # the first extract (IDP), before FDP
  # training: [YYYY-MM-DD]             # training dates, before go-live

# Suppliers, links and services to tell. Kinds: subsidiary_supplier, pathology, bowel_screening,
# nhs111, out_of_hours, pharmacy, pcse, sms_provider, online_services, other.
third_parties: []
#  - name: Eastshire Pathology Service
#    kind: pathology
#    contact: Results Team
#    address: [Hospital Road, Eastshire, ES1 1AA]
#    email: results@example.nhs.uk
"""


def write_starter(path: Path, answers: Answers) -> list[Path]:
    """Write the starter config (and the schema beside it); refuse to overwrite; return what was written."""
    if path.exists():
        raise PackgenError(f"{path}: already exists; choose another name or remove it first")
    text = starter_yaml(answers)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.check")
    tmp.write_text(text, encoding="utf-8")
    try:
        load(tmp)
    except ConfigError as exc:
        raise ConfigError([problem.replace(str(tmp), str(path)) for problem in exc.problems]) from None
    finally:
        tmp.unlink(missing_ok=True)
    path.write_text(text, encoding="utf-8")
    written = [path]
    schema = path.parent / SCHEMA_FILE
    if not schema.exists():
        schema.write_text(json.dumps(json_schema(), indent=2) + "\n", encoding="utf-8")
        written.append(schema)
    return written
