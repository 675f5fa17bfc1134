"""HDR histograms for latency: one shape everywhere, exact merges, summaries in milliseconds.

Values are recorded in microseconds (1 µs … 60 s, 3 significant digits), so a reported
percentile is within 0.1 % of the exact one. Pure Python: imported by the locustfile *and*
by the harness process (no gevent here).
"""

from __future__ import annotations

from collections.abc import Iterable

from hdrh.histogram import HdrHistogram

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
    return HdrHistogram(LOWEST_US, HIGHEST_US, SIGNIFICANT_DIGITS)


def to_us(ms: float) -> int:
    """Milliseconds to a recordable microsecond value (clamped into the trackable range)."""
    return min(max(round(ms * 1000), LOWEST_US), HIGHEST_US)


def record(hist: HdrHistogram, ms: float, expected_interval_ms: float | None = None) -> None:
    """Record one latency; with an expected interval, back-fill the samples a stall hid."""
    if expected_interval_ms:
        hist.record_corrected_value(to_us(ms), to_us(expected_interval_ms))
    else:
        hist.record_value(to_us(ms))


def encode(hist: HdrHistogram) -> str:
    """The compressed, base64 form that travels from workers to the master."""
    data: bytes = hist.encode()
    return data.decode("ascii")


def decode(encoded: str) -> HdrHistogram:
    """A histogram rebuilt from `encode`'s output."""
    hist: HdrHistogram = HdrHistogram.decode(encoded.encode("ascii"))
    return hist


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
    if not hist.get_total_count():
        return 0.0
    return float(hist.get_value_at_percentile(percentile)) / 1000.0


def summarize(hist: HdrHistogram) -> dict[str, float]:
    """Count, mean, p50 … p99.9 and max in milliseconds."""
    count = hist.get_total_count()
    out: dict[str, float] = {"count": float(count)}
    for name, pct in PERCENTILES:
        out[f"{name}_ms"] = percentile_ms(hist, pct)
    out["max_ms"] = float(hist.get_max_value()) / 1000.0 if count else 0.0
    out["mean_ms"] = float(hist.get_mean_value()) / 1000.0 if count else 0.0
    return out
