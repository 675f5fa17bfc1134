"""The performance score (0-100) and grade (A-F) of measured pages: a Lighthouse-style method.

Method, per page:

1. Each metric gets a score in [0, 1] on a log-normal curve, as Lighthouse scores its metrics:
   the "good" threshold scores 0.90 and the "poor" threshold scores 0.50; faster is better, the
   curve falls smoothly past "poor" towards 0. Thresholds are the Core Web Vitals ones (web.dev)
   and, for load time, the team's 3 s target as "good".
2. The page score is the weighted mean of the metric scores times 100. Weights follow Lighthouse
   v10 (LCP 25, CLS 25, FCP 10, TBT 30, Speed Index 10), with INP standing in for TBT (TBT is its
   lab proxy) and full load time plus TTFB standing in for Speed Index, which needs a filmstrip.
3. The run's score is the mean of the page scores. Grade: A >= 90, B >= 80, C >= 70, D >= 60,
   F below.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Mapping
from statistics import NormalDist

# The z-score of the 10th percentile: the "good" threshold sits there, as in Lighthouse.
_Z_P10 = NormalDist().inv_cdf(0.10)


@dataclasses.dataclass(frozen=True)
class Curve:
    """A metric's scoring curve: ``good`` scores 0.9, ``poor`` 0.5, with a weight in the page score."""

    good: float
    poor: float
    weight: float


CURVES: dict[str, Curve] = {
    "fcp_ms": Curve(good=1800, poor=3000, weight=10),
    "lcp_ms": Curve(good=2500, poor=4000, weight=25),
    "cls": Curve(good=0.1, poor=0.25, weight=25),
    "inp_ms": Curve(good=200, poor=500, weight=30),
    "ttfb_ms": Curve(good=800, poor=1800, weight=5),
    "load_ms": Curve(good=3000, poor=6000, weight=5),
}
"""Scored metrics with their thresholds (web.dev Core Web Vitals; load time: the 3 s target)."""

GRADES = ((90.0, "A"), (80.0, "B"), (70.0, "C"), (60.0, "D"))


def metric_score(value: float, curve: Curve) -> float:
    """Log-normal score in [0, 1]: 1 at zero, 0.9 at ``good``, 0.5 at ``poor``."""
    if value <= 0:
        return 1.0
    sigma = (math.log(curve.poor) - math.log(curve.good)) / -_Z_P10
    z = (math.log(value) - math.log(curve.poor)) / sigma
    return 1.0 - NormalDist().cdf(z)


def page_score(metrics: Mapping[str, float]) -> float:
    """0-100 for one page: weighted mean over the scored metrics it has."""
    scored = [(CURVES[name], value) for name, value in metrics.items() if name in CURVES]
    if not scored:
        raise ValueError("no scored metric for this page")
    total = sum(curve.weight for curve, _ in scored)
    return 100.0 * sum(curve.weight * metric_score(value, curve) for curve, value in scored) / total


def run_score(page_scores: Iterable[float]) -> float:
    """0-100 for the run: the mean of its page scores."""
    scores = list(page_scores)
    if not scores:
        raise ValueError("no page was measured")
    return sum(scores) / len(scores)


def grade(score: float) -> str:
    """The letter for a 0-100 score: A >= 90, B >= 80, C >= 70, D >= 60, else F."""
    for floor, letter in GRADES:
        if score >= floor:
            return letter
    return "F"
