"""Laid-out documents kept between builds, by the hash of everything that produced them.

`output/.cache/<practice>/` holds, for each document of the last build, its PDF and what the build
needs to know about it (pages, where each anchor is, each page's named page, the files its layout
read). A document whose hash is found, and whose files all read as they did, is not laid out again;
after a build, only the documents it used are kept."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import OutputError
from ..limits import MAX_IMAGE
from ..trust import real


@dataclass(frozen=True)
class Laid:
    """One laid-out document: its PDF bytes, page count, the page each anchor is on, each page's name,
    and each file its layout read (an image, a style sheet, a font: the path asked for, the path read
    after links, and the sha256 of the bytes read).

    The page names (the CSS named page: "letter", "log"…, "" for the default) let the page numbers be
    stamped later on pages of exactly the same size and margins."""

    data: bytes
    pages: int
    anchors: dict[str, int]
    page_names: tuple[str, ...]
    read: tuple[tuple[str, str, str], ...] = ()


class Cache:
    """Documents by key in one folder. With `read` false (a forced build) nothing is found, but what
    is laid out is still stored for the next build."""

    def __init__(self, folder: Path, read: bool = True) -> None:
        self.folder = folder
        self.read = read
        self.used: set[str] = set()
        self.seen: dict[str, tuple[str, str] | None] = {}  # what each file read by a layout holds now
        self.checked = False

    def check(self) -> None:
        """Refuse to go on when the cache's folder, or one above it in the output folder, is a link or a
        file: the cache is written and pruned, and that must never happen outside the output folder."""
        if self.checked:
            return
        output = self.folder.parent.parent  # chosen on the command line: it may be a link
        existing = next((p for p in (output, *output.parents) if p.exists()), None)
        if existing is not None and not existing.is_dir():
            raise OutputError(f"{output}: cannot be made: {existing} is a file; give a folder to write the packs into")
        if existing is not None and not os.access(existing, os.W_OK | os.X_OK):
            raise OutputError(f"{output}: cannot be written: no permission to write into {existing}")
        real_folder(self.folder.parent, "packgen's cache folder")
        real_folder(self.folder, "packgen's cache folder")
        self.checked = True

    def get(self, key: str) -> Laid | None:
        """The document stored under `key`, or None when absent, unreadable, damaged or not what was stored,
        or when a file its layout read has changed, moved or gone."""
        self.check()
        self.used.add(key)
        if not self.read:
            return None
        try:
            meta = json.loads(_read(self.folder / f"{key}.json", 1 << 20).decode("utf-8"))
            read = tuple((asked, path, digest) for asked, path, digest in meta["read"])
            if not same_files(read, self.seen):
                return None  # laid out again, from the files as they are now
            data = _read(self.folder / f"{key}.pdf", 1 << 30)
            if hashlib.sha256(data).hexdigest() != meta["sha256"]:
                return None
            laid = Laid(data, int(meta["pages"]), {str(k): int(v) for k, v in meta["anchors"].items()},
                        tuple(str(name) for name in meta["page_names"]), read)
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None
        if not (data.startswith(b"%PDF-") and b"%%EOF" in data[-1024:] and laid.pages == len(laid.page_names) > 0):
            return None  # damaged, though its hash matches: lay it out again
        return laid

    def put(self, key: str, laid: Laid) -> None:
        """Store `laid` under `key`; each file is written whole or not at all, and never through a link."""
        self.check()
        self.used.add(key)
        self.folder.mkdir(parents=True, exist_ok=True)
        meta = {"sha256": hashlib.sha256(laid.data).hexdigest(), "pages": laid.pages, "anchors": laid.anchors,
                "page_names": list(laid.page_names), "read": laid.read}
        _write(self.folder / f"{key}.pdf", laid.data)
        _write(self.folder / f"{key}.json", json.dumps(meta, sort_keys=True).encode("utf-8"))

    def prune(self) -> None:
        """Delete every stored document this build did not use: files only, and links themselves, never
        what a link points to; nothing at all when the folder is not a real folder."""
        if self.folder.is_symlink() or not self.folder.is_dir():
            return
        with os.scandir(self.folder) as entries:
            for entry in entries:
                if entry.name.split(".")[0] not in self.used and not entry.is_dir(follow_symlinks=False):
                    try:
                        os.unlink(entry.path)  # removes a link, not its target
                    except FileNotFoundError:
                        pass


def same_files(read: Iterable[Sequence[str]], seen: dict[str, tuple[str, str] | None] | None = None) -> bool:
    """Whether each file of `read` (as in `Laid.read`) still leads to the same path after links and holds
    the same bytes there: read bounded, never through a link, and only when it still leads where the
    layout read it (inside the trusted folders then); a file that cannot be read is not the same.
    `seen` keeps what each file holds now, for the next call."""
    seen = {} if seen is None else seen
    for asked, path, digest in read:
        if asked not in seen:
            now = str(real(Path(asked)))
            try:
                seen[asked] = (now, hashlib.sha256(_read(Path(now), MAX_IMAGE)).hexdigest() if now == path else "")
            except (OSError, ValueError):
                seen[asked] = None
        if seen[asked] != (path, digest):
            return False
    return True


def real_folder(path: Path, what: str) -> None:
    """Refuse `path` when it is a link or not a folder; it may not exist yet."""
    if path.is_symlink():
        raise OutputError(f"{path}: is a link; {what} must be a real folder, not a link (remove the link)")
    if path.exists() and not path.is_dir():
        raise OutputError(f"{path}: is a file; {what} must be a folder (remove or rename the file)")


def _read(path: Path, limit: int) -> bytes:
    """A regular file's bytes, never through a link, at most `limit` bytes."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            raise ValueError(f"{path}: not a cache entry")
        with os.fdopen(os.dup(fd), "rb") as file:
            return file.read(limit + 1)
    finally:
        os.close(fd)


def _write(path: Path, data: bytes) -> None:
    """Write a new file beside `path` (never through a link: it is created afresh) and rename it over `path`."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    if temporary.is_symlink():
        temporary.unlink()
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC, 0o666)
    with os.fdopen(fd, "wb") as file:
        file.write(data)
    os.replace(temporary, path)  # replaces a link at `path` itself, not its target
