"""A budget in words: its status ("met", "breached": never colour alone), the order statuses are listed
in, and its limit as a condition (``≤ 100 ms``); said alike by the reports and the load stage's live
Budgets tab."""

from __future__ import annotations

from perf_budgets.verdict import BudgetStatus
from vocabulary.units import number, value

STATUS_WORDS = {
    BudgetStatus.PASS: "met",
    BudgetStatus.WARN: "warning",
    BudgetStatus.FAIL: "breached",
    BudgetStatus.INCONCLUSIVE: "inconclusive",
    BudgetStatus.NOT_APPLICABLE: "not applicable",
    BudgetStatus.NOT_ENOUGH_SAMPLES: "not enough samples",
}
"""A budget's status in words (reports never rely on colour alone)."""

STATUS_ORDER = (
    BudgetStatus.FAIL,
    BudgetStatus.INCONCLUSIVE,
    BudgetStatus.WARN,
    BudgetStatus.NOT_ENOUGH_SAMPLES,
    BudgetStatus.PASS,
    BudgetStatus.NOT_APPLICABLE,
)
"""Worst first: the order budgets are listed in (not applicable last: nothing to act on)."""


def condition(metric: str, comparison: str, amount: float) -> str:
    """A limit on ``metric`` as a condition (`reports.format.limit`; a live budget, not yet judged, too)."""
    if comparison == "max_regression_pct":
        return f"regression ≤ {number(amount)} %"
    sign = "≥" if comparison == "min" else "≤"
    return f"{sign} {value(metric, amount)}"
