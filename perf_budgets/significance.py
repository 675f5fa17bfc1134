"""Baseline comparison that respects noise: a bootstrap confidence interval of the p95 difference.

Two runs of the same build never give the same p95. Each run's latency histogram (HdrHistogram,
recorded by the load stage) is resampled: a bootstrap replicate draws ``n`` requests from the
run's own value counts and takes their p95 (nearest rank ``r = ceil(0.95 n)``). That p95 is the
r-th order statistic of ``n`` draws from the empirical distribution F̂, whose law is exactly
F̂⁻¹(U₍ᵣ₎) with U₍ᵣ₎ ~ Beta(r, n - r + 1); so each replicate costs one Beta draw and a binary
search instead of ``n`` draws: the same bootstrap, fast enough for thousands of replicates.
The ``confidence`` interval of (current p95 - baseline p95) over the replicates decides:
above zero is a regression, below zero an improvement, straddling zero no significant change.
A change smaller than ``min_change_pct`` is never called significant: at large request counts
a 0.5 % shift is "real" but not a release decision, and HDR buckets are only 0.1 % wide.

`compare_p95` is a pure function (fixed seed, so the same inputs give the same answer); the
gate calls `significance` for ``max_regression_pct`` budgets, on the histograms the load stage
recorded (`perf_budgets.histograms`); the HTML report shows `compare_runs` per endpoint.
"""

from __future__ import annotations

import dataclasses
import enum
import math
import re

import numpy as np

from perf_budgets.histograms import Counts, load_histograms
from vocabulary.records import StageResult

MIN_SAMPLES = 30
"""Below this many requests per run the p95 is not estimated at all."""


class Change(enum.StrEnum):
    """The judgement of a comparison."""

    REGRESSION = "regression"
    IMPROVEMENT = "improvement"
    NO_SIGNIFICANT_CHANGE = "no significant change"
    INSUFFICIENT_DATA = "insufficient data"


@dataclasses.dataclass(frozen=True)
class Comparison:
    """Current vs baseline p95 with the bootstrap interval of their difference."""

    change: Change
    current_p95: float
    baseline_p95: float
    difference: float
    """Current - baseline (the estimated change, in the histogram's unit)."""
    change_pct: float
    ci_low: float
    ci_high: float
    confidence: float
    n_current: int
    n_baseline: int

    def describe(self, unit: str = "ms") -> str:
        """One line, e.g. "regression: p95 112 → 130 ms (+16.1 %, 95 % CI +9.8 to +21.0 ms)"."""
        level = round(self.confidence * 100)
        return (
            f"{self.change.value}: p95 {self.baseline_p95:.4g} → {self.current_p95:.4g} {unit} "
            f"({self.change_pct:+.1f} %, {level} % CI {self.ci_low:+.4g} to {self.ci_high:+.4g} {unit})"
        )


def _arrays(counts: Counts) -> tuple[np.ndarray, np.ndarray]:
    items = sorted((float(v), int(c)) for v, c in counts.items() if c > 0)
    values = np.array([v for v, _ in items], dtype=float)
    weights = np.array([c for _, c in items], dtype=np.int64)
    return values, weights


def percentile(values: np.ndarray, counts: np.ndarray, q: float) -> float:
    """The ``q`` quantile (0 to 1) of a distribution given as sorted ``values`` and ``counts`` (nearest rank)."""
    cumulative = np.cumsum(counts)
    rank = max(math.ceil(q * int(cumulative[-1])), 1)
    return float(values[int(np.searchsorted(cumulative, rank, side="left"))])


def _replicates(counts: Counts, q: float, resamples: int, rng: np.random.Generator) -> np.ndarray:
    """``resamples`` bootstrap replicates of the ``q`` quantile (see the module docstring)."""
    values, weights = _arrays(counts)
    total = int(weights.sum())
    rank = max(math.ceil(q * total), 1)
    uniform_order_stat = rng.beta(rank, total - rank + 1, size=resamples)
    cdf = np.cumsum(weights) / total
    index = np.minimum(np.searchsorted(cdf, uniform_order_stat, side="left"), len(values) - 1)
    return values[index]


def compare_p95(
    current_counts: Counts,
    baseline_counts: Counts,
    *,
    confidence: float = 0.95,
    resamples: int = 10_000,
    min_change_pct: float = 2.0,
    seed: int = 20240229,
    q: float = 0.95,
) -> Comparison:
    """Judge the p95 difference of two latency distributions given as value → count maps."""
    n_cur, n_base = (int(sum(c.values())) for c in (current_counts, baseline_counts))
    if min(n_cur, n_base) < MIN_SAMPLES:
        nan = float("nan")
        return Comparison(Change.INSUFFICIENT_DATA, nan, nan, nan, nan, nan, nan, confidence, n_cur, n_base)
    cur_v, cur_w = _arrays(current_counts)
    base_v, base_w = _arrays(baseline_counts)
    current = percentile(cur_v, cur_w, q)
    baseline = percentile(base_v, base_w, q)
    rng = np.random.default_rng(seed)
    diffs = _replicates(current_counts, q, resamples, rng) - _replicates(baseline_counts, q, resamples, rng)
    tail = (1 - confidence) / 2
    low, high = (float(x) for x in np.quantile(diffs, [tail, 1 - tail]))
    difference = current - baseline
    pct = difference / baseline * 100 if baseline else float("inf") if difference else 0.0
    return Comparison(
        _judge(low, high, pct, min_change_pct),
        current,
        baseline,
        difference,
        pct,
        low,
        high,
        confidence,
        n_cur,
        n_base,
    )


def _judge(low: float, high: float, pct: float, min_change_pct: float) -> Change:
    if abs(pct) < min_change_pct:
        return Change.NO_SIGNIFICANT_CHANGE
    if low > 0:
        return Change.REGRESSION
    if high < 0:
        return Change.IMPROVEMENT
    return Change.NO_SIGNIFICANT_CHANGE


def compare_runs(current: StageResult | None, baseline: StageResult | None) -> dict[str, Comparison]:
    """`compare_p95` for every histogram both load results recorded, keyed by endpoint."""
    if current is None or baseline is None:
        return {}
    now, before = load_histograms(current), load_histograms(baseline)
    return {name: compare_p95(now[name], before[name]) for name in sorted(now.keys() & before.keys())}


_ENDPOINT_P95 = re.compile(r'^load\.endpoint\["(?P<name>.+)"\]\.p95_ms$')


def significance(metric: str, current: StageResult, baseline: StageResult) -> bool | None:
    """The gate's hook for regression budgets: is a p95 change real (bootstrap on the recorded
    histograms)? None when the metric has no histogram or too few samples: the gate then trusts the
    relative change, so noise can neither pass nor fail a release on its own."""
    match = _ENDPOINT_P95.match(metric)
    if match is None:
        return None
    now = load_histograms(current).get(match["name"])
    before = load_histograms(baseline).get(match["name"])
    if not now or not before:
        return None
    change = compare_p95(now, before).change
    if change is Change.INSUFFICIENT_DATA:
        return None
    return change is Change.REGRESSION
