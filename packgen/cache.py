"""Laid-out documents kept between builds, by the hash of everything that produced them.

`output/.cache/<practice>/` holds, for each document of the last build, its PDF and what the build
needs to know about it (pages, where each anchor is, each page's named page). A document whose hash
is found is not laid out again; after a build, only the documents it used are kept."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Laid:
    """One laid-out document: its PDF bytes, page count, the page each anchor is on, and each page's name.

    The page names (the CSS named page: "letter", "log"…, "" for the default) let the page numbers be
    stamped later on pages of exactly the same size and margins."""

    data: bytes
    pages: int
    anchors: dict[str, int]
    page_names: tuple[str, ...]


class Cache:
    """Documents by key in one folder. With `read` false (a forced build) nothing is found, but what
    is laid out is still stored for the next build."""

    def __init__(self, folder: Path, read: bool = True) -> None:
        self.folder = folder
        self.read = read
        self.used: set[str] = set()

    def get(self, key: str) -> Laid | None:
        """The document stored under `key`, or None when absent, unreadable or not what was stored."""
        self.used.add(key)
        if not self.read:
            return None
        try:
            meta = json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
            data = (self.folder / f"{key}.pdf").read_bytes()
            if hashlib.sha256(data).hexdigest() != meta["sha256"]:
                return None
            return Laid(data, int(meta["pages"]), {str(k): int(v) for k, v in meta["anchors"].items()},
                        tuple(str(name) for name in meta["page_names"]))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    def put(self, key: str, laid: Laid) -> None:
        """Store `laid` under `key`; each file is written whole or not at all."""
        self.used.add(key)
        self.folder.mkdir(parents=True, exist_ok=True)
        meta = {"sha256": hashlib.sha256(laid.data).hexdigest(), "pages": laid.pages, "anchors": laid.anchors,
                "page_names": list(laid.page_names)}
        _write(self.folder / f"{key}.pdf", laid.data)
        _write(self.folder / f"{key}.json", json.dumps(meta, sort_keys=True).encode("utf-8"))

    def prune(self) -> None:
        """Delete every stored document this build did not use."""
        if not self.folder.is_dir():
            return
        for path in self.folder.iterdir():
            if path.stem not in self.used:
                path.unlink(missing_ok=True)


def _write(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)
