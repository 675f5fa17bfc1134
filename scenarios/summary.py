"""The structured summary the master writes into the stage's artifacts (``summary.json``).

Everything the stage adapter needs is here, computed from exact merged histograms; the encoded
histograms travel along so the figures can be recomputed offline. No gevent or Locust here.
"""

from __future__ import annotations

import dataclasses
import statistics
from typing import Any

from hdrh.histogram import HdrHistogram

from scenarios import generator_health, hdr
from scenarios.recorder import HTTP, UPLOAD, WS, Endpoint, Recorder

HOLD_GRACE_S = 2.0
"""Seconds into a hold stage before users are expected to be there (dispatch takes a moment)."""


@dataclasses.dataclass(slots=True)
class UserSample:
    """The users the runner had at one second, and what the profile asked for then (one per second
    of a soak: slots, no per-row ``__dict__``)."""

    at: float
    users: int
    expected: int
    hold: bool
    into_stage_s: float


@dataclasses.dataclass
class Generator:
    """One Locust process's health: CPU samples (`probes.CpuSampler`), event-loop and schedule lag."""

    cpu: list[list[float]] = dataclasses.field(default_factory=list)
    lag: HdrHistogram = dataclasses.field(default_factory=hdr.new)
    schedule: HdrHistogram = dataclasses.field(default_factory=hdr.new)

    def summary(self) -> dict[str, Any]:
        """CPU figures (`generator_health.cpu_figures`), loop-lag and schedule-lag percentiles."""
        return generator_health.cpu_figures(self.cpu) | {
            "lag": hdr.summarize(self.lag),
            "schedule_lag": hdr.summarize(self.schedule),
        }


def endpoint_summary(ep: Endpoint, *, encoded: bool) -> dict[str, Any]:
    """Counts, error breakdown, raw and corrected percentiles for one endpoint; with ``encoded``
    also both histograms (compressing them takes milliseconds each, so partial summaries, written
    every few seconds on the generator's event loop, leave them out)."""
    figures = {
        "family": ep.family,
        "requests": ep.requests,
        "failures": ep.failures,
        "error_ratio": ep.failures / ep.requests if ep.requests else 0.0,
        "errors": dict(ep.errors),
        "paced": ep.paced,
        "upload_class": ep.upload_class,
        "raw": hdr.summarize(ep.raw),
        "corrected": hdr.summarize(ep.corrected),
    }
    if encoded:
        figures |= {"hist_raw": hdr.encode(ep.raw), "hist_corrected": hdr.encode(ep.corrected)}
    return figures


def http_summary(rec: Recorder, window_s: float) -> dict[str, Any]:
    """Overall HTTP figures (uploads and websockets have their own families and budgets)."""
    eps = [ep for ep in rec.endpoints.values() if ep.family != WS]
    requests = sum(ep.requests for ep in eps)
    failures = sum(ep.failures for ep in eps)
    errors: dict[str, int] = {}
    for ep in eps:
        for key, n in ep.errors.items():
            errors[key] = errors.get(key, 0) + n
    return {
        "requests": requests,
        "failures": failures,
        "error_ratio": failures / requests if requests else 0.0,
        "errors": errors,
        "rps": requests / window_s if window_s > 0 else 0.0,
        "raw": hdr.summarize(rec.family(HTTP, corrected=False)),
        "corrected": hdr.summarize(rec.family(HTTP, corrected=True)),
    }


def series(rec: Recorder, users: list[UserSample], started_at: float) -> list[dict[str, Any]]:
    """One row per wall-clock second: requests, failures, p50/p95 and users."""
    by_second = {int(u.at): u for u in users}
    figures = rec.per_second()
    rows = []
    for sec in sorted(set(figures) | set(by_second)):
        requests, failures, p50, p95 = figures.get(sec, (0, 0, 0.0, 0.0))
        u = by_second.get(sec)
        rows.append(
            {
                "t": sec - int(started_at),
                "requests": requests,
                "failures": failures,
                "p50_ms": p50,
                "p95_ms": p95,
                "users": u.users if u else None,
                "expected_users": u.expected if u else None,
            }
        )
    return rows


def users_summary(samples: list[UserSample], requested: int) -> dict[str, Any]:
    """Peak users and the worst held/expected ratio over the hold stages."""
    held = [s for s in samples if s.hold and s.into_stage_s >= HOLD_GRACE_S and s.expected]
    ratios = [min(1.0, s.users / s.expected) for s in held]
    return {
        "requested": requested,
        "peak": max((s.users for s in samples), default=0),
        "held_ratio": min(ratios) if ratios else 0.0,
        "held_ratio_mean": statistics.fmean(ratios) if ratios else 0.0,
        "hold_seconds": len(held),
    }


def memory(rss_mb: list[float], warmup_s: float) -> dict[str, float]:
    """The master's (or local process's) resident memory: at the end of the warm-up, last, max,
    and the growth between them (histograms, not sample lists, keep it flat over a soak)."""
    if not rss_mb:
        return {}
    warm = rss_mb[min(int(warmup_s), len(rss_mb) - 1)]
    return {"warm_mb": warm, "last_mb": rss_mb[-1], "max_mb": max(rss_mb), "growth_mb": rss_mb[-1] - warm}


def families(rec: Recorder) -> dict[str, Any]:
    """Websocket round trips and uploads by size class, merged across endpoints (a websocket
    endpoint that never succeeded, such as failed handshakes, measured no round trip)."""
    ws = [ep.raw for ep in rec.endpoints.values() if ep.family == WS and ep.requests > ep.failures]
    uploads: dict[str, HdrHistogram] = {}
    for ep in rec.endpoints.values():
        if ep.family == UPLOAD and ep.upload_class:
            hdr.merge(uploads.setdefault(ep.upload_class, hdr.new()), [ep.raw])
    return {
        "ws": hdr.summarize(hdr.merge(hdr.new(), ws)) if ws else None,
        "upload": {name: hdr.summarize(h) for name, h in uploads.items()},
    }


def steps(rec: Recorder, users: list[UserSample]) -> list[dict[str, Any]]:
    """Exact figures per hold stage (merged per-second histograms): the stress profile's steps."""
    figures = rec.per_second()
    groups: dict[int, list[int]] = {}
    for sample in users:
        if sample.hold and sample.into_stage_s >= HOLD_GRACE_S and int(sample.at) in figures:
            groups.setdefault(sample.expected, []).append(int(sample.at))
    rows = []
    for expected, seconds in sorted(groups.items()):
        merged = rec.merged_seconds(("step", expected), seconds)
        requests = sum(figures[s][0] for s in seconds)
        failures = sum(figures[s][1] for s in seconds)
        rows.append(
            {
                "users": expected,
                "seconds": len(seconds),
                "rps": requests / len(seconds),
                "error_ratio": failures / requests if requests else 0.0,
                "p95_ms": hdr.percentile_ms(merged, 95),
            }
        )
    return rows
