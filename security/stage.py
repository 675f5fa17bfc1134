"""The security stage: baseline fetch and grade always; findings from ZAP when configured, else the baseline.

What it fetches comes from the target description: its pages, auth pages, crawl depth and page
cap, its auth recipe (credentials from ``stagekit.auth``) and its OpenAPI document. A target
without a document is judged on its pages; only the API-operation metrics (``security.api.*``)
are then not applicable.

Options: `security.options.OPTIONS` (``[tool.harness.security]``, ``-o security.KEY=VALUE``, CLI
``--zap-url``). The ZAP API key is read from ``HARNESS_ZAP_API_KEY`` only.
"""

from __future__ import annotations

import dataclasses
import os
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from security import anchors, baseline, collect, grade, rules_tsv, zap
from security.findings import ZAP_ALERTS, Located, to_findings
from security.options import DEFAULT_RULES, OPTIONS
from security.rules_tsv import Action
from stagekit import stage_options
from stagekit.auth import AuthError, Credentials, authenticate
from stagekit.openapi import load_document
from stagekit.stages import StageContext
from vocabulary import atomic
from vocabulary.code_scanning import CodeScanning
from vocabulary.errors import ErrorKind, HarnessError
from vocabulary.records import Finding, Severity, StageResult, Status, ValidityCheck
from vocabulary.rundir import RunDir

NO_OPENAPI = "the target has no OpenAPI document: there are no API operations to check"
ALERTS = "alerts.json"
CODE_SCANNING = CodeScanning("release-harness security", ZAP_ALERTS, ("security",), security=True, version_of="zap")
"""Security alerts in ``security.sarif``: ranked by their severity, linked to ZAP's alert pages."""


def run(ctx: StageContext) -> StageResult:
    """Fetch, grade, scan (ZAP or baseline), apply the rules file, write artifacts."""
    result = ctx.result(tool_versions=_versions())
    CODE_SCANNING.declare(result)
    stage_options.check("security", ctx.options, OPTIONS)
    opts = stage_options.with_defaults(ctx.options, OPTIONS)
    policy = rules_tsv.load(Path(opts["rules_file"] or DEFAULT_RULES))
    zap_settings = _zap_settings(opts) if opts["zap_url"] else None
    zap_down = _zap_down(zap_settings, fallback=bool(opts["zap_fallback"]))
    document, openapi_error = _openapi(ctx)
    timeout_s = float(opts["timeout_s"])
    try:
        credentials = authenticate(ctx.target.description.auth, ctx.target.url)
    except AuthError as exc:
        return ctx.result(status=Status.ERROR, started_at=result.started_at, error=exc.render()).finish()
    ctx.progress.start("security: fetching pages and API operations")
    options = _collect_options(ctx, timeout_s, credentials)
    fetched = baseline.fetch(ctx.target.url, document, options, ctx.cancel, lambda url: ctx.progress.advance())
    if not fetched.collection.observations:
        raise HarnessError(
            ErrorKind.TARGET_UNREACHABLE,
            f"security: no response from {ctx.target.url}",
            tip="; ".join(fetched.collection.unreachable[:3]) or None,
        )
    _grade(ctx, result, fetched, timeout_s)
    located = _scan(ctx, result, fetched, timeout_s, None if zap_down else zap_settings, zap_down)
    result.findings = _apply_policy(result, to_findings(located), policy)
    _anchor(ctx, result, document)
    _metrics(result, fetched, document, openapi_error)
    _write_artifacts(ctx, result, fetched)
    failed = any(not check.ok for check in result.validity)
    return result.finish(Status.FAILED if failed else Status.PASSED)


def _versions() -> dict[str, str]:
    found = {}
    for package, key in (("httpx", "httpx"), ("zaproxy", "zapv2"), ("release-harness", "release-harness")):
        try:
            found[key] = version(package)
        except PackageNotFoundError:
            continue
    return found


def _openapi(ctx: StageContext) -> tuple[dict[str, Any] | None, str | None]:
    """The document (None without one), or the error that kept a named document from loading."""
    if ctx.openapi is None:
        return None, None
    try:
        return load_document(ctx.openapi), None
    except HarnessError as exc:
        return None, exc.message


def _collect_options(ctx: StageContext, timeout_s: float, credentials: Credentials) -> collect.Options:
    described = ctx.target.description
    return collect.Options(
        pages=described.pages,
        auth_pages=described.auth_pages,
        max_pages=described.max_pages,
        depth=described.crawl_depth,
        timeout_s=timeout_s,
        credentials=credentials,
        logout_pattern=described.auth.logout_pattern,
    )


def _grade(ctx: StageContext, result: StageResult, fetched: baseline.Baseline, timeout_s: float) -> None:
    inputs = baseline.grade_inputs(fetched, baseline.redirection(ctx.target.url, timeout_s))
    home_ok = inputs is not None and inputs.home.status_code == 200
    result.validity.append(
        ValidityCheck(
            "grade_home_page",
            home_ok,
            f"home page answered HTTP {inputs.home.status_code}" if inputs else "home page not fetched",
            affects=("security.grade_score",),
        )
    )
    if inputs is None:
        return
    scored = grade.grade(inputs)
    result.metrics["security.grade_score"] = float(scored.score)
    result.details["grade"] = scored.to_dict()
    atomic.write_json(ctx.artifacts / "grade.json", scored.to_dict())
    result.artifacts["grade"] = _relative(ctx, ctx.artifacts / "grade.json")
    ctx.progress.log(f"security grade {scored.letter} ({scored.score})")


def _zap_down(settings: zap.Settings | None, *, fallback: bool) -> str | None:
    """Check ZAP before any other work; its error, when falling back to the baseline is allowed."""
    if settings is None:
        return None
    try:
        zap.check_reachable(settings)
    except HarnessError as exc:
        if exc.kind is not ErrorKind.TARGET_UNREACHABLE or not fallback:
            raise
        return exc.message
    return None


def _scan(
    ctx: StageContext,
    result: StageResult,
    fetched: baseline.Baseline,
    timeout_s: float,
    settings: zap.Settings | None,
    zap_down: str | None,
) -> list[Located]:
    """ZAP when configured and up, the built-in rules otherwise (a fallback is recorded)."""
    if settings is None:
        result.details["mode"] = "baseline"
        if zap_down:
            note = f"ZAP unreachable ({zap_down}); used the built-in baseline because zap_fallback = true"
            result.details["zap_fallback"] = note
            result.validity.append(ValidityCheck("zap_fallback", True, note))
        return baseline.run_rules(fetched, ctx.target.url, timeout_s)
    result.details["mode"] = "zap"
    RunDir(ctx.run_dir).write_result(dataclasses.replace(result, status=Status.INCOMPLETE).finish())
    scanned = zap.scan(settings, ctx.target.url, ctx.openapi, ctx.cancel, ctx.progress.log)
    result.tool_versions["zap"] = scanned.version
    for phase in ("spider", "passive", "active"):
        if phase == "active" and not settings.active:
            continue
        ok = phase not in scanned.timed_out
        result.validity.append(
            ValidityCheck(f"zap_{phase}_completed", ok, f"ZAP {phase} scan {'finished' if ok else 'hit its timeout'}")
        )
    atomic.write_json(ctx.artifacts / "zap-alerts.json", scanned.raw)
    result.artifacts["zap_alerts"] = _relative(ctx, ctx.artifacts / "zap-alerts.json")
    return [Located(alert, "zap") for alert in scanned.alerts]


def _zap_settings(opts: dict[str, Any]) -> zap.Settings:
    """ZAP's settings from the stage options (their defaults filled in)."""
    return zap.Settings(
        url=str(opts["zap_url"]),
        api_key=os.environ.get(zap.API_KEY_ENV) or None,
        active=bool(opts["active_scan"]),
        connect_timeout_s=float(opts["zap_connect_timeout_s"]),
        spider_timeout_s=float(opts["zap_spider_timeout_s"]),
        passive_timeout_s=float(opts["zap_passive_timeout_s"]),
        active_timeout_s=float(opts["zap_active_timeout_s"]),
        poll_s=float(opts["zap_poll_s"]),
    )


def _apply_policy(result: StageResult, findings: list[Finding], policy: dict[str, Action]) -> list[Finding]:
    """IGNORE drops a rule's findings (counted in details); WARN/FAIL ride along for the gate."""
    ignored: dict[str, int] = {}
    kept: list[Finding] = []
    for finding in findings:
        action = policy.get(finding.rule, Action.WARN)
        if action is Action.IGNORE:
            ignored[finding.rule] = ignored.get(finding.rule, 0) + 1
            continue
        finding.extra["policy"] = action.value
        kept.append(finding)
    result.details["ignored_by_rules_file"] = ignored
    return kept


def _anchor(ctx: StageContext, result: StageResult, document: dict[str, Any] | None) -> None:
    """Point each finding at a file for SARIF: an API operation in openapi.json, else the record of checked URLs."""
    lines: dict[str, int] = {}
    if document is not None:
        lines = anchors.write_openapi(document, ctx.artifacts / "openapi.json")
        result.artifacts["openapi"] = _relative(ctx, ctx.artifacts / "openapi.json")
    for finding in result.findings:
        operation = finding.extra.get("operation")
        if document is not None and isinstance(operation, str):
            finding.extra["artifact_uri"] = result.artifacts["openapi"]
            finding.extra["artifact_line"] = lines.get(operation.split(" ", 1)[-1], 1)
        else:
            finding.extra["artifact_uri"] = _relative(ctx, ctx.artifacts / ALERTS)


def _metrics(
    result: StageResult, fetched: baseline.Baseline, document: dict[str, Any] | None, openapi_error: str | None
) -> None:
    for severity in Severity:
        result.metrics[f"security.findings.{severity.value}"] = float(
            sum(1 for f in result.findings if f.severity is severity)
        )
    checked = fetched.urls_checked
    result.metrics["security.urls.checked"] = float(checked)
    result.validity.append(ValidityCheck("urls_checked", checked > 0, f"{checked} responses examined"))
    result.details["authenticated"] = fetched.authenticated
    result.details["unreachable"] = fetched.collection.unreachable
    if document is None and openapi_error is None:
        result.not_applicable["security.api.*"] = NO_OPENAPI
        return
    operations = sum(1 for o in fetched.collection.observations if o.kind == "api")
    result.metrics["security.api.operations_checked"] = float(operations)
    detail = openapi_error or f"{operations} of {len(fetched.operations)} API GET operations fetched"
    # A document without GET operations leaves nothing to fetch; one whose operations went unanswered
    # (or that could not be read) means the findings miss the API: every metric is then inconclusive.
    ok = openapi_error is None and (operations > 0 or not fetched.operations)
    result.validity.append(ValidityCheck("api_operations_checked", ok, detail))


def _write_artifacts(ctx: StageContext, result: StageResult, fetched: baseline.Baseline) -> None:
    alerts = {
        "findings": [dataclasses.asdict(f) | {"severity": f.severity.value} for f in result.findings],
        "checked": fetched.checked(),
    }
    atomic.write_json(ctx.artifacts / ALERTS, alerts)
    result.artifacts["alerts"] = _relative(ctx, ctx.artifacts / ALERTS)


def _relative(ctx: StageContext, path: Path) -> str:
    return str(path.relative_to(ctx.run_dir))
