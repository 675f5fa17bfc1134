"""Turn the test sidecar and the journeys' report into metrics, findings and validity checks.

Every test is a workflow, named by its pytest node id. Pages get Web Vitals from the page journeys
(cold loads, the median) and, for every other target page the tests opened, from what the tests'
browser saw (the median of those documents). Lighthouse scores the first measured pages
(`e2e.lighthouse`); the run's performance score is the mean of their scores, measured only when
every page Lighthouse was to score has one.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from typing import Any

from e2e.lighthouse import Audit, Page
from e2e.vitals import median
from vocabulary.records import Finding, Severity, StageResult, ValidityCheck

WORKFLOW_METRICS = ("e2e.workflows.*",)
PAGE_METRICS = ('e2e.page["*"].*', "e2e.performance.*")
SCORE_METRICS = ('e2e.page["*"].score', "e2e.performance.score")
"""What Lighthouse measures."""
GRADES = ((90.0, "A"), (80.0, "B"), (70.0, "C"), (60.0, "D"))
"""Letters for the run's score (Lighthouse itself colours 90-100 good, 50-89 needs improvement)."""
PAGE_METRIC_NAMES = ("load_ms", "ttfb_ms", "fcp_ms", "lcp_ms", "cls", "inp_ms")
_JUDGED = ("passed", "failed", "error")

PathFn = Callable[[str | None], str | None]
"""Maps a tool's artifact path to one relative to the run directory (None stays None)."""


def page_metric(name: str, metric: str) -> str:
    """``e2e.page["/cart"].lcp_ms``."""
    return f'e2e.page["{name}"].{metric}'


def fingerprint(*parts: str) -> str:
    """A stable id for a finding, so known-failure entries survive reruns."""
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def add_workflows(result: StageResult, sidecar: dict[str, Any], rel: PathFn) -> None:
    """Pass ratio over the tests that ran to an outcome, one finding per failing test, the run check."""
    tests: list[dict[str, Any]] = sidecar.get("tests", [])
    judged = [t for t in tests if t["outcome"] in _JUDGED]
    passed = [t for t in judged if t["outcome"] == "passed"]
    if judged:
        result.metrics["e2e.workflows.total"] = float(len(judged))
        result.metrics["e2e.workflows.passed"] = float(len(passed))
        result.metrics["e2e.workflows.pass_ratio"] = len(passed) / len(judged)
    for test in tests:
        test["trace"], test["screenshot"] = rel(test.get("trace")), rel(test.get("screenshot"))
        if test["outcome"] in ("failed", "error"):
            result.findings.append(_failed(test))
    skipped = len(tests) - len(judged)
    result.validity.append(
        ValidityCheck(
            "workflows-run",
            ok=bool(judged),
            detail=f"{len(judged)} test(s) ran to an outcome" + (f", {skipped} skipped" if skipped else ""),
            affects=WORKFLOW_METRICS,
        )
    )
    result.details["workflows"] = [_summary(t) for t in tests]


_RETRIED = {
    "passed": "; it passed when run again, traced: flaky",
    "failed": "; it failed again when run again, traced",
    "error": "; its setup failed when run again, traced",
}
"""What the traced re-run of a failed test (trace = on-first-retry) adds to its finding."""


def _failed(test: dict[str, Any]) -> Finding:
    workflow, step = test["nodeid"], test.get("failed_step")
    at = f" at step '{step}'" if step else ""
    return Finding(
        rule="workflow-failed",
        severity=Severity.HIGH,
        message=f"workflow '{workflow}' failed{at}{_where(test, step)}{_RETRIED.get(str(test.get('retry')), '')}",
        location=f"{workflow} / {step}" if step else workflow,
        fingerprint=fingerprint("workflow-failed", workflow, step or ""),
        evidence=test.get("error", ""),
        extra={
            "workflow": workflow,
            "step": step,
            "test": workflow,
            "duration_s": test["duration_s"],
            "trace": test.get("trace"),
            "screenshot": test.get("screenshot"),
            "retry": test.get("retry"),
        },
    )


def _where(test: dict[str, Any], step: str | None) -> str:
    """`` on http://host/cart?id=7 ("Unprocessable Entity")`` when the step recorded the page."""
    entry = next((s for s in test.get("steps", []) if s["name"] == step and s.get("url")), None)
    if entry is None:
        return ""
    title = f' ("{entry["title"]}")' if entry.get("title") else ""
    return f" on {entry['url']}{title}"


def _summary(test: dict[str, Any]) -> dict[str, Any]:
    """The per-workflow entry of ``e2e.json``: outcome, duration, failing step, artifacts, steps."""
    keys = ("name", "outcome", "duration_s", "failed_step", "error", "retry", "trace", "screenshot", "steps")
    return {"id": test["nodeid"], **{key: test.get(key) for key in keys}}


def add_pages(result: StageResult, journeys: dict[str, Any], tests: list[dict[str, Any]]) -> None:
    """Per-page medians, a finding per unmeasurable page, the check."""
    visited: list[dict[str, Any]] = journeys.get("pages", [])
    journeyed = [{**p, "source": "journey"} for p in visited if not p.get("skipped")]
    pages = journeyed + _seen_by_tests(tests, {p["name"] for p in visited})
    measured = [p for p in pages if p.get("median")]
    for page in measured:
        for metric in PAGE_METRIC_NAMES:
            if metric in page["median"]:
                result.metrics[page_metric(page["name"], metric)] = float(page["median"][metric])
    result.findings.extend(_page_failed(p) for p in pages if p.get("error"))
    errors = "".join(f"; {p['name']}: {p['error']}" for p in pages if p.get("error"))
    result.validity.append(
        ValidityCheck(
            "pages-measured",
            ok=bool(measured),
            detail=f"{len(measured)} of {len(pages)} page(s) measured{errors}",
            affects=PAGE_METRICS,
        )
    )
    result.details["pages"] = pages
    result.details["skipped_pages"] = [{"name": p["name"], "reason": p["skipped"]} for p in visited if p.get("skipped")]


def to_score(result: StageResult) -> list[Page]:
    """The measured pages in the order Lighthouse takes them: the journeys' (signed in as they were),
    then those only the tests opened (at the first path seen of each route, not signed in)."""
    pages: list[dict[str, Any]] = [p for p in result.details.get("pages", []) if p.get("median")]
    return [Page(p["name"], p.get("sample_path", p["name"]), bool(p.get("signed_in"))) for p in pages]


def add_scores(result: StageResult, audits: list[Audit], asked: int, unavailable: str | None = None) -> None:
    """Lighthouse's page scores and reports, the run's score when all ``asked`` pages have one, the check."""
    rows = {page["name"]: page for page in result.details.get("pages", [])}
    for audit in audits:
        rows[audit.name].update(score=audit.score, lighthouse=audit.report, lighthouse_error=audit.error)
        rows[audit.name]["lab"] = audit.lab
        if audit.score is not None:
            result.metrics[page_metric(audit.name, "score")] = audit.score
    scores = [audit.score for audit in audits if audit.score is not None]
    complete = unavailable is None and bool(scores) and len(scores) == asked
    score = round(sum(scores) / len(scores), 1) if complete else None
    if score is not None:
        result.metrics["e2e.performance.score"] = score
    failed = "".join(f"; {audit.name}: {audit.error}" for audit in audits if audit.error)
    detail = unavailable or f"Lighthouse scored {len(scores)} of {asked} page(s){failed}"
    result.validity.append(ValidityCheck("lighthouse-scored", ok=complete, detail=detail, affects=SCORE_METRICS))
    result.details["performance"] = {"score": score, "grade": letter(score) if score is not None else None}


def letter(score: float) -> str:
    """The letter for a 0-100 score: A >= 90, B >= 80, C >= 70, D >= 60, else F."""
    return next((grade for floor, grade in GRADES if score >= floor), "F")


_ID_SEGMENT = re.compile(
    r"^\d+$"  # a number
    r"|^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$"  # a UUID
    r"|(?=[a-f]*\d)[0-9a-f]{8,}",  # a generated hex tag (at least one digit), e.g. e2e-edit-a3893de1
    re.IGNORECASE,
)
"""A path segment that names one record: a number, a UUID, or one ending in a generated hex tag."""


def page_route(path: str) -> str:
    """``/wiki/e2e-edit-a3893de1/edit`` -> ``/wiki/[id]/edit``: pages tests create each run are one page
    kind (as Locust names ``/models/[id]``), so budgets and trends do not grow a row per run."""
    query = "?" + path.split("?", 1)[1] if "?" in path else ""
    parts = path.split("?", 1)[0].split("/")
    return "/".join("[id]" if part and _ID_SEGMENT.search(part) else part for part in parts) + query


def _seen_by_tests(tests: list[dict[str, Any]], journeyed: set[str]) -> list[dict[str, Any]]:
    """Target pages the tests opened that no journey measured: the median of what the tests saw, by
    page route (`page_route`)."""
    by_path: dict[str, list[dict[str, Any]]] = {}
    for test in tests:
        for sample in test.get("pages", []):
            if sample["path"] not in journeyed:
                by_path.setdefault(page_route(sample["path"]), []).append(sample)
    return [
        {
            "name": route,
            "sample_path": found[0]["path"],
            "source": "tests",
            "median": median(found),
            "samples": len(found),
        }
        for route, found in sorted(by_path.items())
    ]


def _page_failed(page: dict[str, Any]) -> Finding:
    return Finding(
        rule="page-load-failed",
        severity=Severity.HIGH,
        message=f"page {page['name']} could not be measured: {page['error']}",
        location=str(page["name"]),
        fingerprint=fingerprint("page-load-failed", str(page["name"])),
        evidence=str(page["error"]),
    )


def operations(tests: list[dict[str, Any]], journeys: dict[str, Any]) -> list[str]:
    """Distinct ``"METHOD /path"`` requests the browser sent to the target, tests and journeys together."""
    seen = {op for test in tests for op in test.get("operations", [])}
    return sorted(seen | set(journeys.get("operations", [])))
