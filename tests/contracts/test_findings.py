"""Findings from check failures: grouping, stable fingerprints, curl reproductions without secrets."""

from __future__ import annotations

import base64
import shlex

from contracts.events import CheckFailure
from contracts.findings import curl, fingerprint, to_findings
from vocabulary.records import Severity


def _failure(check: str, operation: str, code: str, message: str, **request: object) -> CheckFailure:
    return CheckFailure(
        check=check,
        operation=operation,
        code=code,
        title="Response violates schema",
        message=message,
        case_id="abc123",
        request={"method": "GET", "uri": "http://127.0.0.1:8000/api/models/1", **request},
        status_code=200,
    )


def test_one_finding_per_check_and_operation() -> None:
    failures = [
        _failure("response_schema_conformance", "GET /api/models/{model_id}", "ST108", "first"),
        _failure("response_schema_conformance", "GET /api/models/{model_id}", "ST108", "second, longer"),
        _failure("not_a_server_error", "GET /api/models/{model_id}", "ST101", "500"),
    ]
    found = to_findings(failures)
    assert [(f.rule, f.location) for f in found] == [
        ("not_a_server_error", "GET /api/models/{model_id}"),
        ("response_schema_conformance", "GET /api/models/{model_id}"),
    ]
    schema = found[1]
    assert schema.severity is Severity.HIGH
    assert schema.extra["cases"] == 2
    assert schema.extra["check"] == "response_schema_conformance"
    assert schema.extra["operation"] == "GET /api/models/{model_id}"
    assert schema.evidence == schema.extra["reproduction"] == "curl -X GET http://127.0.0.1:8000/api/models/1"


def test_fingerprint_ignores_message_and_case_but_not_check_operation_or_class() -> None:
    base = fingerprint("not_a_server_error", "GET /api/models/{model_id}", ["ST101"])
    again = to_findings([_failure("not_a_server_error", "GET /api/models/{model_id}", "ST101", "other text")])
    assert again[0].fingerprint == base
    assert fingerprint("not_a_server_error", "GET /api/models", ["ST101"]) != base
    assert fingerprint("status_code_conformance", "GET /api/models/{model_id}", ["ST101"]) != base
    assert fingerprint("not_a_server_error", "GET /api/models/{model_id}", ["ST102"]) != base


def test_curl_redacts_credentials_and_keeps_the_body() -> None:
    body = base64.b64encode(b'{"title": "a model"}').decode()
    command = curl(
        {
            "method": "POST",
            "uri": "http://127.0.0.1:8000/api/wiki",
            "headers": {"Authorization": ["Bearer s3cr3t-token-value"], "Content-Type": ["application/json"]},
            "body": {"$base64": body},
        }
    )
    assert "s3cr3t-token-value" not in command
    assert shlex.split(command) == [
        "curl", "-X", "POST",
        "-H", "Authorization: [REDACTED]",
        "-H", "Content-Type: application/json",
        "--data-binary", '{"title": "a model"}',
        "http://127.0.0.1:8000/api/wiki",
    ]  # fmt: skip


def test_curl_summarises_binary_bodies() -> None:
    body = base64.b64encode(b"\xff\xfe\x00binary").decode()
    command = curl({"method": "POST", "uri": "http://x/api/models", "body": {"$base64": body}})
    assert "<9 bytes of binary body; see schemathesis-events.ndjson>" in command
