"""SARIF 2.1.0 output validates against the vendored OASIS schema and anchors every result to a file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from harness.records import Finding, Severity, StageResult, Status
from security import sarif

SCHEMA = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"
"""SARIF 2.1.0 (rtm.5, the final schema), vendored for offline tests from npm @microsoft/jest-sarif (MIT)."""


def validate(log: dict[str, Any]) -> None:
    """Raise if ``log`` is not valid SARIF 2.1.0."""
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(log)


def _result() -> StageResult:
    page = Finding(
        "10038",
        Severity.MEDIUM,
        "Content Security Policy (CSP) Header Not Set",
        "GET /models",
        "ab12",
        extra={
            "name": "Content Security Policy (CSP) Header Not Set",
            "cwe": 693,
            "url": "http://127.0.0.1:1/models",
            "artifact_uri": "security/alerts.json",
        },
    )
    api = Finding(
        "10021",
        Severity.LOW,
        "X-Content-Type-Options Header Missing",
        "GET /api/models/{model_id}",
        "cd34",
        extra={
            "cwe": 693,
            "url": "http://127.0.0.1:1/api/models/1",
            "artifact_uri": "security/openapi.json",
            "artifact_line": 40,
        },
    )
    tls = Finding("harness-tls-protocol", Severity.MEDIUM, "Legacy TLS", "GET /", "ef56")
    return StageResult("security", Status.PASSED, "http://127.0.0.1:1", "smoke", findings=[page, api, tls])


def test_sarif_validates_and_anchors_each_result() -> None:
    contracts = StageResult(
        "contracts",
        Status.FAILED,
        "http://127.0.0.1:1",
        "smoke",
        findings=[Finding("not_a_server_error", Severity.HIGH, "500", "GET /api/x", "99")],
    )
    log = sarif.build([_result(), contracts], openapi_uri="security/openapi.json")
    validate(log)
    assert [run["tool"]["driver"]["name"] for run in log["runs"]] == [
        "release-harness security",
        "release-harness contracts",
    ]
    results = log["runs"][0]["results"]
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results]
    assert uris == ["security/alerts.json", "security/openapi.json", "security/openapi.json"]
    assert results[1]["locations"][0]["physicalLocation"]["region"]["startLine"] == 40
    assert results[0]["properties"]["url"] == "http://127.0.0.1:1/models"
    assert results[0]["level"] == "warning" and log["runs"][1]["results"][0]["level"] == "error"


def test_rules_link_to_zap_alert_pages_and_carry_cwe() -> None:
    rules = sarif.build([_result()])["runs"][0]["tool"]["driver"]["rules"]
    by_id = {rule["id"]: rule for rule in rules}
    assert by_id["10038"]["helpUri"] == "https://www.zaproxy.org/docs/alerts/10038/"
    assert "external/cwe/cwe-693" in by_id["10038"]["properties"]["tags"]
    assert "helpUri" not in by_id["harness-tls-protocol"]


def test_an_invalid_log_is_rejected_by_the_schema() -> None:
    log = sarif.build([_result()])
    log["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        validate(log)
