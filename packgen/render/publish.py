"""Publishing: the files of a build, written into a new folder beside the old one and swapped in whole."""

from __future__ import annotations

import glob
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Output:
    """One file of the build, in memory: its bytes, its page count (PDFs) and the hash of what made it."""

    data: bytes
    pages: int | None = None
    source: str = ""


def publish(folder: Path, files: dict[str, bytes]) -> None:
    """Write every file into a new folder beside `folder`, then swap it in.

    Readers see the old pack or the new one, never a mix; a failure leaves the old pack as it was and
    no partial file behind; and files an earlier build wrote but this one did not (a re-dated letter)
    are gone, so an out-of-date letter cannot be printed and sent. A crash in the middle of the swap
    is put right by the next build (see `recover`)."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    recover(folder)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}{NEW}", dir=folder.parent))
    mask = os.umask(0)
    os.umask(mask)
    staging.chmod(0o777 & ~mask)  # readable like any folder the user makes, not private as mkdtemp's are
    try:
        for name, data in files.items():
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            write_new(path, data)
        if os.path.lexists(folder):
            old = Path(tempfile.mkdtemp(prefix=f".{folder.name}{OLD}", dir=folder.parent))
            os.replace(folder, old / folder.name)  # a crash here leaves the old pack in `old`: see recover()
            os.replace(staging, folder)
            remove(old)
        else:
            os.replace(staging, folder)
    except BaseException:
        remove(staging)
        raise


def write_new(path: Path, data: bytes) -> None:
    """Create `path` afresh and write `data`; never through a link (the name must not exist yet)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o666)
    with os.fdopen(fd, "wb") as file:
        file.write(data)


NEW, OLD = ".new-", ".old-"


def recover(folder: Path) -> None:
    """Put right a swap that a crash interrupted, then remove the folders it left.

    When the pack's folder is missing but the previous pack is kept in a `.old-` folder (the crash
    came between the two renames), the previous pack is put back; then every `.new-` and `.old-`
    folder of this practice is removed. A leftover that is a link is removed as a link, never followed."""
    parent = folder.parent
    if not parent.is_dir():
        return
    olds = sorted(parent.glob(f".{glob.escape(folder.name)}{OLD}*"))
    news = sorted(parent.glob(f".{glob.escape(folder.name)}{NEW}*"))
    if not os.path.lexists(folder):
        for old in olds:
            kept = old / folder.name
            if not old.is_symlink() and kept.is_dir() and not kept.is_symlink():
                os.replace(kept, folder)
                break
    for leftover in olds + news:
        remove(leftover)


def remove(path: Path) -> None:
    """Delete a folder of ours and everything in it, without following any link (a link is only unlinked)."""
    if path.is_symlink() or not path.is_dir():
        path.unlink(missing_ok=True)
    else:
        shutil.rmtree(path, ignore_errors=True)  # never follows links inside (the fd-based rmtree on Linux)
