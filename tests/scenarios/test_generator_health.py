"""Validity judges the generator, not its neighbours: its CPU, event-loop lag, schedule lag and CPU steal.

Unit tests on the figures the Locust processes record (built through the same `summary.Generator`
the collector uses); the real runs beside CPU hogs are in ``test_generator_health_runs.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from scenarios import generator_health, hdr
from scenarios.adapter import PACED
from scenarios.probes import ScheduleLag, host_steal_ticks
from scenarios.stage_options import OPTIONS
from scenarios.summary import Generator
from vocabulary.records import ValidityCheck

IDLE = [[1.0, 0.05, 0.0, 200.0]] * 20
"""Twenty one-second samples of a generator using 5 % of a core on a host with no steal."""


def summary_of(*processes: Generator, host_load: float = 0.0) -> dict[str, Any]:
    """The ``generator`` part of a collector summary for these processes (the first one is the master)."""
    names = ["local", *(f"worker-{n}" for n in range(1, len(processes)))]
    return {"generator": {
        "processes": {name: gen.summary() for name, gen in zip(names, processes, strict=True)},
        "host_load_per_cpu_max": host_load,
    }}  # fmt: skip


def process(cpu: Sequence[list[float]] = IDLE, lag_ms: Sequence[float] = (0.2,) * 200,
            schedule_ms: Sequence[float] = ()) -> Generator:  # fmt: skip
    """One Locust process's recorded health."""
    gen = Generator(cpu=list(cpu))
    for ms in lag_ms:
        hdr.record(gen.lag, ms)
    for ms in schedule_ms:
        hdr.record(gen.schedule, ms)
    return gen


def judged(summary: dict[str, Any], limits: generator_health.Limits | None = None) -> dict[str, ValidityCheck]:
    checks = generator_health.checks(summary, limits or generator_health.Limits(), PACED)
    return {check.name: check for check in checks}


def test_a_busy_host_with_a_healthy_generator_is_valid() -> None:
    # Load average 3 per CPU (the old host-not-saturated rule failed at 1.5), generator on time.
    summary = summary_of(process(schedule_ms=[0.4] * 300), host_load=3.0)
    checks = judged(summary)
    assert set(checks) == {"generator-cpu", "generator-loop-lag", "generator-schedule-lag", "generator-cpu-steal"}
    assert all(check.ok for check in checks.values()), [c.detail for c in checks.values()]
    assert all(check.affects == PACED for check in checks.values())
    assert checks["generator-cpu"].detail.startswith("generator CPU 5% of a core over its busiest 10 s")


def test_a_late_event_loop_makes_latency_inconclusive_naming_the_figure() -> None:
    checks = judged(summary_of(process(lag_ms=[0.3] * 90 + [40.0] * 10)))
    lag = checks["generator-loop-lag"]
    assert not lag.ok
    assert "lag p95 40.03 ms, max 40.0 ms (limit p95 25 ms, load option generator_loop_lag_p95_ms)" in lag.detail


def test_the_worst_process_decides_and_is_named() -> None:
    hot = [[1.0, 0.95, 0.0, 200.0]] * 12
    cpu = judged(summary_of(process(), process(), process(cpu=hot)))["generator-cpu"]
    assert not cpu.ok
    assert "CPU 95% of a core" in cpu.detail and "process worker-2" in cpu.detail


def test_cpu_is_judged_over_the_busiest_ten_seconds_not_the_whole_run() -> None:
    burst = IDLE + [[1.0, 1.0, 0.0, 200.0]] * 10 + IDLE
    figures = generator_health.cpu_figures(burst)
    assert figures["cpu_ratio"] == pytest.approx(1.0)
    assert figures["cpu_ratio_mean"] == pytest.approx((40 * 0.05 + 10) / 50)
    assert generator_health.cpu_figures(IDLE[:3])["cpu_ratio"] == pytest.approx(0.05), "a short run: all of it"


def test_users_starting_late_against_their_schedule_fail_the_schedule_check() -> None:
    checks = judged(summary_of(process(schedule_ms=[1.0] * 80 + [40.0] * 20)))
    late = checks["generator-schedule-lag"]
    assert not late.ok and "p95 40.0" in late.detail and "over 100 waits" in late.detail


def test_no_waiting_users_leave_the_schedule_check_to_the_loop_lag() -> None:
    checks = judged(summary_of(process(schedule_ms=())))
    assert checks["generator-schedule-lag"].ok and "no user had a wait left" in checks["generator-schedule-lag"].detail
    assert "load.generator.schedule_lag_p95_ms" not in generator_health.metrics(summary_of(process()))


def test_cpu_steal_counts_when_the_host_reports_it() -> None:
    stolen = [[1.0, 0.05, 30.0, 200.0]] * 20
    checks = judged(summary_of(process(cpu=stolen)))
    assert not checks["generator-cpu-steal"].ok and "CPU steal 15.0%" in checks["generator-cpu-steal"].detail
    unknown = judged(summary_of(process(cpu=[[1.0, 0.05, 0.0, 0.0]] * 5)))["generator-cpu-steal"]
    assert unknown.ok and "not reported" in unknown.detail


def test_limits_are_load_options_with_documented_defaults() -> None:
    declared = {option.name: option.default for option in OPTIONS if option.name.startswith("generator_")}
    assert declared == {"generator_cpu_ratio": 0.9, "generator_loop_lag_p95_ms": 25.0,
                        "generator_schedule_lag_p95_ms": 25.0, "generator_steal_ratio": 0.1}  # fmt: skip
    late = summary_of(process(lag_ms=[30.0] * 100))
    assert not judged(late)["generator-loop-lag"].ok
    relaxed = generator_health.Limits.from_options({"generator_loop_lag_p95_ms": 50, "users": 5})
    assert relaxed == generator_health.Limits(loop_lag_p95_ms=50.0)
    assert judged(late, relaxed)["generator-loop-lag"].ok


def test_metrics_publish_the_worst_measured_figures() -> None:
    out = generator_health.metrics(summary_of(process(schedule_ms=[2.0] * 10, lag_ms=[1.0] * 50 + [4.0])))
    assert out["load.generator.cpu_ratio"] == pytest.approx(0.05)
    assert out["load.generator.loop_lag_p95_ms"] == pytest.approx(1.0, abs=0.01)
    assert out["load.generator.loop_lag_max_ms"] == pytest.approx(4.0, abs=0.01)
    assert out["load.generator.schedule_lag_p95_ms"] == pytest.approx(2.0, abs=0.01)
    assert out["load.generator.steal_ratio"] == 0.0


def test_steal_ticks_come_from_the_first_line_of_proc_stat(tmp_path: Path) -> None:
    stat = tmp_path / "stat"
    stat.write_text("cpu  685398 33938 122974 1438075 2803 0 2899 421 7 0\ncpu0 1 2 3 4 5 6 7 8 9 10\n")
    assert host_steal_ticks(stat) == (421.0, 685398 + 33938 + 122974 + 1438075 + 2803 + 2899 + 421)
    assert host_steal_ticks(tmp_path / "absent") == (0.0, 0.0)


class Paced:
    """A user class as Locust files declare them (``wait_time`` is a plain function)."""

    def wait_time(self) -> float:
        return 0.2


class Busy(Paced):
    def wait_time(self) -> float:
        return 0.0


def test_schedule_lag_observes_wait_time_without_changing_it() -> None:
    lag = ScheduleLag()
    lag.watch([Paced, Busy])
    lag.watch([Paced])
    user = Paced()
    assert user.wait_time() == 0.2, "the user's own value, unchanged"
    due = lag.due[next(iter(lag.due))]
    lag.started(due + 0.005)
    lag.started(due + 1.0)  # a second request of the same task: not a task start
    assert lag.hist.get_total_count() == 1 and hdr.percentile_ms(lag.hist, 50) == pytest.approx(5.0, abs=0.01)
    assert Busy().wait_time() == 0.0 and not lag.due, "a zero wait promises no time"
    original = getattr(Paced.wait_time, "__wrapped__", None)
    assert original is not None and not hasattr(original, "__wrapped__"), "watched once"
