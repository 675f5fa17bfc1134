"""Information leaks: Server version (10036), X-Powered-By (10037), stack traces (90022), debug pages (10023)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx

from security.rules import Confidence, Hit, Risk, rule
from security.rules.http import is_html

_VERSION = re.compile(r"\d")
_MAX_SCAN_CHARS = 200_000
"""Bodies are searched up to this many characters, like ZAP's own body-size cap for passive rules."""

STACK_TRACE_MARKERS = (
    "Traceback (most recent call last)",
    'Exception in thread "',
    "at java.",
    "System.NullReferenceException",
    "Server Error in '/' Application",
    "at Object.<anonymous>",
    "Fatal error: Uncaught",
    "SQLSTATE[",
    "sqlite3.OperationalError",
    "sqlalchemy.exc.",
    "psycopg.errors.",
    "ORA-00",
)
"""Text of unhandled-exception output across common stacks (90022 evidence)."""

DEBUG_MARKERS = (
    "Internal Server Error",
    "Error Occurred While Processing Request",
    "You're seeing this error because you have <code>DEBUG = True</code>",
    "Werkzeug Debugger",
    "traceback-container",
    "PHP Parse error",
    "Warning: Cannot modify header information - headers already sent",
    "Unclosed quotation mark before the character string",
)
"""Debug or default-error-page text (10023 evidence), matched in HTML responses only, like ZAP."""


def _first_marker(response: httpx.Response, markers: tuple[str, ...]) -> str | None:
    text = response.text[:_MAX_SCAN_CHARS]
    return next((marker for marker in markers if marker in text), None)


@rule(
    "10036",
    'Server Leaks Version Information via "Server" HTTP Response Header Field',
    Risk.LOW,
    Confidence.HIGH,
    497,
)
def server_version(response: httpx.Response) -> Iterator[Hit]:
    """A Server header with a version number tells attackers which exploits to try."""
    server = response.headers.get("server", "")
    if _VERSION.search(server):
        yield Hit(evidence=server, param="server")


@rule(
    "10037",
    'Server Leaks Information via "X-Powered-By" HTTP Response Header Field(s)',
    Risk.LOW,
    Confidence.MEDIUM,
    497,
)
def powered_by(response: httpx.Response) -> Iterator[Hit]:
    """X-Powered-By names the framework and often its version."""
    for value in response.headers.get_list("x-powered-by"):
        yield Hit(evidence=f"X-Powered-By: {value}", param="x-powered-by")


@rule("90022", "Application Error Disclosure", Risk.MEDIUM, Confidence.MEDIUM, 550)
def application_error(response: httpx.Response) -> Iterator[Hit]:
    """A response body that carries an unhandled exception's stack trace."""
    marker = _first_marker(response, STACK_TRACE_MARKERS)
    if marker is not None:
        yield Hit(evidence=marker)


@rule("10023", "Information Disclosure - Debug Error Messages", Risk.LOW, Confidence.MEDIUM, 1295)
def debug_error(response: httpx.Response) -> Iterator[Hit]:
    """An HTML page showing a debug or default server error message."""
    if is_html(response):
        marker = _first_marker(response, DEBUG_MARKERS)
        if marker is not None:
            yield Hit(evidence=marker)
