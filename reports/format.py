"""Words and numbers shared by every renderer: status words, units from metric names, limits."""

from __future__ import annotations

import math

from perf_budgets.verdict import BudgetResult, BudgetStatus, Outcome, Verdict

STATUS_WORDS = {
    BudgetStatus.PASS: "met",
    BudgetStatus.WARN: "warning",
    BudgetStatus.FAIL: "breached",
    BudgetStatus.INCONCLUSIVE: "inconclusive",
}
"""A budget's status in words (reports never rely on colour alone)."""

OUTCOME_WORDS = {
    Outcome.PASS: "Pass: every budget met",
    Outcome.BREACHED: "Breached: at least one budget failed",
    Outcome.INCONCLUSIVE: "Inconclusive: the run did not measure what a budget needs",
}

STATUS_ORDER = (BudgetStatus.FAIL, BudgetStatus.INCONCLUSIVE, BudgetStatus.WARN, BudgetStatus.PASS)
"""Worst first: the order budgets are listed in."""


def counts_sentence(verdict: Verdict) -> str:
    """How many budgets ended in each status, worst first, e.g. "40 budgets: 2 breached, 38 met"."""
    counts = verdict.counts()
    details = [f"{counts[s.value]} {STATUS_WORDS[s]}" for s in STATUS_ORDER if counts[s.value]]
    return f"{len(verdict.budgets)} budgets: " + ", ".join(details) if details else "no budgets evaluated"


def headline(verdict: Verdict) -> str:
    """One sentence a release manager can act on, e.g. "Breached: ... — 40 budgets: 2 breached, 38 met"."""
    return f"{OUTCOME_WORDS[verdict.outcome]} — {counts_sentence(verdict)}"


def unit_of(metric: str) -> str:
    """The unit from a metric's last segment: ``ms``, ``s``, ``%`` (ratios) or ``""``."""
    last = metric.rsplit(".", 1)[-1]
    for suffix, unit in (("_ms", "ms"), ("_s", "s"), ("_ratio", "%")):
        if last.endswith(suffix):
            return unit
    return ""


def number(value: float | None, digits: int = 3) -> str:
    """A compact number: ``—`` for missing, thousands separated, at most two decimals above 1."""
    if value is None or math.isnan(value):
        return "—"
    if float(value).is_integer() or abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 1:
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{value:.{digits}g}"


def value(metric: str, amount: float | None) -> str:
    """A metric value with its unit; ratios shown as percentages."""
    if amount is None:
        return "—"
    unit = unit_of(metric)
    if unit == "%":
        return f"{number(amount * 100)} %"
    return f"{number(amount)} {unit}".rstrip()


def limit(budget: BudgetResult) -> str:
    """The limit as a condition, e.g. ``≤ 100 ms``, ``≥ 85 %`` or ``regression ≤ 10 %``."""
    if budget.comparison == "max_regression_pct":
        return f"regression ≤ {number(budget.limit)} %"
    sign = "≥" if budget.comparison == "min" else "≤"
    return f"{sign} {value(budget.metric, budget.limit)}"


def change(budget: BudgetResult) -> str:
    """The change against the baseline, signed, or ``—`` without one."""
    if budget.change_pct is None:
        return "—"
    return f"{budget.change_pct:+.1f} %"


def label_of(budget_id: str) -> tuple[str, str]:
    """Split ``api_p95["GET /x"]`` (or ``api_p95[GET /x]``) into its base id and label."""
    base, sep, rest = budget_id.partition("[")
    if not sep:
        return budget_id, ""
    return base, rest.rstrip("]").strip('"')


def ordered(budgets: tuple[BudgetResult, ...]) -> list[BudgetResult]:
    """Budgets worst status first, then by stage and id (a stable, readable order)."""
    rank = {status: i for i, status in enumerate(STATUS_ORDER)}
    return sorted(budgets, key=lambda b: (rank[b.status], b.stage, b.budget))
