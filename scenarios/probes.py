"""Greenlets that watch the target and the generator itself while the swarm runs.

- `AvailabilityProbe`: one ``GET <ready path>`` per second on a fresh connection of its own, so a
  stalled user pool never hides (or causes) an outage; any 2xx or 3xx answer counts as up.
- `LoopLag`: how late the gevent hub wakes a sleeping greenlet; a saturated generator measures
  its own scheduling delay instead of the target, and CPU alone does not show it.
- `CpuSampler`: this process's CPU percent once a second (psutil).
"""

from __future__ import annotations

import dataclasses
import http.client
import time
import urllib.parse
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
        encoded = hdr.encode(self.hist)
        self.hist.reset()
        return encoded


@dataclasses.dataclass
class CpuSampler(_Looper):
    """Samples this process's CPU percent once a second."""

    samples: list[float] = dataclasses.field(default_factory=list)
    def _loop(self) -> None:
        proc = psutil.Process()
        proc.cpu_percent(None)
        while True:
            gevent.sleep(1.0)
            self.samples.append(proc.cpu_percent(None))

    def drain(self) -> list[float]:
        """Samples since the last drain."""
        out, self.samples = self.samples, []
        return out


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
