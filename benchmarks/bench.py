"""Measure packgen's build speed and memory on the example practice; print ratios, write RESULTS.md.

Run with:  .venv/bin/python benchmarks/bench.py [--wave 20]
           .venv/bin/python benchmarks/bench.py --before /tmp/before/.venv/bin/packgen [--pairs 3] [--small]
The second form times a cold build of the example (and a wave of 20 copies of it, --jobs 2) with this
checkout and with another installation (an earlier commit, PATH/.venv/bin/packgen, in its own venv) in
turn, A B A B, and prints the CPU time (user + system, with the layout workers) of each and the median
ratio of the pairs: on a shared machine only ratios of paired runs can be trusted. Each side builds its
own example config, with `logs:` settings so both print the same number of sheets of each log: this
checkout's example's, or with --small the earlier example's.
Targets (2-core machine) live here, never in the tests."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "practices" / "riverside.yaml"
PACKGEN = [sys.executable, "-m", "packgen"]
TODAY = "2026-11-27"
TARGETS = {"a/b": 0.75, "c/a": 0.10, "d/a": 0.35, "wave speed-up": 1.7, "peak MB per process": 250}


def run(args: list[str]) -> float:
    """Seconds one packgen command takes; fails loudly if the command fails."""
    start = time.perf_counter()
    subprocess.run(PACKGEN + args, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    return time.perf_counter() - start


def timed(command: list[str]) -> tuple[float, float]:
    """CPU seconds (user + system, the command and every process it waited for: its layout workers) and
    peak resident MB of the largest of them, for one command run to the end."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, cwd=ROOT)
    _, status, usage = os.wait4(process.pid, 0)  # the command's own figures and those of the children it reaped
    if status:
        raise SystemExit(f"{' '.join(command)} failed")
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def sheets_per_log(config: Path) -> dict[str, int]:
    """Sheets printed of each log (dated and spare) by this checkout for `config`."""
    sys.path.insert(0, str(ROOT))
    from packgen.practice.load import load
    from packgen.practice.logs import printed_sheets

    counts: dict[str, int] = {}
    for sheet in printed_sheets(load(config).config):
        counts[sheet.log.name] = counts.get(sheet.log.name, 0) + 1
    return counts


def logs_section(counts: dict[str, int], open_days: int, spares: bool) -> str:
    """A config's `logs:` section printing `counts` sheets of each log over `open_days` days (FDP day's
    sheets, then as many a day after it), with one spare each when `spares` (this checkout's minimum;
    953b9d9 printed none)."""
    lines = ["logs:"]
    for log, count in counts.items():
        count -= 1 if spares else 0
        per_day = min(20, max(1, (count - 1) // (open_days - 1)))
        first = count - per_day * (open_days - 1)
        if not 1 <= first <= 20:
            raise SystemExit(f"cannot print {count} {log} sheets over {open_days} days")
        lines.append(f"  {log}: {{sheets_per_day: {per_day}, fdp_day_sheets: {first}"
                     + (", spare_sheets: 1}" if spares else "}"))
    return "\n".join(lines) + "\n"


def workloads(before: Path, small: bool, work: Path) -> tuple[Path, Path]:
    """The example's config for this checkout (A) and for the one at `before` (B), printing the same number
    of sheets of each log: this checkout's example as it is (default), or with `small` the sheets 953b9d9's
    example printed (one more each: this checkout prints at least one spare), without named clinicians."""
    sys.path.insert(0, str(ROOT))
    from packgen.practice.load import load
    from packgen.practice.logs import open_days

    days = len(open_days(load(EXAMPLE).config))
    a, b = work / "a.yaml", work / "b.yaml"
    shutil.copy(EXAMPLE.parent / "riverside-logo.svg", work)
    mine, theirs = EXAMPLE.read_text(), (before / "practices" / "riverside.yaml").read_text()
    if small:
        b.write_text(theirs)
        # B's own counts, read from a build of B's example: the sheets its logs/ files hold, and A's spare
        out = work / "count"
        subprocess.run([str(before / ".venv" / "bin" / "packgen"), "build", str(b), "-o", str(out), "--today", TODAY],
                       check=True, stdout=subprocess.DEVNULL)
        from pypdf import PdfReader

        counts = {path.stem.replace("-", "_"): len(PdfReader(path).pages) + 1
                  for path in sorted(next(out.glob("*/logs")).glob("*.pdf"))}
        shutil.rmtree(out)
        mine = re.sub(r"roles:\n  clinicians:.*?\n(?=\S)", "", mine, flags=re.DOTALL)
        a.write_text(mine + logs_section(counts, days, spares=True))
    else:
        a.write_text(mine)
        counts = sheets_per_log(a)
    b.write_text(theirs + logs_section(counts, days, spares=False))
    return a, b


def versus(before: str, pairs: int, wave: int, small: bool) -> None:
    """Cold builds of the example (and of a wave, --jobs 2) by this checkout (A) and by `before` (B), A B A B,
    each with its own config printing the same sheets (`workloads`)."""
    import statistics

    work = Path(tempfile.mkdtemp(prefix="packgen-versus-"))
    try:
        checkout = Path(before).resolve().parent.parent.parent  # PATH/.venv/bin/packgen
        configs = workloads(checkout, small, work)
        print(f"A: {sheets_per_log(configs[0])} sheets of each log")
        folders = []
        for side, config in zip("ab", configs):
            folder = work / f"wave-{side}"
            folder.mkdir()
            shutil.copy(EXAMPLE.parent / "riverside-logo.svg", folder)
            text = config.read_text()
            for n in range(wave):
                (folder / f"p{n:02d}.yaml").write_text(
                    text.replace("Y01234", f"Y{10000 + n:05d}").replace("Riverside Medical Centre", f"Practice {n:02d}"))
            folders.append(folder)
        cases = {"cold build of the example": ([str(configs[0])], [str(configs[1])])}
        if wave:
            cases[f"wave of {wave}, --jobs 2"] = ([str(folders[0]), "--jobs", "2"], [str(folders[1]), "--jobs", "2"])
        for case, (args_a, args_b) in cases.items():
            ratios, memory = [], []
            for _ in range(pairs):
                common = ["--today", TODAY, "--force"]
                a, peak_a = timed(PACKGEN + ["build", *args_a, *common, "-o", str(work / "a")])
                b, peak_b = timed([before, "build", *args_b, *common, "-o", str(work / "b")])
                ratios.append(a / b)
                memory.append((peak_a, peak_b))
                print(f"{case}: CPU A {a:.1f} s, B {b:.1f} s, A/B {a / b:.2f}; peak MB A {peak_a:.0f}, B {peak_b:.0f}",
                      flush=True)
            print(f"{case}: median CPU A/B {statistics.median(ratios):.2f} over {pairs} pairs", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def renderer_floor(work: Path) -> float:
    """WeasyPrint alone: lay out and write, one after another in this process, the HTML of every document
    packgen makes for the example (the contents and print list in their final form), then the page-number
    document over them. This is the renderer's own cost, with nothing of packgen's."""
    sys.path.insert(0, str(ROOT))
    from weasyprint import HTML

    from packgen.pack.documents import documents, html, page_numbers_html, pagination
    from packgen.pack.fill import pack_env
    from packgen.pack.model import prepare
    from packgen.practice.load import load
    from packgen.render.pdf import page_name

    practice = load(work / "riverside.yaml")
    pack = prepare(practice, dt.date.fromisoformat(TODAY))
    docs = documents(pack)
    env = pack_env(practice)
    manifest = json.loads(next((work / "out").glob("*/manifest.json")).read_text())["files"]
    numbers = pagination(pack, docs, None, None)  # the same HTML, bar the digits of the page numbers
    pages = {doc.key: html(env, pack, numbers, doc) for doc in docs}
    base = str(work) + "/"
    start = time.perf_counter()
    names: list[str] = []
    for text in pages.values():
        document = HTML(string=text, base_url=base).render()
        names += [page_name(page) for page in document.pages]
        document.write_pdf(pdf_variant="pdf/ua-1")
    elapsed = time.perf_counter() - start
    if len(names) != manifest["cutover-pack.pdf"]["pages"]:
        raise SystemExit(f"the floor laid out {len(names)} pages, the pack has {manifest['cutover-pack.pdf']['pages']}")
    stamps = page_numbers_html(env, pack, numbers, names)
    start = time.perf_counter()
    HTML(string=stamps, base_url=base).write_pdf()
    return elapsed + time.perf_counter() - start


def machine() -> str:
    cpu = "unknown CPU"
    info = Path("/proc/cpuinfo")
    if info.exists():
        match = re.search(r"model name\s*:\s*(.+)", info.read_text())
        cpu = match.group(1).strip() if match else cpu
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        match = re.search(r"MemTotal:\s*(\d+) kB", meminfo.read_text())
        memory = f", {int(match.group(1)) / 1024 / 1024:.0f} GiB" if match else ""
    import weasyprint

    return (f"{os.cpu_count()} cores ({cpu}){memory}; {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}; WeasyPrint {weasyprint.__version__}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--wave", type=int, default=20, help="practices in the wave (default 20)")
    parser.add_argument("--before", help="packgen of another installation to compare with, A B A B")
    parser.add_argument("--pairs", type=int, default=3, help="A B pairs with --before (default 3)")
    parser.add_argument("--small", action="store_true",
                        help="with --before: the sheets the earlier example printed, instead of this one's")
    options = parser.parse_args()
    if options.before:
        versus(options.before, options.pairs, options.wave, options.small)
        return
    work = Path(tempfile.mkdtemp(prefix="packgen-bench-"))
    try:
        shutil.copy(EXAMPLE, work / "riverside.yaml")
        shutil.copy(EXAMPLE.parent / "riverside-logo.svg", work)
        out = work / "out"
        config = str(work / "riverside.yaml")
        results: dict[str, float] = {}
        results["a: cold build (s)"] = a = run(["build", config, "-o", str(out), "--today", TODAY, "--force"])
        results["b: WeasyPrint alone, same HTML, one document after another (s)"] = b = renderer_floor(work)
        results["c: unchanged rebuild (s)"] = c = run(["build", config, "-o", str(out), "--today", TODAY])
        text = (work / "riverside.yaml").read_text()
        (work / "riverside.yaml").write_text(text.replace("Hospital Road", "Infirmary Road"))
        results["d: rebuild after one address change (s)"] = d = run(["build", config, "-o", str(out), "--today", TODAY])
        wave = work / "wave"
        wave.mkdir()
        shutil.copy(EXAMPLE.parent / "riverside-logo.svg", wave)
        for n in range(options.wave):
            (wave / f"p{n:02d}.yaml").write_text(
                text.replace("Y01234", f"Y{10000 + n:05d}").replace("Riverside Medical Centre", f"Practice {n:02d}"))
        serial = run(["build", str(wave), "-o", str(work / "w1"), "--today", TODAY, "--jobs", "1", "--force"])
        parallel = run(["build", str(wave), "-o", str(work / "w2"), "--today", TODAY, "--jobs", "2", "--force"])
        results[f"e: wave of {options.wave}, --jobs 1 (s)"] = serial
        results[f"e: wave of {options.wave}, --jobs 2 (s)"] = parallel
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        ratios = {"a/b": a / b, "c/a": c / a, "d/a": d / a, "wave speed-up": serial / parallel,
                  "peak MB per process": peak}
    finally:
        shutil.rmtree(work, ignore_errors=True)

    lines = ["# Benchmark results", "", f"Measured {dt.date.today().isoformat()} on: {machine()}.", "",
             "| Measure | Value |", "|---|---|"]
    lines += [f"| {name} | {value:.2f} |" for name, value in results.items()]
    lines += ["", "| Ratio | Measured | Target | Met |", "|---|---|---|---|"]
    for name, value in ratios.items():
        target = TARGETS[name]
        met = value >= target if name == "wave speed-up" else value <= target
        sign = "≥" if name == "wave speed-up" else "≤"
        lines.append(f"| {name} | {value:.2f} | {sign} {target} | {'yes' if met else 'no'} |")
    report = "\n".join(lines) + "\n"
    print(report)
    path = ROOT / "benchmarks" / "RESULTS.md"
    kept = "## Reading scans back"  # written by reconcile_bench.py: kept as it is
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    path.write_text(report + ("\n" + kept + old.split(kept, 1)[1] if kept in old else ""), encoding="utf-8")


if __name__ == "__main__":
    main()
