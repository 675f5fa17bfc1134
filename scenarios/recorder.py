"""The load generator's own measurements: per-endpoint HDR histograms, errors, per-second series.

A `Recorder` lives in every Locust process. Workers `drain()` it into a plain dict for
`report_to_master`; the master `absorb()`s those dicts, so merged figures are exact
(histograms are added bucket by bucket, counters summed). No gevent or Locust here.
"""

from __future__ import annotations

import dataclasses
import functools
import urllib.parse
from collections import Counter
from collections.abc import Hashable, Iterable
from typing import Any

from hdrh.histogram import HdrHistogram

from scenarios import hdr

HTTP = "http"
WS = "ws"
UPLOAD = "upload"
SENT = {WS: "ws_sent", UPLOAD: "upload_sent"}
"""Counters of every request of these families, warm-up and failures included: a family nobody
sent is not applicable to the run, one sent but not measured is a missing figure."""
MAX_OPERATIONS = 2000
"""Distinct ``"METHOD /path"`` requests kept for API-operation coverage (a crawl of many ids stops there)."""
HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"})


def endpoint_key(request_type: str, name: str) -> str:
    """The endpoint a request counts under: ``"GET /books/[id]"``; a name that already starts with
    its method (``name="GET /books"``) keeps it once."""
    prefix = f"{request_type} "
    return name if name.startswith(prefix) else prefix + name


@functools.lru_cache(maxsize=4096)  # asked on every request: two URL parses, a hit costs far less
def operation_of(request_type: str, url: str, host: str) -> str | None:
    """``"GET /books/3"`` for an HTTP request to ``host`` (query dropped); None for anything else."""
    parts = urllib.parse.urlsplit(url)
    if request_type not in HTTP_METHODS or (parts.netloc and parts.netloc != urllib.parse.urlsplit(host).netloc):
        return None
    return f"{request_type} {parts.path or '/'}"


class Series:
    """Requests, failures and latencies that completed in one wall-clock second.

    Latencies wait in ``pending`` (a list append per request) and enter the histogram in one
    vectorised pass when it is read (`hdr.record_many`): the same counts, a fraction of the cost.
    """

    def __init__(self) -> None:
        self.requests = 0
        self.failures = 0
        self.pending: list[float] = []
        self._hist = hdr.new()

    @property
    def hist(self) -> HdrHistogram:
        """The second's histogram, pending latencies included."""
        self.flush()
        return self._hist

    def flush(self) -> None:
        """Move the pending latencies into the histogram."""
        if self.pending:
            pending, self.pending = self.pending, []
            hdr.record_many(self._hist, pending)

    def figures(self) -> tuple[int, int, float, float]:
        """Requests, failures, p50 and p95 (ms)."""
        hist = self.hist
        return self.requests, self.failures, hdr.percentile_ms(hist, 50), hdr.percentile_ms(hist, 95)


class Endpoint:
    """Everything measured for one request name (``"GET /books/[id]"``).

    ``corrected`` is ``raw`` plus the samples a paced user's stall hid (coordinated omission).
    Latencies wait in ``pending`` (paced ones also in ``pending_paced``) until either histogram is
    read, then enter both in one vectorised pass (`hdr.record_many`).
    """

    def __init__(self, family: str, upload_class: str | None = None) -> None:
        self.family = family
        self.upload_class = upload_class
        self.requests = 0
        self.failures = 0
        self.errors: Counter[str] = Counter()
        self.paced = False
        self.pending: list[float] = []
        self.pending_paced: list[tuple[float, float]] = []
        """(latency, pacing) in ms of paced requests, for the back-fill into ``corrected``."""
        self._raw = hdr.new()
        self._corrected = hdr.new()

    @property
    def raw(self) -> HdrHistogram:
        """Latency as measured, pending latencies included."""
        self.flush()
        return self._raw

    @raw.setter
    def raw(self, hist: HdrHistogram) -> None:
        self.flush()
        self._raw = hist

    @property
    def corrected(self) -> HdrHistogram:
        """Latency corrected for coordinated omission, pending latencies included."""
        self.flush()
        return self._corrected

    def flush(self) -> None:
        """Move the pending latencies into both histograms."""
        pending, paced = self.pending, self.pending_paced
        if pending:
            self.pending = []
            hdr.record_many(self._raw, pending)
            hdr.record_many(self._corrected, pending)
        if paced:
            self.pending_paced = []
            for ms, pacing_ms in paced:
                hdr.backfill(self._corrected, ms, pacing_ms)


@dataclasses.dataclass(frozen=True, slots=True)
class ClosedSecond:
    """A finished second, compacted: its figures and its histogram in encoded (compressed) form.

    An open histogram holds ~140 KB of counters; a soak keeps one per second, so an hour of open
    seconds would cost ~500 MB, the compacted form ~0.45 KB each (slots: no per-row ``__dict__``).
    """

    requests: int
    failures: int
    p50_ms: float
    p95_ms: float
    hist: str


class Recorder:
    """Collects samples in one process; drains to, and absorbs from, plain dicts."""

    def __init__(self) -> None:
        self.endpoints: dict[str, Endpoint] = {}
        self.seconds: dict[int, Series] = {}
        """Open seconds (still receiving samples)."""
        self.closed: dict[int, ClosedSecond] = {}
        self.counters: Counter[str] = Counter()
        self._merged: dict[Hashable, tuple[HdrHistogram, set[int]]] = {}
        """Per group of `merged_seconds`: its closed seconds added so far, and which they were."""
        self.operations: set[str] = set()
        """Concrete requests that got a response, for API-operation coverage (capped)."""

    def record(
        self,
        key: str,
        ms: float,
        *,
        at: float,
        error: str | None = None,
        family: str = HTTP,
        pacing_ms: float | None = None,
        upload_class: str | None = None,
        in_window: bool = True,
    ) -> None:
        """One finished request; outside the measurement window it only feeds the time series."""
        second = self.seconds.get(int(at))
        if second is None:
            # Not setdefault(…, Series()): that would allocate a histogram on every request.
            second = self._open(int(at))
        second.requests += 1
        second.failures += error is not None
        if family in SENT:
            self.counters[SENT[family]] += 1
        if family == HTTP:
            second.pending.append(ms)
        if not in_window:
            return
        ep = self.endpoints.get(key)
        if ep is None:
            ep = self.endpoints[key] = Endpoint(family, upload_class)
        ep.requests += 1
        if error is not None:
            ep.failures += 1
            ep.errors[error] += 1
        ep.pending.append(ms)
        if pacing_ms:
            # Coordinated omission: a paced user that waited on a stall skipped sends it owed.
            ep.pending_paced.append((ms, pacing_ms))
            ep.paced = True

    def saw(self, operation: str) -> None:
        """A concrete request that got a response (``"GET /books/3"``); past the cap it is only counted."""
        if operation in self.operations:
            return
        if len(self.operations) < MAX_OPERATIONS:
            self.operations.add(operation)
        else:
            self.counters["operations_dropped"] += 1

    def drain(self) -> dict[str, Any]:
        """Everything since the last drain as a msgpack-friendly dict; resets this recorder."""
        data = {
            "endpoints": {k: _endpoint_to_dict(ep) for k, ep in self.endpoints.items()},
            "seconds": {str(s): _series_to_dict(v) for s, v in self.seconds.items()},
            "counters": dict(self.counters),
            "operations": sorted(self.operations),
        }
        self.endpoints, self.seconds, self.counters, self.operations = {}, {}, Counter(), set()
        return data

    def absorb(self, data: dict[str, Any]) -> None:
        """Add a drained dict (from a worker or this process) into this recorder."""
        for key, raw in data.get("endpoints", {}).items():
            ep = self.endpoints.get(key)
            if ep is None:
                ep = self.endpoints[key] = Endpoint(raw["family"], raw["upload_class"])
            ep.requests += raw["requests"]
            ep.failures += raw["failures"]
            ep.errors.update(raw["errors"])
            hdr.merge(ep.raw, [raw["raw"]])
            hdr.merge(ep.corrected, [raw["corrected"]])
            ep.paced = ep.paced or raw["paced"]
        for sec, raw in data.get("seconds", {}).items():
            series = self.seconds.get(int(sec)) or self._open(int(sec))
            series.requests += raw["requests"]
            series.failures += raw["failures"]
            hdr.merge(series.hist, [raw["hist"]])
        self.counters.update(data.get("counters", {}))
        for operation in data.get("operations", ()):
            self.saw(operation)

    def flush(self) -> None:
        """Move every pending latency into its histograms (readers do it themselves; this bounds
        the pending lists of a run nobody reads for a while)."""
        for ep in self.endpoints.values():
            ep.flush()
        for series in self.seconds.values():
            series.flush()

    def close_before(self, second: int) -> None:
        """Compact every open second before ``second`` (a second is either open or closed)."""
        for sec in [sec for sec in self.seconds if sec < second]:
            series = self.seconds.pop(sec)
            self.closed[sec] = ClosedSecond(*series.figures(), hdr.encode(series.hist))

    def merged_seconds(self, group: Hashable, seconds: Iterable[int]) -> HdrHistogram:
        """One histogram of these seconds' latencies. A closed second is decoded and added once per
        ``group`` (a soak's hold step spans thousands of them and the summary is rewritten every few
        seconds, on the generator's event loop); open ones at each call."""
        closed_sum, done = self._merged.setdefault(group, (hdr.new(), set()))
        open_hists = []
        for sec in seconds:
            if sec in done:
                continue
            closed = self.closed.get(sec)
            if closed is not None:
                hdr.merge(closed_sum, [closed.hist])
                done.add(sec)
            elif (series := self.seconds.get(sec)) is not None:
                open_hists.append(series.hist)
        return hdr.merge(hdr.new(), [closed_sum, *open_hists])

    def _open(self, sec: int) -> Series:
        """A new open second; late samples for a closed one reopen it with what it had."""
        closed = self.closed.pop(sec, None)
        series = self.seconds[sec] = Series()
        if closed is not None:
            # Its figures are in some merged group already and will come back changed: start over.
            self._merged.clear()
            series.requests, series.failures = closed.requests, closed.failures
            hdr.merge(series.hist, [closed.hist])
        return series

    def sent(self) -> int:
        """Every request seen, warm-up included."""
        return sum(s.requests for s in self.seconds.values()) + sum(c.requests for c in self.closed.values())

    def per_second(self) -> dict[int, tuple[int, int, float, float]]:
        """Requests, failures, p50 and p95 (ms) of every second, open or closed."""
        out = {sec: (c.requests, c.failures, c.p50_ms, c.p95_ms) for sec, c in self.closed.items()}
        out.update({sec: series.figures() for sec, series in self.seconds.items()})
        return out

    def second_hist(self, sec: int) -> HdrHistogram | str | None:
        """One second's histogram (open) or its encoded form (closed); None if nothing happened."""
        series = self.seconds.get(sec)
        if series is not None:
            return series.hist
        closed = self.closed.get(sec)
        return closed.hist if closed is not None else None

    def family(self, family: str, *, corrected: bool) -> HdrHistogram:
        """One merged histogram over every endpoint of a family."""
        hists = [ep.corrected if corrected else ep.raw for ep in self.endpoints.values() if ep.family == family]
        return hdr.merge(hdr.new(), hists)


def _endpoint_to_dict(ep: Endpoint) -> dict[str, Any]:
    return {
        "family": ep.family,
        "requests": ep.requests,
        "failures": ep.failures,
        "errors": dict(ep.errors),
        "raw": hdr.encode(ep.raw),
        "corrected": hdr.encode(ep.corrected),
        "paced": ep.paced,
        "upload_class": ep.upload_class,
    }


def _series_to_dict(series: Series) -> dict[str, Any]:
    return {"requests": series.requests, "failures": series.failures, "hist": hdr.encode(series.hist)}
