"""manifest.json: every file of a build with its sha256, pages and the hash of what produced it.

The same hash lets a rebuild whose HTML and inputs are unchanged reuse the files instead of laying
them out again."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path
from typing import Any

import weasyprint

from . import __version__

MANIFEST = "manifest.json"


@lru_cache(maxsize=1)
def font_fingerprint() -> str:
    """The font files text is set in: a changed font must change the output's hash."""
    if shutil.which("fc-match") is None:
        return "fonts unknown"
    digest = hashlib.sha256()
    for pattern in ("Liberation Sans", "Liberation Sans:bold"):
        found = subprocess.run(["fc-match", "-f", "%{file}", pattern], capture_output=True, text=True, check=False)
        path = Path(found.stdout.strip())
        digest.update(str(path).encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def inputs_key(html: str, files: list[Path]) -> str:
    """Hash of everything that decides the PDFs: the HTML, files it refers to, fonts and versions."""
    digest = hashlib.sha256()
    for part in (__version__, weasyprint.__version__, font_fingerprint(), html):
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    for path in files:
        digest.update(path.read_bytes() if path.is_file() else b"missing")
    return digest.hexdigest()


def manifest(files: dict[str, tuple[bytes, int | None, str]]) -> bytes:
    """JSON listing name → sha256, pages and source hash; stable bytes for the same files."""
    entries = {name: {"sha256": hashlib.sha256(data).hexdigest(), "pages": pages, "source": source}
               for name, (data, pages, source) in sorted(files.items())}
    document = {"packgen": __version__, "weasyprint": weasyprint.__version__, "files": entries}
    return (json.dumps(document, indent=2, sort_keys=True) + "\n").encode("utf-8")


def reusable(folder: Path, source: str) -> dict[str, tuple[bytes, int | None]] | None:
    """The files an earlier build made from exactly `source`, read back and checked, or None."""
    try:
        document: dict[str, Any] = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    found = {}
    for name, entry in document.get("files", {}).items():
        if entry.get("source") != source:
            continue
        try:
            data = (folder / name).read_bytes()
        except OSError:
            return None
        if hashlib.sha256(data).hexdigest() != entry.get("sha256"):
            return None
        found[name] = (data, entry.get("pages"))
    return found or None
