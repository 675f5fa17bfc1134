"""HDR histograms for latency: one shape everywhere, exact merges, summaries in milliseconds.

Values are recorded in microseconds (1 µs … 60 s, 3 significant digits), so a reported
percentile is within 0.1 % of the exact one. Pure Python: imported by the locustfile *and*
by the harness process (no gevent here).
"""

from __future__ import annotations

import functools
import sys
import weakref
from collections.abc import Iterable, Sequence

import numpy as np
from hdrh.histogram import HdrHistogram

from perf_budgets.histograms import bucket_bounds

LOWEST_US = 1
HIGHEST_US = 60_000_000
SIGNIFICANT_DIGITS = 3
PERCENTILES: tuple[tuple[str, float], ...] = (
    ("p50", 50.0),
    ("p90", 90.0),
    ("p95", 95.0),
    ("p99", 99.0),
    ("p99_9", 99.9),
)


def new() -> HdrHistogram:
    """An empty latency histogram in microseconds."""
    return _acyclic(HdrHistogram(LOWEST_US, HIGHEST_US, SIGNIFICANT_DIGITS))


def _acyclic(hist: HdrHistogram) -> HdrHistogram:
    """``hist`` with its encoder pointing back at it weakly, so dropping it frees it at once.

    hdrh's histogram and its encoder refer to each other: a dropped histogram (~140 KB of counters:
    one per second of a run, more per partial summary) waited for a full garbage collection, which a
    busy generator runs every minute or so. Megabytes of dead histograms piled up in between and
    fragmented the heap, whose high-water mark a soak kept growing (tests/scenarios/test_memory.py).
    """
    hist.encoder.histogram = weakref.proxy(hist)
    return hist


def to_us(ms: float) -> int:
    """Milliseconds to a recordable microsecond value (clamped into the trackable range)."""
    return min(max(round(ms * 1000), LOWEST_US), HIGHEST_US)


def record(hist: HdrHistogram, ms: float, expected_interval_ms: float | None = None) -> None:
    """Record one latency; with an expected interval, back-fill the samples a stall hid."""
    if expected_interval_ms:
        hist.record_corrected_value(to_us(ms), to_us(expected_interval_ms))
    else:
        hist.record_value(to_us(ms))


def backfill(hist: HdrHistogram, ms: float, expected_interval_ms: float) -> None:
    """Only the samples `record` with an expected interval adds beyond the value itself (the
    sends a stall hid), for a histogram that gets the value itself elsewhere (`record_many`)."""
    value, interval = to_us(ms), to_us(expected_interval_ms)
    while value > interval:
        value -= interval
        hist.record_value(value)


def record_many(hist: HdrHistogram, ms: Sequence[float]) -> None:
    """Record many latencies at once: the same counts, total, min and max as `record` on each
    (rounding and clamping included), in one vectorised pass instead of ~2 µs of Python apiece."""
    if not ms:
        return
    us = np.clip(np.rint(np.asarray(ms, dtype=np.float64) * 1000), LOWEST_US, HIGHEST_US).astype(np.int64)
    index, added = np.unique(_index_of(us), return_counts=True)
    counts = _counts(hist)  # a view: the histogram's own counters, written in place
    counts[index] += added.astype(np.uint64)
    hist.total_count += len(us)
    hist.min_value = min(hist.min_value, int(us.min()))
    hist.max_value = max(hist.max_value, int(us.max()))


def _index_of(us: np.ndarray) -> np.ndarray:
    """hdrh's counts index of each value (its ``_counts_index_for``, vectorised)."""
    _, unit, half_mag, half_count = _shape()
    bucket = _bucket_of(us)
    index: np.ndarray = ((bucket + 1) << half_mag) + (us >> (bucket + unit)) - half_count
    return index


@functools.cache
def _shape() -> tuple[int, int, int, int]:
    ref = new()
    return ref.sub_bucket_mask, ref.unit_magnitude, ref.sub_bucket_half_count_magnitude, ref.sub_bucket_half_count


def reset(hist: HdrHistogram) -> None:
    """Empty a histogram in place (hdrh's ``reset`` zeroes its ~17k counters one by one in Python)."""
    _counts(hist)[:] = 0
    hist.total_count, hist.min_value, hist.max_value = 0, sys.maxsize, 0


def encode(hist: HdrHistogram) -> str:
    """The compressed, base64 form that travels from workers to the master."""
    data: bytes = hist.encode()
    return data.decode("ascii")


def decode(encoded: str) -> HdrHistogram:
    """A histogram rebuilt from `encode`'s output."""
    return _acyclic(HdrHistogram.decode(encoded.encode("ascii")))


def merge(into: HdrHistogram, others: Iterable[HdrHistogram | str]) -> HdrHistogram:
    """Add histograms (or their encoded forms) into ``into``; exact, bucket by bucket."""
    for other in others:
        if isinstance(other, str):
            other = decode(other)
        if other.get_total_count():
            into.add(other)
    return into


def percentile_ms(hist: HdrHistogram, percentile: float) -> float:
    """One percentile in milliseconds (0.0 for an empty histogram)."""
    return _percentiles(hist, (percentile,))[0]


def summarize(hist: HdrHistogram) -> dict[str, float]:
    """Count, mean, p50 … p99.9 and max in milliseconds (one vectorised pass over the counts)."""
    count = hist.get_total_count()
    values = _percentiles(hist, tuple(pct for _, pct in PERCENTILES))
    out: dict[str, float] = {"count": float(count)}
    out.update({f"{name}_ms": v for (name, _), v in zip(PERCENTILES, values, strict=True)})
    out["max_ms"] = float(hist.get_max_value()) / 1000.0 if count else 0.0
    out["mean_ms"] = _mean_ms(hist) if count else 0.0
    return out


@functools.cache
def _index_values() -> tuple[np.ndarray, np.ndarray]:
    """Per counts-array index: the bucket's highest equivalent value and its midpoint (µs).

    hdrh's own percentile and mean loops are pure Python over ~17k buckets; the mapping from
    index to value is the same for every histogram of our shape, so compute it once (vectorised:
    hdrh's ``get_value_from_index`` and ``get_lowest/highest_equivalent_value`` took ~0.3 s of the
    generator's event loop at its first summary).
    """
    ref = new()
    lowest, highest = bucket_bounds(ref, np.arange(ref.counts_len, dtype=np.int64))
    return highest, lowest + np.floor((highest - lowest + 1) / 2)


def _bucket_of(us: np.ndarray) -> np.ndarray:
    """hdrh's ``_get_bucket_index`` of each value."""
    mask, unit, half_mag, _ = _shape()
    # The bit length of ``us | mask`` (exact: every value < 2**53 is a float64 without rounding).
    bucket: np.ndarray = np.frexp((us | mask).astype(np.float64))[1] - unit - (half_mag + 1)
    return bucket


def _percentiles(hist: HdrHistogram, percentiles: tuple[float, ...]) -> list[float]:
    """HdrHistogram's percentile definition (first bucket whose cumulative count reaches the
    target, reported as the bucket's highest equivalent value), vectorised, in ms."""
    total = hist.get_total_count()
    if not total:
        return [0.0 for _ in percentiles]
    cumulative = np.cumsum(_counts(hist))
    highest, _ = _index_values()
    out = []
    for pct in percentiles:
        target = max(int(min(pct, 100.0) * total / 100 + 0.5), 1)
        index = int(np.searchsorted(cumulative, target, side="left"))
        out.append(float(highest[index]) / 1000.0)
    return out


def _counts(hist: HdrHistogram) -> np.ndarray:
    return np.frombuffer(hist.counts, dtype=np.uint64)


def _mean_ms(hist: HdrHistogram) -> float:
    counts = _counts(hist).astype(np.float64)
    _, mid = _index_values()
    # Elementwise, not np.dot: BLAS threads cost milliseconds on a busy machine.
    return float((counts * mid).sum() / counts.sum()) / 1000.0
