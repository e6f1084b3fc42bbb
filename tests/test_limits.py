"""Bounds and safe writing: layout limits, workers that die with the build, recoverable publishing,
a cache that never follows links, batch collisions, and an output folder that cannot be written."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import multiprocessing
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from packgen.build import build, practice_slug
from packgen.cli import main
from packgen.errors import ConfigError, OutputError, RenderError
from packgen.limits import LAYOUT_MEMORY, MAX_LOG_SHEETS
from packgen.names import FONT
from packgen.practice.load import load
from packgen.render.cache import Cache, Laid
from packgen.render.layouts import Layouts
from packgen.render.publish import recover
from packgen.render.workers import lay_out_within

from .conftest import EXAMPLE, MINIMAL, NO_LOGS, ROOT, write

TODAY = dt.date(2026, 11, 27)
TIMEOUT = 120  # seconds: a guard against a hang, not a measure of speed


def heavy(tmp_path: Path) -> Path:
    """A practice whose own template makes every document a long table: slow to lay out."""
    rows = "{% for n in range(3000) %}<tr><td>{{ n }}</td><td>" + "text " * 20 + "</td></tr>{% endfor %}"
    write(tmp_path / "templates" / "base.html", f"<html><body><table>{rows}</table></body></html>")
    return write(tmp_path / "practice.yaml", MINIMAL + NO_LOGS + "templates: templates\n")


def test_a_document_over_its_time_is_a_one_line_error_naming_it(tmp_path, monkeypatch):
    monkeypatch.setenv("PACKGEN_LAYOUT_SECONDS", "1")
    with pytest.raises(RenderError) as caught:
        build(load(heavy(tmp_path)), tmp_path / "out", TODAY, jobs=1)
    message = caught.value.format_message()
    assert re.search(r": took more than \d seconds? to lay out; shorten it$", message), message
    assert "Hillside Surgery" in message and "\n" not in message
    assert not (tmp_path / "out" / "b12345-hillside-surgery").exists()


def test_a_layout_that_swallows_its_alarm_is_stopped_by_the_next(monkeypatch):
    """The alarm can land in a C callback of the layout, which swallows the exception and goes on: the
    alarm rings again until the layout stops, rather than letting it run to its end."""
    swallowed = []

    def swallowing(job):
        end = time.monotonic() + 20
        while time.monotonic() < end:
            try:
                while time.monotonic() < end:
                    pass
            except BaseException:  # as a C callback does, once
                if swallowed:
                    raise
                swallowed.append(True)
        raise AssertionError("the layout ran to its end")

    monkeypatch.setattr("packgen.render.pdf.lay_out", swallowing)
    started = time.monotonic()
    with pytest.raises(RenderError, match=r"^Slow: took more than 1 second to lay out; shorten it$"):
        lay_out_within(SimpleNamespace(title="Slow"), 1, LAYOUT_MEMORY)
    assert swallowed and time.monotonic() - started < 5


def test_a_document_over_its_memory_is_a_one_line_error_naming_it(tmp_path, monkeypatch):
    monkeypatch.setenv("PACKGEN_LAYOUT_MEMORY", str(50_000_000))  # less than the worker already holds
    with pytest.raises(RenderError) as caught:
        build(load(heavy(tmp_path)), tmp_path / "out", TODAY, jobs=1)
    message = caught.value.format_message()
    assert ("needed more than 0.1 GB of memory to lay out" in message
            or "the layout process stopped (out of memory, or killed)" in message), message
    assert "\n" not in message


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if entry.name.isdigit() and int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has ended; only its exit status is left to collect


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent-death signal is Linux's")
@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM])
def test_layout_workers_die_with_the_build(tmp_path, signum):
    process = subprocess.Popen([sys.executable, "-m", "packgen", "build", str(heavy(tmp_path)), "-o",
                                str(tmp_path / "out"), "--jobs", "2"], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        end = time.monotonic() + TIMEOUT
        workers: list[int] = []
        while not workers and time.monotonic() < end and process.poll() is None:
            time.sleep(0.2)
            workers = _children(process.pid)
        assert workers, "no layout worker was started"
        os.kill(process.pid, signum)
        process.wait(timeout=TIMEOUT)
        end = time.monotonic() + 30
        while any(_alive(pid) for pid in workers) and time.monotonic() < end:
            time.sleep(0.2)
        assert not [pid for pid in workers if _alive(pid)]
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_a_stopped_layout_stops_its_workers_at_once(tmp_path):
    layouts = Layouts(Cache(tmp_path / "cache"), str(tmp_path), (str(tmp_path),), TODAY, 2)
    page = f"<p style='font-family: \"{FONT}\"'>{{}}</p>"
    layouts.get({"a": (page.format("one"), "A", False), "b": (page.format("two"), "B", False)})  # starts the workers
    assert layouts.pool is not None
    busy = layouts.pool.submit(time.sleep, TIMEOUT)  # a layout that would not end by itself
    workers = [process.pid for process in multiprocessing.active_children()]
    started = time.monotonic()
    layouts.kill()
    assert time.monotonic() - started < TIMEOUT / 2 and busy.done()
    assert workers and not [pid for pid in workers if _alive(pid)]


def test_an_interrupted_swap_is_undone_by_the_next_build(tmp_path):
    folder = tmp_path / "out" / "b12345-hillside"
    old = tmp_path / "out" / ".b12345-hillside.old-x1"  # the crash came between the two renames
    write(old / folder.name / "cutover-pack.pdf", "the previous pack")
    write(tmp_path / "out" / ".b12345-hillside.new-y2" / "cutover-pack.pdf", "a pack half written")
    recover(folder)
    assert (folder / "cutover-pack.pdf").read_text() == "the previous pack"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [folder.name]


def test_leftovers_are_removed_without_following_links(tmp_path):
    folder = tmp_path / "out" / "b12345-hillside"
    write(folder / "cutover-pack.pdf", "the current pack")
    elsewhere = write(tmp_path / "elsewhere" / "precious.txt", "keep me").parent
    (tmp_path / "out" / ".b12345-hillside.old-x1").symlink_to(elsewhere)
    write(tmp_path / "out" / ".b12345-hillside.new-y2" / "cutover-pack.pdf", "a pack half written")
    recover(folder)
    assert (folder / "cutover-pack.pdf").read_text() == "the current pack"
    assert (elsewhere / "precious.txt").read_text() == "keep me"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [folder.name]


PDF = Laid(b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n", 1, {"a": 0}, ("",))


def test_a_linked_cache_folder_is_refused_and_never_pruned(tmp_path):
    elsewhere = write(tmp_path / "elsewhere" / "precious.pdf", "keep me").parent
    write(tmp_path / "out" / ".cache" / ".keep", "")
    (tmp_path / "out" / ".cache" / "b12345-hillside").symlink_to(elsewhere)
    cache = Cache(tmp_path / "out" / ".cache" / "b12345-hillside")
    with pytest.raises(OutputError) as caught:
        cache.get("0" * 64)
    assert caught.value.format_message() == (
        f"{tmp_path}/out/.cache/b12345-hillside: is a link; packgen's cache folder must be a real folder, "
        "not a link (remove the link)")
    cache.prune()
    assert (elsewhere / "precious.pdf").read_text() == "keep me"


def test_pruning_removes_links_not_what_they_point_to(tmp_path):
    precious = write(tmp_path / "elsewhere" / "precious.pdf", "keep me")
    cache = Cache(tmp_path / "out" / ".cache" / "b12345-hillside")
    cache.put("a" * 64, PDF)
    (cache.folder / ("b" * 64 + ".pdf")).symlink_to(precious)
    cache.prune()
    assert sorted(p.name for p in cache.folder.iterdir()) == ["a" * 64 + ".json", "a" * 64 + ".pdf"]
    assert precious.read_text() == "keep me"


def test_a_cache_entry_that_is_a_link_is_not_read(tmp_path):
    cache = Cache(tmp_path / "out" / ".cache" / "b12345-hillside")
    cache.put("a" * 64, PDF)
    assert cache.get("a" * 64) == PDF
    pdf = cache.folder / ("a" * 64 + ".pdf")
    moved = pdf.rename(tmp_path / "moved.pdf")
    pdf.symlink_to(moved)
    assert cache.get("a" * 64) is None


def test_a_damaged_cache_entry_whose_hash_matches_is_laid_out_again(tmp_path):
    cache = Cache(tmp_path / "out" / ".cache" / "b12345-hillside")
    cache.put("a" * 64, PDF)
    damaged = b"not a PDF at all"
    (cache.folder / ("a" * 64 + ".pdf")).write_bytes(damaged)
    meta = json.loads((cache.folder / ("a" * 64 + ".json")).read_text())
    meta["sha256"] = __import__("hashlib").sha256(damaged).hexdigest()
    (cache.folder / ("a" * 64 + ".json")).write_text(json.dumps(meta))
    assert cache.get("a" * 64) is None


def test_a_cache_entry_is_found_only_while_each_file_its_layout_read_is_the_same(tmp_path):
    image = write(tmp_path / "root" / "sig.svg", "<svg/>")
    copy = write(tmp_path / "root" / "copy.svg", "<svg/>")
    folder = tmp_path / "out" / ".cache" / "b12345-hillside"
    Cache(folder).put("a" * 64, replace(PDF, read=((str(image), str(image), hashlib.sha256(b"<svg/>").hexdigest()),)))

    def found():  # by a new build (a cache remembers what each file held for one build)
        return Cache(folder).get("a" * 64) is not None

    assert found()
    image.write_text("<svg></svg>")
    assert not found()  # other bytes
    image.write_text("<svg/>")
    assert found()
    image.unlink()
    assert not found()  # gone
    image.symlink_to(copy)
    assert not found()  # the same bytes, read from another file
    image.unlink()
    os.mkfifo(image)
    assert not found()  # not a regular file: not read, and no wait for a writer


def test_a_cache_slug_that_is_a_file_is_a_one_line_error(tmp_path):
    config = write(tmp_path / "practice.yaml", MINIMAL + NO_LOGS)
    write(tmp_path / "out" / ".cache" / practice_slug(load(config)), "not a folder")
    result = CliRunner().invoke(main, ["build", str(config), "-o", str(tmp_path / "out"), "--today", "2026-11-27"])
    assert result.exit_code == 1
    assert result.stderr == (f"Error: {tmp_path}/out/.cache/b12345-hillside-surgery: is a file; packgen's cache "
                             "folder must be a folder (remove or rename the file)\n")


def test_an_output_folder_that_cannot_be_written_is_a_one_line_error(tmp_path):
    config = write(tmp_path / "practice.yaml", MINIMAL + NO_LOGS)
    result = CliRunner().invoke(main, ["build", str(config), "-o", str(config / "out"), "--today", "2026-11-27"])
    assert result.exit_code == 1
    assert result.stderr == (f"Error: {config}/out: cannot be made: {config} is a file; give a folder to write the "
                             "packs into\n")


def test_two_configs_built_into_one_folder_are_refused_before_anything_is_built(tmp_path):
    first = write(tmp_path / "wave" / "hillside.yaml", MINIMAL + NO_LOGS)
    second = write(tmp_path / "wave" / "hillside-copy.yaml", (MINIMAL + NO_LOGS).replace("Hillside Surgery", "Hillside  surgery"))
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", str(tmp_path / "wave"), "-o", str(out)])
    assert result.exit_code == 2
    assert result.stderr == (f"Error: {second} and {first}: would all be built into {out}/b12345-hillside-surgery, "
                             "so one pack would replace the other; give each practice its own ODS code or name, "
                             "or build them into different output folders\n")
    assert not out.exists()


def test_the_example_is_within_every_limit():
    practice = load(EXAMPLE)
    assert practice.config.practice.name  # loads: its pages, sizes and text are within the limits


def test_one_log_of_more_sheets_than_a_worker_can_lay_out_is_refused_naming_the_setting(tmp_path):
    small = MINIMAL.replace("  address:", "  list_size: 1000\n  address:").replace("2027-06-14", "2027-07-14")
    path = write(tmp_path / "p.yaml", small + "logs:\n  referrals: {sheets_per_day: 20}\n")
    with pytest.raises(ConfigError) as caught:
        load(path)
    # 1 on FDP day, 20 on each of the other 23 open days, and 5 spares (a quarter of a day's)
    assert caught.value.problems == [
        f"{path}:14: logs.referrals.sheets_per_day: 466 referrals log sheets over 24 open days are more "
        f"than one log may print ({MAX_LOG_SHEETS}); lower logs.referrals.sheets_per_day or shorten the cut-over"]


def test_check_finds_two_configs_that_would_be_built_into_one_folder(tmp_path):
    first = write(tmp_path / "wave" / "hillside.yaml", MINIMAL + NO_LOGS)
    second = write(tmp_path / "wave" / "hillside-copy.yaml", MINIMAL + NO_LOGS)
    result = CliRunner().invoke(main, ["check", str(tmp_path / "wave"), "--today", "2026-11-27"])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == (
        f"error: {second} and {first}: would all be built into the same folder, b12345-hillside-surgery, so one "
        "pack would replace the other; give each practice its own ODS code or name, or build them into different "
        "output folders")
