"""A synthetic run folder at scale: 10 M requests' worth of HDR histograms, 50 endpoints, 1 h of
per-second series, plus every other stage's result, judged by the gate (``verdict.json``).

The load result goes through the project's own path: a `scenarios.recorder.Recorder` filled with
histograms, the `scenarios.summary` functions Locust's master uses for ``summary.json``, and the
load stage's `_fill` for metrics, validity and details; results are written with `RunDir`, the
verdict by `harness.gate.judge`, history rows by `reports.history`. So the folder stays in step
with the format. Only the numbers are made up (lognormal latencies, seeded).

Usage: python bench/synthetic_run.py OUT [--small] [--baseline] [--history N]
prints the run folder (and the baseline's, with ``--baseline``).
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from hdrh.histogram import HdrHistogram

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness import gate
from reports import history
from reports.registry import RunView
from scenarios import hdr, profiles, summary
from scenarios import stage as load_stage
from scenarios.recorder import HTTP, SENT, UPLOAD, WS, ClosedSecond, Endpoint, Recorder
from stagekit.stages import StageContext, TargetInfo
from tests.reports import samples
from vocabulary import atomic
from vocabulary.records import StageResult, Status
from vocabulary.rundir import RunDir

TARGET = "http://127.0.0.1:8765"
PROFILE = "soak"
REGRESSED = 5
"""Endpoints 25 % slower than in the baseline run."""
TEMPLATES = 24
"""Distinct per-second histograms (an encoded one is reused across seconds: they are ~5 KB each)."""


@dataclasses.dataclass(frozen=True)
class Scale:
    """How big the run is."""

    requests: int = 10_000_000
    endpoints: int = 50
    seconds: int = 3600
    users: int = 1000


FULL = Scale()
SMALL = Scale(requests=20_000, endpoints=6, seconds=120, users=20)


def latency_us(rng: np.random.Generator, median_ms: float, count: int) -> HdrHistogram:
    """A lognormal latency histogram of ``count`` samples, recorded value by distinct value."""
    hist = hdr.new()
    values = np.rint(rng.lognormal(math.log(median_ms * 1000), 0.45, count)).astype(np.int64)
    values = np.clip(values, hdr.LOWEST_US, hdr.HIGHEST_US)
    for value, n in zip(*np.unique(values, return_counts=True), strict=True):
        hist.record_value(int(value), int(n))
    return hist


def endpoint_names(count: int) -> list[tuple[str, str]]:
    """(request name, family): the HTTP endpoints plus one websocket and one upload endpoint."""
    http = samples.endpoint_names(count - 2)
    others = [("WS /ws/notifications ping", WS), ("POST /api/models [small upload]", UPLOAD)]
    return [*((name, HTTP) for name in http), *others]


def fill_endpoints(rec: Recorder, scale: Scale, rng: np.random.Generator, *, baseline: bool) -> None:
    """Every endpoint's raw and corrected histograms, counts and errors (requests split unevenly).
    The split and each endpoint's median are the same whatever the seed; a baseline differs by noise, except
    that its first `REGRESSED` endpoints are faster (the run regressed there: the gate's bootstrap test runs)."""
    names = endpoint_names(scale.endpoints)
    shape = np.random.default_rng(0)
    shares = shape.dirichlet(np.full(len(names), 2.0))
    for index, ((name, family), share) in enumerate(zip(names, shares, strict=True)):
        requests = max(int(share * scale.requests), 100)
        median = {WS: 3.0, UPLOAD: 400.0}.get(family, float(shape.uniform(8, 40)))
        median *= 0.8 if baseline and index < REGRESSED else 1.0
        ep = Endpoint(family, upload_class="small" if family == UPLOAD else None)
        ep.raw = latency_us(rng, median, requests)
        hdr.merge(ep.corrected, [ep.raw])
        ep.requests, ep.failures = requests, requests // 5000
        ep.errors = Counter({"HTTP 500": ep.failures})
        rec.endpoints[name] = ep
        if family in SENT:
            rec.counters[SENT[family]] += requests


def fill_seconds(rec: Recorder, scale: Scale, rng: np.random.Generator, start: int) -> None:
    """One closed second per second of the run, its histogram drawn from a few templates."""
    per_second = max(scale.requests // scale.seconds, 1)
    templates = []
    for _ in range(TEMPLATES):
        hist = latency_us(rng, float(rng.uniform(10, 30)), per_second)
        templates.append((hdr.percentile_ms(hist, 50), hdr.percentile_ms(hist, 95), hdr.encode(hist)))
    for sec in range(scale.seconds):
        p50, p95, encoded = templates[sec % TEMPLATES]
        requests = int(per_second * rng.uniform(0.9, 1.1))
        rec.closed[start + sec] = ClosedSecond(requests, requests // 5000, p50, p95, encoded)


def user_samples(profile: profiles.Profile, start: int) -> list[summary.UserSample]:
    """Users once a second as the profile asks for them: ramped, then held."""
    found = []
    for sec in range(int(profile.duration_s)):
        stage, began = profile.stage_at(sec) or (profile.stages[-1], 0.0)
        into = sec - began
        users = stage.users if stage.hold else min(stage.users, round(stage.spawn_rate * (sec + 1)))
        found.append(summary.UserSample(start + sec + 0.5, users, stage.users, stage.hold, into))
    return found


def generator(scale: Scale, rng: np.random.Generator) -> summary.Generator:
    """A healthy generator process: ~40 % CPU, sub-millisecond loop and schedule lag."""
    gen = summary.Generator()
    gen.cpu = [[1.0, float(rng.uniform(0.3, 0.5)), 0.0, 200.0] for _ in range(scale.seconds)]
    gen.lag = latency_us(rng, 0.5, scale.seconds * 10)
    gen.schedule = latency_us(rng, 0.8, scale.seconds * 10)
    return gen


def load_summary(scale: Scale, seed: int, *, baseline: bool) -> dict[str, Any]:
    """``summary.json`` as Locust's master writes it at the end of the run (`scenarios.metrics`)."""
    rng = np.random.default_rng(seed)
    profile = profiles.build(PROFILE, scale.users, scale.seconds)
    start = 1_780_000_000
    rec = Recorder()
    fill_endpoints(rec, scale, rng, baseline=baseline)
    fill_seconds(rec, scale, rng, start)
    users = user_samples(profile, start)
    window = scale.seconds - profile.warmup_s
    return {
        "final": True,
        "profile": profile.to_dict(),
        "started_at": float(start),
        "finished_at": float(start + scale.seconds),
        "measured_s": window,
        "endpoints": {k: summary.endpoint_summary(ep, encoded=True) for k, ep in rec.endpoints.items()},
        "http": summary.http_summary(rec, window),
        **summary.families(rec),
        "series": summary.series(rec, users, start),
        "steps": summary.steps(rec, users),
        "users": summary.users_summary(users, profile.requested_users),
        "generator": {
            "processes": {"local": generator(scale, rng).summary()},
            "distributed": False,
            "host_load_per_cpu_max": 0.6,
            "memory": {"warm_mb": 120.0, "last_mb": 131.0, "max_mb": 132.0, "growth_mb": 11.0},
            "requests_by_process": {"local": rec.sent()},
            "workers_connected": [],
            "workers_missing": [],
            "workers_final": [],
        },
        "availability": {
            "probes": scale.seconds,
            "ok": scale.seconds,
            "ratio": 1.0,
            "longest_outage_s": 0.0,
            "path": "/health",
        },
        "stopped_at_knee_s": None,
        "counters": dict(rec.counters),
        "operations": [name.split(" [")[0] for name in rec.endpoints if not name.startswith("WS ")],
        "shape": {"name": "ProfileShape", "profile": True},
    }


def load_result(run: RunDir, scale: Scale, seed: int, times: tuple[str, str], *, baseline: bool) -> StageResult:
    """The load stage's result for the summary, through the stage's own `_fill`."""
    ctx = StageContext("load", PROFILE, TargetInfo(TARGET), None, run.path, run.artifacts("load"), {})
    data = load_summary(scale, seed, baseline=baseline)
    atomic.write_json(ctx.artifacts / "summary.json", data)
    result = ctx.result(status=Status.PASSED, tool_versions={"locust": "2.47.0", "hdrhistogram": "0.10.8"})
    load_stage._fill(ctx, result, data, None, None, complete=True)  # the stage's own adapter path
    result.started_at, result.finished_at = times
    return result


def write_run(folder: Path, scale: Scale, seed: int, started: datetime, *, baseline: bool = False) -> Path:
    """Write one judged run folder: run.json, every stage result, verdict.json."""
    folder.mkdir(parents=True, exist_ok=True)
    run = RunDir(folder)
    times = (_iso(started), _iso(started + timedelta(seconds=scale.seconds)))
    others = [
        dataclasses.replace(r, profile=PROFILE, started_at=times[1], finished_at=times[1])
        for r in samples.other_results()
    ]
    results = [load_result(run, scale, seed, times, baseline=baseline), *others]
    for result in results:
        run.write_result(result)
    run.write_meta(
        {
            "harness_version": "0.1.0",
            "profile": PROFILE,
            "stages": [r.stage for r in results],
            "target_url": TARGET,
            "target": {"name": "synthetic", "source": "bench/synthetic_run.py", "started": False},
            "faults": [],
            "started_at": times[0],
            "finished_at": times[1],
            "complete": True,
            "git_revision": "synthetic",
            "python": "3.11",
            "settings": {"profile": PROFILE, "baseline": None},
            "notes": [],
            "errors": [],
        }
    )
    gate.judge(run, gate.load_inputs(None, None, None))
    return folder


def write_history(run: Path, count: int) -> None:
    """``count`` earlier runs in ``<out>/history.jsonl`` (the run's own row, a day apart each)."""
    row = history.row_of(RunView.load(run))
    finished = datetime.fromisoformat(str(row["time"]).replace("Z", "+00:00"))
    for day in range(count, 0, -1):
        history.append(run.parent, row | {"run_id": f"earlier-{day}", "time": _iso(finished - timedelta(days=day))})


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def main() -> int:
    """Write the run (and a baseline and history, if asked) under OUT; print the folders."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--small", action="store_true", help="a few endpoints and seconds (tests)")
    parser.add_argument("--baseline", action="store_true", help="also write a baseline run (another seed)")
    parser.add_argument("--history", type=int, default=0, help="earlier runs recorded in history.jsonl")
    args = parser.parse_args()
    scale = SMALL if args.small else FULL
    started = datetime(2026, 3, 1, 10, tzinfo=UTC)
    if args.baseline:
        print(write_run(args.out / "baseline-soak", scale, 2, started - timedelta(days=1), baseline=True))
    run = write_run(args.out / "run-soak", scale, 1, started)
    write_history(run, args.history)
    print(run)
    return 0


if __name__ == "__main__":
    sys.exit(main())
