"""Turn check failures into one finding per (check, operation), with a redacted curl reproduction."""

from __future__ import annotations

import base64
import binascii
import hashlib
import shlex
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from contracts.events import CheckFailure
from vocabulary import secrets
from vocabulary.records import Finding, Severity

_SECRET_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization", "x-api-key"})
_BODY_PREVIEW_CHARS = 4000
CHECKS = {
    "not_a_server_error": "The API answers without a server error (5xx)",
    "status_code_conformance": "The response status code is one the OpenAPI document declares for the operation",
    "content_type_conformance": "The response Content-Type is one the OpenAPI document declares",
    "response_headers_conformance": "The response carries the headers the OpenAPI document requires",
    "response_schema_conformance": "The response body matches the schema the OpenAPI document declares",
    "negative_data_rejection": "The API rejects requests that violate the schema",
    "positive_data_acceptance": "The API accepts requests that match the schema",
    "use_after_free": "A deleted resource is no longer served",
    "ensure_resource_availability": "A resource just created can be fetched",
    "ignored_auth": "An operation that declares authentication refuses requests without it",
    "missing_required_header": "A request without a required header is rejected",
    "unsupported_method": "A method the OpenAPI document does not declare is refused with 405",
    "max_response_time": "The response arrives within the configured time",
}
"""Schemathesis's checks, described as code scanning shows a rule (a finding's ``extra["description"]``)."""


def group(failures: Iterable[CheckFailure]) -> dict[tuple[str, str], list[CheckFailure]]:
    """Failures keyed by (check, operation), in a stable order."""
    grouped: dict[tuple[str, str], list[CheckFailure]] = defaultdict(list)
    for failure in failures:
        grouped[(failure.check, failure.operation)].append(failure)
    return dict(sorted(grouped.items()))


def to_findings(failures: Iterable[CheckFailure]) -> list[Finding]:
    """One high-severity finding per (check, operation)."""
    return [_finding(check, operation, cases) for (check, operation), cases in group(failures).items()]


def fingerprint(check: str, operation: str, codes: Iterable[str]) -> str:
    """Stable across runs and seeds: the check, the operation and the failure classes seen."""
    key = "|".join(("contracts", check, operation, ",".join(sorted(set(codes)))))
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def _finding(check: str, operation: str, cases: list[CheckFailure]) -> Finding:
    first = min(cases, key=lambda case: (case.code, len(case.message)))
    reproduction = curl(first.request)
    codes = sorted({case.code for case in cases})
    detail = secrets.redact(first.message.strip().splitlines()[0] if first.message.strip() else "")
    return Finding(
        rule=check,
        severity=Severity.HIGH,
        message=f"{check} failed on {operation}: {first.title} ({first.code}). {detail}".strip(),
        location=operation,
        fingerprint=fingerprint(check, operation, codes),
        evidence=reproduction,
        extra={
            "check": check,
            "operation": operation,
            "reproduction": reproduction,
            "codes": codes,
            "cases": len(cases),
            "case_id": first.case_id,
            "status_code": first.status_code,
            "detail": secrets.redact(first.message),
            **({"description": CHECKS[check]} if check in CHECKS else {}),
        },
    )


def curl(request: dict[str, Any]) -> str:
    """A ``curl`` command for a recorded request; credentials are replaced by a placeholder."""
    parts = ["curl", "-X", str(request.get("method", "GET"))]
    for name, values in (request.get("headers") or {}).items():
        for value in values if isinstance(values, list) else [values]:
            shown = secrets.MASK if name.lower() in _SECRET_HEADERS else str(value)
            parts += ["-H", f"{name}: {shown}"]
    body = _body_text(request.get("body"))
    if body is not None:
        parts += ["--data-binary", body]
    parts.append(str(request.get("uri", "")))
    return secrets.redact(shlex.join(parts))


def _body_text(body: Any) -> str | None:
    """The request body as text; binary bodies are summarised (the event stream keeps the bytes)."""
    if body is None:
        return None
    raw: bytes
    if isinstance(body, dict) and "$base64" in body:
        try:
            raw = base64.b64decode(body["$base64"])
        except binascii.Error:
            return "<body not decodable; see schemathesis-events.ndjson>"
    else:
        raw = str(body).encode()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return f"<{len(raw)} bytes of binary body; see schemathesis-events.ndjson>"
    if len(text) > _BODY_PREVIEW_CHARS:
        return text[:_BODY_PREVIEW_CHARS] + f"...<{len(text) - _BODY_PREVIEW_CHARS} more chars>"
    return text
