"""The trusted root: every file packgen reads lies, after links are followed, inside the root (by default
the folder of the config named on the command line; `--root` adds more) or inside packgen's own folders,
and is a regular file: never a FIFO, a device or a socket."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Mapping
from pathlib import Path

import jinja2
from jinja2.loaders import split_template_path

from .errors import ContentError

PACKAGE = Path(__file__).resolve().parent


def default_dir(name: str) -> Path:
    """packgen's own `templates` or `content` folder: inside the installed package, else in the checkout."""
    inside = PACKAGE / name
    return inside if inside.is_dir() else PACKAGE.parent / name


def own_folders() -> tuple[Path, ...]:
    """packgen's own code, templates and content: always trusted."""
    return tuple(dict.fromkeys(Path(os.path.realpath(p)) for p in (PACKAGE, default_dir("templates"), default_dir("content"))))


class NotReadable(Exception):
    """A path that is not a regular file inside the trusted root; the message says why, in a few words."""


def real(path: Path) -> Path:
    """`path` with every link followed (never fails, even on a loop of links)."""
    return Path(os.path.realpath(path))


def kind_of(mode: int) -> str:
    """A reader's word for what a path is, when it is not a regular file."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def read_regular(path: Path, limit: int | None = None, what: str = "a file") -> bytes:
    """The bytes of `path` if it is a regular file of at most `limit` bytes, checked before it is opened
    and read (a FIFO never blocks: it is opened non-blocking, and checked again once open; a file that
    grows while read is refused at `limit` + 1 bytes). Raises NotReadable or OSError."""
    mode = os.stat(path).st_mode
    if not stat.S_ISREG(mode):
        raise NotReadable(f"is {kind_of(mode)}; only regular files are read")
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):  # swapped between the two looks
            raise NotReadable(f"is {kind_of(info.st_mode)}; only regular files are read")
        if limit is not None and info.st_size > limit:
            raise NotReadable(f"is {info.st_size:,} bytes; {what} is at most {limit:,}")
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb", closefd=False) as file:
            data = file.read() if limit is None else file.read(limit + 1)
        if limit is not None and len(data) > limit:
            raise NotReadable(f"is over {limit:,} bytes; {what} is at most {limit:,}")
        return data
    finally:
        os.close(fd)


class Trust:
    """The folders whose files may be read, and for messages the config key that named each folder."""

    def __init__(self, roots: Iterable[Path], labels: Mapping[Path, str] | None = None) -> None:
        self.roots = tuple(dict.fromkeys(real(root) for root in roots))
        self.labels = dict(labels or {})

    @property
    def folders(self) -> tuple[Path, ...]:
        """Every trusted folder: the roots, then packgen's own."""
        return tuple(dict.fromkeys(self.roots + own_folders()))

    def shown_roots(self) -> str:
        if len(self.roots) == 1:
            return f"the trusted root {self.roots[0]}"
        return "the trusted roots " + ", ".join(str(root) for root in self.roots)

    def inside(self, resolved: Path) -> bool:
        return any(resolved.is_relative_to(folder) for folder in self.folders)

    def problem(self, path: Path) -> str | None:
        """Why `path` may not be read (outside the root, or not a regular file), or None."""
        resolved = real(path)
        if not self.inside(resolved):
            leads = f" (it leads to {resolved})" if resolved != Path(os.path.abspath(path)) else ""
            return f"is outside {self.shown_roots()}{leads}; move it inside, or widen the root with --root"
        try:
            mode = os.stat(resolved).st_mode
        except OSError as exc:
            return f"cannot be read ({exc.strerror})"
        if not stat.S_ISREG(mode):
            return f"is {kind_of(mode)}; only regular files are read"
        return None

    def label(self, path: Path) -> str:
        """`practices/x.yaml:12: content: ` when `path` lies in a folder a config key named, else ''."""
        absolute = Path(os.path.abspath(path))
        for folder, label in self.labels.items():
            if absolute.is_relative_to(folder):
                return f"{label}: "
        return ""

    def read_bytes(self, path: Path, limit: int | None = None, what: str = "a file") -> bytes:
        """The bytes of `path`, or a one-line ContentError naming the file and the key that led to it."""
        problem = self.problem(path)
        if problem is None:
            try:
                return read_regular(real(path), limit, what)
            except NotReadable as exc:
                problem = str(exc)
            except OSError as exc:
                problem = f"cannot be read ({exc.strerror})"
        raise ContentError(f"{self.label(path)}{path}: {problem}")

    def read_text(self, path: Path, limit: int | None = None, what: str = "a file") -> str:
        data = self.read_bytes(path, limit, what)
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ContentError(f"{self.label(path)}{path}: cannot be read as UTF-8 text ({exc.reason} at byte "
                               f"{exc.start})") from None


class ConfinedLoader(jinja2.BaseLoader):
    """Templates from one folder, read through `trust`: a link that leads out of the trusted root, or
    a name that is not a regular file, is an error rather than a template."""

    def __init__(self, folder: Path, trust: Trust, limit: int) -> None:
        self.folder = Path(os.path.abspath(folder))
        self.trust = trust
        self.limit = limit  # bytes of one template

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, object]:
        pieces = split_template_path(template)  # refuses '..'
        path = self.folder.joinpath(*pieces)
        if not os.path.lexists(path):
            raise jinja2.TemplateNotFound(template)
        return self.trust.read_text(path, self.limit, "a template"), str(path), lambda: True

    def list_templates(self) -> list[str]:
        return sorted(p.relative_to(self.folder).as_posix() for p in self.folder.rglob("*") if p.is_file())
