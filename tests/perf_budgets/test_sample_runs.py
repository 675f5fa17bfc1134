"""The checked-in sample runs (used by the CLI tests) give the outcomes their names promise."""

from __future__ import annotations

import pytest

from perf_budgets.evaluator import evaluate
from perf_budgets.loader import load_budgets
from perf_budgets.verdict import BudgetStatus, Outcome
from tests.perf_budgets.conftest import BUDGETS, DATA
from vocabulary.rundir import RunDir


@pytest.mark.parametrize(
    ("run", "outcome", "not_passing"),
    [
        ("pass", Outcome.PASS, {}),
        (
            "breach",
            Outcome.BREACHED,
            {"api_p95": BudgetStatus.FAIL, "endpoint_p95[GET /api/models]": BudgetStatus.FAIL},
        ),
        ("missing_metric", Outcome.INCONCLUSIVE, {"api_p95": BudgetStatus.INCONCLUSIVE}),
    ],
)
def test_sample_run_outcome(run: str, outcome: Outcome, not_passing: dict[str, BudgetStatus]) -> None:
    folder = RunDir.open(DATA / "runs" / run)
    meta = folder.meta()
    verdict = evaluate(
        load_budgets(BUDGETS / "small.toml"),
        meta["profile"],
        folder.results(),
        stages=meta["stages"],
        run_complete=meta["complete"],
    )
    assert verdict.outcome is outcome
    assert {b.budget: b.status for b in verdict.budgets if b.status is not BudgetStatus.PASS} == not_passing
