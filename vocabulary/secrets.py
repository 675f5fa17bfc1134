"""Secrets known to this process, and redaction of them from anything written or printed.

Values come from the environment (config ``${VAR}`` references, ``HARNESS_ZAP_API_KEY``, and what the
target description's auth recipe reads from the environment) and from the userinfo of every URL the
user gives (``http://user:pass@host``); header and URL patterns cover tokens the harness never saw as
config. `forms` lists every value as it may appear in a file (JSON-escaped, percent-encoded, as the
Basic credential a client derives from URL userinfo) for the last redaction pass over a run folder.
"""

from __future__ import annotations

import base64
import html
import json
import re
from typing import Any
from urllib.parse import quote, unquote

MASK = "[REDACTED]"
_known: set[str] = set()
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?i)(authorization\s*[:=]\s*)(?:bearer\s+|basic\s+)?[^\s'\",;]+"), rf"\g<1>{MASK}"),
    (re.compile(r"(?i)((?:set-)?cookie\s*[:=]\s*)[^\r\n'\"]+"), rf"\g<1>{MASK}"),
    (
        re.compile(
            r"(?i)(\b(?:api[_-]?key|apikey|token|access_token|password|secret)[\"']?\s*[:=]\s*[\"']?)"
            r"[^\s'\",&}]+"
        ),
        rf"\g<1>{MASK}",
    ),
    (re.compile(r"(?i)(://[^/\s:@]+:)[^@/\s]+@"), rf"\g<1>{MASK}@"),
)
ENV_SECRETS = ("HARNESS_ZAP_API_KEY", "HARNESS_PASSWORD")
_URL_USERINFO = re.compile(r"(?i)\b[a-z][a-z0-9+.-]*://([^/\s?#'\"]+)@")
"""Userinfo runs to the last ``@`` of the authority (like `urllib.parse.urlsplit`)."""


def register(value: str) -> None:
    """Remember a secret value so `redact` masks it everywhere (short values are ignored)."""
    if len(value) >= 4:
        _known.add(value)


def register_environment(environ: dict[str, str]) -> None:
    """Register the well-known secret variables that are set."""
    for name in ENV_SECRETS:
        if environ.get(name):
            register(environ[name])


def register_url_credentials(text: str) -> None:
    """Register the userinfo of every URL in ``text``: the password (or a lone user token), also
    percent-decoded, and the Basic credential a client sends for it (the user name alone stays readable)."""
    for match in _URL_USERINFO.finditer(text):
        user, has_password, password = match.group(1).partition(":")
        secret = password if has_password else user
        register(secret)
        register(unquote(secret))
        if has_password:
            register(base64.b64encode(f"{unquote(user)}:{unquote(password)}".encode()).decode())


def forms() -> list[bytes]:
    """Every known secret as it may be written into a file, longest first (UTF-8)."""
    found = {
        form
        for value in _known
        for form in (value, json.dumps(value)[1:-1], quote(value, safe=""), html.escape(value))
        if len(form) >= 4
    }
    return sorted((form.encode() for form in found), key=len, reverse=True)


def redact(text: str) -> str:
    """``text`` with every known secret and every credential-looking pattern masked."""
    for value in sorted(_known, key=len, reverse=True):
        text = text.replace(value, MASK)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def redact_obj(value: Any) -> Any:
    """`redact` applied to every string inside nested dicts and lists."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: redact_obj(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_obj(v) for v in value]
    return value
