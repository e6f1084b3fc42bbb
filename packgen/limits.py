"""Bounds on everything a build reads, fills in and lays out, so hostile input fails fast with one line.

Every limit is a named constant here; the README's Security section states the same values."""

from __future__ import annotations

import os
import re
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Any

from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from .errors import ContentError
from .trust import NotReadable, read_regular

MAX_MARKDOWN = 100_000  # bytes of one Markdown file: a guidance page is a few kilobytes
MAX_TEMPLATE = 200_000  # bytes of one template file
MAX_IMAGE = 5_000_000  # bytes of one image (the logo)
MAX_PIXELS = 20_000_000  # pixels of one raster image: a logo needs far fewer (Pillow's limit)
MAX_SVG_USES = 50  # <use> elements in one SVG: more is how a "billion laughs" SVG grows
MAX_OUTPUT = 20_000_000  # characters one template or Markdown file may render to
MAX_RANGE = 10_000  # items one range() in a template may give
MAX_NUMBER = 100_000  # the largest number given to a filter, a method or `*`; larger only builds huge text
MAX_POWER = 64  # the largest exponent of `**`
MAX_PAGES = 2_000  # pages of one pack
MAX_LIST_SIZE = 150_000  # registered patients: about twice the largest practice in England
MAX_SHEETS_PER_DAY = 100  # sheets of one log for one day (1,200 rows); more is a typing mistake
MAX_FILES = 10_000  # files in one content or templates folder: far more than a practice's own
FILL_MEMORY = 2_000_000_000  # bytes of address space filling in may add to the process
FILL_SECONDS = 60  # (PACKGEN_FILL_SECONDS) wall-clock time to fill in every template and Markdown file of one pack
MAX_LOG_SHEETS = 400  # sheets of one log: one document, laid out in one worker (the stamps are light)
LAYOUT_SECONDS = 120  # wall-clock time to lay out one document, for each LAYOUT_UNIT characters of its HTML
LAYOUT_UNIT = 250_000  # characters of HTML: about 33 log sheets
LAYOUT_MEMORY = 1_500_000_000  # bytes of address space of one layout worker


def setting(name: str, default: int) -> int:
    """A limit that tests may lower through the environment (PACKGEN_LAYOUT_SECONDS, say)."""
    value = os.environ.get(f"PACKGEN_{name}", "")
    return int(value) if value.isdigit() and int(value) > 0 else default


def read_bounded(path: Path, limit: int, what: str) -> bytes:
    """The bytes of the regular file `path`, refused before reading when over `limit` bytes; a FIFO or
    device is refused at once rather than read for ever. Any failure is a one-line ContentError."""
    try:
        return read_regular(path, limit, what)
    except NotReadable as exc:
        raise ContentError(f"{path}: {exc}") from None
    except OSError as exc:
        raise ContentError(f"{path}: cannot be read ({exc.strerror})") from None


class Overrun(BaseException):
    """Filling in the templates took longer than FILL_SECONDS (a BaseException: no `except Exception` stops it)."""

    def __init__(self, where: str) -> None:
        super().__init__(where)
        self.where = where


_working_on: list[str] = []  # the file being filled in or converted, for the message when time runs out


@contextmanager
def working_on(what: str) -> Iterator[None]:
    """Name the file being filled in or converted, should the deadline pass while it is."""
    _working_on.append(what)
    try:
        yield
    finally:
        _working_on.pop()


@contextmanager
def deadline(seconds: int, what: str) -> Iterator[None]:
    """Stop the work inside after `seconds` of wall-clock time with a one-line ContentError.

    Uses a timer signal, so it only bounds work done in the main thread; elsewhere it does nothing."""
    if threading.current_thread() is not threading.main_thread() or signal.getitimer(signal.ITIMER_REAL)[0]:
        yield
        return

    def expired(signum: int, frame: object) -> None:
        raise Overrun(_working_on[-1] if _working_on else "")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except Overrun as exc:
        where = f" (at {exc.where})" if exc.where else ""
        raise ContentError(f"{what}: took more than {seconds} seconds to fill in the wording and templates{where}; "
                           "is there a loop, or text Markdown is slow to convert?") from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def memory_cap(extra: int) -> Iterator[None]:
    """Let this process grow by at most `extra` bytes of address space inside, so that a template that
    builds huge text fails with MemoryError (a one-line error) instead of exhausting the machine."""
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        with open("/proc/self/status", encoding="ascii") as status:
            size = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize:"))
        cap = size + extra if hard == resource.RLIM_INFINITY else min(size + extra, hard)
        if soft != resource.RLIM_INFINITY and soft < cap:
            cap = soft
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    except (ImportError, OSError, ValueError, StopIteration):
        yield  # not Linux: no cap
        return
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _too_big(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_NUMBER


# A width or precision of six digits or more in a format string, like %0999999d or {:>999999}.
_WIDE_PERCENT = re.compile(r"%[^a-zA-Z%]*?\d{6,}")
_WIDE_BRACES = re.compile(r"\{[^{}]*?\d{6,}[^{}]*\}")


def _check_args(args: tuple[Any, ...], kwargs: dict[str, Any], what: str) -> None:
    for value in (*args, *kwargs.values()):
        if _too_big(value):
            raise SecurityError(f"{what}: the number {_short(value)} is too large (at most {MAX_NUMBER:,})")


def _check_result(value: Any, what: str) -> Any:
    if isinstance(value, (str, list, tuple)) and len(value) > MAX_OUTPUT:
        raise SecurityError(f"{what}: the result is longer than {MAX_OUTPUT:,} characters")
    return value


def _short(value: int) -> str:
    digits = len(str(abs(value))) if abs(value).bit_length() < 14_000 else 4_300
    return f"with {digits:,} digits" if digits > 12 else str(value)


def bounded_range(*args: Any) -> range:
    """range(), but at most MAX_RANGE items."""
    made = range(*args)
    if len(made) > MAX_RANGE:
        raise SecurityError(f"range() gives {len(made):,} items; at most {MAX_RANGE:,}")
    return made


bounded_range.__name__ = "range"


def _guard_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(func)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        _check_args(args[1:], kwargs, f"filter {name}")
        if name == "format" and args and isinstance(args[0], str) and _WIDE_PERCENT.search(args[0]):
            raise SecurityError(f"filter {name}: a width of more than five digits")
        return _check_result(func(*args, **kwargs), f"filter {name}")

    return guarded


class BoundedSandbox(SandboxedEnvironment):
    """Jinja's sandbox with bounds: ranges, powers, repeated text, numbers given to filters and
    methods, and the length of what one template renders."""

    intercepted_binops = frozenset({"*", "**", "%"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.globals["range"] = bounded_range
        self.globals.pop("lipsum", None)  # placeholder text has no place on a printed page
        self.guard_filters()

    def guard_filters(self) -> None:
        """Wrap every filter (call again after adding filters) so a huge width or count is refused."""
        for name, func in list(self.filters.items()):
            if not getattr(func, "packgen_guarded", False):
                guarded = _guard_filter(name, func)
                guarded.packgen_guarded = True  # type: ignore[attr-defined]
                self.filters[name] = guarded

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, (int, float)) and (abs(right) > MAX_POWER or _too_big(left)):
            raise SecurityError(f"the power {_short(right) if isinstance(right, int) else right} is too large "
                                f"(at most {MAX_POWER})")
        if operator == "*":
            for count, other in ((left, right), (right, left)):
                if isinstance(other, (str, list, tuple)) and isinstance(count, int) and count * len(other) > MAX_OUTPUT:
                    raise SecurityError(f"repeating text or a list gives more than {MAX_OUTPUT:,} items")
        if operator == "%" and isinstance(left, str) and _WIDE_PERCENT.search(left):
            raise SecurityError("a width of more than five digits in a format")
        return _check_result(super().call_binop(context, operator, left, right), f"operator {operator}")

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        what = getattr(__obj, "__name__", "a call")
        _check_args(args, kwargs, what)
        owner = getattr(getattr(__obj, "__wrapped__", __obj), "__self__", None)
        if isinstance(owner, str) and _WIDE_BRACES.search(owner):
            raise SecurityError(f"{what}: a width of more than five digits")
        return _check_result(SandboxedEnvironment.call(__self, __context, __obj, *args, **kwargs), what)

    def getattr(self, obj: Any, attribute: str) -> Any:
        return _check_result(super().getattr(obj, attribute), f"attribute {attribute}")


def render_capped(template: Any, context: dict[str, Any], what: str) -> str:
    """Render `template` piece by piece, refusing once the text passes MAX_OUTPUT characters."""
    parts, size = [], 0
    for part in template.generate(context):
        size += len(part)
        if size > MAX_OUTPUT:
            raise ContentError(f"{what}: renders to more than {MAX_OUTPUT:,} characters; is there a loop?")
        parts.append(part)
    return "".join(parts)


def image_problem(path: Path, data: bytes | None = None) -> str | None:
    """Why the image at `path` (or its bytes, `data`) must not be laid out, or None when it is fine:
    too large a file, more than MAX_PIXELS pixels, or an SVG with more than MAX_SVG_USES <use>."""
    if data is None:
        try:
            data = read_bounded(path, MAX_IMAGE, "an image")
        except ContentError as exc:
            return str(exc.format_message()).split(": ", 1)[-1]
    if len(data) > MAX_IMAGE:
        return f"is {len(data):,} bytes; an image is at most {MAX_IMAGE:,}"
    head = data[:1024].lstrip()
    if path.suffix.lower() == ".svg" or head.startswith(b"<"):
        uses = len(re.findall(rb"<(?:\w+:)?use\b", data))
        if uses > MAX_SVG_USES:
            return f"is an SVG with {uses:,} <use> elements; at most {MAX_SVG_USES}"
        return None
    import io
    import warnings

    from PIL import Image

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
    except Image.DecompressionBombError:
        return f"has more than {MAX_PIXELS:,} pixels; an image is at most {MAX_PIXELS:,}"
    except Exception:  # noqa: BLE001 - Pillow raises many kinds for a damaged file
        return "is not a PNG, JPEG or SVG image that can be read"
    if width * height > MAX_PIXELS:
        return f"is {width:,} by {height:,} pixels; an image is at most {MAX_PIXELS:,} pixels"
    return None
