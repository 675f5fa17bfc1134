"""The load bench's locustfile: one static GET, plain Locust or with the harness's instrumentation.

``BENCH_MODE=plain``: a bare `FastHttpUser`. ``BENCH_MODE=instrumented``: the same request with a
semantic check (``catch_response``, as the marketplace users do) and the harness `Collector`
(HDR histograms per request, event-loop lag, CPU, availability probe) writing
``BENCH_SUMMARY``. ``BENCH_SAMPLES`` additionally dumps every response time (for the accuracy
check: exact percentiles vs ours). ``BENCH_THINK=1,3`` sets a think time (default none);
``BENCH_WARMUP_S`` the warm-up after which memory growth is measured (default 0). ``BENCH_PROBE``
(both modes) receives the loop lag and, once a second, requests, CPU seconds and users. ``BENCH_CPU``
(both modes) receives the process's CPU seconds from test start to stop, so the cost per request
is compared too (throughput alone follows whatever share of the core a shared machine leaves).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import gevent
from locust import FastHttpUser, between, constant, events, task
from locust.env import Environment

from scenarios import metrics, plugin
from scenarios.profiles import Profile, Stage

MODE = os.environ.get("BENCH_MODE", "plain")
THINK = tuple(float(x) for x in os.environ.get("BENCH_THINK", "0,0").split(","))
PATH = os.environ.get("BENCH_PATH", "/index.html")
SAMPLES: list[float] = []
CPU_AT_START: list[float] = []
PROBE: dict[str, list[Any]] = {"lag_ms": [], "requests": []}


class Static(FastHttpUser):
    """GETs one static page as fast as its think time allows."""

    wait_time = between(*THINK) if THINK[1] > 0 else constant(0)

    @task
    def page(self) -> None:
        """One GET; instrumented mode checks the status like the harness's users do."""
        if MODE == "plain":
            self.client.get(PATH)
            return
        with self.client.get(PATH, catch_response=True) as resp:
            if resp.status_code != 200:
                resp.failure(f"expected HTTP 200, got {resp.status_code}")


@events.init.add_listener  # type: ignore[untyped-decorator]
def _on_init(environment: Environment, **_: Any) -> None:
    if MODE == "instrumented":
        warmup_s = float(os.environ.get("BENCH_WARMUP_S", "0"))
        profile = Profile("bench", (Stage(1e9, 0, 1, hold=False),), warmup_s=warmup_s)
        summary = os.environ.get("BENCH_SUMMARY")
        plugin.tune_process(environment)  # as `scenarios.plugin.on_init` does
        collector = metrics.install(environment, profile, Path(summary) if summary else None)
        collector.schedule.watch(environment.user_classes)
    if os.environ.get("BENCH_SAMPLES"):
        environment.events.request.add_listener(_keep_sample)  # type: ignore[no-untyped-call]


def _keep_sample(response_time: float, **_: Any) -> None:
    SAMPLES.append(response_time)


@events.test_start.add_listener  # type: ignore[untyped-decorator]
def _on_test_start(environment: Environment, **_: Any) -> None:
    CPU_AT_START.append(time.process_time())
    if os.environ.get("BENCH_PROBE"):
        gevent.spawn(_probe, environment)


def _probe(environment: Environment) -> None:
    """Generator health seen the same way in both modes: how late a 50 ms sleep wakes (as
    `probes.LoopLag` measures it), and about once a second Locust's request count, this process's
    CPU seconds and its users (so the steady state's figures exclude the ramp)."""
    started, lags, counts = time.time(), PROBE["lag_ms"], PROBE["requests"]
    while True:
        for _ in range(20):
            before = time.perf_counter()
            gevent.sleep(0.05)
            lags.append((time.time() - started, (time.perf_counter() - before - 0.05) * 1000))
        runner = environment.runner
        assert runner is not None
        counts.append((time.time() - started, runner.stats.total.num_requests, time.process_time(), runner.user_count))


@events.test_stop.add_listener  # type: ignore[untyped-decorator]
def _on_test_stop(**_: Any) -> None:
    path = os.environ.get("BENCH_CPU")
    if path and CPU_AT_START:
        Path(path).write_text(json.dumps({"cpu_s": time.process_time() - CPU_AT_START[0]}))


@events.quit.add_listener  # type: ignore[untyped-decorator]
def _on_quit(**_: Any) -> None:
    path = os.environ.get("BENCH_SAMPLES")
    if path:
        Path(path).write_text(json.dumps(SAMPLES))
    probe = os.environ.get("BENCH_PROBE")
    if probe:
        Path(probe).write_text(json.dumps(PROBE))
