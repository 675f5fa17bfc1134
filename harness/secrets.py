"""Secrets known to this process, and redaction of them from anything written or printed.

Values come from the environment (config ``${VAR}`` references, ``HARNESS_ZAP_API_KEY``, and what the
target description's auth recipe reads from the environment); header and URL patterns cover tokens
the harness never saw as config.
"""

from __future__ import annotations

import re
from typing import Any

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


def register(value: str) -> None:
    """Remember a secret value so `redact` masks it everywhere (short values are ignored)."""
    if len(value) >= 4:
        _known.add(value)


def register_environment(environ: dict[str, str]) -> None:
    """Register the well-known secret variables that are set."""
    for name in ENV_SECRETS:
        if environ.get(name):
            register(environ[name])


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
