"""Coordinated omission: a server that freezes 1 s in every 5 s, measured three ways in one run.

Paced Locust users (4 x one request per 40 ms ≈ 100/s nominal) stop sending while the server
stalls, so Locust's own p95 hardly moves; the harness's corrected p95 back-fills the sends
the stall swallowed and must agree with an open-model generator (50 requests/s, latency from
the intended send time) hitting the same target over the same seconds.
"""

from __future__ import annotations

import csv
import threading
import time
from pathlib import Path

import pytest

from perf_budgets.evaluator import evaluate, failed_check
from perf_budgets.loader import load_budgets
from perf_budgets.verdict import BudgetStatus
from scenarios import hdr, open_model
from scenarios.open_model import OpenModelResult
from stagekit.target import bundled_app
from tests.scenarios.conftest import run_load
from vocabulary.records import StageResult

pytestmark = pytest.mark.slow

P95 = "load.http.p95_ms"
BUDGET_MS = 100.0
OPEN_RATE = 50.0
WINDOW_S = 15.0
"""Three whole stall periods, in both the Locust measured window and the open-model run."""
AGREEMENT = 0.15
AGREEMENT_ON_SATURATED_HOST = 0.25
"""Measured 2-5 % apart at a host load of ~3 per CPU; wider only when the run itself says the
host was saturated (its latency figures are then disowned by the gate anyway)."""


def locust_p95(run_dir: Path) -> float:
    """Locust's own aggregated p95 (its CSV, rounded to two significant digits)."""
    with (run_dir / "load" / "locust_stats.csv").open() as fh:
        return next(float(r["95%"]) for r in csv.DictReader(fh) if r["Name"] == "Aggregated")


def measure(app_url: str, run_dir: Path) -> tuple[StageResult, OpenModelResult]:
    """The paced load stage and, once its warm-up is over, the open-model reference beside it."""
    reference: list[OpenModelResult] = []
    warm = run_dir / "load" / "warmup.done"

    def open_model_after_warmup() -> None:
        deadline = time.monotonic() + 60
        while not warm.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        reference.append(open_model.run_in_subprocess(app_url, "/api/models", OPEN_RATE, WINDOW_S))

    thread = threading.Thread(target=open_model_after_warmup, daemon=True)
    thread.start()
    result = run_load(app_url, run_dir, profile="arrival-rate", users=4, think_scale=0.02, duration_s=5 + WINDOW_S)
    thread.join(timeout=60)
    assert reference, "the open-model reference did not finish"
    return result, reference[0]


def test_corrected_p95_sees_the_stall_that_locust_hides(target_data_dir: Path, tmp_path: Path) -> None:
    with bundled_app(tmp_path / "target.log", faults=("periodic-stall",), data_dir=target_data_dir) as app:
        result, reference = measure(app.url, tmp_path / "run")
    m = result.metrics
    corrected, raw, locust = m[P95], m["load.http.raw.p95_ms"], locust_p95(tmp_path / "run")
    open_p95 = hdr.percentile_ms(reference.latency, 95)
    figures = f"corrected {corrected:.0f} ms, raw {raw:.0f} ms, Locust {locust:.0f} ms, open {open_p95:.0f} ms"
    saturated = failed_check(result.validity, P95)

    # A freeze can make the kernel reset a connection now and then; more than 1 % would skew the reference.
    assert reference.sent == OPEN_RATE * WINDOW_S
    assert sum(reference.errors.values()) <= 0.01 * reference.sent, reference.errors
    # The open model sent on time: its latencies are the target's, not its own.
    assert hdr.percentile_ms(reference.send_lag, 95) < 50, figures
    assert open_p95 > 500, figures  # a 1-in-5 s freeze puts p95 deep into the stall
    assert corrected > BUDGET_MS, figures
    # Locust alone would have passed the budget (on a saturated host: at least far lower).
    if saturated is None:
        assert raw < BUDGET_MS and locust < BUDGET_MS, figures
    assert raw * 3 < corrected and locust * 3 < corrected, figures
    bound = AGREEMENT_ON_SATURATED_HOST if saturated else AGREEMENT
    assert abs(corrected - open_p95) <= bound * open_p95, figures

    verdict = evaluate(load_budgets(), "smoke", {"load": result}, stages=["load"])
    status = next(b.status for b in verdict.budgets if b.metric == P95 and b.level == "fail")
    assert status is (BudgetStatus.INCONCLUSIVE if saturated else BudgetStatus.FAIL), figures
