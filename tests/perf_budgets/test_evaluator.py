"""The evaluator: budgets judged against stage results, never passing what was not measured."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from perf_budgets.evaluator import evaluate
from perf_budgets.model import Budget, BudgetFile, Comparison, Level
from perf_budgets.verdict import BudgetStatus, Outcome
from tests.perf_budgets.conftest import stage_result
from vocabulary.exit_codes import ExitCode
from vocabulary.records import Status, ValidityCheck

P95 = "load.http.p95_ms"
latencies = st.floats(min_value=0, max_value=1e6, allow_nan=False)
FAST = settings(max_examples=150, deadline=None)


def _file(*budgets: Budget) -> BudgetFile:
    return BudgetFile(path=Path("budgets.toml"), budgets=budgets)


def _max(limit: float = 100.0, metric: str = P95, **fields: Any) -> Budget:
    return Budget(id="api_p95", metric=metric, comparison=Comparison.MAX, limit=limit, **fields)


def _status(budget: Budget, observed: float) -> BudgetStatus:
    verdict = evaluate(_file(budget), "smoke", {"load": stage_result(metrics={budget.metric: observed})})
    return verdict.budgets[0].status


@FAST
@given(limit=latencies, observed=latencies, increase=latencies)
def test_raising_latency_never_turns_a_failing_max_budget_into_a_pass(
    limit: float, observed: float, increase: float
) -> None:
    budget = _max(limit)
    if _status(budget, observed) is BudgetStatus.FAIL:
        assert _status(budget, observed + increase) is BudgetStatus.FAIL


@FAST
@given(limit=latencies, observed=latencies, decrease=latencies)
def test_lowering_a_ratio_never_turns_a_failing_min_budget_into_a_pass(
    limit: float, observed: float, decrease: float
) -> None:
    budget = Budget(id="hit", metric="load.cache.hit_ratio", comparison=Comparison.MIN, limit=limit)
    if _status(budget, observed) is BudgetStatus.FAIL:
        assert _status(budget, observed - decrease) is BudgetStatus.FAIL


metric_names = st.sampled_from([P95, "load.ws.p95_ms", "load.cache.hit_ratio", 'load.endpoint["GET /a"].p95_ms'])


@FAST
@given(
    wanted=metric_names,
    present=st.dictionaries(metric_names, latencies),
    comparison=st.sampled_from([Comparison.MAX, Comparison.MIN]),
    level=st.sampled_from(list(Level)),
)
def test_a_missing_metric_is_never_a_pass(
    wanted: str, present: dict[str, float], comparison: Comparison, level: Level
) -> None:
    present.pop(wanted, None)
    budget = Budget(id="b", metric=wanted, comparison=comparison, limit=1.0, level=level)
    verdict = evaluate(_file(budget), "smoke", {"load": stage_result(metrics=present)})
    assert [b.status for b in verdict.budgets] == [BudgetStatus.INCONCLUSIVE]
    assert "was not measured" in verdict.budgets[0].message
    assert verdict.outcome is Outcome.INCONCLUSIVE and verdict.exit_code is ExitCode.INCONCLUSIVE


@FAST
@given(status=st.sampled_from([Status.ERROR, Status.INCOMPLETE, Status.SKIPPED]), observed=latencies)
def test_a_stage_that_did_not_finish_makes_its_budgets_inconclusive(status: Status, observed: float) -> None:
    result = stage_result(metrics={P95: observed}, status=status, error="locust crashed")
    verdict = evaluate(_file(_max()), "smoke", {"load": result})
    assert verdict.budgets[0].status is BudgetStatus.INCONCLUSIVE
    assert f"ended with status {status.value} (locust crashed)" in verdict.budgets[0].message


@FAST
@given(
    values=st.lists(latencies, min_size=1, max_size=4),
    limit=latencies,
    warn=st.one_of(st.none(), latencies),
    comparison=st.sampled_from([Comparison.MAX, Comparison.MIN]),
)
def test_warn_level_never_breaches_the_run(
    values: list[float], limit: float, warn: float | None, comparison: Comparison
) -> None:
    budget = Budget(
        id="w",
        metric='load.endpoint["*"].p95_ms',
        comparison=comparison,
        limit=limit,
        level=Level.WARN,
        warn_limit=warn,
    )
    metrics = {f'load.endpoint["GET /e{i}"].p95_ms': v for i, v in enumerate(values)}
    verdict = evaluate(_file(budget), "smoke", {"load": stage_result(metrics=metrics)})
    assert verdict.outcome is not Outcome.BREACHED
    assert verdict.exit_code is not ExitCode.BREACHED
    assert {b.status for b in verdict.budgets} <= {BudgetStatus.PASS, BudgetStatus.WARN}


def test_breach_message_says_what_where_actual_limit_and_tip() -> None:
    verdict = evaluate(_file(_max(tip="check the histograms")), "smoke", {"load": stage_result(metrics={P95: 812})})
    (result,) = verdict.budgets
    assert result.status is BudgetStatus.FAIL and verdict.exit_code is ExitCode.BREACHED
    assert result.message == (
        "load.http.p95_ms is above its maximum (budget 'api_p95', load stage). "
        "Actual: 812.00 ms / Limit: 100.00 ms. Tip: check the histograms."
    )


def test_warn_threshold_gives_warn_and_keeps_exit_code_zero() -> None:
    budget = _max(100, warn_limit=80)
    verdict = evaluate(_file(budget), "smoke", {"load": stage_result(metrics={P95: 90})})
    assert verdict.budgets[0].status is BudgetStatus.WARN and verdict.exit_code is ExitCode.OK
    assert "Actual: 90.00 ms / Warn at: 80.00 ms / Limit: 100.00 ms" in verdict.budgets[0].message


def test_wildcard_expands_to_one_result_per_endpoint() -> None:
    metrics = {
        'load.endpoint["GET /api/models"].p95_ms': 120.0,
        'load.endpoint["GET /static/app.js"].p95_ms': 20.0,
        'load.endpoint["GET /api/models"].requests': 900.0,
        P95: 50.0,
    }
    budget = _max(100, metric='load.endpoint["*"].p95_ms')
    verdict = evaluate(_file(budget), "smoke", {"load": stage_result(metrics=metrics)})
    assert [(b.budget, b.status) for b in verdict.budgets] == [
        ("api_p95[GET /api/models]", BudgetStatus.FAIL),
        ("api_p95[GET /static/app.js]", BudgetStatus.PASS),
    ]


def test_wildcard_matching_nothing_is_inconclusive_unless_optional() -> None:
    required = _max(5, metric='load.upload["*"].p95_s')
    optional = Budget(id="inp", metric='load.upload["*"].p95_s', comparison=Comparison.MAX, limit=5, required=False)
    results = {"load": stage_result(metrics={P95: 1.0})}
    assert evaluate(_file(required), "smoke", results).budgets[0].status is BudgetStatus.INCONCLUSIVE
    skipped = evaluate(_file(optional), "smoke", results)
    assert skipped.budgets == () and "nothing matched" in skipped.notes[0]


def test_failed_validity_check_makes_covered_metrics_inconclusive() -> None:
    check = ValidityCheck("users_reached", False, "reached 3 of 1000 users", ("load.users.*",))
    metrics = {P95: 10.0, "load.users.peak": 3.0}
    budgets = _file(_max(), Budget(id="users", metric="load.users.peak", comparison=Comparison.MIN, limit=1000))
    verdict = evaluate(budgets, "peak", {"load": stage_result(metrics=metrics, validity=[check])})
    by_id = {b.budget: b for b in verdict.budgets}
    assert by_id["api_p95"].status is BudgetStatus.PASS
    assert by_id["users"].status is BudgetStatus.INCONCLUSIVE
    assert "validity check 'users_reached' failed: reached 3 of 1000 users" in by_id["users"].message


def test_failed_validity_check_without_affects_covers_the_whole_stage() -> None:
    check = ValidityCheck("generator_cpu", False, "generator CPU at 98 %")
    verdict = evaluate(_file(_max()), "smoke", {"load": stage_result(metrics={P95: 1.0}, validity=[check])})
    assert verdict.budgets[0].status is BudgetStatus.INCONCLUSIVE


def test_stage_that_did_not_run_is_inconclusive_unless_not_requested() -> None:
    budgets = _file(_max(), Budget(id="cov", metric="coverage.line_ratio", comparison=Comparison.MIN, limit=0.85))
    results = {"load": stage_result(metrics={P95: 1.0})}
    assert evaluate(budgets, "smoke", results).outcome is Outcome.INCONCLUSIVE
    scoped = evaluate(budgets, "smoke", results, stages=["load"])
    assert scoped.outcome is Outcome.PASS and "coverage stage was not part of this run" in scoped.notes[0]


def test_non_finite_value_is_inconclusive() -> None:
    assert _status(_max(), math.inf) is BudgetStatus.INCONCLUSIVE


def test_incomplete_run_is_inconclusive_even_when_budgets_pass() -> None:
    verdict = evaluate(_file(_max()), "smoke", {"load": stage_result(metrics={P95: 1.0})}, run_complete=False)
    assert verdict.budgets[0].status is BudgetStatus.PASS and verdict.outcome is Outcome.INCONCLUSIVE


def test_profile_filter_and_disabled_budgets() -> None:
    peak_only = Budget(id="users", metric="load.users.peak", comparison=Comparison.MIN, limit=1000, profiles=("peak",))
    results = {"load": stage_result(metrics={"load.users.peak": 10.0, P95: 1.0})}
    assert [b.budget for b in evaluate(_file(_max(), peak_only), "smoke", results).budgets] == ["api_p95"]
    assert evaluate(_file(peak_only), "peak", results).outcome is Outcome.BREACHED


def test_baseline_fills_observed_baseline_and_change() -> None:
    results = {"load": stage_result(metrics={P95: 60.0})}
    verdict = evaluate(_file(_max()), "smoke", results, baseline={"load": stage_result(metrics={P95: 50.0})})
    result = verdict.budgets[0]
    assert (result.observed, result.baseline, result.change_pct) == (60.0, 50.0, 20.0)


def test_regression_budget_needs_a_baseline_and_judges_the_change() -> None:
    budget = Budget(id="reg", metric=P95, comparison=Comparison.MAX_REGRESSION_PCT, limit=10.0)
    current = {"load": stage_result(metrics={P95: 60.0})}
    no_baseline = evaluate(_file(budget), "smoke", current)
    assert no_baseline.budgets == () and "no baseline run was given" in no_baseline.notes[0]
    worse = evaluate(_file(budget), "smoke", current, baseline={"load": stage_result(metrics={P95: 50.0})})
    assert worse.budgets[0].status is BudgetStatus.FAIL
    assert "Actual: +20.00% / Limit: +10.00%" in worse.budgets[0].message
    empty = evaluate(_file(budget), "smoke", current, baseline={"load": stage_result(metrics={})})
    assert empty.budgets[0].status is BudgetStatus.INCONCLUSIVE


def test_a_regression_against_a_baseline_its_own_checks_disown_is_inconclusive() -> None:
    budget = Budget(id="reg", metric=P95, comparison=Comparison.MAX_REGRESSION_PCT, limit=10.0)
    lagged = ValidityCheck("generator-loop-lag", False, "generator event-loop lag p95 40 ms", ("load.*",))
    for current_p95 in (60.0, 45.0):  # neither a breach nor a pass is measured against it
        current = {"load": stage_result(metrics={P95: current_p95})}
        base = {"load": stage_result(metrics={P95: 50.0}, validity=[lagged])}
        judged = evaluate(_file(budget), "smoke", current, baseline=base).budgets[0]
        assert judged.status is BudgetStatus.INCONCLUSIVE
        assert "the baseline run did not measure it" in judged.message and "generator-loop-lag" in judged.message


def test_significance_hook_can_clear_a_noisy_regression() -> None:
    budget = Budget(id="reg", metric=P95, comparison=Comparison.MAX_REGRESSION_PCT, limit=10.0)
    current, base = {"load": stage_result(metrics={P95: 60.0})}, {"load": stage_result(metrics={P95: 50.0})}
    verdict = evaluate(_file(budget), "smoke", current, baseline=base, significance=lambda *_: False)
    assert verdict.budgets[0].status is BudgetStatus.PASS and "within run-to-run noise" in verdict.budgets[0].message
    unsure = evaluate(_file(budget), "smoke", current, baseline=base, significance=lambda *_: None)
    assert unsure.budgets[0].status is BudgetStatus.FAIL


def test_verdict_round_trips_through_json() -> None:
    from perf_budgets.verdict import Verdict

    verdict = evaluate(_file(_max()), "smoke", {"load": stage_result(metrics={P95: 812.0})})
    assert Verdict.from_dict(verdict.to_dict()) == verdict
