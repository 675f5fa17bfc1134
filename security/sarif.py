"""SARIF 2.1.0 from stage results (security, contracts and accessibility findings), as GitHub code scanning
accepts it.

Pure: ``build(results)`` returns the SARIF log as a dict; reports/ writes the run-level
``security.sarif`` with it and the security stage writes its own copy as an artifact.

- Each stage is its own run with its own kind of rule: security alerts carry the ``security`` tag and a
  ``security-severity`` (GitHub ranks them as security alerts); contract failures are ``correctness``
  results and accessibility violations ``accessibility`` results with their WCAG criteria, neither with a
  security severity.
- A rule's name and description describe the check (ZAP's alert name, the Schemathesis check, the axe
  rule's help text), never one finding's message.
- The target is an app at a URL, not a file of the repository: every result is anchored to the URL's path
  relative to the base id ``TARGET`` (``originalUriBaseIds`` holds the target's origin). An absolute
  ``http://`` URI would make code scanning reject the whole upload (its checkout URI scheme is ``file``);
  the run folder's own files (``extra.artifact_uri``) are not in the repository, so they are only named in
  the result's properties.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, urlsplit

from accessibility.results import wcag_criteria
from vocabulary.records import Finding, Severity, StageResult

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
VERSION = "2.1.0"
SARIF_STAGES = ("security", "contracts", "accessibility")
INFORMATION_URI = "https://www.zaproxy.org/docs/alerts/"
TARGET_BASE = "TARGET"
"""The ``uriBaseId`` every result location is relative to: the target's origin."""
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
_URI_SAFE = "/:@!$&'()*+,;=-._~%"
"""Characters kept as they are in a location URI (``{id}`` of a path template is percent-encoded)."""

_CHECKS = {
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
"""Schemathesis's checks, described as code scanning shows a rule."""
_HARNESS_RULES = {
    "off-host-request": "A request to a host outside the target, loopback and the allowed hosts",
}


@dataclasses.dataclass(frozen=True)
class _Kind:
    """What a stage's results are for code scanning: its tool, tags, and whether they are security alerts."""

    tool: str
    information_uri: str
    tags: tuple[str, ...]
    security: bool


_KINDS = {
    "security": _Kind("release-harness security", INFORMATION_URI, ("security",), security=True),
    "contracts": _Kind(
        "release-harness contracts", "https://schemathesis.readthedocs.io/", ("correctness", "api-contract"), False
    ),
    "accessibility": _Kind(
        "release-harness accessibility", "https://github.com/dequelabs/axe-core", ("accessibility",), False
    ),
}


def build(results: Iterable[StageResult], openapi_uri: str = "openapi.json") -> dict[str, Any]:
    """One SARIF log with one run per stage that reports findings here. ``openapi_uri`` (the run folder's
    copy of the OpenAPI document) is named in the properties of API results that have no anchor of their own."""
    runs = [_run(r, openapi_uri) for r in results if r.stage in SARIF_STAGES]
    return {"$schema": SCHEMA_URI, "version": VERSION, "runs": runs}


def help_uri(rule: str) -> str | None:
    """ZAP's alert page for numeric ZAP rule ids."""
    return f"{INFORMATION_URI}{rule}/" if rule.split("-")[0].isdigit() else None


def rule_name(finding: Finding) -> str:
    """What the check is called: ZAP's alert name, the axe rule's help text, a described Schemathesis
    check, else the rule id (never one finding's message)."""
    named = finding.extra.get("name") or _axe_help(finding)
    if named:
        return str(named)
    return finding.rule.replace("_", " ").replace("-", " ").capitalize()


def _run(result: StageResult, openapi_uri: str) -> dict[str, Any]:
    kind = _KINDS[result.stage]
    rules: dict[str, dict[str, Any]] = {}
    for finding in result.findings:
        rules.setdefault(finding.rule, _rule(finding, kind))
    index = {rule_id: position for position, rule_id in enumerate(rules)}
    driver: dict[str, Any] = {"name": kind.tool, "informationUri": kind.information_uri, "rules": list(rules.values())}
    version = result.tool_versions.get("zap") or result.tool_versions.get("release-harness")
    if version:
        driver["version"] = version
    run: dict[str, Any] = {
        "tool": {"driver": driver},
        "automationDetails": {"id": f"release-harness/{result.stage}/"},
        "results": [_result(f, index[f.rule], result.target_url, openapi_uri) for f in result.findings],
        "properties": {"targetUrl": result.target_url, "profile": result.profile},
    }
    origin = _origin(result.target_url)
    if origin:
        run["originalUriBaseIds"] = {TARGET_BASE: {"uri": f"{origin}/", "description": {"text": "the target app"}}}
    return run


def _rule(finding: Finding, kind: _Kind) -> dict[str, Any]:
    name = rule_name(finding)
    description = _CHECKS.get(finding.rule) or _HARNESS_RULES.get(finding.rule) or name
    tags = list(kind.tags)
    properties: dict[str, Any] = {"tags": tags}
    cwe = finding.extra.get("cwe")
    if isinstance(cwe, int) and cwe > 0:
        tags.append(f"external/cwe/cwe-{cwe}")
    criteria = _wcag(finding)
    tags += [f"WCAG {c}" for c in criteria]
    if kind.security:
        properties["security-severity"] = _SECURITY_SEVERITY[finding.severity]
    rule: dict[str, Any] = {
        "id": finding.rule,
        "name": name,
        "shortDescription": {"text": description},
        "defaultConfiguration": {"level": _LEVEL[finding.severity]},
        "properties": properties,
    }
    if criteria:
        rule["fullDescription"] = {"text": f"{description} (WCAG {', '.join(criteria)})"}
    uri = str(finding.extra.get("help_url") or "") or help_uri(finding.rule)
    if uri:
        rule["helpUri"] = uri
        rule["help"] = {"text": f"See {uri}"}
    return rule


def _wcag(finding: Finding) -> list[str]:
    """The WCAG success criteria of an axe rule: the stage's ``extra.wcag``, else read from its tags."""
    criteria = finding.extra.get("wcag")
    if isinstance(criteria, list) and criteria:
        return [str(c) for c in criteria]
    tags = finding.extra.get("tags")
    return wcag_criteria(str(t) for t in tags) if isinstance(tags, list) else []


def _axe_help(finding: Finding) -> str:
    """An axe rule's help text: the accessibility stage writes messages as "<help> (<impact>) on <page>: …"."""
    if "help" in finding.extra:
        return str(finding.extra["help"])
    impact = finding.extra.get("impact")
    head, sep, _ = finding.message.partition(f" ({impact}) on ")
    return head if impact and sep else ""


def _result(finding: Finding, rule_index: int, target_url: str, openapi_uri: str) -> dict[str, Any]:
    url = _url_of(finding, target_url)
    text = finding.message + (f" at {url}" if url and url not in finding.message else "")
    location = {
        "physicalLocation": {"artifactLocation": _anchor(url, target_url), "region": {"startLine": 1}},
        "logicalLocations": [
            {"name": finding.location, "fullyQualifiedName": url or finding.location, "kind": "resource"}
        ],
    }
    properties: dict[str, Any] = {"location": finding.location, "severity": finding.severity.value}
    for key in ("url", "urls", "confidence", "param", "source", "impact", "selector", "operation", "reproduction"):
        if finding.extra.get(key):
            properties[key] = finding.extra[key]
    run_file = finding.extra.get("artifact_uri") or (openapi_uri if finding.extra.get("operation") else None)
    if run_file:
        line = finding.extra.get("artifact_line")
        properties["runFolderFile"] = f"{run_file}#L{line}" if isinstance(line, int) and line > 0 else str(run_file)
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


def _url_of(finding: Finding, target_url: str) -> str:
    """The URL a finding is about: the one the stage recorded, else the target plus the location's path
    (``GET /api/books/{id}`` or an axe page ``/books``)."""
    url = finding.extra.get("url")
    if isinstance(url, str) and url:
        return url
    path = _path_of(str(finding.extra.get("operation") or finding.extra.get("page") or finding.location))
    return f"{target_url.rstrip('/')}{path}" if path and target_url else ""


def _path_of(location: str) -> str:
    """``/api/x`` from ``GET /api/x`` or ``/api/x`` (an axe location adds its selector after a space)."""
    for word in location.split()[:2]:
        if word.startswith("/"):
            return word
    return ""


def _anchor(url: str, target_url: str) -> dict[str, Any]:
    """The URL's path relative to the target's origin (``uriBaseId`` TARGET); a URL on another origin
    keeps its host, without a scheme (a scheme other than ``file`` fails the whole upload)."""
    parts = urlsplit(url)
    path = quote(parts.path or "/", safe=_URI_SAFE)
    if not parts.netloc or _origin(url) == _origin(target_url):
        return {"uri": path, "uriBaseId": TARGET_BASE}
    return {"uri": quote(parts.hostname or "", safe="") + path}


def _origin(url: str) -> str:
    """``http://127.0.0.1:8765`` from any URL on that origin; empty for a URL without a host."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
