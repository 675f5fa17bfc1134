"""Turn ZAP-shaped alerts (from the baseline or a ZAP daemon) into the harness's `Finding` records."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from security.rules import Alert, Risk
from vocabulary.records import Finding, Severity

ZAP_ALERTS = "https://www.zaproxy.org/docs/alerts/"
"""ZAP's alert pages, one per numeric rule id (``10038/``); the harness's own rules have none."""
SEVERITY = {Risk.HIGH: Severity.HIGH, Risk.MEDIUM: Severity.MEDIUM, Risk.LOW: Severity.LOW, Risk.INFO: Severity.INFO}
"""ZAP risk → harness severity (ZAP has no critical; the gate's policy may still escalate a rule)."""

_ID_SEGMENT = re.compile(r"/(\d+|[0-9a-f]{8}-[0-9a-f-]{27,})(?=/|$)", re.IGNORECASE)
_MAX_URLS = 5


@dataclasses.dataclass(frozen=True)
class Located:
    """An alert with what the stage knows about where it came from."""

    alert: Alert
    source: str
    """``baseline`` or ``zap``."""
    kind: str = ""
    """page, asset, api, error, probe or login (baseline only)."""
    operation: str | None = None
    """The OpenAPI operation, e.g. ``GET /books/{book_id}``, when the URL is an API call."""


def normalise(method: str, url: str, operation: str | None = None) -> str:
    """A stable location: the operation, or ``METHOD /path`` with numeric ids folded to ``{id}``."""
    if operation:
        return operation
    path = urlsplit(url).path or "/"
    return f"{method.upper()} {_ID_SEGMENT.sub('/{id}', path)}"


def fingerprint(rule: str, location: str, param: str = "", other: str = "") -> str:
    """A short hash that survives host, port, query and id changes between runs."""
    key = "|".join((rule, location, param.lower(), other))
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def to_findings(items: Iterable[Located]) -> list[Finding]:
    """One finding per (rule, location, parameter); repeated hits add their URLs to ``extra.urls``."""
    merged: dict[str, Finding] = {}
    for item in items:
        alert = item.alert
        location = normalise(alert.method, alert.url, item.operation)
        key = fingerprint(alert.plugin_id, location, alert.param, alert.other)
        known = merged.get(key)
        if known is None:
            merged[key] = _finding(item, location, key)
        elif alert.url not in known.extra["urls"] and len(known.extra["urls"]) < _MAX_URLS:
            known.extra["urls"].append(alert.url)
    return sorted(merged.values(), key=lambda f: (list(Severity).index(f.severity), f.rule, f.location))


def _finding(item: Located, location: str, key: str) -> Finding:
    alert = item.alert
    message = alert.name + (f": {alert.other}" if alert.other else "")
    if alert.param:
        message += f" ({alert.param})"
    return Finding(
        rule=alert.plugin_id,
        severity=SEVERITY[alert.risk],
        message=message,
        location=location,
        fingerprint=key,
        evidence=alert.evidence,
        extra={
            "name": alert.name,
            "risk": alert.risk.value,
            "confidence": alert.confidence.value,
            "cwe": alert.cwe,
            "url": alert.url,
            "urls": [alert.url],
            "method": alert.method,
            "param": alert.param,
            "source": item.source,
            "kind": item.kind,
            "operation": item.operation,
            **_help_url(alert.plugin_id),
        },
    )


def _help_url(rule: str) -> dict[str, str]:
    """``help_url``: ZAP's alert page for a numeric ZAP rule id (``10038``, ``10020-1``)."""
    return {"help_url": f"{ZAP_ALERTS}{rule}/"} if rule.split("-")[0].isdigit() else {}
