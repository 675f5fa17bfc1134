"""The load stage against the real bundled app: a baseline smoke run and one run with faults on.

Each fault breaks exactly one thing a budget guards, so they can share one run: the baseline
shows every budget metric within its limit, the fault run shows each one breached. `harness gate`
judges the fault run against the baseline run too: the regression budget names the slowed endpoint.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from perf_budgets.distributions import RecordedSamples
from perf_budgets.evaluator import evaluate, failed_check
from perf_budgets.loader import load_budgets
from perf_budgets.significance import significance
from perf_budgets.verdict import BudgetStatus
from scenarios import profiles
from stagekit.target import AppProcess, bundled_app
from tests.fixtures.runs import RunCli
from tests.scenarios.conftest import run_load
from vocabulary.records import StageResult, Status
from vocabulary.rundir import RunDir

pytestmark = pytest.mark.slow

CATALOGUE = 'load.endpoint["GET /api/models"].p95_ms'
FAULTS = ("slow-catalogue", "error-rate", "slow-websocket", "cache-disabled", "slow-queries", "slow-upload")


@pytest.fixture(scope="module")
def baseline(bundled_target: AppProcess, module_dir: Path) -> StageResult:
    """One short smoke run against the app without faults."""
    return run_load(bundled_target.url, module_dir / "baseline")


@pytest.fixture(scope="module")
def faulty(target_data_dir: Path, module_dir: Path) -> Iterator[StageResult]:
    """One short smoke run against an app with several independent faults on."""
    with bundled_app(module_dir / "faulty-target.log", faults=FAULTS, data_dir=target_data_dir) as app:
        yield run_load(app.url, module_dir / "faulty", faults=FAULTS)


def upload_metrics(result: StageResult) -> list[str]:
    """``load.upload["<size class>"].p95_s`` of the classes the run uploaded (a large one is rare)."""
    return [m for m in result.metrics if m.startswith("load.upload[") and m.endswith(".p95_s")]


def checks(result: StageResult) -> dict[str, bool]:
    """Validity check name → ok."""
    return {c.name: c.ok for c in result.validity}


def test_smoke_measures_everything_it_claims(baseline: StageResult) -> None:
    m = baseline.metrics
    assert baseline.status is Status.PASSED, baseline.error
    assert m["load.http.requests"] > 30
    assert 0 < m["load.http.p50_ms"] <= m["load.http.p95_ms"] <= m["load.http.p99_ms"] <= m["load.http.max_ms"]
    assert m["load.http.error_ratio"] == 0.0
    assert m[CATALOGUE] > 0
    assert 'load.endpoint["GET /api/models/[id]"].requests' in m
    assert m["load.ws.p95_ms"] > 0
    assert m['load.upload["small"].p95_s'] > 0
    assert m["load.users.peak"] == profiles.PROFILES["smoke"].requested_users
    assert m["load.users.held_ratio"] == 1.0
    assert 0 < m["load.availability.ratio"] <= 1
    assert m["load.db.query_p95_ms"] > 0
    assert 0 <= m["load.cache.hit_ratio"] <= 1
    ok = checks(baseline)
    for name in (
        "requests-measured",
        "authenticated",
        "users-held",
        "target-reachable",
        "workers-intact",
        "server-metrics-scraped",
        "run-complete",
    ):
        assert ok[name], name


def test_smoke_writes_its_artifacts(baseline: StageResult, module_dir: Path) -> None:
    run_dir = module_dir / "baseline"
    for name in ("summary.json", "locust.json", "locust_stats.csv", "locust.log"):
        assert name in baseline.artifacts
        assert (run_dir / baseline.artifacts[name]).is_file()
    summary = json.loads((run_dir / baseline.artifacts["summary.json"]).read_text())
    assert summary["final"] is True
    # Every request Locust counted, warm-up included, is in our per-second series.
    locust_total = sum(row["num_requests"] for row in json.loads((run_dir / "load/locust.json").read_text()))
    assert sum(row["requests"] for row in summary["series"]) == locust_total
    assert baseline.details["timeseries"] and baseline.details["endpoints"] and baseline.details["histograms"]


def below(result: StageResult, metric: str, limit: float) -> bool:
    """``metric < limit``, or True when the run's own validity checks disown the metric.

    On a saturated host the harness declares its latency figures invalid (the gate then says
    inconclusive, asserted below); the faults' breaches are asserted unconditionally.
    """
    return failed_check(result.validity, metric) is not None or result.metrics[metric] < limit


def test_faults_breach_exactly_their_metrics(baseline: StageResult, faulty: StageResult) -> None:
    bad = faulty.metrics
    assert faulty.status is Status.PASSED, faulty.error
    # slow-catalogue: +250 ms on the catalogue list.
    assert below(baseline, CATALOGUE, 100) and bad[CATALOGUE] >= 250
    # error-rate: one model detail in 50 answers 500.
    assert below(baseline, "load.http.error_ratio", 0.001) and bad["load.http.error_ratio"] > 0.001
    assert bad['load.endpoint["GET /api/models/[id]"].error_ratio'] > 0.001
    detail = next(row for row in faulty.details["endpoints"] if row["name"] == "GET /api/models/[id]")
    assert detail["errors"].get("HTTP 500", 0) > 0
    # slow-websocket: pong +120 ms.
    assert below(baseline, "load.ws.p95_ms", 50) and bad["load.ws.p95_ms"] >= 120
    # cache-disabled: nothing hits.
    assert baseline.metrics["load.cache.hit_ratio"] > 0.8 > bad["load.cache.hit_ratio"]
    # slow-queries: +25 ms per query, seen server-side.
    assert below(baseline, "load.db.query_p95_ms", 10) and bad["load.db.query_p95_ms"] >= 25
    # slow-upload: every upload +5.5 s, in its own family (no HTTP endpoint's p95 carries it).
    assert upload_metrics(baseline) and all(below(baseline, m, 5) for m in upload_metrics(baseline))
    assert upload_metrics(faulty) and all(bad[m] > 5 for m in upload_metrics(faulty))


def test_gate_fails_on_the_faulted_budgets_only(baseline: StageResult, faulty: StageResult) -> None:
    """PASS without the faults, FAIL with them; INCONCLUSIVE (never PASS) if the run was invalid."""
    budgets = load_budgets()
    guarded = (CATALOGUE, "load.http.error_ratio", "load.ws.p95_ms", "load.cache.hit_ratio", "load.db.query_p95_ms")

    def judged(result: StageResult, expected: BudgetStatus) -> set[str]:
        verdict = evaluate(budgets, "smoke", {"load": result}, stages=["load"], distribution=RecordedSamples())
        judged = {b.metric: b for b in verdict.budgets if b.level == "fail"}
        for metric in (*guarded, *upload_metrics(result)):
            invalid = failed_check(result.validity, metric)
            want = BudgetStatus.INCONCLUSIVE if invalid else expected
            # A clean run's rare requests (two uploads) are too few to prove a p95 within its limit: never a breach.
            unsure = expected is BudgetStatus.PASS and "not enough samples" in judged[metric].message
            assert judged[metric].status is want or unsure, f"{metric}: {judged[metric].status} ({invalid})"
        return {b.budget for b in verdict.budgets}

    judged(baseline, BudgetStatus.PASS)
    judged_ids = judged(faulty, BudgetStatus.FAIL)
    # The upload budget's result names the size class, e.g. upload_p95[small].
    assert {f"upload_p95[{size_class(m)}]" for m in upload_metrics(faulty)} <= judged_ids


def size_class(upload_metric: str) -> str:
    """``small`` of ``load.upload["small"].p95_s``."""
    return upload_metric.split('"')[1]


def gate_against(run_cli: RunCli, run: Path, baseline: Path) -> dict[str, dict[str, object]]:
    """`harness gate RUN --baseline BASE` on a load-only run; its budget results by id."""
    RunDir(run).write_meta({"profile": "smoke", "stages": ["load"], "complete": True})
    out = Path(tempfile.mkdtemp(prefix="regate-", dir=run.parent))  # a re-gate never writes into the run
    done = run_cli("gate", str(run), "--baseline", str(baseline), "--out", str(out))
    assert done.returncode in (1, 2), done.stderr  # breached, or inconclusive on a saturated host
    verdict = json.loads((out / "verdict.json").read_text())
    return {b["budget"]: b for b in verdict["budgets"]}


def test_gate_with_a_baseline_fails_on_the_slowed_endpoint(
    baseline: StageResult, faulty: StageResult, module_dir: Path, run_cli: RunCli
) -> None:
    """slow-catalogue against the clean run: endpoint_p95_regression names GET /api/models.

    As above, a run whose own validity checks disown the latency figures is INCONCLUSIVE, never PASS.
    """
    budget = "endpoint_p95_regression[GET /api/models]"
    base_invalid = failed_check(baseline.validity, CATALOGUE)
    regressed = gate_against(run_cli, module_dir / "faulty", module_dir / "baseline")[budget]
    want = "inconclusive" if failed_check(faulty.validity, CATALOGUE) or base_invalid else "fail"
    assert regressed["status"] == want, regressed["message"]
    assert "GET /api/models" in str(regressed["message"])
    # The clean run as its own baseline: no regression, so the budget can pass.
    same = evaluate(
        load_budgets(),
        "smoke",
        {"load": baseline},
        baseline={"load": baseline},
        stages=["load"],
        significance=significance,
    )
    unchanged = next(b for b in same.budgets if b.budget == budget)
    assert unchanged.status is (BudgetStatus.INCONCLUSIVE if base_invalid else BudgetStatus.PASS), unchanged.message
