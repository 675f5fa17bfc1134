"""Words and numbers shared by every renderer: outcomes, counts, observed values, limits.

A budget's status words and conditions come from `perf_budgets.words` (the load stage's live Budgets tab
says them too), metric values with their units from `vocabulary.units`; both are re-exported here for
the renderers.
"""

from __future__ import annotations

from collections.abc import Iterable

from perf_budgets.evaluator import stage_not_applicable
from perf_budgets.verdict import BudgetResult, BudgetStatus, Outcome, Verdict
from perf_budgets.words import STATUS_ORDER as STATUS_ORDER
from perf_budgets.words import STATUS_WORDS as STATUS_WORDS
from perf_budgets.words import condition
from vocabulary.exit_codes import ExitCode
from vocabulary.records import StageResult, Status
from vocabulary.units import number
from vocabulary.units import value as value

OUTCOME_WORDS = {
    Outcome.PASS: "Pass: every budget met",
    Outcome.BREACHED: "Breached: at least one budget failed",
    Outcome.INCONCLUSIVE: "Inconclusive: the run did not measure what a budget needs",
}
_PASS_APPLICABLE = "Pass: every applicable budget met"
_PASS_SAMPLED = "Pass: every budget with enough samples to judge met"
_NOTHING_APPLIES = "Inconclusive: no budget applies to this target, so nothing judged the release"

MAX_REASONS = 3
"""Stages whose not-applicable reasons the headline names before "and N more"."""


def outcome_words(verdict: Verdict) -> str:
    """The outcome in words; a pass with not-applicable budgets says only applicable ones were met."""
    statuses = {b.status for b in verdict.budgets}
    if verdict.outcome is Outcome.ERROR:
        kind = "a usage error" if verdict.exit_code is ExitCode.USAGE_ERROR else "a harness error"
        return f"Error: no budget breached, but the run ended with {kind} (exit {int(verdict.exit_code)})"
    if verdict.outcome is Outcome.PASS and BudgetStatus.NOT_ENOUGH_SAMPLES in statuses:
        return _PASS_SAMPLED
    if verdict.outcome is Outcome.PASS and BudgetStatus.NOT_APPLICABLE in statuses:
        return _PASS_APPLICABLE
    if verdict.outcome is Outcome.INCONCLUSIVE and statuses == {BudgetStatus.NOT_APPLICABLE}:
        return _NOTHING_APPLIES
    return OUTCOME_WORDS[verdict.outcome]


def reasons_sentence(verdict: Verdict) -> str:
    """Why budgets did not apply, by stage: "contracts: no OpenAPI document; load: no websocket"."""
    reasons = verdict.not_applicable_reasons()
    named = [f"{stage}: {', '.join(why)}" for stage, why in list(reasons.items())[:MAX_REASONS]]
    more = len(reasons) - MAX_REASONS
    return "; ".join(named) + (f"; and {more} more" if more > 0 else "")


def counts_sentence(verdict: Verdict) -> str:
    """How many budgets ended in each status, worst first, e.g. "40 budgets: 2 breached, 38 met",
    then why some did not apply: "…, 12 not applicable (contracts: no OpenAPI document)"."""
    counts = verdict.counts()
    details = [f"{counts[s.value]} {STATUS_WORDS[s]}" for s in STATUS_ORDER if counts[s.value]]
    if not details:
        return "no budgets evaluated"
    why = reasons_sentence(verdict)
    return f"{len(verdict.budgets)} budgets: " + ", ".join(details) + (f" ({why})" if why else "")


def stages_sentence(verdict: Verdict) -> str:
    """Which stages judged the release: "judged by: load, e2e; not applicable: contracts"."""
    judged, not_applicable = verdict.judged_stages(), verdict.not_applicable_stages()
    unjudged = verdict.in_run_order({b.stage for b in verdict.budgets} - {*judged, *not_applicable})
    parts = [f"judged by: {', '.join(judged) or 'no stage'}"]
    parts += [f"not applicable: {', '.join(not_applicable)}"] if not_applicable else []
    parts += [f"could not judge: {', '.join(unjudged)}"] if unjudged else []
    return "; ".join(parts)


def headline(verdict: Verdict) -> str:
    """One sentence a release manager can act on, e.g. "Breached: ... — 40 budgets: 2 breached, 38 met"."""
    return f"{outcome_words(verdict)} — {counts_sentence(verdict)}"


def stage_status(result: StageResult) -> str:
    """How a stage ended, in words that claim no judgement (budgets judge, not the stage's tool):
    "ran", "interrupted", "skipped", "error: <first line>", "not applicable: no OpenAPI document"."""
    reason = stage_not_applicable(result)
    if reason is not None:
        return f"not applicable: {reason}"
    if result.status is Status.ERROR:
        first = (result.error or "no message").strip().splitlines()[0]
        return f"error: {first.removeprefix('error: ')}"
    return _STAGE_WORDS.get(result.status, result.status.value.replace("_", " "))


_STAGE_WORDS = {Status.PASSED: "ran", Status.FAILED: "ran", Status.INCOMPLETE: "interrupted"}


def stage_words(result: StageResult, budgets: Iterable[BudgetResult]) -> str:
    """What happened in a stage and what its budgets say: "ran, 3 budgets breached, 5 met", "ran, all
    4 budgets met", "interrupted, 1 budget inconclusive", "error: …", "not applicable: …"."""
    words = stage_status(result)
    if result.status not in _STAGE_WORDS or words.startswith("not applicable"):
        return words
    return f"{words}, {budget_counts([b for b in budgets if b.stage == result.stage])}"


def budget_counts(budgets: list[BudgetResult]) -> str:
    """The counts in words: "no budget judges it", "all 4 budgets met", "3 budgets breached, 5 met"."""
    counts = {s: sum(1 for b in budgets if b.status is s) for s in STATUS_ORDER}
    shown = [(n, STATUS_WORDS[s]) for s, n in counts.items() if n]
    if not shown:
        return "no budget judges it"
    if len(shown) == 1 and counts[BudgetStatus.PASS]:
        return f"all {len(budgets)} budgets met" if len(budgets) > 1 else "its budget met"
    first, *rest = shown
    noun = "budget" if first[0] == 1 else "budgets"
    return ", ".join([f"{first[0]} {noun} {first[1]}", *(f"{n} {word}" for n, word in rest)])


def not_applicable_groups(budgets: tuple[BudgetResult, ...]) -> list[tuple[str, str, list[str]]]:
    """Not-applicable budgets as ``(stage, reason, budget ids)``, one group per stage and reason."""
    groups: dict[tuple[str, str], list[str]] = {}
    for budget in ordered(budgets):
        if budget.status is BudgetStatus.NOT_APPLICABLE:
            groups.setdefault((budget.stage, budget.reason), []).append(budget.budget)
    return [(stage, reason, ids) for (stage, reason), ids in groups.items()]


def observed(budget: BudgetResult) -> str:
    """The observed value; for a percentile also its sample count and confidence bounds, e.g.
    ``5.62 ms (n = 862; 95 % bounds 5.2 ms to 6.11 ms)`` ("—" for a bound too few samples allow)."""
    shown = value(budget.metric, budget.observed)
    if budget.samples is None:
        return shown
    count = f"n = {number(budget.samples)}"
    if budget.confidence is None or (budget.ci_low is None and budget.ci_high is None):
        return f"{shown} ({count})"
    low, high = (value(budget.metric, bound) for bound in (budget.ci_low, budget.ci_high))
    return f"{shown} ({count}; {number(budget.confidence * 100)} % bounds {low} to {high})"


def limit(budget: BudgetResult) -> str:
    """The limit as a condition, e.g. ``≤ 100 ms``, ``≥ 85 %`` or ``regression ≤ 10 %``."""
    return condition(budget.metric, budget.comparison, budget.limit)


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
