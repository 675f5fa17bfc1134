"""SARIF 2.1.0 from stage results (security and contracts findings), as GitHub code scanning accepts it.

Pure: ``build(results)`` returns the SARIF log as a dict; reports/ writes the run-level
``security.sarif`` with it and the security stage writes its own copy as an artifact. Each
result is anchored to a file: ``extra.artifact_uri`` / ``extra.artifact_line`` when the stage
set them (page template, OpenAPI line), else the OpenAPI document; the URL goes in properties.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from harness.records import Finding, Severity, StageResult

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
VERSION = "2.1.0"
SARIF_STAGES = ("security", "contracts")
INFORMATION_URI = "https://www.zaproxy.org/docs/alerts/"
_LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
# GitHub reads "security-severity" (0.0-10.0) to rank alerts: >= 9 critical, >= 7 high, >= 4 medium.
_SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "0.0",
}
_TOOLS = {"security": "release-harness security", "contracts": "release-harness contracts"}


def build(results: Iterable[StageResult], openapi_uri: str = "openapi.json") -> dict[str, Any]:
    """One SARIF log with one run per stage that reports findings here."""
    runs = [_run(r, openapi_uri) for r in results if r.stage in SARIF_STAGES]
    return {"$schema": SCHEMA_URI, "version": VERSION, "runs": runs}


def help_uri(rule: str) -> str | None:
    """ZAP's alert page for numeric ZAP rule ids."""
    return f"{INFORMATION_URI}{rule}/" if rule.split("-")[0].isdigit() else None


def _run(result: StageResult, openapi_uri: str) -> dict[str, Any]:
    rules: dict[str, dict[str, Any]] = {}
    for finding in result.findings:
        rules.setdefault(finding.rule, _rule(finding))
    index = {rule_id: position for position, rule_id in enumerate(rules)}
    driver: dict[str, Any] = {
        "name": _TOOLS.get(result.stage, f"release-harness {result.stage}"),
        "informationUri": INFORMATION_URI,
        "rules": list(rules.values()),
    }
    version = result.tool_versions.get("zap") or result.tool_versions.get("release-harness")
    if version:
        driver["version"] = version
    return {
        "tool": {"driver": driver},
        "automationDetails": {"id": f"release-harness/{result.stage}/"},
        "results": [_result(f, index[f.rule], openapi_uri) for f in result.findings],
        "properties": {"targetUrl": result.target_url, "profile": result.profile},
    }


def _rule(finding: Finding) -> dict[str, Any]:
    name = str(finding.extra.get("name") or finding.message)
    tags = ["security"]
    cwe = finding.extra.get("cwe")
    if isinstance(cwe, int) and cwe > 0:
        tags.append(f"external/cwe/cwe-{cwe}")
    rule: dict[str, Any] = {
        "id": finding.rule,
        "name": name,
        "shortDescription": {"text": name},
        "defaultConfiguration": {"level": _LEVEL[finding.severity]},
        "properties": {"tags": tags, "security-severity": _SECURITY_SEVERITY[finding.severity]},
    }
    uri = help_uri(finding.rule)
    if uri:
        rule["helpUri"] = uri
        rule["help"] = {"text": f"See {uri}"}
    return rule


def _result(finding: Finding, rule_index: int, openapi_uri: str) -> dict[str, Any]:
    url = finding.extra.get("url")
    text = finding.message + (f" at {url}" if url else f" at {finding.location}")
    line = finding.extra.get("artifact_line")
    location = {
        "physicalLocation": {
            "artifactLocation": {"uri": str(finding.extra.get("artifact_uri") or openapi_uri)},
            "region": {"startLine": line if isinstance(line, int) and line > 0 else 1},
        },
        "logicalLocations": [{"name": finding.location, "kind": "resource"}],
    }
    properties: dict[str, Any] = {"location": finding.location, "severity": finding.severity.value}
    for key in ("url", "urls", "confidence", "param", "source"):
        if finding.extra.get(key):
            properties[key] = finding.extra[key]
    if finding.evidence:
        properties["evidence"] = finding.evidence[:1000]
    return {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": _LEVEL[finding.severity],
        "message": {"text": text},
        "locations": [location],
        "partialFingerprints": {"releaseHarnessFingerprint/v1": finding.fingerprint},
        "properties": properties,
    }
