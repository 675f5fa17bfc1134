"""An inconclusive budget's message names the real cause, then every failed validity check."""

from __future__ import annotations

from typing import Any

from perf_budgets import messages
from perf_budgets.evaluator import evaluate
from perf_budgets.loader import load_budgets
from perf_budgets.verdict import BudgetStatus
from tests.fixtures.runs import DATA
from vocabulary.records import StageResult, Status, ValidityCheck

UNREACHABLE = ValidityCheck("target-reachable", False, "0/10 probes of /health answered 2xx/3xx")
SATURATED = ValidityCheck("generator-cpu", False, "generator CPU p90 97 % (limit 90 %)", ("load.http.*",))


def _load(requests: int, failed: int, errors: dict[str, int], checks: list[ValidityCheck]) -> StageResult:
    """A load result as the stage records it (figures of a run against a crashed target)."""
    metrics = {
        "load.http.requests": float(requests),
        "load.http.error_ratio": failed / requests,
        "load.http.p95_ms": 1.07,
    }
    details: dict[str, Any] = {"http": {"errors": errors}}
    return StageResult(
        "load", Status.PASSED, "http://127.0.0.1:1", "smoke", metrics=metrics, details=details, validity=checks
    )


def test_every_request_failed_and_the_target_never_answered() -> None:
    result = _load(14, 14, {"CatchResponseError: expected HTTP 200, got 0": 13, "other": 1}, [UNREACHABLE, SATURATED])
    assert messages.invalid(result, [UNREACHABLE, SATURATED]) == (
        "100 % of the 14 requests failed (most often: CatchResponseError: expected HTTP 200, got 0, 13 times); "
        "the target never answered its readiness path (0/10 probes of /health answered 2xx/3xx); "
        "validity checks failed: 'target-reachable' (0/10 probes of /health answered 2xx/3xx); "
        "'generator-cpu' (generator CPU p90 97 % (limit 90 %))"
    )


def test_endpoints_the_target_does_not_have() -> None:
    result = _load(200, 180, {"CatchResponseError: expected HTTP 200, got 404": 180}, [])
    assert messages.invalid(result, []) == (
        "the scenario's endpoints do not exist on this target (90 % of requests: "
        "CatchResponseError: expected HTTP 200, got 404)"
    )


def test_a_healthy_run_names_only_its_checks() -> None:
    result = _load(1000, 1, {"CatchResponseError: expected HTTP 200, got 500": 1}, [SATURATED])
    assert (
        messages.invalid(result, [SATURATED])
        == "validity check 'generator-cpu' failed: generator CPU p90 97 % (limit 90 %)"
    )


def test_the_gate_message_carries_the_cause() -> None:
    result = _load(14, 14, {"CatchResponseError: expected HTTP 200, got 0": 14}, [UNREACHABLE])
    verdict = evaluate(load_budgets(DATA / "budgets" / "small.toml"), "smoke", {"load": result}, stages=["load"])
    api = next(b for b in verdict.budgets if b.budget == "api_p95")
    assert api.status is BudgetStatus.INCONCLUSIVE
    assert "100 % of the 14 requests failed" in api.message and "never answered its readiness path" in api.message
