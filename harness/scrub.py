"""The last redaction pass: every file of a run folder rid of every known secret, whoever wrote it.

Stage results and reports are redacted as they are written, but tools write their own files (Locust's
HTML report, ZAP alerts, axe JSON, Playwright traces, logs) with the URLs and headers they were given.
Rather than teach each writer, the pipeline passes over a stage's artifacts when the stage ends and
over the whole run folder at the end of the run (also after Ctrl-C), in the harness process, which
registered every secret (`vocabulary.secrets`). Only known values are replaced, never patterns, so a
tool's file keeps its shape: text gets ``[REDACTED]``, zip archives (Playwright traces) are rewritten
member by member, and other binary files get a mask of the same length (their layout stays valid).
"""

from __future__ import annotations

import io
import mmap
import os
import shutil
import tempfile
import zipfile
from pathlib import Path

from vocabulary import secrets

_TEXT_MASK = secrets.MASK.encode()


def redact_tree(folder: Path) -> list[Path]:
    """Rewrite every file under ``folder`` that holds a known secret; the files changed."""
    needles = secrets.forms()
    if not needles or not folder.is_dir():
        return []
    return [path for path in sorted(folder.rglob("*")) if _redacted(path, needles)]


def redact_bytes(data: bytes, needles: list[bytes]) -> bytes:
    """``data`` without ``needles``: masked as text when it is UTF-8, else by as many ``*`` bytes."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        for needle in needles:
            data = data.replace(needle, b"*" * len(needle))
        return data
    for needle in needles:
        data = data.replace(needle, _TEXT_MASK)
    return data


def _redacted(path: Path, needles: list[bytes]) -> bool:
    """Whether ``path`` held a secret and was rewritten. A file gone during the pass (a writer still at
    work beside a stage that ended: an atomic write's temporary file, renamed into place) is left to the
    pass over the whole run folder at its end."""
    try:
        return _regular(path) and _redact_file(path, needles)
    except FileNotFoundError:
        return False


def _regular(path: Path) -> bool:
    return path.is_file() and not path.is_symlink()


def _redact_file(path: Path, needles: list[bytes]) -> bool:
    archive = zipfile.is_zipfile(path)
    if not archive and not _contains(path, needles):
        return False
    data = path.read_bytes()
    cleaned = _redact_zip(data, needles) if archive else redact_bytes(data, needles)
    if cleaned == data:
        return False
    _replace(path, cleaned)
    return True


def _contains(path: Path, needles: list[bytes]) -> bool:
    """Searched through a memory map: a large file is never read into memory only to be left alone."""
    if path.stat().st_size == 0:
        return False
    with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as view:
        return any(view.find(needle) >= 0 for needle in needles)


def _redact_zip(data: bytes, needles: list[bytes]) -> bytes:
    """The archive with each member redacted (compressed members hide secrets from a byte search)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as source:
            members = [(info, source.read(info)) for info in source.infolist()]
    except (zipfile.BadZipFile, OSError, EOFError):
        return redact_bytes(data, needles)
    cleaned = [(info, redact_bytes(body, needles)) for info, body in members]
    if all(new == old for (_, new), (_, old) in zip(cleaned, members, strict=True)):
        return data
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info, body in cleaned:
            target.writestr(info, body)
    return out.getvalue()


def _replace(path: Path, data: bytes) -> None:
    """Atomically, keeping the file's mode."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        shutil.copymode(path, tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
