"""SARIF 2.1.0 output validates against the vendored OASIS schema and anchors every result to a file.

The findings carry what their stages write for code scanning (the declaration in ``details``, rule
names, descriptions, help links and WCAG criteria on ``extra``): the report knows no stage by name."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from accessibility.stage import CODE_SCANNING as A11Y
from contracts.findings import CHECKS
from contracts.stage import CODE_SCANNING as CONTRACTS
from reports import sarif
from security.stage import CODE_SCANNING as SECURITY
from vocabulary.records import Finding, Severity, StageResult, Status

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
            "help_url": "https://www.zaproxy.org/docs/alerts/10038/",
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
            "help_url": "https://www.zaproxy.org/docs/alerts/10021/",
        },
    )
    tls = Finding("harness-tls-protocol", Severity.MEDIUM, "Legacy TLS", "GET /", "ef56")
    result = StageResult("security", Status.PASSED, "http://127.0.0.1:1", "smoke", findings=[page, api, tls])
    SECURITY.declare(result)
    return result


def _contracts() -> StageResult:
    message = "response_schema_conformance failed on GET /api/models/{model_id}: Response violates schema (1)."
    finding = Finding(
        "response_schema_conformance",
        Severity.HIGH,
        message,
        "GET /api/models/{model_id}",
        "99",
        extra={"operation": "GET /api/models/{model_id}", "description": CHECKS["response_schema_conformance"]},
    )
    result = StageResult("contracts", Status.FAILED, "http://127.0.0.1:1", "smoke", findings=[finding])
    CONTRACTS.declare(result)
    return result


def _accessibility() -> StageResult:
    finding = Finding(
        "color-contrast",
        Severity.HIGH,
        "Elements must meet minimum color contrast ratio thresholds (serious) on /models: .hint",
        "/models .hint",
        "a1",
        extra={
            "impact": "serious",
            "page": "/models",
            "url": "http://127.0.0.1:1/models",
            "selector": ".hint",
            "tags": ["cat.color", "wcag2aa", "wcag143"],
            "wcag": ["1.4.3"],
            "help": "Elements must meet minimum color contrast ratio thresholds",
            "help_url": "https://dequeuniversity.com/rules/axe/4.10/color-contrast",
        },
    )
    result = StageResult("accessibility", Status.FAILED, "http://127.0.0.1:1", "smoke", findings=[finding])
    A11Y.declare(result)
    return result


def _runs(log: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {run["automationDetails"]["id"].split("/")[1]: run for run in log["runs"]}


def test_sarif_validates_and_anchors_each_result_to_the_target_url() -> None:
    log = sarif.build([_result(), _contracts(), _accessibility()], openapi_uri="security/openapi.json")
    validate(log)
    runs = _runs(log)
    assert [run["tool"]["driver"]["name"] for run in log["runs"]] == [
        "release-harness security",
        "release-harness contracts",
        "release-harness accessibility",
    ]
    results = runs["security"]["results"]
    anchors = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in results]
    # Paths on the target, relative to its origin: never a run-folder file, never an http:// URI.
    assert [a["uri"] for a in anchors] == ["/models", "/api/models/1", "/"]
    assert {a["uriBaseId"] for a in anchors} == {sarif.TARGET_BASE}
    assert runs["security"]["originalUriBaseIds"][sarif.TARGET_BASE]["uri"] == "http://127.0.0.1:1/"
    assert results[1]["properties"]["runFolderFile"] == "security/openapi.json#L40"
    assert results[0]["properties"]["url"] == "http://127.0.0.1:1/models"
    contract = runs["contracts"]["results"][0]
    assert contract["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "/api/models/%7Bmodel_id%7D"
    assert contract["locations"][0]["logicalLocations"][0]["name"] == "GET /api/models/{model_id}"
    assert results[0]["level"] == "warning" and contract["level"] == "error"


def test_a_target_url_with_masked_userinfo_anchors_on_its_origin_without_it() -> None:
    """A stored target URL carries its password masked (``user:[REDACTED]@``), which urllib takes for a
    broken IPv6 literal: the report still anchors on the origin, and names no credential at all."""
    result = _result()
    result.target_url = "http://tester:[REDACTED]@127.0.0.1:1"
    log = sarif.build([result], openapi_uri=None)
    validate(log)
    run = _runs(log)["security"]
    assert run["originalUriBaseIds"][sarif.TARGET_BASE]["uri"] == "http://127.0.0.1:1/"
    assert [r["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] for r in run["results"]] == [
        sarif.TARGET_BASE
    ] * 3


def test_contract_failures_are_correctness_results_not_security_alerts() -> None:
    rule = _runs(sarif.build([_contracts()]))["contracts"]["tool"]["driver"]["rules"][0]
    assert "security-severity" not in rule["properties"]
    assert "security" not in rule["properties"]["tags"] and "correctness" in rule["properties"]["tags"]
    # The rule describes the check, not the one failure that was found.
    assert rule["name"] == "Response schema conformance"
    assert rule["shortDescription"]["text"] == "The response body matches the schema the OpenAPI document declares"


def test_accessibility_rules_carry_their_wcag_criteria() -> None:
    run = _runs(sarif.build([_accessibility()]))["accessibility"]
    rule = run["tool"]["driver"]["rules"][0]
    assert rule["name"] == "Elements must meet minimum color contrast ratio thresholds"
    assert "WCAG 1.4.3" in rule["properties"]["tags"] and "accessibility" in rule["properties"]["tags"]
    assert "security-severity" not in rule["properties"]
    assert rule["helpUri"].endswith("/color-contrast")
    assert run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "/models"


def test_security_rules_are_named_by_the_check_and_ranked_as_security() -> None:
    rules = {r["id"]: r for r in _runs(sarif.build([_result()]))["security"]["tool"]["driver"]["rules"]}
    assert rules["10038"]["name"] == "Content Security Policy (CSP) Header Not Set"
    assert rules["10038"]["properties"]["security-severity"] == "5.5"
    assert "security" in rules["10038"]["properties"]["tags"]


def test_rules_link_to_zap_alert_pages_and_carry_cwe() -> None:
    rules = sarif.build([_result()])["runs"][0]["tool"]["driver"]["rules"]
    by_id = {rule["id"]: rule for rule in rules}
    assert by_id["10038"]["helpUri"] == "https://www.zaproxy.org/docs/alerts/10038/"
    assert "external/cwe/cwe-693" in by_id["10038"]["properties"]["tags"]
    assert "helpUri" not in by_id["harness-tls-protocol"]


def test_a_stage_that_declares_no_code_scanning_is_left_out() -> None:
    plain = StageResult("load", Status.PASSED, "http://127.0.0.1:1", "smoke", findings=_result().findings)
    assert sarif.build([plain])["runs"] == []
    assert [run["tool"]["driver"]["name"] for run in sarif.build([plain, _contracts()])["runs"]] == [
        "release-harness contracts"
    ]


def test_an_invalid_log_is_rejected_by_the_schema() -> None:
    log = sarif.build([_result()])
    log["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        validate(log)
