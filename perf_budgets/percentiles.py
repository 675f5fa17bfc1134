"""Distribution-free confidence bounds of a percentile, from order statistics.

For ``n`` independent samples and the true ``q`` quantile ξ, the number of samples at or below ξ is
Binomial(n, q) (at least that, for a discrete distribution). So with x₍₁₎ ≤ … ≤ x₍ₙ₎ sorted:
P(x₍ₗ₎ > ξ) = P(Bin(n, q) ≤ l - 1) and P(x₍ᵤ₎ < ξ) ≤ P(Bin(n, q) ≥ u). The largest ``l`` and the
smallest ``u`` that keep each tail within 1 - confidence give a lower bound x₍ₗ₎ and an upper bound
x₍ᵤ₎ that each hold with at least that confidence, whatever the distribution (the textbook
construction, e.g. Hahn & Meeker, *Statistical Intervals*, 5.2); together [x₍ₗ₎, x₍ᵤ₎] is a
(2·confidence - 1) interval. The gate makes one-sided claims (over the limit, or within it), so each
claim rests on one bound at the confidence asked for. With too few samples a bound does not exist:
at 95 % an upper bound of p95 needs 59 samples (0.95⁵⁹ ≤ 0.05), a lower bound one (0.05¹ ≤ 0.05: a
single sample over a limit is a p95 breach at exactly 95 %).

Values may be recorded in buckets (an HDR histogram keeps each value to 3 significant digits):
a lower bound is then the bucket's lowest value and an upper bound its highest, so rounding never
narrows the interval.
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import math
import re
from collections.abc import Iterable

import numpy as np

_PERCENTILE = re.compile(r"(?:^|_)p(\d+)(?:_(\d+))?(?=_|$)")
_TAIL_SDS = 12.0
"""Binomial mass further than this many standard deviations from its mean is below 1e-30: skipped."""
_BUCKET = np.dtype([("low", np.float64), ("high", np.float64), ("count", np.int64)])


@dataclasses.dataclass(frozen=True, eq=False)
class Samples:
    """Recorded values in ascending buckets: each bucket's lowest and highest value, and its count.

    Arrays, not tuples: a load run's overall p95 merges every endpoint's histogram, ~10⁵ buckets.
    """

    lows: np.ndarray
    highs: np.ndarray
    counts: np.ndarray

    @classmethod
    def of(cls, values: Iterable[float]) -> Samples:
        """Exact values (each its own bucket)."""
        return cls.from_buckets((v, v, 1) for v in values)

    @classmethod
    def from_buckets(cls, buckets: Iterable[tuple[float, float, int]]) -> Samples:
        """Buckets ``(lowest, highest, count)`` in any order; equal buckets are added up."""
        table = np.fromiter(buckets, dtype=_BUCKET)
        return cls.from_arrays(table["low"], table["high"], table["count"])

    @classmethod
    def from_arrays(cls, lows: np.ndarray, highs: np.ndarray, counts: np.ndarray) -> Samples:
        """`from_buckets` with the buckets' lowest values, highest values and counts as three arrays."""
        kept = counts > 0
        lows, highs, counts = lows[kept], highs[kept], counts[kept]
        order = np.lexsort((highs, lows))
        lows, highs, counts = lows[order], highs[order], counts[order]
        first = np.ones(len(lows), dtype=bool)
        first[1:] = (lows[1:] != lows[:-1]) | (highs[1:] != highs[:-1])
        starts = np.flatnonzero(first)
        merged = np.add.reduceat(counts, starts) if len(starts) else counts
        return cls(lows[starts], highs[starts], merged.astype(np.int64))

    @property
    def n(self) -> int:
        """How many samples."""
        return int(self._cumulative[-1]) if len(self.counts) else 0

    def lowest(self, rank: int) -> float:
        """The least value the ``rank``-th smallest sample (1-based) can have."""
        return float(self.lows[self._bucket(rank)])

    def highest(self, rank: int) -> float:
        """The greatest value the ``rank``-th smallest sample (1-based) can have."""
        return float(self.highs[self._bucket(rank)])

    def _bucket(self, rank: int) -> int:
        return int(np.searchsorted(self._cumulative, rank, side="left"))

    @functools.cached_property
    def _cumulative(self) -> np.ndarray:
        return np.cumsum(self.counts)


@dataclasses.dataclass(frozen=True)
class Interval:
    """The lower and upper ``confidence`` bounds (each one-sided) of the ``q`` quantile from ``n``
    samples; a bound is None when ``n`` is too small for it to exist."""

    q: float
    n: int
    confidence: float
    low: float | None
    high: float | None


def quantile_of(metric: str) -> float | None:
    """The quantile a metric name states in its last segment: ``p95_ms`` -> 0.95, ``p99_9_ms`` -> 0.999,
    ``query_p95_ms`` -> 0.95; None for any other metric."""
    match = _PERCENTILE.search(metric.rsplit(".", 1)[-1])
    if match is None:
        return None
    q = round(float(f"{match[1]}.{match[2] or 0}") / 100.0, 9)
    return q if 0.0 < q < 1.0 else None


def ranks(n: int, q: float, confidence: float) -> tuple[int | None, int | None]:
    """The order-statistic ranks (1-based) of the lower and upper bound, or None where none exists."""
    # Tolerance for the exact ties (0.05¹ against 1 - 0.95) that floating point would break either way.
    tail = 1.0 - confidence + 1e-12
    cdf = _Cdf(n, q)
    candidates = range(1, n + 1)
    # P(Bin <= r - 1) grows with r: the lower rank is the last within the tail, the upper the first past it.
    low = bisect.bisect_right(candidates, tail, key=lambda r: cdf(r - 1))
    high = bisect.bisect_left(candidates, 1.0 - tail, key=lambda r: cdf(r - 1)) + 1
    return low or None, high if high <= n else None


def interval(samples: Samples, q: float, confidence: float) -> Interval:
    """The distribution-free ``confidence`` bounds of the ``q`` quantile of ``samples``."""
    low_rank, high_rank = ranks(samples.n, q, confidence)
    return Interval(
        q=q,
        n=samples.n,
        confidence=confidence,
        low=samples.lowest(low_rank) if low_rank else None,
        high=samples.highest(high_rank) if high_rank else None,
    )


def fewest_for_upper(q: float, confidence: float) -> int:
    """The fewest samples for which the ``q`` quantile has an upper bound (``q``ⁿ ≤ 1 - confidence)."""
    return math.ceil(math.log(1.0 - confidence) / math.log(q) - 1e-9)


def fewest_for_lower(q: float, confidence: float) -> int:
    """The fewest samples for which the ``q`` quantile has a lower bound ((1 - ``q``)ⁿ ≤ 1 - confidence)."""
    return fewest_for_upper(1.0 - q, confidence)


class _Cdf:
    """P(Binomial(n, q) <= k), summed once over the region that holds the mass, then looked up."""

    def __init__(self, n: int, q: float) -> None:
        spread = _TAIL_SDS * math.sqrt(n * q * (1.0 - q)) + 1.0
        self.start = max(0, math.floor(n * q - spread))
        end = min(n, math.ceil(n * q + spread))
        # Vectorised (10⁴ terms at 10⁷ samples), summed in the same order as term by term:
        # log P(k + 1) = log P(k) + log((n - k) / (k + 1) · q / (1 - q)).
        ks = np.arange(self.start, end, dtype=np.float64)
        steps = np.log((n - ks) / (ks + 1) * q / (1.0 - q))
        log_pmf = np.cumsum(np.concatenate(([_log_pmf(n, q, self.start)], steps)))
        self.cumulative: list[float] = np.minimum(np.cumsum(np.exp(log_pmf)), 1.0).tolist()

    def __call__(self, k: int) -> float:
        if k < self.start:
            return 0.0
        index = k - self.start
        return self.cumulative[index] if index < len(self.cumulative) else 1.0


def _log_pmf(n: int, q: float, k: int) -> float:
    """log P(Binomial(n, q) = k)."""
    log_choose = math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)
    return log_choose + k * math.log(q) + (n - k) * math.log(1.0 - q)
