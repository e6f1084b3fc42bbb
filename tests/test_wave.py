"""Waves of practices: shared defaults through `extends`, and building several practices at once."""

from __future__ import annotations

import hashlib
import re
import tempfile
import typing
from pathlib import Path

import pytest
import yaml
from PIL import Image
from pydantic import BaseModel
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from packgen.cli import main
from packgen.errors import ConfigError
from packgen.practice.config import MERGED_BY, PATH_KEYS, Config
from packgen.practice.load import load
from packgen.practice.yamlfile import read_config
from packgen.trust import Trust
from packgen.wave import config_paths

from .conftest import BUILD_DATE, MINIMAL, NO_LOGS, errors_of, read_pdf, write

WAVE = """\
contacts:
  project_manager: {name: Sam Patel, organisation: Eastshire CSU}
  practice_manager: {name: Wave Default}
migration:
  source_system: Vision
  target_system: EMIS Web
  logoff_time: "18:30"
third_parties:
  - {name: Eastshire Pathology, kind: pathology}
  - {name: Eastshire NHS 111, kind: nhs111}
"""

PRACTICE = """\
extends: _wave.yaml
practice:
  name: Hillside Surgery
  ods_code: B12345
  address: [1 Hill Road, Upton, UP1 1AA]
contacts:
  practice_manager: {name: Alex Green}
migration:
  final_data_production: 2027-06-10
  go_live: 2027-06-14
"""


def test_the_practice_is_merged_over_its_parent(tmp_path):
    parent = write(tmp_path / "_wave.yaml", WAVE)
    path = write(tmp_path / "p.yaml", PRACTICE + "third_parties:\n  - {name: Hill Pharmacy, kind: pharmacy}\n")
    practice = load(path)
    config = practice.config
    assert config.contacts.project_manager.name == "Sam Patel"  # from the parent
    assert config.contacts.practice_manager.name == "Alex Green"  # the practice's own wins
    assert (config.migration.source_system, config.migration.logoff_time) == ("Vision", "18:30")
    assert config.migration.go_live.isoformat() == "2027-06-14"  # mappings merge key by key
    # third parties merge by name: the practice's new one comes after the wave's
    assert [party.name for party in config.third_parties] == ["Eastshire Pathology", "Eastshire NHS 111", "Hill Pharmacy"]
    assert practice.where(("migration", "logoff_time")) == f"{parent}:7: migration.logoff_time"
    assert practice.where(("migration", "go_live")) == f"{path}:10: migration.go_live"
    assert practice.where(("third_parties", 2, "name")) == f"{path}:12: third_parties.0.name"  # as written there
    assert practice.where(("third_parties", 1, "kind")) == f"{parent}:10: third_parties.1.kind"
    hashes = [hashlib.sha256(file.read_bytes()).hexdigest() for file in (path, parent)]
    assert practice.config_hash == hashlib.sha256("".join(hashes).encode()).hexdigest()
    write(parent, WAVE.replace("18:30", "19:00"))
    assert load(path).config_hash != practice.config_hash  # the hash on the cover covers the parent too
    assert load(write(tmp_path / "alone.yaml", MINIMAL)).config_hash == hashlib.sha256(MINIMAL.encode()).hexdigest()


def test_a_chain_of_two_parents(tmp_path):
    write(tmp_path / "_region.yaml", "migration:\n  source_system: Vision\n  target_system: SystmOne\n"
                                     "  read_only_days: 90\nposter: {copies: 5}\n")
    write(tmp_path / "waves" / "_wave.yaml", "extends: ../_region.yaml\nmigration:\n  target_system: EMIS Web\n"
                                             "third_parties:\n  - {name: Lab, kind: pathology}\n")
    path = write(tmp_path / "waves" / "p.yaml",
                 PRACTICE.replace("  practice_manager: {name: Alex Green}\n", "  practice_manager: {name: Alex Green}\n"
                                  "  lead_gp: {name: Dr Who}\n") + "poster: {copies: 1}\n")
    assert errors_of(path) == [f"{tmp_path}/waves/_wave.yaml:1: extends: '../_region.yaml' is outside the trusted root "
                               f"{tmp_path}/waves; move it inside, or widen the root with --root"]
    practice = load(path, [tmp_path])  # --root: the region's folder is trusted too
    config = practice.config
    assert (config.migration.source_system, config.migration.target_system) == ("Vision", "EMIS Web")
    assert config.migration.read_only_days == 90
    assert [party.name for party in config.third_parties] == ["Lab"]
    assert config.poster.copies == 1
    assert practice.where(("migration", "read_only_days")) == f"{tmp_path}/_region.yaml:4: migration.read_only_days"
    assert practice.where(("migration", "target_system")) == f"{tmp_path}/waves/_wave.yaml:3: migration.target_system"


def test_a_cycle_is_an_error_naming_both_files(tmp_path):
    first = write(tmp_path / "a.yaml", "extends: b.yaml\n" + MINIMAL)
    second = write(tmp_path / "b.yaml", "poster: {copies: 2}\nextends: a.yaml\n")
    assert errors_of(first) == [f"{second}:2: extends: 'a.yaml' extends this file again (a cycle)"]
    itself = write(tmp_path / "c.yaml", "extends: c.yaml\n")
    assert errors_of(itself) == [f"{itself}:1: extends: 'c.yaml' is this file itself (a cycle)"]


def test_a_missing_parent_is_an_error_at_the_practice(tmp_path):
    path = write(tmp_path / "child.yaml", MINIMAL + "extends: wave.yaml\n")
    assert errors_of(path) == [f"{path}:12: extends: no such file: {tmp_path / 'wave.yaml'}"]


@pytest.mark.parametrize("value", ["[a.yaml, b.yaml]", "3", "''"])
def test_extends_must_be_one_path(tmp_path, value):
    path = write(tmp_path / "p.yaml", f"extends: {value}\n" + MINIMAL)
    [problem] = errors_of(path)
    assert problem.startswith(f"{path}:1: extends: must be the path of the YAML file this one builds on")


def test_a_mistake_in_the_parent_points_at_the_parents_file_and_line(tmp_path):
    parent = write(tmp_path / "_wave.yaml", WAVE.replace("  logoff_time: \"18:30\"\n", "  logoff_time: 18:30\n"
                                                         "  go_live: 2027-06-01\n  holidayz: wales\n"))
    path = write(tmp_path / "p.yaml", PRACTICE.replace("ods_code: B12345", "ods_code: B1234")
                 .replace("  go_live: 2027-06-14\n", ""))
    assert errors_of(path) == [
        f"{path}:4: practice.ods_code: must be one letter and five digits, like A81001 (got 'B1234')",
        f"{parent}:7: migration.logoff_time: write the time in quotes, like \"18:30\"",
        f"{parent}:8: migration.go_live: must be after final_data_production (10/06/2027)",
        f"{parent}:9: migration.holidayz: unknown key; did you mean 'holidays'?",
    ]


def test_relative_paths_resolve_against_the_folder_of_the_file_that_names_them(tmp_path, monkeypatch):
    (tmp_path / "shared-content" / "guidance").mkdir(parents=True)
    write(tmp_path / "_region.yaml", "content: shared-content\n")
    practices = tmp_path / "practices"
    practices.mkdir()
    Image.new("RGB", (2, 2)).save(practices / "logo.png")  # a real image: a damaged one is refused
    write(practices / "_wave.yaml", WAVE.replace("contacts:", "extends: ../_region.yaml\npractice: {logo: logo.png}\ncontacts:"))
    path = write(practices / "p.yaml", PRACTICE)
    monkeypatch.chdir(tmp_path)
    config = load(path, [tmp_path]).config
    assert config.content == tmp_path / "shared-content"
    assert config.practice.logo == practices / "logo.png"
    write(practices / "_wave.yaml", WAVE.replace("contacts:", "practice: {logo: nope.png}\ncontacts:"))
    assert errors_of(path) == [f"{practices}/_wave.yaml:1: practice.logo: no such file: {practices / 'nope.png'}"]
    write(practices / "_wave.yaml", WAVE.replace("contacts:", "practice: {logo: ../logo.png}\ncontacts:"))
    assert errors_of(path) == [f"{practices}/_wave.yaml:1: practice.logo: '{practices}/../logo.png' is outside the "
                               f"trusted root {practices}; move it inside, or widen the root with --root"]


def test_folders_mean_their_configs_but_not_shared_ones(tmp_path):
    wave = tmp_path / "wave"
    for name in ("_wave.yaml", "b.yml", "a.yaml", "notes.txt", ".hidden.yaml"):
        write(wave / name, "")
    (wave / "sub").mkdir()
    write(wave / "sub" / "c.yaml", "")
    paths, skipped = config_paths([wave, wave / "a.yaml", wave / "_wave.yaml"])
    assert paths == [wave / "a.yaml", wave / "b.yml"]
    assert skipped == [wave / "_wave.yaml", wave / "_wave.yaml"]
    assert config_paths([tmp_path / "wave" / "sub", tmp_path / "nope.yaml"])[0] == [wave / "sub" / "c.yaml", tmp_path / "nope.yaml"]
    assert config_paths([tmp_path])[0] == [tmp_path]  # no config in it: loading it says so

    write(wave / "_wave.yaml", WAVE)
    write(wave / "a.yaml", PRACTICE)
    write(wave / "b.yml", PRACTICE.replace("B12345", "B54321"))
    result = CliRunner().invoke(main, ["check", str(wave), "--today", BUILD_DATE.isoformat()])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [f"{wave}/a.yaml: ok", f"{wave}/b.yml: ok"]
    only_shared = CliRunner().invoke(main, ["build", str(wave / "_wave.yaml")])
    assert only_shared.exit_code == 2
    assert only_shared.output == (f"Error: {wave}/_wave.yaml: holds shared defaults (the name starts with '_'), "
                                  "built only through the configs that extend it; give those configs\n")


def test_a_wave_builds_every_practice_even_when_one_fails(tmp_path):
    wave = tmp_path / "wave"
    write(wave / "_wave.yaml", WAVE + NO_LOGS)
    good = write(wave / "hillside.yaml", PRACTICE)
    bad = write(wave / "valley.yaml", PRACTICE.replace("Hillside", "Valley").replace("2027-06-14", "2027-06-01"))
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", str(wave), "-o", str(out), "--today", BUILD_DATE.isoformat(), "--jobs", "2"])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    pages = next(line for line in result.stdout.splitlines() if " built " in line).split("(")[1].split()[0]
    lines = [re.fullmatch(r"\[([#-]{20})\] (\d)/2 (.*)", line) for line in result.output.splitlines() if line.startswith("[")]
    assert sorted(line[3] for line in lines) == [
        f"built {out}/b12345-hillside-surgery ({pages} pages)",
        f"failed: {bad}: {bad}:10: migration.go_live: must be after final_data_production (10/06/2027)",
    ]
    assert sorted((line[2], line[1]) for line in lines) == [("1", "#" * 10 + "-" * 10), ("2", "#" * 20)]
    assert result.stdout.splitlines()[-2] == "built 1 of 2 practices; 1 failed"
    assert re.fullmatch(rf"wrote {out}/waves/wave/overview.pdf \(\d pages\), wave.ics, wave.csv", result.stdout.splitlines()[-1])
    assert (out / "b12345-hillside-surgery" / "cutover-pack.pdf").is_file()
    assert sorted(p.name for p in out.iterdir()) == [".cache", "b12345-hillside-surgery", "waves"]
    assert sorted(p.name for p in (out / ".cache").iterdir()) == ["b12345-hillside-surgery", "waves"]
    overview = " ".join(read_pdf(out / "waves" / "wave" / "overview.pdf").text.split())
    assert "2 practices: 1 built, 1 failed" in overview and "Hillside Surgery ODS B12345" in overview
    assert "FAILED" in overview and "migration.go_live: must be after final_data_production (10/06/2027)" in overview
    assert good.exists()


# Third parties merge by name with the files a config extends: the rules, as a reader of the README has them.
PARTY_NAMES = ["Eastshire Pathology", "Brook Pharmacy", "NHS 111", "Out of Hours", "Docman", "PCSE", "Screening Hub"]
PARTY_KEYS = ["kind", "contact", "email", "phone"]


def same(name: str) -> str:
    """Names are the same when they differ only in case, spaces and punctuation."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


@st.composite
def party_layers(draw):
    """Two or three files' third_parties, lowest first: each changes, removes and adds to those below."""
    layers: list[list[dict]] = []
    names: list[str] = []  # the merged list's names so far
    for _ in range(draw(st.integers(2, 3))):
        changed = draw(st.lists(st.sampled_from(names), unique=True)) if names else []
        removed = draw(st.lists(st.sampled_from([n for n in names if n not in changed]), unique=True)) \
            if len(changed) < len(names) else []
        added = draw(st.lists(st.sampled_from([n for n in PARTY_NAMES if same(n) not in map(same, names)]),
                              unique=True, max_size=3))
        items = []
        for name in changed + removed + added:
            written = name.upper() if draw(st.booleans()) and name not in added else name  # the same name, respelt
            if name in removed:
                items.append({"name": written, "remove": True})
                continue
            keys = draw(st.lists(st.sampled_from(PARTY_KEYS), unique=True, min_size=name in added))
            items.append({"name": written, **{key: draw(st.sampled_from(["a", "b b", "c-1"])) for key in keys}})
        items = draw(st.permutations(items))
        layers.append(items)
        names = [n for n in names if n not in removed] + added
    return layers


def merged_by_the_rules(layers: list[list[dict]]) -> list[tuple[dict, dict[str, tuple[int, int]]]]:
    """Each merged item, and for each of its keys (file number from the lowest, item number in that file)."""
    merged: list[tuple[dict, dict[str, tuple[int, int]]]] = []
    for number, items in enumerate(layers):
        removed = {same(item["name"]) for item in items if item.get("remove")}
        changes = {same(item["name"]): (at, item) for at, item in enumerate(items) if not item.get("remove")}
        kept = []
        for item, where in merged:
            if same(item["name"]) in removed:
                continue
            if same(item["name"]) in changes:  # the same name: its keys over the item's
                at, change = changes.pop(same(item["name"]))
                item, where = {**item, **change}, {**where, **{key: (number, at) for key in change}}
            kept.append((item, where))
        new = [(item, {key: (number, at) for key in item}) for key, (at, item) in changes.items()]
        merged = kept + sorted(new, key=lambda entry: next(iter(entry[1].values()))[1])  # new ones in file order
    return merged


@settings(max_examples=60, deadline=None)
@given(party_layers())
def test_third_parties_merge_by_name_and_every_key_names_the_file_and_line_it_was_written_in(layers):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for number, items in enumerate(layers):
            head = {"extends": f"f{number - 1}.yaml"} if number else {}
            write(root / f"f{number}.yaml", yaml.safe_dump({**head, "third_parties": items}, sort_keys=False))
        top = len(layers) - 1
        doc = read_config(root / f"f{top}.yaml", str(root / f"f{top}.yaml"), Trust([root]), MERGED_BY)
        expected = merged_by_the_rules(layers)
        assert doc.data["third_parties"] == [item for item, _where in expected]
        for position, (item, where) in enumerate(expected):
            number, at = where["name"]  # the item as a whole: where it was last named
            file = doc.layers[top - number]
            assert doc.locate(("third_parties", position)) == (file.shown, file.lines[("third_parties", at)])
            for key in item:
                number, at = where[key]
                file = doc.layers[top - number]  # layers: the config first
                assert doc.locate(("third_parties", position, key)) == (file.shown, file.lines[("third_parties", at, key)])
                assert doc.written(("third_parties", position, key)) == ("third_parties", at, key)


def check_errors(path: Path) -> list[str]:
    """What `packgen check` prints for `path`, which must fail with exit code 2."""
    result = CliRunner().invoke(main, ["check", str(path), "--today", BUILD_DATE.isoformat()])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    return result.stderr.splitlines()


def test_a_practice_changes_adds_and_removes_the_waves_third_parties_by_name(tmp_path):
    parent = write(tmp_path / "_wave.yaml", WAVE)
    path = write(tmp_path / "p.yaml", PRACTICE + "third_parties:\n"
                                                "  - {name: eastshire nhs-111, remove: true}\n"
                                                "  - {name: Hill Pharmacy, kind: pharmacy}\n"
                                                "  - name: Eastshire Pathology\n"
                                                "    email: results@hill.nhs.uk\n")
    practice = load(path)
    assert [(party.name, party.kind, party.email) for party in practice.config.third_parties] == [
        ("Eastshire Pathology", "pathology", "results@hill.nhs.uk"), ("Hill Pharmacy", "pharmacy", None)]
    assert practice.where(("third_parties", 0, "kind")) == f"{parent}:9: third_parties.0.kind"
    assert practice.where(("third_parties", 0, "email")) == f"{path}:15: third_parties.2.email"
    # a mistake is reported where it was written: the practice's email, the wave's kind
    write(tmp_path / "_wave.yaml", WAVE.replace("kind: pathology", "kind: pathologee"))
    write(path, PRACTICE + "third_parties:\n  - {name: Eastshire Pathology, email: results at hill}\n")
    assert check_errors(path) == [
        f"error: {path}:12: third_parties.0.email: must be one email address, like name@nhs.net (got 'results at hill')",
        f"error: {parent}:9: third_parties.0.kind: must be one of subsidiary_supplier, pathology, bowel_screening, "
        "nhs111, out_of_hours, pharmacy, pcse, sms_provider, online_services, other or eps (got 'pathologee')",
    ]


@pytest.mark.parametrize(("items", "message"), [
    ("  - {name: Hill Pharmacy, kind: pharmacy}\n  - {name: Eastshire Labs, remove: true}\n",
     "{path}:13: third_parties.1.remove: 'Eastshire Labs' is not among the third_parties of {parent}, so there is "
     "nothing to remove; check the name"),
    ("  - {name: Eastshire NHS 111, kind: nhs111, remove: true}\n",
     "{path}:12: third_parties.0.remove: an item with remove: true has only its name; leave out kind"),
    ("  - {name: Eastshire NHS 111, remove: please}\n",
     "{path}:12: third_parties.0.remove: must be true or false (got text)"),
    ("  - {remove: true}\n",
     "{path}:12: third_parties.0.remove: give the name of the item to remove, as the file it extends writes it"),
])
def test_a_removal_that_cannot_be_done_is_an_error_at_its_line(tmp_path, items, message):
    parent = write(tmp_path / "_wave.yaml", WAVE)
    path = write(tmp_path / "p.yaml", PRACTICE + "third_parties:\n" + items)
    assert check_errors(path) == ["error: " + message.format(path=path, parent=parent)]


def test_a_removal_in_a_file_that_extends_nothing_is_an_error(tmp_path):
    path = write(tmp_path / "p.yaml", MINIMAL + "third_parties:\n  - {name: Lab, remove: true}\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", str(path), "-o", str(out)])
    assert result.exit_code == 2
    assert result.output == (f"Error: {path}:13: third_parties.0.remove: 'Lab' cannot be removed: no file this one "
                             "extends lists third_parties\n")
    assert not out.exists()


def test_paths_in_a_shared_file_in_another_folder_are_found_beside_it_and_stay_inside_the_root(tmp_path):
    shared = tmp_path / "shared"
    (shared / "wave-content" / "guidance").mkdir(parents=True)
    (shared / "wave-templates").mkdir()
    (shared / "art").mkdir()
    Image.new("RGB", (2, 2)).save(shared / "art" / "logo.png")
    Image.new("RGB", (2, 2)).save(tmp_path / "outside.png")
    (tmp_path / "outside").mkdir()
    paths = {"practice.logo": "art/logo.png", "content": "wave-content", "templates": "wave-templates"}

    def shared_file(**values: str) -> Path:
        given = {**paths, **values}
        return write(shared / "_wave.yaml", f"practice: {{logo: {given['practice.logo']}}}\n"
                                            f"content: {given['content']}\ntemplates: {given['templates']}\n" + WAVE)

    parent = shared_file()
    path = write(shared / "north" / "p.yaml", PRACTICE.replace("extends: _wave.yaml", "extends: ../_wave.yaml"))
    config = load(path, [shared]).config  # the practice's folder is north/: none of these is there
    assert config.practice.logo == shared / "art" / "logo.png"
    assert (config.content, config.templates) == (shared / "wave-content", shared / "wave-templates")
    for line, (key, value) in enumerate((("practice.logo", "../outside.png"), ("content", "../outside"),
                                         ("templates", "../outside")), start=1):
        shared_file(**{key: value})
        with pytest.raises(ConfigError) as caught:
            load(path, [shared])  # the shared file is inside the root; what it names is not
        assert caught.value.problems == [f"{parent}:{line}: {key}: '{shared / value}' is outside the trusted roots "
                                         f"{shared / 'north'}, {shared}; move it inside, or widen the root with --root"]


def test_every_key_that_holds_a_path_is_resolved_beside_the_file_that_names_it():
    def paths(model: type, key: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
        found = []
        for name, field in model.model_fields.items():
            kinds = typing.get_args(field.annotation) or (field.annotation,)
            found += [key + (name,)] if Path in kinds else []
            found += [path for kind in kinds if isinstance(kind, type) and issubclass(kind, BaseModel)
                      for path in paths(kind, key + (name,))]
        return found

    assert sorted(paths(Config)) == sorted(PATH_KEYS)
