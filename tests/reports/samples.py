"""Synthetic run folders for the report tests and the bench; `python -m tests.reports.samples` rewrites
the checked-in ones under tests/data/report_runs/ (pass, breach, inconclusive, all_stages, not_applicable)."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hdrh.histogram import HdrHistogram

from accessibility.stage import CODE_SCANNING as A11Y_SCANNING
from contracts.stage import CODE_SCANNING as CONTRACTS_SCANNING
from perf_budgets.verdict import BudgetResult, BudgetStatus, Outcome, Verdict, decide
from security.stage import CODE_SCANNING as SECURITY_SCANNING
from vocabulary import atomic
from vocabulary.records import Finding, Severity, StageResult, Status, ValidityCheck
from vocabulary.rundir import RunDir

DATA = Path(__file__).resolve().parent.parent / "data" / "report_runs"
TARGET = "http://127.0.0.1:8765"
T0 = "2026-03-01T10:00:00.000000Z"
T1 = "2026-03-01T10:05:00.000000Z"
NO_SPEC = "the target has no OpenAPI document (none given, none found at the usual paths)"
NO_WS = "the target has no websocket endpoint"
NO_METRICS = "the target description names no Prometheus metrics path"


def endpoint_names(count: int) -> list[str]:
    """Stable request names, e.g. ``GET /api/models/[id]``, made unique past the base set."""
    base = [
        "GET /api/models",
        "GET /api/models/[id]",
        "POST /api/models",
        "GET /api/categories",
        "POST /api/auth/login",
        "GET /api/wiki",
        "POST /api/feedback",
        "GET /api/models/[id]/comments",
    ]
    return [base[i] if i < len(base) else f"GET /api/extra/{i}" for i in range(count)]


def histogram(rng: random.Random, median_ms: float, count: int) -> str:
    """A lognormal latency histogram in ms, HdrHistogram-encoded as the load stage stores it."""
    hist = HdrHistogram(1, 60_000, 3)
    for _ in range(count):
        hist.record_value(max(1, min(60_000, round(rng.lognormvariate(math.log(median_ms), 0.35)))))
    return str(hist.encode().decode())


def load_result(endpoints: int = 8, seconds: int = 300, slow: Sequence[str] = (), seed: int = 1) -> StageResult:
    """A load result with a per-second series, endpoint rows, metrics and histograms."""
    rng = random.Random(seed)
    series = [
        {
            "t": t,
            "users": min(50, t // 2),
            "rps": round(40 + 10 * math.sin(t / 30) + rng.random() * 5, 2),
            "p50_ms": round(20 + rng.random() * 5, 2),
            "p95_ms": round(60 + 15 * math.sin(t / 45), 2),
            "p99_ms": round(90 + rng.random() * 30, 2),
            "errors": 1 if t % 97 == 0 else 0,
        }
        for t in range(seconds)
    ]
    rows, hists, metrics = [], {}, {}
    for name in endpoint_names(endpoints):
        p95 = 180.0 if name in slow else 40.0 + rng.random() * 30
        requests = 1000 + rng.randrange(500)
        failures = 30 if name in slow else 0
        rows.append(
            {
                "name": name,
                "requests": requests,
                "failures": failures,
                "p50_ms": round(p95 / 2, 1),
                "p95_ms": round(p95, 1),
                "p99_ms": round(p95 * 1.4, 1),
                "error_ratio": failures / requests,
            }
        )
        metrics[f'load.endpoint["{name}"].p95_ms'] = round(p95, 1)
        metrics[f'load.endpoint["{name}"].error_ratio'] = failures / requests
        if endpoints <= 12:
            hists[name] = histogram(rng, p95 / 1.8, 400)
    metrics.update(
        {
            "load.http.p95_ms": 72.5,
            "load.http.p99_ms": 118.0,
            "load.http.error_ratio": 0.0004,
            "load.http.rps": 45.2,
            "load.http.requests": 13560,
            "load.users.peak": 50,
            "load.users.held_ratio": 1.0,
        }
    )
    return StageResult(
        "load",
        Status.PASSED,
        TARGET,
        "smoke",
        started_at=T0,
        finished_at=T1,
        tool_versions={"locust": "2.47.0"},
        metrics=metrics,
        validity=[ValidityCheck("users-reached", True, "50 of 50 users reached and held")],
        artifacts={"summary": "load/summary.json"},
        details={"timeseries": series, "endpoints": rows, "histograms": hists, "histogram_unit": "ms"},
    )


def other_results() -> list[StageResult]:
    """e2e, contracts, security, accessibility and coverage results with findings and details."""
    e2e = StageResult(
        "e2e",
        Status.FAILED,
        TARGET,
        "smoke",
        started_at=T1,
        finished_at=T1,
        tool_versions={"playwright": "1.65.2"},
        metrics={
            "e2e.workflows.pass_ratio": 0.8,
            "e2e.workflows.total": 5,
            "e2e.performance.score": 93,
            'e2e.page["/models"].lcp_ms': 812.0,
        },
        findings=[
            Finding(
                "workflow-failed",
                Severity.HIGH,
                "workflow 'upload' failed at step 'submit'",
                "upload / submit",
                "wf-upload",
            )
        ],
        details={
            "workflows": [
                {
                    "id": "browse",
                    "name": "Browse the catalogue",
                    "outcome": "passed",
                    "duration_s": 3.2,
                    "failed_step": None,
                    "trace": None,
                    "screenshot": None,
                },
                {
                    "id": "upload",
                    "name": "Upload a model",
                    "outcome": "failed",
                    "duration_s": 7.9,
                    "failed_step": "submit",
                    "trace": "e2e/upload/trace.zip",
                    "screenshot": "e2e/upload/failure.png",
                },
            ],
            "pages": [
                {
                    "name": "/models",
                    "median": {
                        "load_ms": 950.0,
                        "ttfb_ms": 40.0,
                        "fcp_ms": 300.0,
                        "lcp_ms": 812.0,
                        "cls": 0.01,
                        "inp_ms": 48.0,
                    },
                    "score": 93,
                },
                {
                    "path": "/",
                    "load_ms": 700.0,
                    "ttfb_ms": 30.0,
                    "fcp_ms": 250.0,
                    "lcp_ms": 600.0,
                    "cls": 0.0,
                    "inp_ms": None,
                },
            ],
        },
    )
    contracts = StageResult(
        "contracts",
        Status.FAILED,
        TARGET,
        "smoke",
        started_at=T1,
        finished_at=T1,
        tool_versions={"schemathesis": "4.3.2"},
        metrics={"contracts.failures.total": 1, "contracts.operations.tested_ratio": 0.95},
        findings=[
            Finding(
                "response_schema_conformance",
                Severity.HIGH,
                "rating_avg is a string, the schema says number",
                "GET /api/models/{model_id}",
                "c-1",
                extra={
                    "operation": "GET /api/models/{model_id}",
                    "reproduction": "curl -X GET 'http://127.0.0.1:8765/api/models/1'",
                    "description": "The response body matches the schema the OpenAPI document declares",
                },
            )
        ],
    )
    security = StageResult(
        "security",
        Status.PASSED,
        TARGET,
        "smoke",
        started_at=T1,
        finished_at=T1,
        metrics={"security.findings.high": 0, "security.findings.medium": 1, "security.grade_score": 90},
        findings=[
            Finding(
                "10038",
                Severity.MEDIUM,
                "Content Security Policy header not set",
                "GET /",
                "s-1",
                evidence="",
                extra={
                    "name": "CSP Header Not Set",
                    "confidence": "high",
                    "cwe": 693,
                    "help_url": "https://www.zaproxy.org/docs/alerts/10038/",
                },
            ),
            Finding(
                "10021",
                Severity.LOW,
                "X-Content-Type-Options header missing",
                "GET /wiki",
                "s-2",
                extra={
                    "name": "X-Content-Type-Options Header Missing",
                    "help_url": "https://www.zaproxy.org/docs/alerts/10021/",
                },
            ),
        ],
        details={
            "grade": {
                "score": 90,
                "letter": "A",
                "tests": [{"test": "content-security-policy", "result": "csp-not-implemented", "modifier": -25}],
            }
        },
    )
    a11y = StageResult(
        "accessibility",
        Status.FAILED,
        TARGET,
        "smoke",
        started_at=T1,
        finished_at=T1,
        tool_versions={"axe-core": "4.10.0"},
        metrics={"a11y.violations.serious": 1, "a11y.violations.critical": 0, "a11y.pages.audited": 12},
        findings=[
            Finding(
                "image-alt",
                Severity.HIGH,
                "Images must have alternative text",
                "/models img.card",
                "a-1",
                evidence="<img src=x>",
                extra={
                    "impact": "critical",
                    "page": "/models",
                    "selector": "img.card",
                    "tags": ["wcag2a"],
                    "help": "Images must have alternative text",
                },
            ),
            Finding(
                "color-contrast",
                Severity.HIGH,
                "Elements must meet contrast",
                "/ .hint",
                "a-2",
                extra={"impact": "serious", "page": "/", "selector": ".hint", "help": "Elements must meet contrast"},
            ),
        ],
    )
    coverage = StageResult(
        "coverage",
        Status.PASSED,
        TARGET,
        "smoke",
        started_at=T1,
        finished_at=T1,
        metrics={"coverage.line_ratio": 0.88, "coverage.branch_ratio": 0.74, "coverage.api_operations_ratio": 0.92},
        details={
            "modules": [
                {
                    "path": "target_app/api/models.py",
                    "statements": 100,
                    "covered_lines": 91,
                    "branches": 20,
                    "covered_branches": 16,
                    "line_ratio": 0.91,
                }
            ],
            "operations_matrix": [
                {"operation": "GET /api/models", "stages": {"load": True, "contracts": True}},
                {"operation": "DELETE /api/models/{model_id}", "stages": {"load": False, "contracts": False}},
            ],
            "uncovered_operations": ["DELETE /api/models/{model_id}"],
        },
    )
    # Each stage declares how its findings appear in code scanning, as the real stages do.
    for result, declared in ((contracts, CONTRACTS_SCANNING), (security, SECURITY_SCANNING), (a11y, A11Y_SCANNING)):
        declared.declare(result)
    return [e2e, contracts, security, a11y, coverage]


def budget(
    bid: str,
    metric: str,
    stage: str,
    limit: float,
    observed: float | None,
    status: BudgetStatus,
    comparison: str = "max",
    **extra: Any,
) -> BudgetResult:
    """A budget result with a message in the gate's style."""
    words = {
        "pass": "met",
        "warn": "close to the limit",
        "fail": "breached",
        "inconclusive": "not measured",
        "not_applicable": "does not apply",
    }
    message = extra.pop("message", f"{metric} {words[status.value]}: actual {observed} / limit {limit}")
    return BudgetResult(bid, metric, stage, "fail", comparison, limit, observed, status, message, **extra)


def not_applicable(
    bid: str, metric: str, stage: str, limit: float, reason: str, comparison: str = "max"
) -> BudgetResult:
    """A budget that cannot apply to the target, with the gate's message and reason."""
    message = f"{metric} does not apply to this target (budget '{bid}'): {reason}."
    status = BudgetStatus.NOT_APPLICABLE
    return budget(bid, metric, stage, limit, None, status, comparison, message=message, reason=reason)


def not_applicable_run() -> tuple[list[StageResult], list[BudgetResult]]:
    """A target without an OpenAPI document, websocket or metrics: contracts and some load budgets do not apply."""
    load = load_result(seed=4)
    load.not_applicable = {"load.ws.*": NO_WS, "load.db.*": NO_METRICS, "load.cache.*": NO_METRICS}
    contracts = StageResult(
        "contracts", Status.NOT_APPLICABLE, TARGET, "smoke", started_at=T1, finished_at=T1, error=NO_SPEC
    )
    security = other_results()[2]
    security.not_applicable = {"security.api.*": NO_SPEC}
    budgets = [
        *load_budgets(load),
        not_applicable("ws_p95", "load.ws.p95_ms", "load", 50, NO_WS),
        not_applicable("db_query_p95", "load.db.query_p95_ms", "load", 10, NO_METRICS),
        not_applicable("cache_hit_ratio", "load.cache.hit_ratio", "load", 0.8, NO_METRICS, "min"),
        not_applicable("contracts_blocking", "contracts.findings.blocking", "contracts", 0, NO_SPEC),
        not_applicable("contracts_tested", "contracts.operations.tested_ratio", "contracts", 0.95, NO_SPEC, "min"),
        budget("security_high", "security.findings.high", "security", 0, 0, BudgetStatus.PASS),
    ]
    return [load, contracts, security], budgets


def load_budgets(load: StageResult, limit: float = 100.0) -> list[BudgetResult]:
    """The run-level load budgets plus one ``endpoint_p95[...]`` per endpoint."""
    found = [
        budget("api_p95", "load.http.p95_ms", "load", 100, load.metrics["load.http.p95_ms"], BudgetStatus.PASS),
        budget("error_ratio", "load.http.error_ratio", "load", 0.001, 0.0004, BudgetStatus.PASS),
    ]
    for row in load.details["endpoints"]:
        status = BudgetStatus.FAIL if row["p95_ms"] > limit else BudgetStatus.PASS
        found.append(
            budget(
                f"endpoint_p95[{row['name']}]",
                f'load.endpoint["{row["name"]}"].p95_ms',
                "load",
                limit,
                row["p95_ms"],
                status,
            )
        )
    return found


def write_run(
    path: Path,
    results: Sequence[StageResult],
    budgets: Sequence[BudgetResult],
    *,
    complete: bool = True,
    notes: Sequence[str] = (),
    baseline: str | None = None,
) -> Path:
    """Write run.json, every stage result (schema-validated) and verdict.json into ``path``."""
    path.mkdir(parents=True, exist_ok=True)
    run = RunDir(path)
    for result in results:
        run.write_result(result)
    run.write_meta(
        {
            "harness_version": "0.1.0",
            "profile": "smoke",
            "stages": [r.stage for r in results],
            "target_url": TARGET,
            "target": {"name": "sample", "source": "harness.toml", "started": True},
            "faults": [],
            "started_at": T0,
            "finished_at": T1,
            "complete": complete,
            "git_revision": "7c6fd36",
            "python": "3.11.9",
            "notes": list(notes),
            "settings": {"baseline": baseline},
        }
    )
    outcome: Outcome = decide(tuple(budgets), run_complete=complete)
    verdict = Verdict(outcome, "smoke", tuple(budgets), tuple(notes), generated_at=T1)
    atomic.write_json(path / "verdict.json", verdict.to_dict())
    return path


def write_samples(root: Path = DATA) -> None:
    """(Re)write the five checked-in sample runs."""
    load = load_result()
    write_run(root / "pass", [load], load_budgets(load))
    slow = load_result(slow=("GET /api/models",), seed=2)
    breach = [
        *load_budgets(slow),
        budget(
            "ws_p95",
            "load.ws.p95_ms",
            "load",
            50,
            44.0,
            BudgetStatus.WARN,
            message="load.ws.p95_ms is close to its limit: actual 44 ms / limit 50 ms",
        ),
    ]
    write_run(root / "breach", [slow], breach)
    broken = load_result(seed=3)
    broken.status, broken.error = Status.ERROR, "locust exited with code 1 before any request"
    broken.validity = [ValidityCheck("users-reached", False, "0 of 50 users reached")]
    missing = [
        budget(
            "api_p95",
            "load.http.p95_ms",
            "load",
            100,
            None,
            BudgetStatus.INCONCLUSIVE,
            message="load.http.p95_ms was not measured: validity check users-reached failed",
        )
    ]
    write_run(root / "inconclusive", [broken], missing, complete=False, notes=["run interrupted: load incomplete"])
    everything = other_results()
    extra = [
        budget("workflows", "e2e.workflows.pass_ratio", "e2e", 1.0, 0.8, BudgetStatus.FAIL, "min"),
        budget("contracts", "contracts.failures.total", "contracts", 0, 1, BudgetStatus.FAIL),
        budget("security_high", "security.findings.high", "security", 0, 0, BudgetStatus.PASS),
        budget("a11y_serious", "a11y.violations.serious", "accessibility", 0, 1, BudgetStatus.FAIL),
        budget("line_coverage", "coverage.line_ratio", "coverage", 0.85, 0.88, BudgetStatus.PASS, "min"),
        budget(
            "api_p95_regression",
            "load.http.p95_ms",
            "load",
            20,
            72.5,
            BudgetStatus.PASS,
            "max_regression_pct",
            baseline=70.0,
            change_pct=3.6,
        ),
    ]
    write_run(root / "all_stages", [load, *everything], [*load_budgets(load), *extra], baseline="../breach")
    write_run(root / "not_applicable", *not_applicable_run())


if __name__ == "__main__":
    write_samples()
