"""The load stage's part of the HTML report: charts over time, the endpoint table, baseline p95s.

Details read (all optional; missing ones fall back to the metrics table):
``details["timeseries"]`` rows ``{t, users, rps, p50_ms, p95_ms, p99_ms, errors}`` (one per second),
``details["endpoints"]`` rows ``{name, requests, failures, p50_ms, p95_ms, p99_ms, error_ratio}``,
``details["histograms"]`` (see `reports.baseline`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

from harness.records import StageResult
from reports import baseline as base
from reports.blocks import Block, Cell, Chart, Table, num, present, rows_of, text
from reports.charts import downsample, line_chart

_ENDPOINT_METRIC = re.compile(r'^load\.endpoint\["(?P<name>.+)"\]\.(?P<field>\w+)$')
_ENDPOINT_COLUMNS = (
    ("Requests", "requests"),
    ("Failures", "failures"),
    ("p50", "p50_ms"),
    ("p95", "p95_ms"),
    ("p99", "p99_ms"),
    ("Errors", "error_ratio"),
)
_CHARTS = (
    ("Latency percentiles over time", "ms", ("p50_ms", "p95_ms", "p99_ms"), "max"),
    ("Requests per second and users over time", "", ("rps", "users"), "mean"),
    ("Errors over time", "errors per second", ("errors",), "sum"),
)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        return None
    return float(value)


def _chart(rows: Sequence[dict[str, Any]], title: str, unit: str, keys: Sequence[str], how: str) -> Chart | None:
    series = {k: [_number(r.get(k)) for r in rows] for k in keys}
    series = {k: v for k, v in series.items() if any(x is not None for x in v)}
    if not series:
        return None
    xs = [_number(r.get("t")) or float(i) for i, r in enumerate(rows)]
    xs, series = downsample(xs, series, {k: how for k in series})
    peaks = ", ".join(f"{k} peak {max((x for x in v if x is not None), default=0):g}" for k, v in series.items())
    desc = f"{title} across {len(rows)} seconds of the run; {peaks}{' ' + unit if unit else ''}."
    return Chart(line_chart(title, desc, xs, series, x_title="seconds since start", y_title=unit))


def charts(result: StageResult) -> list[Block]:
    """The three time-series charts, for whichever series the stage recorded."""
    rows = rows_of(result.details, "timeseries")
    if not rows:
        return []
    return present(_chart(rows, *spec) for spec in _CHARTS)


def endpoint_rows(result: StageResult) -> list[dict[str, Any]]:
    """Per-endpoint rows from details, else rebuilt from ``load.endpoint[...]`` metrics."""
    rows = rows_of(result.details, "endpoints")
    if rows:
        return rows
    rebuilt: dict[str, dict[str, Any]] = {}
    for metric, value in result.metrics.items():
        match = _ENDPOINT_METRIC.match(metric)
        if match:
            rebuilt.setdefault(match["name"], {"name": match["name"]})[match["field"]] = value
    return list(rebuilt.values())


def endpoint_table(result: StageResult) -> Table | None:
    """Endpoints slowest first, sortable by p95 and errors."""
    rows = endpoint_rows(result)
    if not rows:
        return None
    rows.sort(key=lambda r: _number(r.get("p95_ms")) or 0.0, reverse=True)
    cells = [[text(r.get("name"))] + [num(key, r.get(key)) for _, key in _ENDPOINT_COLUMNS] for r in rows]
    headers = ["Endpoint"] + [h for h, _ in _ENDPOINT_COLUMNS]
    caption = f"Endpoints ({len(rows)}), slowest p95 first; latencies in ms"
    return Table(caption, headers, cells, sortable=True)


def baseline_table(result: StageResult, baseline: StageResult | None) -> Table | None:
    """p95 per endpoint against the baseline run, judged by `reports.baseline.compare_p95`."""
    comparisons = base.compare_runs(result, baseline)
    if not comparisons:
        return None
    rows = [
        [
            Cell(name),
            num("p95_ms", c.baseline_p95),
            num("p95_ms", c.current_p95),
            Cell(f"{c.change_pct:+.1f} %", c.change_pct) if not math.isnan(c.change_pct) else Cell("—"),
            Cell(f"{c.ci_low:+.3g} to {c.ci_high:+.3g} ms") if not math.isnan(c.ci_low) else Cell("—"),
            Cell(c.change.value),
        ]
        for name, c in comparisons.items()
    ]
    headers = ("Endpoint", "Baseline p95", "Current p95", "Change", "95 % CI of difference", "Judgement")
    return Table("p95 against the baseline run (bootstrap on recorded histograms)", headers, rows, sortable=True)


def blocks(result: StageResult, baseline: StageResult | None) -> list[Block]:
    """Everything the load section shows."""
    return present([*charts(result), endpoint_table(result), baseline_table(result, baseline)])
