"""Baseline comparison: noise is "no significant change", a real shift is a regression with its size."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hdrh.histogram import HdrHistogram

from perf_budgets.histograms import decode_counts
from perf_budgets.significance import Change, compare_p95, compare_runs, significance
from vocabulary.records import StageResult, Status


def _counts(seed: int, scale: float = 1.0, n: int = 20_000) -> dict[float, int]:
    """Latencies (ms, 0.1 ms resolution) from a lognormal around 30 ms, like a healthy endpoint."""
    rng = np.random.default_rng(seed)
    values, counts = np.unique(np.round(rng.lognormal(math.log(30), 0.4, n) * scale, 1), return_counts=True)
    return dict(zip(values.tolist(), counts.tolist(), strict=True))


def test_same_distribution_is_no_significant_change() -> None:
    result = compare_p95(_counts(1), _counts(2))
    assert result.change is Change.NO_SIGNIFICANT_CHANGE
    assert result.ci_low <= 0 <= result.ci_high or abs(result.change_pct) < 2.0
    assert result.n_current == result.n_baseline == 20_000


def test_shifted_distribution_is_regression_with_estimated_change() -> None:
    result = compare_p95(_counts(1, scale=1.15), _counts(2))
    assert result.change is Change.REGRESSION
    assert result.change_pct == pytest.approx(15, abs=3)
    assert 0 < result.ci_low <= result.difference <= result.ci_high
    assert result.describe().startswith("regression: p95 ")


def test_faster_distribution_is_improvement() -> None:
    assert compare_p95(_counts(3, scale=0.8), _counts(4)).change is Change.IMPROVEMENT


def test_small_samples_are_insufficient_not_judged() -> None:
    result = compare_p95({10.0: 5, 50.0: 5}, _counts(1))
    assert result.change is Change.INSUFFICIENT_DATA
    assert math.isnan(result.change_pct)


def test_comparison_is_deterministic() -> None:
    assert compare_p95(_counts(5, 1.03), _counts(6)) == compare_p95(_counts(5, 1.03), _counts(6))


def _encoded(seed: int, scale: float) -> str:
    hist = HdrHistogram(1, 60_000, 3)
    for value, count in _counts(seed, scale, 5_000).items():
        hist.record_value(max(1, round(value)), count)
    return str(hist.encode().decode())


def test_histograms_from_load_results_are_decoded_and_compared() -> None:
    def load(details: dict[str, object]) -> StageResult:
        return StageResult("load", Status.PASSED, "http://127.0.0.1:1", "smoke", details=details)

    current = load({"histograms": {"GET /a": _encoded(1, 1.3), "GET /b": _encoded(2, 1.0)}})
    baseline = load({"histograms": {"GET /a": _encoded(3, 1.0), "GET /b": _encoded(4, 1.0), "GET /c": ""}})
    found = compare_runs(current, baseline)
    assert set(found) == {"GET /a", "GET /b"}
    assert found["GET /a"].change is Change.REGRESSION
    assert found["GET /b"].change is Change.NO_SIGNIFICANT_CHANGE
    assert sum(decode_counts(_encoded(1, 1.0)).values()) == 5_000
    assert compare_runs(current, None) == {}


def test_gate_significance_hook_separates_regression_from_noise() -> None:
    def load(details: dict[str, object]) -> StageResult:
        return StageResult("load", Status.PASSED, "http://127.0.0.1:1", "smoke", details=details)

    current = load({"histograms": {"GET /a": _encoded(1, 1.3), "GET /b": _encoded(2, 1.0)}})
    baseline = load({"histograms": {"GET /a": _encoded(3, 1.0), "GET /b": _encoded(4, 1.0)}})
    assert significance('load.endpoint["GET /a"].p95_ms', current, baseline) is True
    assert significance('load.endpoint["GET /b"].p95_ms', current, baseline) is False
    assert significance('load.endpoint["GET /zzz"].p95_ms', current, baseline) is None
    assert significance("load.http.error_ratio", current, baseline) is None
