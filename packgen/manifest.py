"""manifest.json: every file of a build with its sha256, pages and the hash of what produced it.

The same hashes name the laid-out documents kept between builds (see cache.py)."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path

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
    """Hash of everything that decides a PDF: its HTML, files it refers to, fonts and versions."""
    digest = hashlib.sha256()
    for part in (__version__, version("weasyprint"), version("pikepdf"), font_fingerprint(), html):
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    for path in files:
        digest.update(path.read_bytes() if path.is_file() else b"missing")
    return digest.hexdigest()


def manifest(files: dict[str, tuple[bytes, int | None, str]]) -> bytes:
    """JSON listing name → sha256, pages and source hash; stable bytes for the same files."""
    entries = {name: {"sha256": hashlib.sha256(data).hexdigest(), "pages": pages, "source": source}
               for name, (data, pages, source) in sorted(files.items())}
    document = {"packgen": __version__, "weasyprint": version("weasyprint"), "files": entries}
    return (json.dumps(document, indent=2, sort_keys=True) + "\n").encode("utf-8")
