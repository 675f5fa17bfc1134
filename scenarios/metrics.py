"""Locust event wiring: record every request into HDR histograms, merge workers, write the summary.

Runs inside the Locust process only (gevent). Workers drain their recorder into each
``report_to_master`` message; the master absorbs every ``worker_report`` and, on ``quit`` (after
Locust has collected the workers' final reports), writes ``summary.json``. A partial summary is
written every few seconds so an interrupted run keeps what it measured.

Every request of any Locust file counts under ``"<METHOD> <name>"`` (`recorder.endpoint_key`). A
request's ``context`` may say more, with plain Locust (no harness import needed):
``upload_class`` (an upload of that size class, timed apart from the HTTP figures), ``auth`` (a
login: a failed one voids the run's "authenticated" check) and ``pacing_ms`` (the user's constant
pacing, for the coordinated-omission correction). A request of type ``WS`` is a websocket round trip.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gevent
import psutil
from locust.env import Environment
from locust.runners import WORKER_REPORT_INTERVAL, MasterRunner, WorkerRunner
from locust.stats import RequestStats

from scenarios import hdr, summary
from scenarios.probes import AvailabilityProbe, CpuSampler, LoopLag, ScheduleLag, outages
from scenarios.profiles import Profile
from scenarios.recorder import HTTP, UPLOAD, WS, Recorder, endpoint_key, operation_of
from scenarios.shapes import ProfileShape
from vocabulary import atomic

PARTIAL_EVERY_S = 5
CLOSE_AFTER_S = 2 * WORKER_REPORT_INTERVAL + 2
"""Seconds after which a second is compacted (worker reports arrive every few seconds)."""
LOCUST_SECONDS_KEPT = 60
"""Seconds of Locust's own per-endpoint request and failure counts per second kept: Locust reads the
last 12 (its current rate); older ones only grew its memory, ~80 bytes per endpoint per second."""
LOCAL = "local"
WARM_MARKER = "warmup.done"
"""Written next to the summary when the warm-up ends, so the stage scrapes the target's
metrics baseline then and server-side figures exclude the warm-up too."""


@dataclasses.dataclass
class Collector:
    """This process's measurements and, on the master, everything merged from the workers."""

    env: Environment
    profile: Profile
    summary_path: Path | None
    ready_path: str = "/"
    """What the availability probe GETs (the target description's ``ready_path``)."""
    recorder: Recorder = dataclasses.field(default_factory=Recorder)
    lag: LoopLag = dataclasses.field(default_factory=LoopLag)
    cpu: CpuSampler = dataclasses.field(default_factory=CpuSampler)
    schedule: ScheduleLag = dataclasses.field(default_factory=ScheduleLag)
    probe: AvailabilityProbe | None = None
    generators: dict[str, summary.Generator] = dataclasses.field(default_factory=dict)
    users: list[summary.UserSample] = dataclasses.field(default_factory=list)
    sent_by_process: dict[str, int] = dataclasses.field(default_factory=dict)
    """Every request each worker reported (warm-up included): merged totals must equal their sum."""
    workers_connected: set[str] = dataclasses.field(default_factory=set)
    workers_missing: set[str] = dataclasses.field(default_factory=set)
    workers_final: set[str] = dataclasses.field(default_factory=set)
    """Workers whose report after their own stop arrived: their data is complete."""
    stopped: bool = False
    had_users: bool = False
    host_load: list[float] = dataclasses.field(default_factory=list)
    """1-minute load average per CPU, once a second: information only (validity judges the generator)."""
    started_at: float | None = None
    rss_mb: list[float] = dataclasses.field(default_factory=list)
    """This process's resident memory once a second (a soak must not grow it)."""
    _process: psutil.Process = dataclasses.field(default_factory=psutil.Process)
    knee_limits: tuple[float, float] = (100.0, 0.001)
    """p95 (ms) and error ratio above which a stress step is past the knee."""
    finished_at: float | None = None
    refresh_profile: Callable[[], Profile] | None = None
    """Re-reads the profile at each test start (the web UI can change it)."""
    _sampler: gevent.Greenlet | None = None

    @property
    def is_worker(self) -> bool:
        """True in a worker process (it reports to a master and writes nothing)."""
        return isinstance(self.env.runner, WorkerRunner)

    def on_request(
        self,
        request_type: str,
        name: str,
        response_time: float,
        response: Any = None,
        context: dict[str, Any] | None = None,
        exception: BaseException | None = None,
        start_time: float | None = None,
        url: str | None = None,
        **_: Any,
    ) -> None:
        """`events.request` listener: one finished request into the recorder (on every request of
        the run: named parameters, not ``kw.get``, and nothing recorded twice)."""
        self.schedule.started(start_time)
        at = (start_time or time.time()) + response_time / 1000
        upload_class = context.get("upload_class") if context else None
        family = WS if request_type == "WS" else UPLOAD if upload_class else HTTP
        error = None if exception is None else error_key(response, exception)
        if error is not None and context and context.get("auth"):
            # Counted apart so a run that lost its login can never pass as authenticated traffic.
            self.recorder.counters["auth_failures"] += 1
        if (getattr(response, "status_code", None) or 0) > 0:
            operation = operation_of(request_type, url or "", self.env.host or "")
            if operation is not None:
                self.recorder.saw(operation)
        self.recorder.record(
            endpoint_key(request_type, name),
            response_time,
            at=at,
            error=error,
            family=family,
            pacing_ms=context.get("pacing_ms") if context else None,
            upload_class=upload_class,
            in_window=self.started_at is not None and at >= self.started_at + self.profile.warmup_s,
        )

    def on_test_start(self, **_: Any) -> None:
        """Start the clocks, the generator-health greenlets and (not on workers) the probes."""
        if self.refresh_profile is not None:
            self.profile = self.refresh_profile()
        self.stopped = self.had_users = False
        self.recorder, self.users, self.started_at = Recorder(), [], time.time()
        self.lag.start()
        self.cpu.start()
        if not self.is_worker:
            self.probe = AvailabilityProbe(self.env.host or "", self.ready_path)
            self.probe.start()
            self._sampler = gevent.spawn(self._sample_loop)
            gevent.spawn_later(self.profile.warmup_s, self._mark_warm)

    def on_report_to_master(self, client_id: str, data: dict[str, Any]) -> None:
        """Worker side: attach everything since the last report (histograms encoded)."""
        users = self.env.runner.user_count if self.env.runner is not None else 0
        self.had_users = self.had_users or users > 0
        # Complete once its users are gone: after the stop, or at zero users in the drain stage.
        final = self.stopped or (self.had_users and users == 0)
        data["harness"] = {
            "rec": self.recorder.drain(),
            "lag": self.lag.drain(),
            "cpu": self.cpu.drain(),
            "schedule": self.schedule.drain(),
            "final": final,
        }

    def on_worker_report(self, client_id: str, data: dict[str, Any]) -> None:
        """Master side: merge one worker's report exactly."""
        payload = data.get("harness")
        if not payload:
            return
        self.workers_connected.add(client_id)
        if payload["final"]:
            self.workers_final.add(client_id)
        self.recorder.absorb(payload["rec"])
        sent = sum(sec["requests"] for sec in payload["rec"]["seconds"].values())
        self.sent_by_process[client_id] = self.sent_by_process.get(client_id, 0) + sent
        gen = self.generators.setdefault(client_id, summary.Generator())
        hdr.merge(gen.lag, [payload["lag"]])
        hdr.merge(gen.schedule, [payload["schedule"]])
        gen.cpu.extend(payload["cpu"])

    def on_test_stop(self, **_: Any) -> None:
        """Worker side: every later report carries the complete tail of this worker's data."""
        self.stopped = True

    def on_worker_connect(self, client_id: str, **_: Any) -> None:
        """Master side: remember every worker that joined."""
        self.workers_connected.add(client_id)

    def on_quit(self, **_: Any) -> None:
        """Stop the greenlets and write the final summary (master or local runner only)."""
        for looper in (self.lag, self.cpu, self.probe):
            if looper is not None:
                looper.stop()
        if not self.is_worker:
            # Set first: a sampler woken in the same hub iteration as its kill must not overwrite
            # the final summary with a partial one (seen once at the end of a peak run).
            self.finished_at = time.time()
        if self._sampler is not None:
            self._sampler.kill(block=False)
        if not self.is_worker:
            self.write(final=True)

    def _stopped_at_knee(self) -> float | None:
        shape = self.env.shape_class
        return shape.stopped_at_s if isinstance(shape, ProfileShape) else None

    def knee_reached(self) -> bool:
        """Whether the latest hold step measured so far broke the knee limits (asked by the shape)."""
        rows = summary.steps(self.recorder, self.users)
        if not rows:
            return False
        last = max(rows, key=lambda row: row["users"])
        p95_limit, error_limit = self.knee_limits
        return bool(last["p95_ms"] > p95_limit or last["error_ratio"] > error_limit)

    def _mark_warm(self) -> None:
        if self.summary_path is not None:
            atomic.write_text(self.summary_path.with_name(WARM_MARKER), f"{time.time()}\n")

    def sent_total(self) -> int:
        """Every request this recorder saw, warm-up included (the per-second series)."""
        return self.recorder.sent()

    def _sample_loop(self) -> None:
        shape = self.env.shape_class
        tick = 0
        while True:
            gevent.sleep(1.0)
            expected, hold, into = shape.expected_users() if isinstance(shape, ProfileShape) else (0, False, 0.0)
            runner = self.env.runner
            users = runner.user_count if runner is not None else 0
            now = time.time()
            self.users.append(summary.UserSample(now, users, expected, hold, into))
            self.recorder.flush()
            self.recorder.close_before(int(now - CLOSE_AFTER_S))
            prune_locust_seconds(self.env.stats, int(now) - LOCUST_SECONDS_KEPT)
            self.rss_mb.append(self._process.memory_info().rss / 2**20)
            self.host_load.append(psutil.getloadavg()[0] / (psutil.cpu_count() or 1))
            if isinstance(runner, MasterRunner):
                self.workers_missing.update(c.id for c in runner.clients.missing)
            tick += 1
            if tick % PARTIAL_EVERY_S == 0:
                self.write(final=False)

    def write(self, *, final: bool) -> None:
        """Atomically (re)write the summary file (once the run finished, only the final one)."""
        if self.summary_path is not None and (final or self.finished_at is None):
            atomic.write_json(self.summary_path, self.build(final=final))

    def build(self, *, final: bool) -> dict[str, Any]:
        """The summary of everything measured so far."""
        own = self.generators.setdefault(LOCAL, summary.Generator())
        hdr.merge(own.lag, [self.lag.drain()])
        hdr.merge(own.schedule, [self.schedule.drain()])
        own.cpu.extend(self.cpu.drain())
        started = self.started_at or time.time()
        finished = self.finished_at or time.time()
        window = max(finished - started - self.profile.warmup_s, 1e-9)
        return {
            "final": final,
            "profile": self.profile.to_dict(),
            "started_at": started,
            "finished_at": finished,
            "measured_s": window,
            "endpoints": {k: summary.endpoint_summary(ep, encoded=final) for k, ep in self.recorder.endpoints.items()},
            "http": summary.http_summary(self.recorder, window),
            **summary.families(self.recorder),
            "series": summary.series(self.recorder, self.users, started),
            "steps": summary.steps(self.recorder, self.users),
            "users": summary.users_summary(self.users, self.profile.requested_users),
            "generator": {
                "processes": {k: g.summary() for k, g in self.generators.items()},
                "distributed": isinstance(self.env.runner, MasterRunner),
                "host_load_per_cpu_max": max(self.host_load, default=0.0),
                "memory": summary.memory(self.rss_mb, self.profile.warmup_s),
                "requests_by_process": self.sent_by_process or {LOCAL: self.sent_total()},
                "workers_connected": sorted(self.workers_connected),
                "workers_missing": sorted(self.workers_missing),
                "workers_final": sorted(self.workers_final),
            },
            "availability": {**outages(self.probe.rows if self.probe else []), "path": self.ready_path},
            "stopped_at_knee_s": self._stopped_at_knee(),
            "counters": dict(self.recorder.counters),
            "operations": sorted(self.recorder.operations),
            "shape": self._shape(),
        }

    def _shape(self) -> dict[str, Any]:
        """Which LoadTestShape drove the users: the profile's, or one a Locust file brought."""
        shape = self.env.shape_class
        return {"name": type(shape).__name__ if shape else None, "profile": isinstance(shape, ProfileShape)}


def error_key(response: Any, exception: BaseException | None) -> str | None:
    """How a failure is counted: ``HTTP 500``, an exception name, or a semantic-check message."""
    if exception is None:
        return None
    status = getattr(response, "status_code", 0) or 0
    if status >= 400:
        return f"HTTP {status}"
    name = type(exception).__name__
    return f"{name}: {str(exception)[:80]}" if name == "CatchResponseError" else name


def prune_locust_seconds(stats: RequestStats, before: int) -> None:
    """Drop Locust's per-second counts of the seconds before ``before`` (every endpoint and the total)."""
    for entry in (*stats.entries.values(), stats.total):
        for per_second in (entry.num_reqs_per_sec, entry.num_fail_per_sec):
            for sec in [sec for sec in per_second if sec < before]:
                del per_second[sec]


def install(env: Environment, profile: Profile, summary_path: Path | None, ready_path: str = "/") -> Collector:
    """Create this process's collector and hook it onto Locust's events."""
    collector = Collector(env, profile, summary_path, ready_path)
    events = env.events
    hooks: list[tuple[Any, Any]] = [
        (events.request, collector.on_request),
        (events.test_start, collector.on_test_start),
        (events.report_to_master, collector.on_report_to_master),
        (events.worker_report, collector.on_worker_report),
        (events.worker_connect, collector.on_worker_connect),
        (events.test_stop, collector.on_test_stop),
        (events.quit, collector.on_quit),
    ]
    for hook, listener in hooks:
        hook.add_listener(listener)
    return collector
