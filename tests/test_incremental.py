"""Reproducible and incremental builds: same inputs, same bytes; unchanged inputs, nothing laid out again."""

from __future__ import annotations

import json

from pypdf import PdfReader

from packgen.build import build
from packgen.config import load

from .conftest import BUILD_DATE, MINIMAL, NO_LOGS, write

CONFIG = NO_LOGS + MINIMAL + "third_parties:\n  - name: Lab\n    kind: pathology\n    address: [1 Lab Road]\n"


def snapshot(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_same_inputs_give_identical_bytes_and_an_unchanged_rebuild_reuses_them(tmp_path):
    path = write(tmp_path / "p.yaml", CONFIG)
    first = build(load(path), tmp_path / "a", BUILD_DATE)
    other = build(load(path), tmp_path / "b", BUILD_DATE, force=True)
    assert snapshot(first.folder) == snapshot(other.folder)  # byte-identical, from scratch, in another folder
    assert not first.reused
    before = snapshot(first.folder)
    again = build(load(path), tmp_path / "a", BUILD_DATE)
    assert again.reused
    assert snapshot(again.folder) == before
    manifest = json.loads((again.folder / "manifest.json").read_text())
    assert set(manifest["files"]) == set(before) - {"manifest.json"}
    assert manifest["files"]["cutover-pack.pdf"]["pages"] == again.files["cutover-pack.pdf"]


def test_a_change_lays_out_again(tmp_path):
    path = write(tmp_path / "p.yaml", CONFIG)
    first = build(load(path), tmp_path / "out", BUILD_DATE)
    old = json.loads((first.folder / "manifest.json").read_text())["files"]
    write(path, CONFIG.replace("1 Lab Road", "2 Lab Road"))
    second = build(load(path), tmp_path / "out", BUILD_DATE)
    assert not second.reused
    new = json.loads((second.folder / "manifest.json").read_text())["files"]
    notice = "letters/01-2027-06-03-notice-lab.pdf"
    assert new[notice]["source"] != old[notice]["source"] and new[notice]["sha256"] != old[notice]["sha256"]
    assert "2 Lab Road" in PdfReader(second.folder / notice).pages[0].extract_text()
    assert new["patient-notice.txt"] == old["patient-notice.txt"]  # text files are made from their own inputs
