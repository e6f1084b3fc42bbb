"""manifest.json: every file of a build with its sha256, pages and the hash of what produced it.

The same hashes name the laid-out documents kept between builds (see cache.py). The manifest also
records a hash of every input of the whole build and each file the layout read with its sha256, so
that a rebuild with nothing changed can stop at once and keep the files as they are."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable
from functools import lru_cache
from importlib.metadata import distributions, version
from pathlib import Path
from typing import Any

from .. import __version__
from ..errors import ContentError
from ..limits import MAX_FILES
from ..names import FONT, MANIFEST
from ..trust import NotReadable, Trust, read_regular, real
from .cache import same_files

@lru_cache(maxsize=1)
def font_fingerprint() -> str:
    """The font files text is set in: a changed font must change the output's hash."""
    if shutil.which("fc-match") is None:
        return "fonts unknown"
    digest = hashlib.sha256()
    for pattern in (FONT, f"{FONT}:bold"):
        found = subprocess.run(["fc-match", "-f", "%{file}", pattern], capture_output=True, text=True, check=False)
        path = Path(found.stdout.strip())
        digest.update(str(path).encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


# Changes when laying out the same HTML writes other bytes (2: header cells' scope, TOC and list tables).
LAYOUT_REVISION = "2"


def inputs_key(html: str, base_url: str, roots: tuple[str, ...], created: dt.date) -> str:
    """Hash of everything that decides a PDF but the files its layout reads (the cache checks those, see
    cache.py): its HTML, the folder its relative addresses are read from and the folders it may read,
    the date it records as made, fonts and versions."""
    digest = hashlib.sha256()
    for part in (__version__, LAYOUT_REVISION, version("weasyprint"), version("pikepdf"), font_fingerprint(),
                 created.isoformat(), base_url, *roots, html):
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


def sha(text: str) -> str:
    """The sha256 of `text`, in hex: the hash of what made a file that is not laid out."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def manifest(files: dict[str, tuple[bytes, int | None, str]], inputs: str, documents: int,
             read: Iterable[tuple[str, str, str]]) -> bytes:
    """JSON listing name → sha256, pages and source hash, the hash of the build's inputs, how many
    documents the pack has, and the files the layout read (see `Laid.read`); stable bytes for the same files."""
    entries = {name: {"sha256": hashlib.sha256(data).hexdigest(), "pages": pages, "source": source}
               for name, (data, pages, source) in sorted(files.items())}
    document = {"packgen": __version__, "weasyprint": version("weasyprint"), "inputs": inputs,
                "documents": documents, "files": entries, "read": sorted(set(read))}
    return (json.dumps(document, indent=2, sort_keys=True) + "\n").encode("utf-8")


def build_inputs(config_hash: str, folders: Iterable[Path], today: dt.date, trust: Trust) -> str:
    """Hash of everything a build reads but the files its layout reads (the manifest lists those): the
    config and the files it extends (`config_hash`), the folders it may read, every file under
    `folders` (packgen's code, templates and content, and the practice's own), the build date, the
    fonts, and the version of Python and of every package.

    Only regular files inside the trusted root are read; for a link, where it leads is hashed, so that
    a link out of the root costs nothing here and is refused when the build reads it."""
    digest = hashlib.sha256()
    packages = sorted(f"{d.metadata['Name']}=={d.version}" for d in distributions())
    for part in (config_hash, today.isoformat(), sys.version, font_fingerprint(), *map(str, trust.folders), *packages):
        digest.update(part.encode("utf-8") + b"\0")
    for folder in folders:
        found = []
        for path in folder.rglob("*"):
            if "__pycache__" not in path.parts and (path.is_symlink() or path.is_file()):
                found.append(path)
                if len(found) > MAX_FILES:
                    raise ContentError(f"{folder}: holds more than {MAX_FILES:,} files; give a folder of the "
                                       "practice's own content or templates")
        for path in sorted(found):
            if path.is_symlink():
                digest.update(path.relative_to(folder).as_posix().encode("utf-8") + b"\0->" + os.readlink(path).encode())
            digest.update(path.relative_to(folder).as_posix().encode("utf-8") + b"\0" + _trusted_bytes(path, trust))
    return digest.hexdigest()


def _trusted_bytes(path: Path, trust: Trust) -> bytes:
    """The file's bytes when the build may read it, else a marker (reading it later gives the error)."""
    if trust.problem(path) is not None:
        return b"not read"
    try:
        return read_regular(real(path))
    except (OSError, NotReadable):
        return b"not read"


def unchanged(folder: Path, inputs: str) -> dict[str, Any] | None:
    """The manifest of the build in `folder` when it was made from exactly `inputs`, each file its layout
    read reads the same, and every file it lists is still there as written; else None."""
    try:
        document: dict[str, Any] = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        if document.get("inputs") != inputs or not same_files(document["read"]):
            return None
        for name, entry in document["files"].items():
            if hashlib.sha256((folder / name).read_bytes()).hexdigest() != entry["sha256"]:
                return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return document
