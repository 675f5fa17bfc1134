"""A parsed TOML file that remembers where each key was written, for precise error messages.

`tomllib` reports line numbers only for syntax errors, so the key index here is rebuilt from the
text: every table header and every ``key =`` line is parsed on its own (with `tomllib`, so quoted
and dotted keys are read exactly as TOML reads them) and mapped to its line.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from vocabulary.errors import ErrorKind, HarnessError
from vocabulary.suggest import did_you_mean

KeyPath = tuple[str | int, ...]
"""A key's place in the document: table names, keys, and array indexes."""

_KEY = r"""(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')"""
_DOTTED = rf"{_KEY}(?:\s*\.\s*{_KEY})*"
_HEADER = re.compile(rf"^\s*(\[\[?)\s*({_DOTTED})\s*\]\]?\s*(?:#.*)?$")
_ASSIGN = re.compile(rf"^\s*({_DOTTED})\s*=")
_SYNTAX_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")
MAX_BYTES = 1024 * 1024
"""The largest budget or known-failures file read (the shipped budgets are ~10 KiB): a wrong path
(a log, a binary) is refused at once instead of parsed for minutes."""


def dotted(path: KeyPath) -> str:
    """``budgets.api_p95.max`` or ``known[2].expires`` for error messages."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z0-9_-]+", part):
            text += f".{part}" if text else part
        else:
            quoted = '"' + part.replace("\\", "\\\\").replace('"', '\\"') + '"'
            text += f".{quoted}" if text else quoted
    return text


def _split_key(key: str) -> tuple[str, ...]:
    """The parts of a (possibly dotted, possibly quoted) TOML key, read by `tomllib` itself."""
    node: Any = tomllib.loads(f"{key} = 0")
    parts: list[str] = []
    while isinstance(node, dict):
        name = next(iter(node))
        parts.append(name)
        node = node[name]
    return tuple(parts)


def index_lines(text: str) -> dict[KeyPath, int]:
    """Map every table header and assigned key to its 1-based line number (first occurrence)."""
    lines: dict[KeyPath, int] = {}
    table: KeyPath = ()
    array_counts: dict[tuple[str, ...], int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            names = _split_key(header.group(2))
            if header.group(1) == "[[":
                index = array_counts.get(names, 0)
                array_counts[names] = index + 1
                table = (*names, index)
            else:
                table = names
            lines.setdefault(table, number)
            continue
        assign = _ASSIGN.match(line)
        if assign:
            lines.setdefault((*table, *_split_key(assign.group(1))), number)
    return lines


@dataclasses.dataclass(frozen=True)
class Source:
    """A TOML document, its file name, and the line of each key."""

    path: Path
    data: dict[str, Any]
    lines: dict[KeyPath, int]

    @classmethod
    def read(cls, path: Path) -> Source:
        """Read and parse ``path``; a missing, oversized or non-UTF-8 file or a syntax error is a
        `HarnessError` naming the file (memory stays bounded: at most `MAX_BYTES` + 1 are read)."""
        try:
            with path.open("rb") as handle:
                raw = handle.read(MAX_BYTES + 1)
        except OSError as exc:
            raise HarnessError(
                ErrorKind.BUDGETS,
                f"{path}: cannot read the file: {exc.strerror or exc}",
                tip="check the path given with --budgets / --known-failures",
            ) from exc
        if len(raw) > MAX_BYTES:
            raise HarnessError(
                ErrorKind.BUDGETS,
                f"{path}: the file is larger than {MAX_BYTES // 1024} KiB; a budget or known-failures file never is",
                tip="check the path given with --budgets / --known-failures (is it the right file?)",
            )
        return cls.parse(path, _decoded(path, raw))

    @classmethod
    def parse(cls, path: Path, text: str) -> Source:
        """Parse ``text`` (read from ``path``) into a `Source`."""
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise _syntax_error(path, exc) from exc
        return cls(path, data, index_lines(text))

    def line(self, path: KeyPath) -> int | None:
        """The line of ``path``; of its first sub-key for an implicit table; else of its parent."""
        if path in self.lines:
            return self.lines[path]
        inside = [n for p, n in self.lines.items() if p[: len(path)] == path]
        if inside:
            return min(inside)
        for end in range(len(path) - 1, 0, -1):
            if path[:end] in self.lines:
                return self.lines[path[:end]]
        return None

    def error(self, path: KeyPath, problem: str, tip: str | None = None) -> HarnessError:
        """A budgets error that names the file, the line, the key and the problem."""
        line = self.line(path)
        where = f"{self.path}:{line}" if line else str(self.path)
        key = f" {dotted(path)}:" if path else ""
        return HarnessError(ErrorKind.BUDGETS, f"{where}:{key} {problem}", tip=tip)

    def unknown(self, path: KeyPath, word: str, choices: Iterable[str], what: str) -> HarnessError:
        """An error for a name not among ``choices``, with the nearest one suggested."""
        options = sorted(choices)
        return self.error(
            path,
            f"unknown {what} {word!r}.{did_you_mean(word, options)}",
            tip=f"expected one of: {', '.join(options)}",
        )


def _decoded(path: Path, raw: bytes) -> str:
    """``raw`` as UTF-8 text (TOML files are UTF-8); a bad byte is an error naming its line and column."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise HarnessError(
            ErrorKind.BUDGETS,
            f"{path}:{line}:{column}: not UTF-8 text (byte 0x{raw[exc.start]:02x}); TOML files are UTF-8",
            tip="save the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8`)",
        ) from exc


def _syntax_error(path: Path, exc: tomllib.TOMLDecodeError) -> HarnessError:
    """Re-raise a TOML syntax error as ``file:line:column: message``."""
    message = str(exc)
    position = _SYNTAX_POSITION.search(message)
    where = str(path)
    if position:
        where = f"{path}:{position.group(1)}:{position.group(2)}"
        message = message[: position.start()]
    return HarnessError(
        ErrorKind.BUDGETS,
        f"{where}: TOML syntax error: {message}",
        tip="see https://toml.io/en/v1.0.0 for the syntax; perf_budgets/FORMAT.md for the keys",
    )
