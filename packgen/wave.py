"""A wave of practices: which configs the arguments name, and building many of them in parallel."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from .build import build
from .errors import ConfigError, PackgenError, one_line, reported
from .names import PACK
from .practice.load import load
from .render.workers import die_with_parent

SUFFIXES = (".yaml", ".yml")


def is_shared(path: Path) -> bool:
    """A file of shared defaults (its name starts with '_'), built only through the configs that extend it."""
    return path.name.startswith("_")


def config_paths(args: Iterable[Path]) -> tuple[list[Path], list[Path]]:
    """The configs that `args` name, in order and once each, and the shared '_' files left out.

    A folder means every *.yaml and *.yml file directly inside it. A folder with none, or a path that
    does not exist, is kept as given, so that loading it reports the problem."""
    found: list[Path] = []
    skipped: list[Path] = []
    for arg in args:
        if _is(arg, Path.is_dir):
            inside = sorted(p for p in arg.iterdir()
                            if p.suffix.lower() in SUFFIXES and p.is_file() and not p.name.startswith("."))
            skipped += [p for p in inside if is_shared(p)]
            found += [p for p in inside if not is_shared(p)] or [arg]
        elif is_shared(arg) and _is(arg, Path.is_file):
            skipped.append(arg)
        else:
            found.append(arg)
    seen: set[Path] = set()
    unique = []
    for path in found:  # a file named twice (itself and through its folder) is built once
        if path.resolve() not in seen:
            seen.add(path.resolve())
            unique.append(path)
    return unique, skipped


def _is(path: Path, test: Callable[[Path], bool]) -> bool:
    """`test(path)`, false when the path cannot be looked at (loading it then reports why)."""
    try:
        return test(path)
    except OSError:
        return False


def collisions(configs: list[Path], output: Path | None, roots: Iterable[Path] = ()) -> list[str]:
    """One line for each output folder that two or more of `configs` would be built into: one pack
    would replace the other. Configs that do not load are left to report their own problem."""
    from .build import practice_slug

    by_folder: dict[str, list[Path]] = {}
    for config in configs:
        try:
            by_folder.setdefault(practice_slug(load(config, roots)), []).append(config)
        except PackgenError:
            continue
    return [f"{', '.join(str(p) for p in paths[:-1])} and {paths[-1]}: would all be built into "
            f"{output / name if output is not None else 'the same folder, ' + name}, "
            "so one pack would replace the other; give each practice its own ODS code or name, or build them "
            "into different output folders" for name, paths in by_folder.items() if len(paths) > 1]


def nothing_to_build(skipped: list[Path]) -> ConfigError:
    """The error when every file given holds shared defaults."""
    names = ", ".join(str(path) for path in skipped)
    return ConfigError([f"{names}: {'holds' if len(skipped) == 1 else 'hold'} shared defaults (the name starts "
                        "with '_'), built only through the configs that extend it; give those configs"])


@dataclass(frozen=True)
class Outcome:
    """How building one practice went, in plain values a worker process can send back."""

    config: str
    folder: str | None = None
    pages: int | None = None  # of the pack
    warnings: tuple[str, ...] = ()  # `FILE:LINE: key: message`
    problems: tuple[str, ...] = ()  # one line each
    exit_code: int = 0

    @property
    def reason(self) -> str:
        """Why the build failed, on one line."""
        if len(self.problems) == 1:
            return self.problems[0]
        return f"{len(self.problems)} problems in the config"


def build_one(config: str, output: str, today: dt.date, force: bool = False, roots: tuple[Path, ...] = ()) -> Outcome:
    """Load and build one practice; every failure becomes part of the outcome, never an exception."""
    try:
        practice = load(config, roots)
        result = build(practice, Path(output), today, force, jobs=1)  # the wave's processes are the parallelism
    except Exception as exc:  # noqa: BLE001 - one practice's failure, even a fault of packgen's, must not stop the wave
        error = reported(exc, config, "building", Path(output)) or PackgenError(
            f"unexpected error: {type(exc).__name__}: {exc}")
        return Outcome(config, problems=tuple(error.lines()), exit_code=error.exit_code)
    return Outcome(config, folder=str(result.folder), pages=result.files.get(PACK),
                   warnings=tuple(w.line(practice) for w in result.warnings))


def build_many(configs: list[Path], output: Path, today: dt.date, jobs: int, force: bool = False,
               roots: tuple[Path, ...] = ()) -> Iterator[Outcome]:
    """Build every config, `jobs` at a time in separate processes; yield each outcome as it finishes.

    Each practice is built in a new process, spawned rather than forked so that it starts clean, and
    used for that practice only: memory stays that of one build however long the wave."""
    pool = ProcessPoolExecutor(max_workers=max(1, min(jobs, len(configs))), max_tasks_per_child=1,
                               mp_context=multiprocessing.get_context("spawn"),
                               initializer=die_with_parent, initargs=(os.getpid(),))
    try:
        futures: dict[Future[Outcome], Path] = {
            pool.submit(build_one, str(config), str(output), today, force, roots): config for config in configs}
        for future in as_completed(futures):
            try:
                yield future.result()
            except Exception as exc:  # noqa: BLE001 - a worker that died (out of memory, killed)
                reason = one_line(f"the build process stopped: {type(exc).__name__}: {exc}")
                yield Outcome(str(futures[future]), problems=(reason,), exit_code=1)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
