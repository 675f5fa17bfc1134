"""The samples behind a load percentile: the gate's ``distribution`` hook (`perf_budgets.sample_size`).

The load stage keeps every endpoint's coordinated-omission corrected HDR histogram in
``details["histograms"]`` and each endpoint's ``family``, ``upload_class`` and ``paced`` flag in
``details["endpoints"]``; each latency percentile it publishes is computed from a merge of them, so
the gate gets exactly the samples behind the value:

| metric | samples |
|---|---|
| ``load.http.<pNN>_ms`` | every ``http`` endpoint |
| ``load.endpoint["<key>"].<pNN>_ms`` | that endpoint |
| ``load.ws.<pNN>_ms`` | the ``ws`` endpoints that measured a round trip |
| ``load.upload["<class>"].<pNN>_s`` | the ``upload`` endpoints of that size class |

Websocket and upload percentiles are taken from the uncorrected histograms, which equal the
corrected ones only for unpaced users: a paced websocket or upload endpoint gives no samples here,
and neither does any other metric (the gate then judges on a published count, or the value alone).
A corrected histogram's count includes the samples it back-filled for a stall: they are what
scheduled users would have met, and they only ever raise a percentile.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np

from perf_budgets.histograms import BucketArrays, load_arrays
from perf_budgets.percentiles import Samples, quantile_of
from vocabulary.records import StageResult

_ENDPOINT = re.compile(r'^load\.endpoint\["(?P<key>.+)"\]\.[^.]+_ms$')
_UPLOAD = re.compile(r'^load\.upload\["(?P<size>.+)"\]\.[^.]+_s$')
_HTTP = re.compile(r"^load\.http\.[^.]+_ms$")
_WS = re.compile(r"^load\.ws\.[^.]+_ms$")

Endpoint = dict[str, Any]
"""One row of the load result's ``details["endpoints"]``."""


class RecordedSamples:
    """``distribution(metric, result)`` for the gate; decodes each load result's histograms once."""

    def __init__(self) -> None:
        self._decoded: dict[int, tuple[StageResult, dict[str, BucketArrays]]] = {}

    def __call__(self, metric: str, result: StageResult) -> Samples | None:
        """The samples ``metric`` was computed from, in its unit; None when not recorded."""
        source = _source(metric) if result.stage == "load" and quantile_of(metric) is not None else None
        if source is None:
            return None
        pick, raw = source
        rows = [row for row in result.details.get("endpoints", ()) if isinstance(row, dict) and pick(row)]
        buckets = self._buckets(result)
        if not rows or any(str(row.get("name")) not in buckets or (raw and row.get("paced", True)) for row in rows):
            return None
        scale = 0.001 if metric.endswith("_s") else 1.0
        picked = [buckets[str(row["name"])] for row in rows]
        lows, highs, counts = (np.concatenate([arrays[i] for arrays in picked]) for i in range(3))
        return Samples.from_arrays(lows * scale, highs * scale, counts)

    def _buckets(self, result: StageResult) -> dict[str, BucketArrays]:
        # Keyed by identity (a result is not hashable); the result is kept so its id stays its own.
        if id(result) not in self._decoded:
            self._decoded[id(result)] = (result, load_arrays(result))
        return self._decoded[id(result)][1]


def _source(metric: str) -> tuple[Callable[[Endpoint], bool], bool] | None:
    """The endpoint rows a metric's samples come from, and whether the metric is computed from the
    uncorrected histograms; None for a metric without recorded samples."""
    if match := _ENDPOINT.match(metric):
        key = match["key"]
        return (lambda row: row.get("name") == key and row.get("family") == "http"), False
    if _HTTP.match(metric) and not metric.startswith("load.http.raw."):
        return (lambda row: row.get("family") == "http"), False
    if _WS.match(metric):
        # A websocket endpoint that never succeeded (failed handshakes) measured no round trip.
        return (lambda row: row.get("family") == "ws" and row.get("requests", 0) > row.get("failures", 0)), True
    if match := _UPLOAD.match(metric):
        size = match["size"]
        return (lambda row: row.get("family") == "upload" and row.get("upload_class") == size), True
    return None
