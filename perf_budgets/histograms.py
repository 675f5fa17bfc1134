"""The load stage's recorded latency histograms, decoded: what the gate's statistics read.

The load stage keeps every endpoint's HdrHistogram in ``details["histograms"][endpoint]``
(``HdrHistogram.encode()``, base64) and their unit in ``details["histogram_unit"]`` (``"ms"`` default,
or ``"us"``). `significance` compares two runs' histograms; `distributions` gives the gate the samples
behind a percentile; reports draw them.
"""

from __future__ import annotations

import binascii
import functools
import logging
import types
import zlib
from collections.abc import Callable, Mapping
from typing import NamedTuple, TypeVar

import numpy as np
from hdrh.codec import HdrCookieException, HdrHistogramSettingsException, HdrLengthException
from hdrh.histogram import HdrHistogram

from vocabulary.records import StageResult

Counts = Mapping[float, int]
"""Latency value (bucket's representative value) → number of requests."""
Bucket = tuple[float, float, int]
"""One non-empty histogram bucket: its lowest and highest value (ms) and its count."""

_UNIT_TO_MS = {"ms": 1.0, "us": 0.001, "s": 1000.0}
_DECODE_ERRORS = (
    HdrCookieException,
    HdrLengthException,
    HdrHistogramSettingsException,
    zlib.error,
    binascii.Error,
    ValueError,
)

log = logging.getLogger(__name__)
T = TypeVar("T")


def decode_counts(encoded: str | bytes, unit: str = "ms") -> Counts:
    """Value → count (in milliseconds) from an ``HdrHistogram.encode()`` string (shared: read only)."""
    return _decoded_counts(encoded, unit)


def decode_buckets(encoded: str | bytes, unit: str = "ms") -> list[Bucket]:
    """The non-empty buckets (in milliseconds) of an ``HdrHistogram.encode()`` string."""
    arrays = _decoded_arrays(encoded, unit)
    return list(zip(arrays.lows.tolist(), arrays.highs.tolist(), arrays.counts.tolist(), strict=True))


class BucketArrays(NamedTuple):
    """The non-empty buckets of one histogram as three arrays (milliseconds; shared: read only)."""

    lows: np.ndarray
    highs: np.ndarray
    counts: np.ndarray


# Cached by the encoded text: the gate asks for the same histograms once per budgeted metric (and the
# regression test once per endpoint and run), and a run keeps ~100 of them.
@functools.lru_cache(maxsize=256)
def _decoded_arrays(encoded: str | bytes, unit: str) -> BucketArrays:
    """Reads the counts array directly, bucket bounds computed for all indices at once: hdrh's
    recorded-value iterator and its per-value bound lookups are pure Python, ~100x slower."""
    histogram = HdrHistogram.decode(encoded.encode() if isinstance(encoded, str) else encoded)
    counts = np.ctypeslib.as_array(histogram.counts)[: histogram.counts_len]
    index = np.flatnonzero(counts)
    low, high = bucket_bounds(histogram, index)
    scale = _UNIT_TO_MS[unit]
    # Rounded to well below the histogram's resolution: 0.001 * µs leaves binary noise behind.
    found = BucketArrays(np.round(low * scale, 9), np.round(high * scale, 9), counts[index].astype(np.int64))
    for array in found:
        array.flags.writeable = False
    return found


def bucket_bounds(histogram: HdrHistogram, index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The lowest and highest equivalent value of each counts-array ``index`` (hdrh's
    ``get_value_from_index``, ``get_lowest_equivalent_value`` and ``get_highest_equivalent_value``)."""
    half, half_magnitude = histogram.sub_bucket_half_count, histogram.sub_bucket_half_count_magnitude
    bucket = (index >> half_magnitude) - 1
    sub_bucket = (index & (half - 1)) + half
    first = bucket < 0
    sub_bucket[first] -= half
    bucket[first] = 0
    shift = bucket + histogram.unit_magnitude
    low = sub_bucket << shift
    return low.astype(np.float64), (low + (1 << shift) - 1).astype(np.float64)


@functools.lru_cache(maxsize=256)
def _decoded_counts(encoded: str | bytes, unit: str) -> Counts:
    # Each bucket's highest value → its count (buckets are disjoint: their highest values differ).
    arrays = _decoded_arrays(encoded, unit)
    return types.MappingProxyType(dict(zip(arrays.highs.tolist(), arrays.counts.tolist(), strict=True)))


def load_histograms(result: StageResult | None) -> dict[str, Counts]:
    """Every latency histogram a load result recorded, decoded to millisecond counts (shared: read only).

    An undecodable histogram is left out with a warning: that endpoint is not compared, and the
    gate (which needs a comparison for a regression budget) then judges it inconclusive.
    """
    return _load(result, _decoded_counts)


def load_buckets(result: StageResult | None) -> dict[str, list[Bucket]]:
    """Every latency histogram a load result recorded, as millisecond buckets (see `load_histograms`)."""
    return _load(result, decode_buckets)


def load_arrays(result: StageResult | None) -> dict[str, BucketArrays]:
    """`load_buckets` as arrays (shared: read only)."""
    return _load(result, _decoded_arrays)


def _load(result: StageResult | None, decode: Callable[[str | bytes, str], T]) -> dict[str, T]:
    if result is None:
        return {}
    encoded = result.details.get("histograms")
    if not isinstance(encoded, dict):
        return {}
    unit = str(result.details.get("histogram_unit", "ms"))
    found = {}
    for name, text in encoded.items():
        if not isinstance(text, str | bytes):
            log.warning("load histogram for %s is not an encoded HdrHistogram; not compared", name)
            continue
        try:
            found[name] = decode(text, unit)
        except _DECODE_ERRORS as exc:
            log.warning("load histogram for %s is not a valid HdrHistogram (%s); not compared", name, exc)
    return found
