"""Atomic file writes: a reader sees the old file or the new one, never half of one.

Files get the mode a plain ``open()`` would give them (0666 less the umask, so 0644 by default):
`tempfile.mkstemp` creates 0600, which a web server publishing the run folder cannot read. A write
that fails (disk full, folder gone) is a `HarnessError` naming the file, never a traceback.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from vocabulary.errors import ErrorKind, HarnessError


def write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder and a rename."""
    tmp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.fchmod(fd, 0o666 & ~_UMASK)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        _discard(tmp)
        raise HarnessError(
            ErrorKind.OUTPUT,
            f"cannot write {path}: {exc.strerror or exc}",
            tip="free some space (or fix the folder's permissions), or choose another folder with --out",
        ) from exc
    except BaseException:
        _discard(tmp)
        raise


def _discard(tmp: str | None) -> None:
    """Remove a half-written temporary file (best effort: the disk may be the problem)."""
    if tmp is not None:
        with contextlib.suppress(OSError):
            Path(tmp).unlink(missing_ok=True)


def _read_umask() -> int:
    """The process umask. There is no getter: set it and put it back, once at import, before the
    harness starts threads (another thread creating a file in between would get the wrong mode)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK = _read_umask()


def write_json(path: Path, data: Any) -> None:
    """Write ``data`` as indented JSON, atomically."""
    write_text(path, json.dumps(data, indent=2, sort_keys=False, default=str) + "\n")


def read_json(path: Path) -> Any:
    """Read a JSON file written by `write_json`."""
    return json.loads(path.read_text(encoding="utf-8"))
