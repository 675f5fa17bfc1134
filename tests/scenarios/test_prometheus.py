"""Server-side figures from /metrics deltas, computed like PromQL's histogram_quantile."""

from __future__ import annotations

import pytest

from scenarios import adapter, prometheus
from stagekit.description import MetricsMapping

MAPPING = MetricsMapping("/metrics", "db_query_duration_seconds", "cache_hits_total", "cache_misses_total")

BEFORE = """
# TYPE db_query_duration_seconds histogram
db_query_duration_seconds_bucket{le="0.005"} 100.0
db_query_duration_seconds_bucket{le="0.01"} 100.0
db_query_duration_seconds_bucket{le="0.05"} 100.0
db_query_duration_seconds_bucket{le="+Inf"} 100.0
db_query_duration_seconds_count 100.0
db_query_duration_seconds_sum 0.2
# TYPE cache_hits_total counter
cache_hits_total{cache="catalogue"} 50.0
cache_hits_total{cache="models"} 10.0
# TYPE cache_misses_total counter
cache_misses_total{cache="catalogue"} 40.0
"""
AFTER = """
# TYPE db_query_duration_seconds histogram
db_query_duration_seconds_bucket{le="0.005"} 110.0
db_query_duration_seconds_bucket{le="0.01"} 150.0
db_query_duration_seconds_bucket{le="0.05"} 200.0
db_query_duration_seconds_bucket{le="+Inf"} 200.0
db_query_duration_seconds_count 200.0
db_query_duration_seconds_sum 2.0
# TYPE cache_hits_total counter
cache_hits_total{cache="catalogue"} 120.0
cache_hits_total{cache="models"} 20.0
# TYPE cache_misses_total counter
cache_misses_total{cache="catalogue"} 60.0
"""


def test_quantile_interpolates_within_the_bucket_of_the_delta() -> None:
    before, after = prometheus.parse(BEFORE), prometheus.parse(AFTER)
    buckets = prometheus.bucket_deltas(before, after, "db_query_duration_seconds")
    assert buckets == [(0.005, 10.0), (0.01, 50.0), (0.05, 100.0), (float("inf"), 100.0)]
    # rank 95 of 100 falls in (0.01, 0.05]: 0.01 + 0.04 * (95 - 50) / 50
    assert prometheus.histogram_quantile(0.95, buckets) == pytest.approx(0.046)
    assert prometheus.histogram_quantile(0.05, buckets) == pytest.approx(0.0025)


def test_quantile_in_the_inf_bucket_is_the_highest_finite_bound() -> None:
    assert prometheus.histogram_quantile(0.99, [(0.1, 50.0), (float("inf"), 100.0)]) == 0.1


def test_no_observations_means_no_quantile() -> None:
    assert prometheus.histogram_quantile(0.95, [(0.1, 0.0), (float("inf"), 0.0)]) is None


def test_server_metrics_from_two_scrapes() -> None:
    out = adapter.server_metrics(prometheus.parse(BEFORE), prometheus.parse(AFTER), MAPPING)
    assert out["load.db.query_p95_ms"] == pytest.approx(46.0)
    assert out["load.cache.hit_ratio"] == pytest.approx(80 / 100)


def test_idle_target_publishes_no_server_metrics() -> None:
    same = prometheus.parse(BEFORE)
    assert adapter.server_metrics(same, same, MAPPING) == {}


def test_only_the_mapped_series_count() -> None:
    """A mapping without cache series publishes no cache figure, whatever the target exposes."""
    db_only = MetricsMapping("/metrics", db_query_histogram="db_query_duration_seconds")
    out = adapter.server_metrics(prometheus.parse(BEFORE), prometheus.parse(AFTER), db_only)
    assert set(out) == {"load.db.query_p95_ms"}


def test_server_figures_without_a_mapping_are_not_applicable_with_the_cause() -> None:
    reasons = adapter.server_not_applicable(MetricsMapping())
    assert set(reasons) == {"load.db.*", "load.cache.*"}
    assert "names no Prometheus metrics" in reasons["load.db.*"]
    partial = adapter.server_not_applicable(MetricsMapping("/metrics", db_query_histogram="q_seconds"))
    assert set(partial) == {"load.cache.*"} and "cache_hits" in partial["load.cache.*"]
    assert adapter.server_not_applicable(MAPPING) == {}
