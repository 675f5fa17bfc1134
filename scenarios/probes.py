"""Greenlets that watch the target and the generator itself while the swarm runs.

- `AvailabilityProbe`: one ``GET <ready path>`` per second on a fresh connection of its own, so a
  stalled user pool never hides (or causes) an outage; any 2xx or 3xx answer counts as up.
- `LoopLag`: how late the gevent hub wakes a sleeping greenlet; a saturated generator measures
  its own scheduling delay instead of the target, and CPU alone does not show it.
- `CpuSampler`: this process's CPU time and the host's CPU steal, once a second.
- `ScheduleLag`: how late users that wait between tasks start the next one.
"""

from __future__ import annotations

import dataclasses
import functools
import http.client
import inspect
import time
import types
import urllib.parse
import weakref
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import gevent
import psutil
from hdrh.histogram import HdrHistogram

from scenarios import hdr

PROBE_TIMEOUT_S = 2.0
LAG_INTERVAL_S = 0.05


class _Looper:
    """A background greenlet running ``_loop`` until stopped."""

    _greenlet: gevent.Greenlet | None = None

    def start(self) -> None:
        """Begin in the background."""
        self._greenlet = gevent.spawn(self._loop)

    def stop(self) -> None:
        """Stop (idempotent)."""
        if self._greenlet is not None:
            self._greenlet.kill(block=False)
            self._greenlet = None

    def _loop(self) -> None:
        raise NotImplementedError


@dataclasses.dataclass
class AvailabilityProbe(_Looper):
    """Probes ``<host><path>`` once a second until stopped; keeps one row per probe."""

    host: str
    path: str = "/"
    rows: list[tuple[float, bool, float]] = dataclasses.field(default_factory=list)

    def _loop(self) -> None:
        while True:
            started = time.time()
            ok = self.probe_once()
            self.rows.append((started, ok, (time.time() - started) * 1000))
            gevent.sleep(max(0.0, 1.0 - (time.time() - started)))

    def probe_once(self) -> bool:
        """One readiness check on a new connection (2xx or 3xx is up); any network error counts as down."""
        url = urllib.parse.urlsplit(self.host)
        cls = http.client.HTTPSConnection if url.scheme == "https" else http.client.HTTPConnection
        conn = cls(url.hostname or "127.0.0.1", url.port, timeout=PROBE_TIMEOUT_S)
        try:
            conn.request("GET", self.path)
            return 200 <= conn.getresponse().status < 400
        except (OSError, http.client.HTTPException):
            return False
        finally:
            conn.close()


@dataclasses.dataclass
class LoopLag(_Looper):
    """Records the hub's wake-up delay every 50 ms into an HDR histogram."""

    hist: HdrHistogram = dataclasses.field(default_factory=hdr.new)

    def _loop(self) -> None:
        while True:
            started = time.perf_counter()
            gevent.sleep(LAG_INTERVAL_S)
            late_ms = (time.perf_counter() - started - LAG_INTERVAL_S) * 1000
            hdr.record(self.hist, max(late_ms, 0.001))

    def drain(self) -> str:
        """The encoded histogram since the last drain; resets it."""
        return _drain(self.hist)


def _drain(hist: HdrHistogram) -> str:
    encoded = hdr.encode(hist)
    hdr.reset(hist)
    return encoded


@dataclasses.dataclass
class CpuSampler(_Looper):
    """Once a second: wall seconds, this process's CPU seconds, and the host's stolen and total CPU
    ticks since the previous sample (`scenarios.generator_health.cpu_figures` reads them)."""

    samples: list[list[float]] = dataclasses.field(default_factory=list)

    def _loop(self) -> None:
        proc = psutil.Process()
        last = _cpu_reading(proc)
        while True:
            gevent.sleep(1.0)
            now = _cpu_reading(proc)
            self.samples.append([b - a for a, b in zip(last, now, strict=True)])
            last = now

    def drain(self) -> list[list[float]]:
        """Samples since the last drain."""
        out, self.samples = self.samples, []
        return out


def _cpu_reading(proc: psutil.Process) -> tuple[float, float, float, float]:
    times = proc.cpu_times()
    return (time.perf_counter(), times.user + times.system, *host_steal_ticks())


def host_steal_ticks(stat: Path = Path("/proc/stat")) -> tuple[float, float]:
    """The host's stolen and total CPU ticks since boot (``0, 0`` where the kernel does not say)."""
    try:
        fields = stat.read_text(encoding="ascii").split("\n", 1)[0].split()
    except OSError:
        return 0.0, 0.0
    # cpu user nice system idle iowait irq softirq steal guest guest_nice: guest time is already
    # inside user and nice, so the total stops at steal.
    ticks = [float(v) for v in fields[1:9]]
    return (ticks[7], sum(ticks)) if fields[:1] == ["cpu"] and len(ticks) == 8 else (0.0, 0.0)


@dataclasses.dataclass
class ScheduleLag:
    """How late users that wait between tasks start the next one, against the time their wait promised.

    Locust has no task-start event, so `watch` wraps each user class's ``wait_time`` in an
    observer that returns the very same value and notes when the user is due (per greenlet); the
    first request that greenlet starts afterwards is the task's start (so whatever a task does before
    its first request counts as late too: normally microseconds). A zero wait promises no time, and
    ``wait_time`` methods of TaskSets are not wrapped (their users show in the loop lag).
    """

    due: weakref.WeakKeyDictionary[Any, float] = dataclasses.field(default_factory=weakref.WeakKeyDictionary)
    pending: list[float] = dataclasses.field(default_factory=list)
    """Lateness (ms) not yet in the histogram (a list append per task; `hist` records them in one pass)."""
    _hist: HdrHistogram = dataclasses.field(default_factory=hdr.new)

    @property
    def hist(self) -> HdrHistogram:
        """How late tasks started (ms), pending samples included."""
        pending, self.pending = self.pending, []
        hdr.record_many(self._hist, pending)
        return self._hist

    def watch(self, user_classes: Iterable[type]) -> None:
        """Observe the ``wait_time`` of these classes (a plain function each; others are left alone)."""
        for cls in user_classes:
            wait_time = inspect.getattr_static(cls, "wait_time", None)
            if isinstance(wait_time, types.FunctionType) and not hasattr(wait_time, "__harness_due__"):
                cls.wait_time = self._observed(wait_time)  # type: ignore[attr-defined]

    def _observed(self, wait_time: Callable[..., float]) -> Callable[..., float]:
        @functools.wraps(wait_time)
        def observed(user: Any) -> float:
            seconds = wait_time(user)
            if seconds > 0:
                self.due[gevent.getcurrent()] = time.time() + seconds
            return seconds

        observed.__harness_due__ = True  # type: ignore[attr-defined]
        return observed

    def started(self, start_time: float | None) -> None:
        """A request started (Locust's ``start_time``, wall clock) in the current greenlet."""
        if not self.due:
            return  # nobody is waiting (unpaced users): the common case, no lookup
        due = self.due.pop(gevent.getcurrent(), None)
        if due is not None and start_time is not None:
            self.pending.append(max((start_time - due) * 1000, 0.001))

    def drain(self) -> str:
        """The encoded histogram since the last drain; resets it."""
        return _drain(self.hist)


def outages(rows: list[tuple[float, bool, float]]) -> dict[str, Any]:
    """Availability ratio and the longest run of failed probes, in seconds."""
    if not rows:
        return {"probes": 0, "ok": 0, "ratio": 0.0, "longest_outage_s": 0.0}
    longest, down_since = 0.0, None
    for at, ok, _ in rows:
        if not ok and down_since is None:
            down_since = at
        elif ok and down_since is not None:
            longest, down_since = max(longest, at - down_since), None
    if down_since is not None:
        longest = max(longest, rows[-1][0] + 1.0 - down_since)
    ok_count = sum(1 for _, ok, _ in rows if ok)
    return {
        "probes": len(rows),
        "ok": ok_count,
        "ratio": ok_count / len(rows),
        "longest_outage_s": longest,
    }
