"""A stage's words match what its budgets say: "ran, 1 budget breached", never "passed" beside a
breach nor "failed" for one finding; errors and not-applicable stages say why."""

from __future__ import annotations

import pytest

from perf_budgets.verdict import BudgetResult, BudgetStatus
from reports import format as fmt
from tests.reports.samples import NO_SPEC, TARGET, budget, not_applicable
from vocabulary.records import StageResult, Status

FAIL, PASS, INCONCLUSIVE = BudgetStatus.FAIL, BudgetStatus.PASS, BudgetStatus.INCONCLUSIVE
BLOCKING = budget("contracts_blocking", "contracts.findings.blocking", "contracts", 0, 1, FAIL)
TESTED = budget("contracts_tested", "contracts.operations.tested_ratio", "contracts", 0.95, 1.0, PASS)
API = budget("api_p95", "load.http.p95_ms", "load", 100, 40, PASS)


def _result(stage: str, status: Status, error: str | None = None) -> StageResult:
    return StageResult(stage, status, TARGET, "smoke", error=error)


@pytest.mark.parametrize(
    ("result", "budgets", "words"),
    [
        # Schemathesis found one failure: the tool "failed", the stage ran and one budget breached.
        (_result("contracts", Status.FAILED), [BLOCKING, TESTED, API], "ran, 1 budget breached, 1 met"),
        (_result("load", Status.PASSED), [API, BLOCKING], "ran, its budget met"),
        (_result("load", Status.PASSED), [API, API], "ran, all 2 budgets met"),
        (_result("load", Status.PASSED), [], "ran, no budget judges it"),
        (
            _result("load", Status.PASSED),
            [budget("a", "load.http.p95_ms", "load", 100, 812, FAIL)] * 3
            + [budget("b", "load.x_ms", "load", 1, None, INCONCLUSIVE), API],
            "ran, 3 budgets breached, 1 inconclusive, 1 met",
        ),
        (_result("load", Status.INCOMPLETE), [API], "interrupted, its budget met"),
        (
            _result("contracts", Status.ERROR, "error: cannot fetch the OpenAPI document\ntip: check the URL"),
            [BLOCKING],
            "error: cannot fetch the OpenAPI document",
        ),
        (
            _result("contracts", Status.NOT_APPLICABLE, NO_SPEC),
            [not_applicable("contracts_tested", "contracts.operations.tested_ratio", "contracts", 0.95, NO_SPEC)],
            f"not applicable: {NO_SPEC}",
        ),
    ],
)
def test_stage_words(result: StageResult, budgets: list[BudgetResult], words: str) -> None:
    assert fmt.stage_words(result, budgets) == words
    assert "passed" not in words and "failed" not in words
