"""Laying out: documents laid out in worker processes, side by side, or found in the cache.

It takes plain values (HTML, titles, folders, a date) and gives back laid-out documents (`cache.Laid`);
it knows nothing of the practice or its config."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FuturesTimeout
from concurrent.futures.process import BrokenProcessPool

from ..errors import RenderError
from ..limits import LAYOUT_MEMORY, LAYOUT_SECONDS, LAYOUT_UNIT, setting
from .cache import Cache, Laid
from .manifest import inputs_key, sha
from .workers import lay_out_within, start_layout_worker


class Layouts:
    """Documents laid out, or found in the cache when their HTML and inputs are unchanged.

    They are laid out in up to `jobs` worker processes, forked from this one (fast to start, and clean:
    this process never lays anything out itself). Each worker dies with this process, may use at most
    LAYOUT_MEMORY bytes, and stops a document after LAYOUT_SECONDS for each LAYOUT_UNIT characters of
    its HTML begun (PACKGEN_LAYOUT_MEMORY and PACKGEN_LAYOUT_SECONDS in the environment lower them).

    Relative addresses in the HTML are read from `base_url`, and only under `roots`; a document is found
    in the cache by the hash of its HTML, `base_url` and `roots` (see manifest.inputs_key) while each file
    its layout read (an image, a style sheet, a font) holds the same bytes."""

    def __init__(self, cache: Cache, base_url: str, roots: tuple[str, ...], today: dt.date, jobs: int) -> None:
        self.cache, self.base_url, self.roots = cache, base_url, roots
        self.today, self.jobs = today, jobs
        self.keys: dict[str, str] = {}  # document → hash of what produced it: its inputs and the files read
        self.read: set[tuple[str, str, str]] = set()  # every file read by the documents' layouts (see Laid.read)
        self.laid_out: dict[str, str] = {}  # document → title, for those laid out by this build
        self.pool: ProcessPoolExecutor | None = None
        self.others: set[multiprocessing.process.BaseProcess] = set()  # children not of the pool

    def __enter__(self) -> Layouts:
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        if self.pool is not None:
            if kind is not None:  # a failure: do not wait for the other documents
                self.kill()
            else:
                self.pool.shutdown(wait=True, cancel_futures=True)

    def get(self, requests: dict[str, tuple[str, str, bool]]) -> dict[str, Laid]:
        """Each document of `requests` (key → HTML, title, tagged), from the cache or laid out."""
        found: dict[str, Laid] = {}
        stored = {key: inputs_key(text, self.base_url, self.roots, self.today) for key, (text, _, _) in requests.items()}
        for key in requests:
            cached = self.cache.get(stored[key])
            if cached is not None:
                found[key] = cached
        if len(found) < len(requests):
            found.update(self.lay_out({key: request for key, request in requests.items() if key not in found}, stored))
        for key, laid in found.items():
            self.keys[key] = sha("\0".join([stored[key], *("\0".join(file) for file in laid.read)]))
            self.read.update(laid.read)
        return {key: found[key] for key in requests}

    def lay_out(self, requests: dict[str, tuple[str, str, bool]], stored: dict[str, str]) -> dict[str, Laid]:
        """Each document of `requests` laid out, and stored in the cache under its key in `stored`."""
        from .pdf import Job  # WeasyPrint is loaded only when something is laid out

        missing = {key: Job(text, title, self.base_url, self.roots, self.today, tagged)
                   for key, (text, title, tagged) in requests.items()}
        seconds, memory = setting("LAYOUT_SECONDS", LAYOUT_SECONDS), setting("LAYOUT_MEMORY", LAYOUT_MEMORY)
        if self.pool is None:
            self.others = set(multiprocessing.active_children())
            # Always in worker processes, so each layout has its own time and memory limit.
            self.pool = ProcessPoolExecutor(max_workers=max(1, min(self.jobs, len(missing))),
                                            mp_context=multiprocessing.get_context("fork"),
                                            initializer=start_layout_worker, initargs=(os.getpid(), memory))
        # Longest first, so that no worker is left with a long document at the end.
        order = sorted(missing, key=lambda k: len(missing[k].html), reverse=True)
        allowed = {key: seconds * -(-len(missing[key].html) // LAYOUT_UNIT) for key in order}  # per started unit
        futures = {key: self.pool.submit(lay_out_within, missing[key], allowed[key], memory) for key in order}
        done = {key: self.result(future, missing[key].title, allowed[key]) for key, future in futures.items()}
        for key, laid in done.items():
            self.cache.put(stored[key], laid)
            self.laid_out[key] = missing[key].title
        return done

    def result(self, future: Future[Laid], title: str, seconds: int) -> Laid:
        """A layout's result; a worker that hangs past its own time limit is killed, one that died is reported."""
        try:
            return future.result(timeout=seconds + 30)  # the worker stops itself after `seconds`: a backstop
        except FuturesTimeout:
            self.kill()
            raise RenderError(f"{title}: took more than {seconds} second{'s' if seconds != 1 else ''} to lay out; "
                              "shorten it") from None
        except BrokenProcessPool:
            self.kill()
            raise RenderError(f"{title}: the layout process stopped (out of memory, or killed)") from None

    def kill(self) -> None:
        """Stop every worker at once (the pool cannot cancel a layout that has started)."""
        pool, self.pool = self.pool, None
        if pool is None:
            return
        for process in set(multiprocessing.active_children()) - self.others:  # the pool's workers
            process.kill()
        pool.shutdown(wait=True, cancel_futures=True)
