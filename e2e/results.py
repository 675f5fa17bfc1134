"""Turn the workflow sidecar and the vitals report into metrics, findings and validity checks."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from e2e import workflows
from harness.records import Finding, Severity, StageResult, ValidityCheck

WORKFLOW_METRICS = ("e2e.workflows.*",)
PAGE_METRICS = ('e2e.page["*"].*', "e2e.performance.score")
PAGE_METRIC_NAMES = ("load_ms", "ttfb_ms", "fcp_ms", "lcp_ms", "cls", "inp_ms")

PathFn = Callable[[str | None], str | None]
"""Maps a tool's artifact path to one relative to the run directory (None stays None)."""


def page_metric(name: str, metric: str) -> str:
    """``e2e.page["/models"].lcp_ms``."""
    return f'e2e.page["{name}"].{metric}'


def fingerprint(*parts: str) -> str:
    """A stable id for a finding, so known-failure entries survive reruns."""
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def workflow_outcomes(tests: list[dict[str, Any]]) -> dict[str, str]:
    """Per workflow: "passed" only if it has tests and all of them passed."""
    outcomes: dict[str, str] = {}
    for test in tests:
        current = outcomes.get(test["workflow"], "passed")
        outcomes[test["workflow"]] = current if test["outcome"] == "passed" else test["outcome"]
    return outcomes


def add_workflows(
    result: StageResult, selected: tuple[workflows.Workflow, ...], sidecar: dict[str, Any], rel: PathFn
) -> None:
    """Coverage metrics, one finding per failing or untested workflow, and the run check."""
    tests: list[dict[str, Any]] = sidecar.get("tests", [])
    outcomes = workflow_outcomes(tests)
    passed = [w for w in selected if outcomes.get(w.id) == "passed"]
    result.metrics["e2e.workflows.total"] = float(len(selected))
    result.metrics["e2e.workflows.passed"] = float(len(passed))
    result.metrics["e2e.workflows.pass_ratio"] = len(passed) / len(selected) if selected else 0.0
    for test in tests:
        test["trace"], test["screenshot"] = rel(test.get("trace")), rel(test.get("screenshot"))
        if test["outcome"] in ("failed", "error"):
            result.findings.append(_failed(test))
    for workflow in selected:
        if workflow.id not in outcomes:
            result.findings.append(_untested(workflow))
    ran = [t for t in tests if t["outcome"] in ("passed", "failed")]
    result.validity.append(
        ValidityCheck(
            "workflows-run",
            ok=bool(ran),
            detail=f"{len(ran)} workflow test(s) ran to an outcome of {len(tests)} recorded",
            affects=WORKFLOW_METRICS,
        )
    )
    result.details["workflows"] = [_summary(w, tests, outcomes) for w in selected]


def _failed(test: dict[str, Any]) -> Finding:
    workflow = workflows.get(test["workflow"])
    step = test.get("failed_step") or "unknown step"
    return Finding(
        rule="workflow-failed",
        severity=Severity.HIGH,
        message=f"workflow '{workflow.id}' ({workflow.name}) failed at step '{step}'{_where(test, step)}",
        location=f"{workflow.id} / {step}",
        fingerprint=fingerprint("workflow-failed", workflow.id, step),
        evidence=test.get("error", ""),
        extra={
            "workflow": workflow.id,
            "step": step,
            "test": test["nodeid"],
            "duration_s": test["duration_s"],
            "trace": test.get("trace"),
            "screenshot": test.get("screenshot"),
        },
    )


def _where(test: dict[str, Any], step: str) -> str:
    """`` on http://host/models?q=x ("Unprocessable Entity")`` when the step recorded the page."""
    entry = next((s for s in test.get("steps", []) if s["name"] == step and s.get("url")), None)
    if entry is None:
        return ""
    title = f' ("{entry["title"]}")' if entry.get("title") else ""
    return f" on {entry['url']}{title}"


def _untested(workflow: workflows.Workflow) -> Finding:
    return Finding(
        rule="workflow-untested",
        severity=Severity.HIGH,
        message=f"workflow '{workflow.id}' ({workflow.name}) has no test that ran",
        location=workflow.id,
        fingerprint=fingerprint("workflow-untested", workflow.id),
    )


def _summary(workflow: workflows.Workflow, tests: list[dict[str, Any]], outcomes: dict[str, str]) -> dict[str, Any]:
    """The per-workflow entry of ``e2e.json``: outcome, duration, failing step, artifacts."""
    own = [t for t in tests if t["workflow"] == workflow.id]
    failing = next((t for t in own if t["outcome"] != "passed"), None)
    return {
        "id": workflow.id,
        "name": workflow.name,
        "outcome": outcomes.get(workflow.id, "not run"),
        "duration_s": round(sum(t["duration_s"] for t in own), 3),
        "failed_step": failing.get("failed_step") if failing else None,
        "error": failing.get("error") if failing else None,
        "trace": failing.get("trace") if failing else None,
        "screenshot": failing.get("screenshot") if failing else None,
        "tests": own,
    }


def add_pages(result: StageResult, report: dict[str, Any]) -> None:
    """Per-page medians, the performance score, a finding per unloadable page, the page check."""
    pages: list[dict[str, Any]] = report.get("pages", [])
    measured = [p for p in pages if p.get("median")]
    for page in measured:
        for metric in PAGE_METRIC_NAMES:
            if metric in page["median"]:
                result.metrics[page_metric(page["name"], metric)] = float(page["median"][metric])
        result.metrics[page_metric(page["name"], "score")] = float(page["score"])
    if report.get("score") is not None:
        result.metrics["e2e.performance.score"] = float(report["score"])
    for page in pages:
        if page.get("error"):
            result.findings.append(_page_failed(page))
    result.validity.append(
        ValidityCheck(
            "pages-measured",
            ok=bool(measured),
            detail=f"{len(measured)} of {len(pages)} page(s) measured"
            + "".join(f"; {p['name']}: {p['error']}" for p in pages if p.get("error")),
            affects=PAGE_METRICS,
        )
    )
    result.details["pages"] = pages
    result.details["performance"] = {"score": report.get("score"), "grade": report.get("grade")}
    result.details["performance_method"] = report.get("method", "")


def _page_failed(page: dict[str, Any]) -> Finding:
    return Finding(
        rule="page-load-failed",
        severity=Severity.HIGH,
        message=f"page {page['name']} could not be measured: {page['error']}",
        location=str(page["name"]),
        fingerprint=fingerprint("page-load-failed", str(page["name"])),
        evidence=str(page["error"]),
    )
