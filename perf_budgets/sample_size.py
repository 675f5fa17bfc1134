"""Percentile budgets judged with their sample size: a breach or a pass only where the evidence holds.

A percentile metric (its name says ``p95``, ``p99_9``…) is judged on the distribution-free confidence
bounds of that percentile (`perf_budgets.percentiles`) at the budget's confidence: breached when even
its lower bound is past a ``max`` limit, met when its upper bound is within it, otherwise *not
enough samples*; either claim holds at that confidence. The samples come from the ``Distribution``
hook the harness supplies (the load stage's HDR histograms); a metric with none recorded but a
published count beside it (``….requests``, ``….count``) is judged on its value once the count is
enough for an upper bound to exist, and is *not enough samples* below that; a metric with neither is
judged on its value alone.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Callable, Mapping

from perf_budgets import messages
from perf_budgets.model import Budget, Comparison
from perf_budgets.percentiles import Samples, fewest_for_lower, fewest_for_upper, interval, quantile_of
from vocabulary.records import StageResult

Distribution = Callable[[str, StageResult], Samples | None]
"""Hook: (metric, its stage's result) -> the samples the metric was computed from, in the metric's
unit; None when the stage recorded none. Supplied by the harness (`perf_budgets.distributions`), so the
evaluator itself knows nothing of run folders or histogram formats."""

COUNT_SIBLINGS = ("requests", "count")
"""``load.http.p95_ms`` is computed from ``load.http.requests`` samples, ``load.upload["small"].p95_s``
from ``load.upload["small"].count``."""


class Call(enum.Enum):
    """What the samples say about a limit."""

    BREACHED = "breached"
    MET = "met"
    UNSURE = "not enough samples"
    VALUE = "judge the published value"
    """Only a count is known, and it is enough for an upper bound to exist."""


@dataclasses.dataclass(frozen=True)
class Evidence:
    """What a percentile budget's value rests on: the sample count and, when recorded, the bounds."""

    q: float
    n: int
    confidence: float
    needed: int
    """The fewest samples a met verdict can rest on (the bound must exist, and ``min_samples``)."""
    min_samples: int
    low: float | None = None
    high: float | None = None
    recorded: bool = False
    """The bounds come from recorded samples; False: only a published count is known."""

    def fields(self) -> dict[str, float | int | None]:
        """The `BudgetResult` fields that carry this evidence into ``verdict.json``."""
        return {"samples": self.n, "ci_low": self.low, "ci_high": self.high, "confidence": self.confidence}


def gather(
    budget: Budget,
    metric: str,
    result: StageResult,
    values: Mapping[str, float],
    distribution: Distribution | None,
) -> Evidence | None:
    """The evidence behind a percentile metric; None for any other metric, or one with no known count."""
    q = quantile_of(metric)
    if q is None or budget.comparison is Comparison.MAX_REGRESSION_PCT:
        return None
    sampling = budget.sampling
    bound = fewest_for_upper if budget.comparison is Comparison.MAX else fewest_for_lower
    needed = max(sampling.min_samples, bound(q, sampling.confidence))
    found = Evidence(q, 0, sampling.confidence, needed, sampling.min_samples)
    samples = distribution(metric, result) if distribution is not None else None
    if samples is not None:
        bounds = interval(samples, q, sampling.confidence)
        return dataclasses.replace(found, n=bounds.n, low=bounds.low, high=bounds.high, recorded=True)
    n = published_count(metric, values)
    return dataclasses.replace(found, n=n) if n is not None else None


def published_count(metric: str, values: Mapping[str, float]) -> int | None:
    """The sample count a stage published beside ``metric`` (``….requests`` or ``….count``), if any."""
    parent = metric.rsplit(".", 1)[0]
    for name in COUNT_SIBLINGS:
        if f"{parent}.{name}" in values:
            return int(values[f"{parent}.{name}"])
    return None


def call(evidence: Evidence, budget: Budget) -> Call:
    """Breached when both bounds are past the limit, met when both are within it, else unsure."""
    if evidence.n < evidence.min_samples:
        return Call.UNSURE
    if not evidence.recorded:
        return Call.VALUE if evidence.n >= evidence.needed else Call.UNSURE
    if budget.comparison is Comparison.MAX:
        past = evidence.low is not None and evidence.low > budget.limit
        within = evidence.high is not None and evidence.high <= budget.limit
    else:
        past = evidence.high is not None and evidence.high < budget.limit
        within = evidence.low is not None and evidence.low >= budget.limit
    if past:
        return Call.BREACHED
    return Call.MET if within else Call.UNSURE


def name_of(q: float) -> str:
    """``p95``, ``p99.9``."""
    return f"p{q * 100:g}"


def describe(evidence: Evidence, metric: str) -> str:
    """``n = 864; p95 between 5.10 ms and 6.00 ms (95 % bounds)``, or the one bound the samples allow."""
    head = f"n = {evidence.n}"
    if not evidence.recorded:
        return f"{head} (no recorded samples: judged on the published value)"
    name, level = name_of(evidence.q), _level(evidence)
    low, high = (messages.value(metric, b) if b is not None else None for b in (evidence.low, evidence.high))
    if low and high:
        return f"{head}; {name} between {low} and {high} ({level} bounds)"
    if low:
        return f"{head}; {name} at least {low} ({level} lower bound; too few samples for an upper one)"
    if high:
        return f"{head}; {name} at most {high} ({level} upper bound; too few samples for a lower one)"
    return f"{head}; too few samples for a {level} bound of {name}"


def shortfall(evidence: Evidence, metric: str, budget: Budget) -> str:
    """Why the samples cannot tell: too few of them, or bounds on both sides of the limit."""
    if evidence.n < evidence.needed:
        return (
            f"not enough samples (n = {evidence.n}; {name_of(evidence.q)} needs ≥ {evidence.needed} "
            f"at {_level(evidence)} confidence)"
        )
    return (
        f"not enough samples to tell: {describe(evidence, metric)}, on both sides of the limit "
        f"{messages.value(metric, budget.limit)}"
    )


def _level(evidence: Evidence) -> str:
    return f"{evidence.confidence * 100:g} %"
