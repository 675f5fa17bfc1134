"""The gate: judge one profile's budgets against a run's stage results (and a baseline run).

A budget is passed only on a measured, valid, finite value. A budget that cannot apply to this
*target* is not applicable, a third outcome that is never a pass: its stage ended
``not_applicable``, or the stage's ``not_applicable`` patterns cover the metric and nothing was
measured (``required = true`` makes it inconclusive instead). Everything else unjudged is
inconclusive: a stage that did not run or ended in error/incomplete/skipped, a metric it did not
publish, a failed validity check that covers the metric. Budgets that cannot apply to this *run*
(a stage that was not requested, a regression budget without a baseline) are left out with a
verdict note, so they never count as passes.

Evidence is one-sided: a stage that was stopped (error, incomplete) or whose validity check failed
can still prove a breach, never a pass. A count of findings, failures or errors already past its
``max`` only grows as a run goes on; a percentile whose recorded samples put even its lower
confidence bound past the limit is breached, unless a failed check says the samples are distorted
(anything but `CUT_SHORT` checks). Percentile budgets weigh their sample size (`sample_size`).
"""

from __future__ import annotations

import dataclasses
import datetime
import math
import re
from collections.abc import Callable, Collection, Mapping
from typing import Any

from perf_budgets import messages, sample_size
from perf_budgets.findings import StageFindings, judge_findings
from perf_budgets.known import KnownFailures
from perf_budgets.model import Budget, BudgetFile, Comparison, FindingsPolicy, Level
from perf_budgets.sample_size import Call, Distribution, Evidence
from perf_budgets.verdict import BudgetResult, BudgetStatus, Verdict, decide
from vocabulary.records import StageResult, Status, ValidityCheck, stage_of_metric

SignificanceTest = Callable[[str, StageResult, StageResult], bool | None]
"""Hook for regression budgets: (metric, current, baseline) -> is the change real? None = can't tell.

The reports issue plugs in a test on the HDR histograms; without it the relative change decides.
"""

UNUSABLE = frozenset({Status.ERROR, Status.INCOMPLETE, Status.SKIPPED})
CUT_SHORT = frozenset({"run-complete", "workers-intact", "users-held"})
"""Validity checks whose failure means less was measured, or under less load than asked (a run cut
short, a lost load worker, users not all reached): a latency breach seen anyway stands. Any other
failed check (a saturated generator, failed logins) may distort what was measured."""
_GROWS = re.compile(r"\.(findings|failures|violations|errors)(\.[^.]+)?$")
"""Counts that only grow as a stage goes on: ``security.findings.high``, ``contracts.failures.total``."""


@dataclasses.dataclass(frozen=True)
class MetricView:
    """Every metric the budgets can see: the stages' own plus the derived findings counts."""

    values: Mapping[str, float]
    findings: Mapping[str, StageFindings]

    @classmethod
    def build(
        cls,
        results: Mapping[str, StageResult],
        policy: FindingsPolicy,
        known: KnownFailures | None,
        today: datetime.date,
        prefixes: Mapping[str, str],
    ) -> MetricView:
        """Merge the stages' metrics and derive ``<prefix>.findings.blocking|warning``."""
        findings = {s: judge_findings(r, policy, known, today, prefixes[s]) for s, r in results.items()}
        values: dict[str, float] = {}
        for stage, result in results.items():
            values.update(result.metrics)
            values.update(findings[stage].metrics())
        return cls(values, findings)

    def matching(self, pattern: str) -> list[str]:
        """The metric names ``pattern`` matches, sorted."""
        if "*" not in pattern:
            return [pattern] if pattern in self.values else []
        regex = budget_pattern(pattern)
        return sorted(name for name in self.values if regex.match(name))


def budget_pattern(pattern: str) -> re.Pattern[str]:
    """A budget's metric pattern: ``*`` spans one name segment, or a whole quoted label.

    A label may contain dots (``"GET /static/app.js"``, ``"/docs/v1.2"``); a pattern that stopped
    at dots would let a per-endpoint budget silently skip those endpoints.
    """
    parts = re.split(r'("[^"]*")', pattern)
    regex = "".join(re.escape(part).replace(r"\*", '[^"]*' if part.startswith('"') else r"[^.]*") for part in parts)
    return re.compile(f"^{regex}$")


def _affects_pattern(pattern: str) -> re.Pattern[str]:
    """A validity check's ``affects`` pattern: ``*`` matches anything, dots included.

    Matching too much only makes more budgets inconclusive; matching too little would let a
    budget pass on a measurement its own stage declared invalid.
    """
    return re.compile("^" + re.escape(pattern).replace(r"\*", ".*") + "$")


@dataclasses.dataclass(frozen=True)
class _Run:
    """What one evaluation reads."""

    results: Mapping[str, StageResult]
    view: MetricView
    baseline: Mapping[str, StageResult] | None
    base_view: MetricView | None
    stages: Collection[str] | None
    prefixes: Mapping[str, str]
    significance: SignificanceTest | None
    distribution: Distribution | None


def evaluate(
    budgets: BudgetFile,
    profile: str,
    results: Mapping[str, StageResult],
    *,
    baseline: Mapping[str, StageResult] | None = None,
    known: KnownFailures | None = None,
    run_complete: bool = True,
    stages: Collection[str] | None = None,
    today: datetime.date | None = None,
    significance: SignificanceTest | None = None,
    distribution: Distribution | None = None,
    prefixes: Mapping[str, str] | None = None,
) -> Verdict:
    """Judge ``profile``'s budgets against ``results``.

    ``stages`` lists the stages the run was asked for (run.json ``stages``); budgets of other stages
    that left no result are noted as not evaluated. None expects every stage a budget names.
    ``distribution`` gives the recorded samples behind a percentile metric (see `sample_size`).
    ``prefixes`` (stage -> metric prefix, from the stage registry) maps a budget's metric to its stage;
    a stage missing from it is known by its own metrics' prefix, else by its name.
    """
    known = known if known is not None else budgets.known
    day = today or datetime.date.today()
    prefixes = {**_own_prefixes(results), **_own_prefixes(baseline or {}), **(prefixes or {})}
    view = MetricView.build(results, budgets.findings, known, day, prefixes)
    base_view = None
    if baseline is not None:
        # A stage that did not apply in the baseline measured nothing: its derived findings counts
        # (0) would make any finding now an unbounded regression.
        usable = {s: r for s, r in baseline.items() if r.status not in UNUSABLE | {Status.NOT_APPLICABLE}}
        base_view = MetricView.build(usable, budgets.findings, known, day, prefixes)
    run = _Run(results, view, baseline, base_view, stages, prefixes, significance, distribution)
    judged: list[BudgetResult] = []
    skipped: dict[str, list[str]] = {}
    for budget in budgets.for_profile(profile):
        items = _judge_budget(budget, run)
        judged.extend(item for item in items if isinstance(item, BudgetResult))
        for reason in (item for item in items if isinstance(item, str)):
            skipped.setdefault(reason, []).append(budget.id)
    notes = [] if run_complete else ["the run did not complete: what it measured can prove a breach, never a pass"]
    notes.extend(f"not evaluated because {reason}: {', '.join(ids)}" for reason, ids in skipped.items())
    for stage_findings in view.findings.values():
        notes.extend(stage_findings.notes())
    return Verdict(
        outcome=decide(tuple(judged), run_complete=run_complete),
        profile=profile,
        budgets=tuple(judged),
        notes=tuple(notes),
        stages=tuple(dict.fromkeys([*(stages or ()), *results])),
    )


def _own_prefixes(results: Mapping[str, StageResult]) -> dict[str, str]:
    """Each stage's metric prefix as its published metrics show it (all share one), else its name."""
    own = {}
    for stage, result in results.items():
        heads = {metric.split(".", 1)[0] for metric in result.metrics}
        own[stage] = heads.pop() if len(heads) == 1 else stage
    return own


def _judge_budget(budget: Budget, run: _Run) -> list[BudgetResult | str]:
    """One budget -> one result per metric it covers, or the reason it does not apply."""
    stage = stage_of_metric(budget.metric, run.prefixes)
    if run.stages is not None and stage not in run.stages and stage not in run.results:
        return [f"the {stage} stage was not part of this run"]
    if budget.comparison is Comparison.MAX_REGRESSION_PCT and run.baseline is None:
        return ["no baseline run was given (--baseline RUN_DIR)"]
    result = run.results.get(stage)
    if result is None:
        reason = f"the {stage} stage did not run (no {stage}.json in the run)"
        return [_inconclusive(budget, budget.metric, stage, reason, f"run it: --stages {stage}")]
    metrics = run.view.matching(budget.metric)
    why_not = not_applicable(result, budget.metric)
    # A stage that does not apply measured nothing, even if the gate derived findings counts for it;
    # a pattern only covers what its stage did not measure itself (derived findings counts included).
    measured = [m for m in metrics if m in result.metrics]
    if why_not is not None and (not measured or result.status is Status.NOT_APPLICABLE):
        return [_not_applicable(budget, stage, why_not)]
    if result.status in UNUSABLE:
        reason = f"the {stage} stage ended with status {result.status.value}"
        reason += f" ({result.error})" if result.error else ""
        tip = f"see the {stage} stage's error and artifacts; fix the run, then gate it again"
        return [_one_sided(budget, m, result, run, reason, tip) for m in metrics or [budget.metric]]
    if not metrics and budget.required is False:
        return [f"they are optional and nothing matched {budget.metric}"]
    if not metrics:
        reason = f"metric {budget.metric} was not measured: the {stage} stage did not publish it"
        tip = "check that the stage's scenario covers it, or mark the budget required = false"
        return [_inconclusive(budget, budget.metric, stage, reason, tip)]
    return [_judge_metric(budget, metric, result, run) for metric in metrics]


def _judge_metric(budget: Budget, metric: str, result: StageResult, run: _Run) -> BudgetResult:
    """One budget against one concrete, measured metric."""
    stage = result.stage
    check = failed_check(result.validity, metric)
    if check is not None:
        reason = messages.invalid(result, failed_checks(result.validity, metric))
        tip = f"the {stage} stage did not measure what this budget needs; see its artifacts"
        return _one_sided(budget, metric, result, run, reason, tip)
    observed = run.view.values[metric]
    if not math.isfinite(observed):
        tip = f"the {stage} stage published a non-number; report it as a harness bug"
        return _inconclusive(budget, metric, stage, f"the value is {observed}", tip)
    base = run.base_view.values.get(metric) if run.base_view else None
    change = change_pct(observed, base)
    extra = _counted(run, stage, metric)
    evidence = sample_size.gather(budget, metric, result, run.view.values, run.distribution)
    if budget.comparison is Comparison.MAX_REGRESSION_PCT:
        status, message = _judge_regression(budget, metric, result, run, observed, base)
    elif evidence is not None and sample_size.call(evidence, budget) is Call.UNSURE:
        return _undersampled(budget, metric, stage, observed, evidence)
    else:
        status, message = _judge_limit(budget, metric, stage, observed, evidence, extra)
    return _budget_result(
        budget,
        metric,
        stage,
        observed=observed,
        status=status,
        message=message,
        baseline=base,
        change_pct=change,
        **(evidence.fields() if evidence else {}),
    )


def _judge_limit(
    budget: Budget, metric: str, stage: str, observed: float, evidence: Evidence | None, extra: str
) -> tuple[BudgetStatus, str]:
    """A max/min budget on its value, or on its percentile's interval when the samples are known."""
    call = sample_size.call(evidence, budget) if evidence is not None else Call.VALUE
    if evidence is not None:
        extra = sample_size.describe(evidence, metric)
    if call is Call.BREACHED:
        return _breach_status(budget), messages.breach(budget, metric, stage, observed, extra)
    # Met by the interval or judged on the value: the value decides between pass and warn.
    status = judge_value(budget, observed)
    # A warn-level budget that is breached says so, not "past its warning threshold".
    describe = messages.breach if breached(budget, observed) else _MESSAGES[status]
    return status, describe(budget, metric, stage, observed, extra)


def _breach_status(budget: Budget) -> BudgetStatus:
    """FAIL, or WARN for a warn-level budget."""
    return BudgetStatus.FAIL if budget.level is Level.FAIL else BudgetStatus.WARN


def _undersampled(budget: Budget, metric: str, stage: str, observed: float, evidence: Evidence) -> BudgetResult:
    """Too few samples to tell: inconclusive, or only reported for a wildcard family member."""
    reason = sample_size.shortfall(evidence, metric, budget)
    if budget.blocks_when_undersampled:
        status = BudgetStatus.INCONCLUSIVE
        tip = "run a longer or heavier profile, or lower [sampling] confidence in the budget file"
    else:
        status = BudgetStatus.NOT_ENOUGH_SAMPLES
        tip = "this wildcard budget does not block on what is too rarely sampled; required = true makes it block"
    message = messages.inconclusive(budget, metric, reason, tip)
    fields = evidence.fields()
    return _budget_result(budget, metric, stage, observed=observed, status=status, message=message, **fields)


def _one_sided(budget: Budget, metric: str, result: StageResult, run: _Run, reason: str, tip: str) -> BudgetResult:
    """A stopped or invalid measurement: it can prove a breach, never a pass."""
    observed = run.view.values.get(metric)
    if observed is None or not math.isfinite(observed) or budget.comparison is Comparison.MAX_REGRESSION_PCT:
        return _inconclusive(budget, metric, result.stage, reason, tip)
    if budget.comparison is Comparison.MAX and breached(budget, observed) and _GROWS.search(metric):
        why = f"Breached already: a count only grows as a stage goes on, and {reason}"
        return _proven(budget, metric, result.stage, observed, f"{_counted(run, result.stage, metric)} {why}", {})
    evidence = sample_size.gather(budget, metric, result, run.view.values, run.distribution)
    distorted = [c for c in failed_checks(result.validity, metric) if c.name not in CUT_SHORT]
    if evidence is None or distorted or sample_size.call(evidence, budget) is not Call.BREACHED:
        return _inconclusive(budget, metric, result.stage, reason, tip)
    why = f"Breached already: {sample_size.describe(evidence, metric)}, although {reason}"
    return _proven(budget, metric, result.stage, observed, why, evidence.fields())


def _counted(run: _Run, stage: str, metric: str) -> str:
    """For a derived findings count: which findings it counts (for the message); else empty."""
    findings = run.view.findings.get(stage)
    return findings.explain(metric) if findings and metric in findings.metrics() else ""


def _proven(budget: Budget, metric: str, stage: str, observed: float, why: str, fields: dict[str, Any]) -> BudgetResult:
    """A breach an interrupted or invalid measurement proved anyway; ``why`` says how."""
    message = messages.breach(budget, metric, stage, observed, why.strip())
    status = _breach_status(budget)
    return _budget_result(budget, metric, stage, observed=observed, status=status, message=message, **fields)


def _budget_result(budget: Budget, metric: str, stage: str, **judged: Any) -> BudgetResult:
    """A `BudgetResult` with the budget's own fields filled in; ``judged`` holds the judgement."""
    return BudgetResult(
        budget=_result_id(budget, metric),
        metric=metric,
        stage=stage,
        level=budget.level.value,
        comparison=budget.comparison.value,
        limit=budget.limit,
        description=budget.description,
        **judged,
    )


_MESSAGES = {
    BudgetStatus.PASS: messages.passed,
    BudgetStatus.WARN: messages.warning,
    BudgetStatus.FAIL: messages.breach,
}


def judge_value(budget: Budget, observed: float) -> BudgetStatus:
    """PASS, WARN (warn threshold crossed, or warn-level breach) or FAIL for a max/min budget."""
    if breached(budget, observed):
        return BudgetStatus.FAIL if budget.level is Level.FAIL else BudgetStatus.WARN
    if budget.warn_limit is not None and _beyond(budget.comparison, observed, budget.warn_limit):
        return BudgetStatus.WARN
    return BudgetStatus.PASS


def breached(budget: Budget, observed: float) -> bool:
    """Is ``observed`` past the budget's limit?"""
    return _beyond(budget.comparison, observed, budget.limit)


def _beyond(comparison: Comparison, observed: float, limit: float) -> bool:
    """Past ``limit`` in the direction the comparison forbids."""
    return observed < limit if comparison is Comparison.MIN else observed > limit


def change_pct(observed: float, base: float | None) -> float | None:
    """Relative change against the baseline in percent; None without a (non-zero) baseline."""
    if base is None or base == 0:
        return None
    return (observed - base) / abs(base) * 100.0


def _judge_regression(
    budget: Budget, metric: str, result: StageResult, run: _Run, observed: float, base: float | None
) -> tuple[BudgetStatus, str]:
    """A ``max_regression_pct`` budget: how much worse than the baseline may it get?"""
    if base is None:
        reason = f"the baseline run has no usable {metric}"
        tip = "choose a baseline run in which this stage passed and published the metric"
        return BudgetStatus.INCONCLUSIVE, messages.inconclusive(budget, metric, reason, tip)
    baseline = run.baseline.get(result.stage) if run.baseline is not None else None
    disowned = failed_checks(baseline.validity, metric) if baseline is not None else []
    if baseline is not None and disowned:
        # A figure the baseline run's own checks disown is no yardstick: a pass against it is unmeasured.
        reason = f"the baseline run did not measure it: {messages.invalid(baseline, disowned)}"
        tip = "choose a baseline run whose validity checks passed for this metric"
        return BudgetStatus.INCONCLUSIVE, messages.inconclusive(budget, metric, reason, tip)
    sign = 1.0 if budget.better == "lower" else -1.0
    worse = sign * (observed - base)
    # From a zero baseline any worsening is unbounded in percent: it breaches every limit.
    worse_pct = worse / abs(base) * 100.0 if base else (math.inf if worse > 0 else 0.0)
    change = f"Changed from {messages.value(metric, base)} to {messages.value(metric, observed)}"
    if worse_pct > budget.limit and _is_real(metric, result, run):
        status = _breach_status(budget)
        return status, messages.breach(budget, metric, result.stage, worse_pct, change)
    if worse_pct > budget.limit:
        change += "; the change is within run-to-run noise (significance test)"
    return BudgetStatus.PASS, messages.passed(budget, metric, result.stage, worse_pct, change)


def _is_real(metric: str, result: StageResult, run: _Run) -> bool:
    """Does the significance hook (if any) confirm the change? Unsure counts as real."""
    if run.significance is None or run.baseline is None:
        return True
    return run.significance(metric, result, run.baseline[result.stage]) is not False


def not_applicable(result: StageResult, metric: str) -> str | None:
    """Why ``metric`` (a name or budget pattern) cannot apply to this target, per its stage; else None."""
    for pattern, reason in result.not_applicable.items():
        if _affects_pattern(pattern).match(metric):
            return reason
    return stage_not_applicable(result)


def stage_not_applicable(result: StageResult) -> str | None:
    """Why the whole stage does not apply to this target (its ``error``); None when it applies."""
    if result.status is not Status.NOT_APPLICABLE:
        return None
    return result.error or f"the {result.stage} stage does not apply to this target"


def _not_applicable(budget: Budget, stage: str, reason: str) -> BudgetResult:
    """Not applicable, unless the budget file insists (``required = true``): then inconclusive."""
    if budget.required:
        tip = "the budget is marked required = true; remove that, or make the target provide the metric"
        return _inconclusive(budget, budget.metric, stage, f"required, but not applicable: {reason}", tip)
    message = messages.not_applicable(budget, reason)
    status = BudgetStatus.NOT_APPLICABLE
    return _budget_result(budget, budget.metric, stage, observed=None, status=status, message=message, reason=reason)


def failed_check(checks: list[ValidityCheck], metric: str) -> ValidityCheck | None:
    """The first failed validity check that guards ``metric`` (empty ``affects`` guards all)."""
    return next(iter(failed_checks(checks, metric)), None)


def failed_checks(checks: list[ValidityCheck], metric: str) -> list[ValidityCheck]:
    """Every failed validity check that guards ``metric``."""
    return [
        check
        for check in checks
        if not check.ok and (not check.affects or any(_affects_pattern(p).match(metric) for p in check.affects))
    ]


def _inconclusive(budget: Budget, metric: str, stage: str, reason: str, tip: str) -> BudgetResult:
    """A budget that could not be judged."""
    message = messages.inconclusive(budget, metric, reason, tip)
    return _budget_result(budget, metric, stage, observed=None, status=BudgetStatus.INCONCLUSIVE, message=message)


def _result_id(budget: Budget, metric: str) -> str:
    """``api_endpoint_p95[GET /api/items]`` for a wildcard budget; the plain id otherwise."""
    if not budget.is_wildcard or metric == budget.metric:
        return budget.id
    labels = re.findall(r'\["(.*?)"\]', metric)
    return f"{budget.id}[{', '.join(labels) or metric}]"
