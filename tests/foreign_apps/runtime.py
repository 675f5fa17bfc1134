"""What both foreign apps share: their command line, fault switches, request log and security headers.

The apps themselves are deliberately unlike the bundled marketplace (another framework, another API
description, another login); only this plumbing is common, so tests can drive both the same way.
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TextIO, TypeVar

FAULTS_ENV = "FOREIGN_FAULTS"
REQUEST_LOG_ENV = "FOREIGN_REQUEST_LOG"

# The full set when no fault is on. Every HTML page and JSON answer carries them, so a passive scan
# of a clean app finds nothing to report (CSP names frame-ancestors/form-action/base-uri because
# they do not fall back to default-src).
CSP = "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'"
SECURITY_HEADERS: tuple[tuple[str, str], ...] = (
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "no-referrer"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Cache-Control", "no-store"),
)
# What the `missing-header` fault removes (lower-case for comparison).
DROPPED_BY_MISSING_HEADER = frozenset({"content-security-policy", "x-content-type-options"})


@dataclass(frozen=True)
class Reply:
    """What a handler answers; the app adds the shared headers."""

    status: int
    body: bytes = b""
    content_type: str | None = None
    headers: tuple[tuple[str, str], ...] = ()


H = TypeVar("H")


@dataclass(frozen=True)
class Routed(Generic[H]):
    """The route a request path matched: its handler for the request's method (None: the method is not
    allowed there), the path's captured groups, and the ``Allow`` header the route answers with."""

    handler: H | None
    groups: tuple[str, ...]
    allow: tuple[str, str]


def route(routes: Sequence[tuple[re.Pattern[str], Mapping[str, H]]], method: str, path: str) -> Routed[H] | None:
    """The first route whose pattern matches all of ``path`` (GET's handler serves HEAD); None if none does."""
    for pattern, methods in routes:
        match = pattern.fullmatch(path)
        if match is not None:
            implicit = {"HEAD", "OPTIONS"} if "GET" in methods else {"OPTIONS"}
            allow = ("Allow", ", ".join(sorted({*methods, *implicit})))
            return Routed(methods.get("GET" if method == "HEAD" else method), match.groups(), allow)
    return None


@dataclass(frozen=True)
class Options:
    """How one app process was asked to run."""

    host: str
    port: int
    request_log: Path | None
    faults: frozenset[str]


def parse_options(
    prog: str, known_faults: Mapping[str, str], argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None
) -> Options:
    """Flags first, then ``FOREIGN_FAULTS`` / ``FOREIGN_REQUEST_LOG``; unknown fault names are an error."""
    env = os.environ if env is None else env
    parser = _parser(prog, known_faults)
    args = parser.parse_args(argv)
    faults_text = args.faults if args.faults is not None else env.get(FAULTS_ENV, "")
    unknown = _unknown_fault_message(faults_text, known_faults)
    if unknown:
        parser.error(unknown)
    log_text = args.request_log or env.get(REQUEST_LOG_ENV) or None
    return Options(
        host=args.host,
        port=args.port,
        request_log=Path(log_text) if log_text else None,
        faults=split_faults(faults_text),
    )


def _parser(prog: str, known_faults: Mapping[str, str]) -> argparse.ArgumentParser:
    listing = "; ".join(f"{name}: {text}" for name, text in known_faults.items())
    parser = argparse.ArgumentParser(prog=prog, description=f"Run the foreign test app '{prog}'.")
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, required=True, help="TCP port to listen on")
    parser.add_argument("--request-log", help=f"append 'METHOD PATH?QUERY STATUS' lines here (env {REQUEST_LOG_ENV})")
    parser.add_argument("--faults", help=f"comma-separated fault switches (env {FAULTS_ENV}). {listing}")
    return parser


def split_faults(text: str) -> frozenset[str]:
    """``"a, b,"`` -> ``{"a", "b"}``."""
    return frozenset(name.strip() for name in text.split(",") if name.strip())


def _unknown_fault_message(text: str, known_faults: Mapping[str, str]) -> str:
    for name in sorted(split_faults(text)):
        if name not in known_faults:
            close = difflib.get_close_matches(name, known_faults, n=1)
            tip = f" Did you mean '{close[0]}'?" if close else ""
            return f"unknown fault '{name}'.{tip} Known: {', '.join(known_faults)}"
    return ""


def security_headers(*, drop_protective: bool) -> list[tuple[str, str]]:
    """The security headers, less CSP and nosniff when the `missing-header` fault applies."""
    if not drop_protective:
        return list(SECURITY_HEADERS)
    return [(name, value) for name, value in SECURITY_HEADERS if name.lower() not in DROPPED_BY_MISSING_HEADER]


class RequestLog:
    """Appends ``METHOD PATH?QUERY STATUS`` per request; one lock, one flush per line, so tests can read it live."""

    def __init__(self, path: Path | None) -> None:
        self._lock = threading.Lock()
        self._file: TextIO | None = None
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            # Line-buffered append: a reader never sees half a line, and restarts keep earlier lines.
            self._file = path.open("a", encoding="utf-8", buffering=1)

    def record(self, method: str, target: str, status: int) -> None:
        """One request; ``target`` is the raw path plus ``?query`` when there is one."""
        if self._file is None:
            return
        with self._lock:
            self._file.write(f"{method} {target} {status}\n")
            self._file.flush()

    def close(self) -> None:
        """Stop logging (later records are dropped)."""
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None


def request_target(path: str, query: str) -> str:
    """The logged form of a request target: ``/books?limit=5`` or ``/books``."""
    return f"{path}?{query}" if query else path


def announce(host: str, port: int) -> None:
    """The one line callers wait for on stdout."""
    print(f"listening on http://{host}:{port}", flush=True)
