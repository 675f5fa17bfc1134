"""Did the load generator keep its schedule? Judged from what its own processes measured in themselves.

A busy machine does not spoil a run; a starved generator does: a request it sends late, or a
response it reads late, is its own delay counted as the target's latency. So validity looks at
the generator (every Locust process, the worst one decides), never at its neighbours; the host's
load average stays in ``details.generator.host_load_per_cpu_max`` as information only.

The default limits (load options, ``-o load.generator_cpu_ratio=0.95`` or ``[load]`` in the
configuration file) and why:

- ``generator_cpu_ratio = 0.9``: CPU time / wall of one process over its busiest 10 s. A gevent
  process runs on one core; Locust itself warns above 90 % over 10 s, because past it the event
  loop queues work and response times include the generator's own waiting.
- ``generator_loop_lag_p95_ms = 25``: how late a greenlet that sleeps 50 ms wakes. Every response
  is read by the same loop, so lateness is added to measured latencies. On a busy machine even a
  mostly idle process waits for its turn on a CPU, up to about one scheduler period (CFS: 6 ms x
  (1 + log2 CPUs), 12 ms on 2 CPUs, 24 ms from 8 on): that is the neighbours' share, not
  starvation. Past 25 ms at p95 the generator waits longer than fair sharing explains (its own
  loop is busy, or it gets too little CPU). Measured on a 2-core machine: 5-30 ms beside two CPU
  hogs with the generator at 4 % CPU; ~600 ms for a generator whose tasks busy-loop 150 ms; the
  benchmark's goal for a healthy generator at 5000 users is 5 ms (`bench/load_bench.py`). 25 ms is
  a quarter of the tightest default HTTP budget (p95 100 ms).
- ``generator_schedule_lag_p95_ms = 25``: how late users that wait between tasks (think time or
  pacing) send their next task's first request against the time their ``wait_time`` promised; the
  same scheduling seen from the users (it adds the queue of users due at the same moment), so the
  same limit.
- ``generator_steal_ratio = 0.1``: CPU time the hypervisor gave to other machines, from the steal
  ticks of ``/proc/stat``. Cloud operators treat sustained steal above 10 % as a starved VM: the
  generator then loses whole time slices it never sees as load of its own.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from vocabulary.records import ValidityCheck

WINDOW_SAMPLES = 10
"""CPU is judged over its busiest 10 one-second samples (Locust's own CPU warning window is 10 s)."""
OPTION_PREFIX = "generator_"


@dataclasses.dataclass(frozen=True)
class Limits:
    """The generator-health limits; each is a load option named ``generator_<field>``."""

    cpu_ratio: float = 0.9
    loop_lag_p95_ms: float = 25.0
    schedule_lag_p95_ms: float = 25.0
    steal_ratio: float = 0.1

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> Limits:
        """The limits a run's load options set (the defaults for the rest)."""
        given = {f.name: float(options[OPTION_PREFIX + f.name]) for f in dataclasses.fields(cls)
                 if options.get(OPTION_PREFIX + f.name) is not None}  # fmt: skip
        return cls(**given)


def cpu_figures(samples: Sequence[Sequence[float]]) -> dict[str, Any]:
    """One process's CPU from its per-second samples ``[wall_s, cpu_s, steal_ticks, all_ticks]``:
    busiest-window and mean CPU ratio, p90/max in percent, and the host's steal ratio (None
    where ``/proc/stat`` has no steal figure)."""
    ratios = sorted(cpu / wall * 100 for wall, cpu, *_ in samples if wall > 0)
    p90 = ratios[min(len(ratios) - 1, int(0.9 * len(ratios)))] if ratios else 0.0
    wall = sum(s[0] for s in samples)
    ticks = sum(s[3] for s in samples)
    return {
        "cpu_ratio": _busiest_window(samples),
        "cpu_ratio_mean": sum(s[1] for s in samples) / wall if wall > 0 else 0.0,
        "cpu_p90": p90,
        "cpu_max": max(ratios, default=0.0),
        "cpu_samples": len(samples),
        "steal_ratio": sum(s[2] for s in samples) / ticks if ticks > 0 else None,
    }


def _busiest_window(samples: Sequence[Sequence[float]]) -> float:
    """The highest CPU time / wall over `WINDOW_SAMPLES` consecutive samples (all of them if fewer)."""
    n = min(WINDOW_SAMPLES, len(samples))
    windows = (samples[i : i + n] for i in range(len(samples) - n + 1))
    return max((sum(s[1] for s in w) / wall for w in windows if (wall := sum(s[0] for s in w)) > 0), default=0.0)


def worst(summary: Mapping[str, Any]) -> dict[str, Any]:
    """The worst figure of every process (``process`` names the busiest CPU); None where unmeasured."""
    procs = summary["generator"]["processes"]
    busy = {name: p for name, p in procs.items() if p["cpu_samples"]}
    scheduled = [p["schedule_lag"] for p in procs.values() if p["schedule_lag"]["count"]]
    steals = [p["steal_ratio"] for p in busy.values() if p["steal_ratio"] is not None]
    cpu_process = max(busy, key=lambda name: busy[name]["cpu_ratio"], default=None)
    return {
        "process": cpu_process,
        "cpu_ratio": busy[cpu_process]["cpu_ratio"] if cpu_process else None,
        "loop_lag_p95_ms": max((p["lag"]["p95_ms"] for p in procs.values()), default=0.0),
        "loop_lag_max_ms": max((p["lag"]["max_ms"] for p in procs.values()), default=0.0),
        "schedule_lag_p95_ms": max((s["p95_ms"] for s in scheduled), default=None),
        "schedule_lag_max_ms": max((s["max_ms"] for s in scheduled), default=None),
        "schedule_waits": sum(int(s["count"]) for s in scheduled),
        "steal_ratio": max(steals, default=None),
    }


def metrics(summary: Mapping[str, Any]) -> dict[str, float]:
    """``load.generator.*`` figures that were measured (an unmeasured one is left out, never 0)."""
    figures = worst(summary)
    names = ("cpu_ratio", "loop_lag_p95_ms", "loop_lag_max_ms", "schedule_lag_p95_ms", "schedule_lag_max_ms",
             "steal_ratio")  # fmt: skip
    return {f"load.generator.{name}": float(figures[name]) for name in names if figures[name] is not None}


def checks(summary: Mapping[str, Any], limits: Limits, affects: tuple[str, ...]) -> list[ValidityCheck]:
    """One validity check per health figure, each detail naming the figure, its limit and its option."""
    w = worst(summary)
    return [
        _cpu(w, limits.cpu_ratio, affects),
        ValidityCheck(
            "generator-loop-lag", w["loop_lag_p95_ms"] <= limits.loop_lag_p95_ms,
            f"generator event-loop lag p95 {w['loop_lag_p95_ms']:.2f} ms, max {w['loop_lag_max_ms']:.1f} ms "
            f"(limit p95 {limits.loop_lag_p95_ms:g} ms, load option generator_loop_lag_p95_ms)", affects,
        ),
        _schedule(w, limits.schedule_lag_p95_ms, affects),
        _steal(w, limits.steal_ratio, affects),
    ]  # fmt: skip


def _cpu(w: Mapping[str, Any], limit: float, affects: tuple[str, ...]) -> ValidityCheck:
    if w["cpu_ratio"] is None:
        return ValidityCheck("generator-cpu", False, "the generator's CPU use was not sampled", affects)
    return ValidityCheck(
        "generator-cpu", w["cpu_ratio"] <= limit,
        f"generator CPU {w['cpu_ratio']:.0%} of a core over its busiest {WINDOW_SAMPLES} s (process {w['process']}; "
        f"limit {limit:.0%}, load option generator_cpu_ratio)", affects,
    )  # fmt: skip


def _schedule(w: Mapping[str, Any], limit: float, affects: tuple[str, ...]) -> ValidityCheck:
    if w["schedule_lag_p95_ms"] is None:
        # Nothing was scheduled: unpaced users, or paced ones whose tasks overran their pacing.
        detail = "no user had a wait left before its next task, so no schedule lateness was measured (the loop lag was)"
        return ValidityCheck("generator-schedule-lag", True, detail, affects)
    return ValidityCheck(
        "generator-schedule-lag", w["schedule_lag_p95_ms"] <= limit,
        f"users started their next task late by p95 {w['schedule_lag_p95_ms']:.2f} ms, max "
        f"{w['schedule_lag_max_ms']:.1f} ms over {w['schedule_waits']} waits (limit p95 {limit:g} ms, "
        "load option generator_schedule_lag_p95_ms)", affects,
    )  # fmt: skip


def _steal(w: Mapping[str, Any], limit: float, affects: tuple[str, ...]) -> ValidityCheck:
    if w["steal_ratio"] is None:
        detail = "CPU steal not reported on this host (no /proc/stat)"
        return ValidityCheck("generator-cpu-steal", True, detail, affects)
    return ValidityCheck(
        "generator-cpu-steal", w["steal_ratio"] <= limit,
        f"CPU steal {w['steal_ratio']:.1%} of the generator host's CPU time (limit {limit:.0%}, "
        "load option generator_steal_ratio)", affects,
    )  # fmt: skip
