"""``security.sarif``: SARIF 2.1.0, as GitHub code scanning accepts it, from the findings of every stage
whose result declares how they appear there (`vocabulary.code_scanning`: the security, contracts and
accessibility stages do), one SARIF run per stage.

- A run's tool, tags and ranking are the stage's declaration: security alerts carry a
  ``security-severity`` (GitHub ranks them as security alerts); contract failures (``correctness``) and
  accessibility violations (``accessibility``, with their WCAG criteria) carry none.
- A rule's name and description describe the check (the finding's ``extra["name"]`` or ``["help"]``, and
  ``["description"]``), never one finding's message.
- The target is an app at a URL, not a file of the repository: every result is anchored to the URL's path
  relative to the base id ``TARGET`` (``originalUriBaseIds`` holds the target's origin). An absolute
  ``http://`` URI would make code scanning reject the whole upload (its checkout URI scheme is ``file``);
  the run folder's own files (``extra.artifact_uri``) are not in the repository, so they are only named in
  the result's properties.
- A stage that did not apply is left out: an empty SARIF run for it would tell code scanning that every
  earlier alert of that tool was fixed. Without any declaring stage no file is written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import SplitResult, quote, urlsplit

from reports.registry import RunView, handler
from vocabulary import atomic
from vocabulary.code_scanning import CodeScanning
from vocabulary.records import Finding, Severity, StageResult, Status

FILE = "security.sarif"
SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
VERSION = "2.1.0"
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
_USERINFO = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/?#]*@")
"""Characters kept as they are in a location URI (``{id}`` of a path template is percent-encoded)."""


@handler("sarif")
def render(run: RunView) -> list[Path]:
    """Write ``security.sarif`` when a stage that declares code scanning ran and applied to the target."""
    results = [r for r in run.results.values() if r.status is not Status.NOT_APPLICABLE]
    log = build(results)
    if not log["runs"]:
        return []
    target = run.path / FILE
    atomic.write_json(target, log)
    return [target]


def build(results: Iterable[StageResult], openapi_uri: str = "openapi.json") -> dict[str, Any]:
    """One SARIF log with one run per result that declares code scanning. ``openapi_uri`` (the run folder's
    copy of the OpenAPI document) is named in the properties of API results that have no anchor of their own."""
    declared = ((result, CodeScanning.of(result)) for result in results)
    runs = [_run(result, kind, openapi_uri) for result, kind in declared if kind is not None]
    return {"$schema": SCHEMA_URI, "version": VERSION, "runs": runs}


def rule_name(finding: Finding) -> str:
    """What the check is called: the finding's ``name`` or ``help``, else its rule id (never one finding's
    message)."""
    named = finding.extra.get("name") or finding.extra.get("help")
    if named:
        return str(named)
    return finding.rule.replace("_", " ").replace("-", " ").capitalize()


def _run(result: StageResult, kind: CodeScanning, openapi_uri: str) -> dict[str, Any]:
    rules: dict[str, dict[str, Any]] = {}
    for finding in result.findings:
        rules.setdefault(finding.rule, _rule(finding, kind))
    index = {rule_id: position for position, rule_id in enumerate(rules)}
    driver: dict[str, Any] = {"name": kind.tool, "informationUri": kind.information_uri, "rules": list(rules.values())}
    version = result.tool_versions.get(kind.version_of) or result.tool_versions.get("release-harness")
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


def _rule(finding: Finding, kind: CodeScanning) -> dict[str, Any]:
    name = rule_name(finding)
    description = str(finding.extra.get("description") or name)
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
    uri = str(finding.extra.get("help_url") or "")
    if uri:
        rule["helpUri"] = uri
        rule["help"] = {"text": f"See {uri}"}
    return rule


def _wcag(finding: Finding) -> list[str]:
    """The WCAG success criteria the stage wrote in ``extra.wcag``."""
    criteria = finding.extra.get("wcag")
    return [str(c) for c in criteria] if isinstance(criteria, list) else []


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
    parts = _split(url)
    path = quote(parts.path or "/", safe=_URI_SAFE)
    if not parts.netloc or _origin(url) == _origin(target_url):
        return {"uri": path, "uriBaseId": TARGET_BASE}
    return {"uri": quote(parts.hostname or "", safe="") + path}


def _origin(url: str) -> str:
    """``http://127.0.0.1:8765`` from any URL on that origin; empty for a URL without a host."""
    parts = _split(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def _split(url: str) -> SplitResult:
    """`urlsplit` of ``url`` without its userinfo: a stored URL's password is masked (``user:[REDACTED]@``),
    which urllib reads as a broken IPv6 literal, and no credential belongs in a code-scanning report."""
    return urlsplit(_USERINFO.sub(r"\1", url, count=1))
