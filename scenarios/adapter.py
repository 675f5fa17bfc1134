"""Turn the collector's ``summary.json`` and two scrapes of the target's metrics into metrics,
validity checks and the reasons a metric family does not apply.

Metric names follow ARCHITECTURE.md. Latency budgets read the coordinated-omission corrected
figures (identical to the raw ones for unpaced users); the raw overall figures sit beside them
as ``load.http.raw.*``. Server-side figures come from the series the target description names
(``[tool.harness.target.metrics]``), never from names the harness assumes.
"""

from __future__ import annotations

from typing import Any

from scenarios import generator_health, prometheus
from scenarios.recorder import SENT, UPLOAD, WS
from stagekit.description import MetricsMapping
from vocabulary.records import ValidityCheck, endpoint_metric

PCTS = ("p50", "p90", "p95", "p99", "p99_9")
HELD_RATIO_MIN = 0.95
ANSWERED_RATIO_MIN = 0.5
"""Below this share of successful requests, latencies time refusals and errors, not the app's work."""

# Validity-check patterns below: ``*`` matches anything there, dots included.
TIMINGS = ("load.http.*_ms", "load.endpoint*_ms", "load.ws.*_ms", "load.upload*_s")
"""The latency figures alone (not error ratios or counts), for checks that only void timings."""
PACED = (*TIMINGS, "load.http.rps")
"""What a generator that cannot keep its schedule distorts: timings and throughput, not error ratios
(a failure it saw is a failure the app returned, so those figures stay judged)."""
ALL: tuple[str, ...] = ()


def metrics(summary: dict[str, Any]) -> dict[str, float]:
    """The flat metric map from a summary (server-side figures are added separately)."""
    out: dict[str, float] = {}
    http = summary["http"]
    for name in (*PCTS, "max"):
        out[f"load.http.{name}_ms"] = http["corrected"][f"{name}_ms"]
        out[f"load.http.raw.{name}_ms"] = http["raw"][f"{name}_ms"]
    out["load.http.error_ratio"] = http["error_ratio"]
    out["load.http.rps"] = http["rps"]
    out["load.http.requests"] = float(http["requests"])
    for key, ep in summary["endpoints"].items():
        if ep["family"] == "http":
            out[endpoint_metric("load", key, "p95_ms")] = ep["corrected"]["p95_ms"]
            out[endpoint_metric("load", key, "p99_ms")] = ep["corrected"]["p99_ms"]
            out[endpoint_metric("load", key, "error_ratio")] = ep["error_ratio"]
            out[endpoint_metric("load", key, "requests")] = float(ep["requests"])
    if summary.get("ws"):
        out["load.ws.p95_ms"] = summary["ws"]["p95_ms"]
        out["load.ws.p99_ms"] = summary["ws"]["p99_ms"]
    for size_class, figures in summary.get("upload", {}).items():
        out[f'load.upload["{size_class}"].p95_s'] = figures["p95_ms"] / 1000.0
        out[f'load.upload["{size_class}"].count'] = figures["count"]
    users = summary["users"]
    out["load.users.peak"] = float(users["peak"])
    out["load.users.requested"] = float(users["requested"])
    out["load.users.held_ratio"] = users["held_ratio"]
    avail = summary["availability"]
    if avail["probes"]:
        out["load.availability.ratio"] = avail["ratio"]
        out["load.availability.longest_outage_s"] = avail["longest_outage_s"]
    out.update(generator_health.metrics(summary))
    memory = summary["generator"].get("memory") or {}
    if memory:
        out["load.generator.memory_growth_mb"] = memory["growth_mb"]
    return out


def knee(steps: list[dict[str, Any]], p95_limit_ms: float, error_limit: float) -> dict[str, float] | None:
    """The highest step (users, requests/s) still within both limits; None if none was."""
    within = [s for s in steps if s["p95_ms"] <= p95_limit_ms and s["error_ratio"] <= error_limit]
    if not within:
        return None
    best = max(within, key=lambda s: s["users"])
    return {"load.stress.knee_users": float(best["users"]), "load.stress.knee_rps": best["rps"]}


def server_metrics(before: prometheus.Samples, after: prometheus.Samples, mapping: MetricsMapping) -> dict[str, float]:
    """Database query p95 and cache hit ratio from the deltas of the mapped series between two scrapes."""
    out: dict[str, float] = {}
    if mapping.db_query_histogram:
        buckets = prometheus.bucket_deltas(before, after, mapping.db_query_histogram)
        p95 = prometheus.histogram_quantile(0.95, buckets)
        if p95 is not None:
            out["load.db.query_p95_ms"] = p95 * 1000.0
    if mapping.cache_hits and mapping.cache_misses:
        hits = prometheus.delta(before, after, mapping.cache_hits)
        misses = prometheus.delta(before, after, mapping.cache_misses)
        if hits + misses > 0:
            out["load.cache.hit_ratio"] = hits / (hits + misses)
    return out


def server_details(before: prometheus.Samples, after: prometheus.Samples, mapping: MetricsMapping) -> dict[str, Any]:
    """Cache hits and misses by their ``cache`` label, when the series have one (diagnostics for a low ratio)."""
    if not (mapping.cache_hits and mapping.cache_misses):
        return {}
    hits = prometheus.delta_by(before, after, mapping.cache_hits, "cache")
    misses = prometheus.delta_by(before, after, mapping.cache_misses, "cache")
    return {
        "cache": {
            name: {"hits": hits.get(name, 0.0), "misses": misses.get(name, 0.0)}
            for name in sorted(set(hits) | set(misses))
        }
    }


def server_not_applicable(mapping: MetricsMapping) -> dict[str, str]:
    """Server-side metric families the target description gives no series for, with the real cause."""
    if not mapping.path:
        reason = "the target description names no Prometheus metrics ([tool.harness.target.metrics] path)"
        return {"load.db.*": reason, "load.cache.*": reason}
    out: dict[str, str] = {}
    if not mapping.db_query_histogram:
        out["load.db.*"] = "the target description's metrics mapping has no db_query_histogram series"
    if not (mapping.cache_hits and mapping.cache_misses):
        out["load.cache.*"] = "the target description's metrics mapping has no cache_hits and cache_misses series"
    return out


def traffic_not_applicable(summary: dict[str, Any]) -> dict[str, str]:
    """Websocket and upload figures of a scenario that sent no such traffic at all (warm-up included)."""
    counters = summary.get("counters", {})
    out: dict[str, str] = {}
    if not counters.get(SENT[WS]):
        out["load.ws.*"] = "the load scenario sent no websocket traffic (no request of type WS)"
    if not counters.get(SENT[UPLOAD]):
        out["load.upload*"] = "the load scenario sent no uploads (no request with an upload_class context)"
    return out


def _ending(summary: dict[str, Any]) -> str:
    stopped = summary.get("stopped_at_knee_s")
    if stopped is None:
        return "the profile ran to its end"
    return f"the profile ended at its knee after {stopped:.0f} s (a step broke the knee limits)"


def requests_succeeded(http: dict[str, Any]) -> ValidityCheck:
    """Did most requests succeed? Voids the timings only (not the error ratio) when they did not."""
    # A dead or refusing target answers in a millisecond: without this check its latency budgets "pass".
    requests, failures = http["requests"], http["failures"]
    succeeded = 1 - failures / requests if requests else 0.0
    return ValidityCheck(
        "requests-succeeded",
        succeeded >= ANSWERED_RATIO_MIN,
        f"{succeeded:.1%} of {requests} requests succeeded (limit {ANSWERED_RATIO_MIN:.0%}): "
        "latencies of failed requests do not time the app's work",
        TIMINGS,
    )


def _users_held(summary: dict[str, Any]) -> ValidityCheck:
    users = summary["users"]
    shape = summary.get("shape") or {"profile": True}
    if not shape["profile"]:
        detail = f"the Locust file's own shape {shape['name']} set the users (peak {users['peak']}); no profile to hold"
        return ValidityCheck("users-held", True, detail, ALL)
    return ValidityCheck(
        "users-held",
        users["held_ratio"] >= HELD_RATIO_MIN,
        f"held {users['held_ratio']:.1%} of {users['requested']} requested users "
        f"(peak {users['peak']}, limit {HELD_RATIO_MIN:.0%})",
        ALL,
    )


def validity(
    summary: dict[str, Any],
    expected_workers: int,
    scraped: bool | None,
    *,
    complete: bool,
    limits: generator_health.Limits,
) -> list[ValidityCheck]:
    """Did the run measure the target at the requested load with a generator that kept its schedule?

    ``scraped`` is None when the target description names no metrics (nothing to scrape).
    """
    http = summary["http"]
    avail, workers = summary["availability"], summary["generator"]
    auth_failures = summary.get("counters", {}).get("auth_failures", 0)
    connected, missing = len(workers["workers_connected"]), workers["workers_missing"]
    unfinished = sorted(set(workers["workers_connected"]) - set(workers.get("workers_final", [])))
    if not complete:
        unfinished = []  # a cut-short run is already invalid; its tail is knowingly lost
    checks = [
        ValidityCheck("requests-measured", http["requests"] > 0, f"{http['requests']} requests measured", ALL),
        requests_succeeded(http),
        ValidityCheck("authenticated", auth_failures == 0, f"{auth_failures} failed logins", ALL),
        _users_held(summary),
        *generator_health.checks(summary, limits, PACED),
        ValidityCheck(
            "target-reachable",
            avail["ok"] > 0,
            f"{avail['ok']}/{avail['probes']} probes of {avail.get('path', '/')} answered 2xx/3xx",
            ALL,
        ),
        ValidityCheck(
            "workers-intact",
            not missing and not unfinished and connected >= expected_workers,
            f"{connected} workers connected (expected {expected_workers}), missing: {missing or 'none'}, "
            f"final report not received from: {unfinished or 'none'}"
            if expected_workers
            else "one local process, no workers",
            ALL,
        ),
        ValidityCheck(
            "run-complete",
            complete and bool(summary.get("final")),
            _ending(summary) if complete else "the run was cut short (cancelled or overran)",
            ALL,
        ),
    ]
    if scraped is not None:
        checks.append(ValidityCheck(
            "server-metrics-scraped", scraped, "target metrics scraped before and after the run"
            if scraped else "the target's metrics could not be scraped", ("load.db.*", "load.cache.*"),
        ))  # fmt: skip
    return checks
