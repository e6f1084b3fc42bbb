"""Worker processes: each dies with the process that started it, and lays out within a time and memory limit."""

from __future__ import annotations

import ctypes
import os
import resource
import signal
import sys
from typing import Any

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def die_with_parent(parent: int) -> None:
    """Ask Linux to kill this process when its parent dies (even by SIGKILL), and stop now if it already has."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the parent died before the request above was made
        os._exit(1)


def start_layout_worker(parent: int, memory: int) -> None:
    """Initialiser of a layout worker: dies with the build, and may use at most `memory` bytes."""
    die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the build, which stops its workers
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = memory if hard == resource.RLIM_INFINITY else min(memory, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ValueError, OSError):
        pass


ALARM_AGAIN = 0.05  # seconds between the alarms once a layout's time is up


class _Expired(BaseException):
    """The layout ran over its time (a BaseException, so that no library's `except Exception` swallows it)."""


def lay_out_within(job: Any, seconds: int, memory: int) -> Any:
    """`pdf.lay_out(job)`, stopped with a one-line RenderError after `seconds` or when over `memory` bytes."""
    from ..errors import RenderError
    from .pdf import lay_out

    fired: list[bool] = []  # the alarm can land inside a C callback, which swallows the exception and goes
    # on (with a fallback font, say): whatever fails after it fired is reported as the time it took, and the
    # alarm rings again every ALARM_AGAIN seconds until one lands in Python and stops the layout

    def expired(signum: int, frame: Any) -> None:
        fired.append(True)
        while frame is not None:  # only while the layout runs: once it has stopped there is nothing to stop
            if frame.f_code is lay_out.__code__:
                raise _Expired()
            frame = frame.f_back

    too_long = RenderError(f"{job.title}: took more than {seconds} second{'s' if seconds != 1 else ''} to lay out; "
                           "shorten it")
    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds, ALARM_AGAIN)
    try:
        laid = lay_out(job)
    except _Expired:
        raise too_long from None
    except RenderError:
        if fired:
            raise too_long from None
        raise
    except Exception as exc:  # noqa: BLE001 - out of memory shows as MemoryError, or as odd errors from C code
        if fired:
            raise too_long from None
        if isinstance(exc, MemoryError) or peak_memory() >= memory * 0.9:
            raise RenderError(f"{job.title}: needed more than {memory / 1e9:.1f} GB of memory to lay out; "
                              "shorten it or make its images smaller") from None
        raise
    else:
        if fired:  # swallowed somewhere in C: the layout may be incomplete, so it is not used
            raise too_long
        return laid
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def peak_memory() -> int:
    """The most address space this process has held, in bytes (0 when unknown)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmPeak:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0
