"""Not applicable: a third outcome beside met/breached and inconclusive, never a pass, never an exit code."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perf_budgets.evaluator import evaluate
from perf_budgets.model import Budget, BudgetFile, Comparison, Level
from perf_budgets.verdict import BudgetResult, BudgetStatus, Outcome, Verdict, decide
from tests.perf_budgets.conftest import stage_result
from vocabulary.exit_codes import ExitCode
from vocabulary.records import Finding, Severity, StageResult, Status

NO_SPEC = "the target has no OpenAPI document"
NO_WS = "the target has no websocket endpoint"
P95 = "load.http.p95_ms"
WS = "load.ws.p95_ms"
FAST = settings(max_examples=100, deadline=None)


def _file(*budgets: Budget) -> BudgetFile:
    return BudgetFile(path=Path("budgets.toml"), budgets=budgets)


def _budget(bid: str, metric: str, limit: float = 50.0, **fields: Any) -> Budget:
    return Budget(id=bid, metric=metric, comparison=Comparison.MAX, limit=limit, **fields)


def _contracts_na(**fields: Any) -> StageResult:
    return stage_result("contracts", status=Status.NOT_APPLICABLE, error=NO_SPEC, **fields)


def _load(metrics: dict[str, float], **fields: Any) -> StageResult:
    return stage_result(metrics=metrics, not_applicable={"load.ws.*": NO_WS}, **fields)


CONTRACT_BUDGETS = (
    _budget("contracts_blocking", "contracts.findings.blocking", 0),
    Budget(id="tested", metric="contracts.operations.tested_ratio", comparison=Comparison.MIN, limit=0.95),
    _budget("failures", "contracts.failures.total", 0),
)
contract_metrics = st.dictionaries(
    st.sampled_from(["contracts.failures.total", "contracts.operations.tested_ratio", "contracts.other"]),
    st.floats(min_value=0, max_value=1e6, allow_nan=False),
)


@FAST
@given(
    published=contract_metrics,
    findings=st.integers(min_value=0, max_value=3),
    level=st.sampled_from(list(Level)),
    required=st.sampled_from([None, False]),
)
def test_a_stage_that_does_not_apply_makes_every_budget_of_it_not_applicable(
    published: dict[str, float], findings: int, level: Level, required: bool | None
) -> None:
    # Whatever the stage left behind (even values, even findings the gate counts), nothing is judged.
    found = [Finding("check", Severity.HIGH, "x", f"GET /{i}", f"f{i}") for i in range(findings)]
    result = _contracts_na(metrics=published, findings=found)
    budgets = [Budget(**{**vars(b), "level": level, "required": required}) for b in CONTRACT_BUDGETS]
    verdict = evaluate(_file(*budgets), "smoke", {"contracts": result})
    assert [b.status for b in verdict.budgets] == [BudgetStatus.NOT_APPLICABLE] * len(budgets)
    assert {b.reason for b in verdict.budgets} == {NO_SPEC}
    assert all(b.observed is None for b in verdict.budgets)
    assert verdict.not_applicable_stages() == ["contracts"] and verdict.judged_stages() == []


def test_not_applicable_message_says_what_which_budget_and_why() -> None:
    verdict = evaluate(_file(_budget("ws_p95", WS)), "smoke", {"load": _load({P95: 1.0})})
    assert verdict.budgets[0].message == (f"load.ws.p95_ms does not apply to this target (budget 'ws_p95'): {NO_WS}.")


def test_a_pattern_covers_only_its_own_metrics() -> None:
    budgets = _file(_budget("api_p95", P95, 100), _budget("ws_p95", WS), _budget("ws_max", "load.ws.max_ms"))
    verdict = evaluate(budgets, "smoke", {"load": _load({P95: 40.0})})
    assert {b.budget: (b.status, b.reason) for b in verdict.budgets} == {
        "api_p95": (BudgetStatus.PASS, ""),
        "ws_p95": (BudgetStatus.NOT_APPLICABLE, NO_WS),
        "ws_max": (BudgetStatus.NOT_APPLICABLE, NO_WS),
    }
    assert verdict.outcome is Outcome.PASS and verdict.exit_code is ExitCode.OK
    assert verdict.judged_stages() == ["load"] and verdict.not_applicable_stages() == []


def test_a_missing_metric_no_pattern_covers_stays_inconclusive() -> None:
    verdict = evaluate(_file(_budget("db", "load.db.query_p95_ms")), "smoke", {"load": _load({P95: 1.0})})
    assert verdict.budgets[0].status is BudgetStatus.INCONCLUSIVE and verdict.outcome is Outcome.INCONCLUSIVE


def test_a_wildcard_budget_a_pattern_covers_is_one_not_applicable_result() -> None:
    result = stage_result(metrics={P95: 1.0}, not_applicable={'load.upload["*"].*': "the target takes no uploads"})
    verdict = evaluate(_file(_budget("upload_p95", 'load.upload["*"].p95_s', 5)), "smoke", {"load": result})
    ((budget,),) = [verdict.budgets]
    assert (budget.budget, budget.status, budget.reason) == (
        "upload_p95",
        BudgetStatus.NOT_APPLICABLE,
        "the target takes no uploads",
    )


@pytest.mark.parametrize(("observed", "status"), [(80.0, BudgetStatus.FAIL), (20.0, BudgetStatus.PASS)])
def test_a_measured_metric_is_judged_even_if_a_pattern_says_not_applicable(
    observed: float, status: BudgetStatus
) -> None:
    verdict = evaluate(_file(_budget("ws_p95", WS)), "smoke", {"load": _load({WS: observed})})
    assert verdict.budgets[0].status is status and verdict.budgets[0].observed == observed


@pytest.mark.parametrize(
    ("results", "budget"),
    [
        ({"contracts": _contracts_na()}, CONTRACT_BUDGETS[0]),
        ({"load": _load({P95: 1.0})}, _budget("ws_p95", WS)),
    ],
)
def test_required_true_makes_a_budget_that_does_not_apply_inconclusive(
    results: dict[str, StageResult], budget: Budget
) -> None:
    insisting = Budget(**{**vars(budget), "required": True})
    verdict = evaluate(_file(insisting), "smoke", results)
    (result,) = verdict.budgets
    assert result.status is BudgetStatus.INCONCLUSIVE
    assert "required, but not applicable: " in result.message
    assert (NO_SPEC if "contracts" in results else NO_WS) in result.message
    assert verdict.outcome is Outcome.INCONCLUSIVE and verdict.exit_code is ExitCode.INCONCLUSIVE


def test_required_false_still_reports_not_applicable_rather_than_dropping_the_budget() -> None:
    verdict = evaluate(_file(_budget("ws_p95", WS, required=False)), "smoke", {"load": _load({P95: 1.0})})
    assert [b.status for b in verdict.budgets] == [BudgetStatus.NOT_APPLICABLE] and not verdict.notes


def test_a_pattern_of_a_stage_that_errored_still_says_not_applicable() -> None:
    # Not applying is a fact about the target; the error only makes the rest unjudgeable.
    result = _load({P95: 1.0}, status=Status.ERROR)
    verdict = evaluate(_file(_budget("api_p95", P95, 100), _budget("ws_p95", WS)), "smoke", {"load": result})
    assert {b.budget: b.status for b in verdict.budgets} == {
        "api_p95": BudgetStatus.INCONCLUSIVE,
        "ws_p95": BudgetStatus.NOT_APPLICABLE,
    }


judged_statuses = st.lists(
    st.sampled_from([BudgetStatus.PASS, BudgetStatus.WARN, BudgetStatus.FAIL, BudgetStatus.INCONCLUSIVE]),
    min_size=1,
    max_size=6,
)


def _results(statuses: list[BudgetStatus]) -> tuple[BudgetResult, ...]:
    return tuple(
        BudgetResult(f"b{i}", P95, "load", "fail", "max", 1.0, None, status, "m") for i, status in enumerate(statuses)
    )


@FAST
@given(judged=judged_statuses, not_applicable=st.integers(min_value=1, max_value=5), complete=st.booleans())
def test_not_applicable_budgets_never_change_the_outcome(
    judged: list[BudgetStatus], not_applicable: int, complete: bool
) -> None:
    with_na = judged + [BudgetStatus.NOT_APPLICABLE] * not_applicable
    assert decide(_results(with_na), run_complete=complete) is decide(_results(judged), run_complete=complete)


def test_a_run_where_no_budget_applies_judged_nothing_so_is_inconclusive() -> None:
    verdict = evaluate(_file(*CONTRACT_BUDGETS), "smoke", {"contracts": _contracts_na()})
    assert verdict.outcome is Outcome.INCONCLUSIVE and verdict.exit_code is ExitCode.INCONCLUSIVE


def test_full_run_names_the_judging_and_the_not_applicable_stages() -> None:
    budgets = _file(_budget("api_p95", P95, 100), _budget("ws_p95", WS), *CONTRACT_BUDGETS)
    results = {"load": _load({P95: 40.0}), "contracts": _contracts_na()}
    verdict = evaluate(budgets, "smoke", results)
    assert verdict.outcome is Outcome.PASS
    data = verdict.to_dict()
    assert data["judged_stages"] == ["load"] and data["not_applicable_stages"] == ["contracts"]
    assert data["counts"]["not_applicable"] == 4
    assert verdict.not_applicable_reasons() == {"load": [NO_WS], "contracts": [NO_SPEC]}
    assert Verdict.from_dict(data) == verdict


def test_stages_are_listed_in_run_order() -> None:
    stages = ["coverage", "accessibility", "load", "e2e", "plugin"]
    budgets = tuple(
        BudgetResult(f"b-{s}", f"{s}.x", s, "fail", "max", 1.0, 0.0, BudgetStatus.PASS, "m") for s in stages
    )
    verdict = Verdict(Outcome.PASS, "smoke", budgets, stages=("load", "e2e", "accessibility", "coverage"))
    assert verdict.judged_stages() == ["load", "e2e", "accessibility", "coverage", "plugin"]


def test_a_regression_budget_on_a_stage_that_does_not_apply_is_not_applicable() -> None:
    budget = Budget(id="reg", metric="contracts.findings.blocking", comparison=Comparison.MAX_REGRESSION_PCT, limit=0)
    baseline = {"contracts": stage_result("contracts")}
    verdict = evaluate(_file(budget), "smoke", {"contracts": _contracts_na()}, baseline=baseline)
    assert verdict.budgets[0].status is BudgetStatus.NOT_APPLICABLE


def test_a_baseline_stage_that_did_not_apply_is_no_baseline_value() -> None:
    # Its derived findings count (0) would make one finding now an unbounded regression.
    budget = Budget(id="reg", metric="contracts.findings.blocking", comparison=Comparison.MAX_REGRESSION_PCT, limit=0)
    found = [Finding("check", Severity.HIGH, "x", "GET /a", "f1")]
    current = {"contracts": stage_result("contracts", findings=found)}
    verdict = evaluate(_file(budget), "smoke", current, baseline={"contracts": _contracts_na()})
    (result,) = verdict.budgets
    assert result.status is BudgetStatus.INCONCLUSIVE and result.baseline is None
    assert "the baseline run has no usable contracts.findings.blocking" in result.message
