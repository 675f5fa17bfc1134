"""The load stage's part of the HTML report: charts over time, the endpoint table, baseline p95s.

Details read (all optional; missing ones fall back to the metrics table):
``details["timeseries"]`` rows ``{t, users, rps, p50_ms, p95_ms, p99_ms, errors}`` (one per second),
``details["endpoints"]`` rows ``{name, requests, failures, p50_ms, p95_ms, p99_ms, error_ratio}``,
``details["histograms"]`` (see `perf_budgets.histograms`).

The latency chart draws the limit of every budget on a plotted percentile (``load.http.p95_ms`` …)
and, with ``--baseline``, the baseline run's p95 over time; the endpoint table gives each endpoint
the worst outcome of its budgets, linked to the budget's row.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

from perf_budgets import significance as base
from perf_budgets.verdict import BudgetResult
from reports import format as fmt
from reports.blocks import Block, Cell, Chart, Table, ViewContext, anchor_of, num, present, rows_of, text
from reports.charts import Look, downsample, line_chart
from vocabulary.records import StageResult

_ENDPOINT_METRIC = re.compile(r'^load\.endpoint\["(?P<name>.+)"\]\.(?P<field>\w+)$')
_ENDPOINT_COLUMNS = (
    ("Requests", "requests"),
    ("Failures", "failures"),
    ("p50", "p50_ms"),
    ("p95", "p95_ms"),
    ("p99", "p99_ms"),
    ("Errors", "error_ratio"),
)
_LATENCY = ("p50_ms", "p95_ms", "p99_ms")
_CHARTS = (
    ("Latency percentiles over time", "ms", _LATENCY, "max"),
    ("Requests per second and users over time", "", ("rps", "users"), "mean"),
    ("Errors over time", "errors per second", ("errors",), "sum"),
)
_BASELINE = "baseline p95_ms"
_LIMIT_COLOUR = "#000000"
_BASELINE_COLOUR = "#7f7f7f"


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        return None
    return float(value)


def _limits(budgets: Sequence[BudgetResult], keys: Sequence[str]) -> dict[str, float]:
    """``"<key> limit (<budget>)"`` → limit for each budget on a plotted run-level percentile."""
    plotted = {f"load.http.{key}": key for key in keys}
    return {
        f"{plotted[b.metric]} limit ({b.budget})": b.limit
        for b in budgets
        if b.metric in plotted and b.comparison != "max_regression_pct"
    }


def _chart(
    rows: Sequence[dict[str, Any]], spec: tuple[str, str, Sequence[str], str], context: ViewContext
) -> Chart | None:
    title, unit, keys, how = spec
    series = {k: [_number(r.get(k)) for r in rows] for k in keys}
    series = {k: v for k, v in series.items() if any(x is not None for x in v)}
    if not series:
        return None
    latency = keys == _LATENCY
    extra = _overlays(len(rows), context) if latency else {}
    xs = [_number(r.get("t")) or float(i) for i, r in enumerate(rows)]
    xs, series = downsample(xs, series | extra, {k: how for k in series} | {k: "max" for k in extra})
    peaks = ", ".join(f"{k} peak {max((x for x in v if x is not None), default=0):g}" for k, v in series.items())
    desc = f"{title} across {len(rows)} seconds of the run; {peaks}{' ' + unit if unit else ''}."
    # Latencies start at zero too, so a limit line sits at its true height against the data.
    colours = {k: _BASELINE_COLOUR if k == _BASELINE else _LIMIT_COLOUR for k in extra}
    look = Look(dashed=set(extra), colours=colours, zero=True)
    return Chart(line_chart(title, desc, xs, series, x_title="seconds since start", y_title=unit, look=look))


def _overlays(length: int, context: ViewContext) -> dict[str, list[float | None]]:
    """The latency chart's limit lines and the baseline run's p95, aligned on the run's seconds."""
    overlays: dict[str, list[float | None]] = {
        name: [limit] * length for name, limit in _limits(context.budgets, _LATENCY).items()
    }
    if context.baseline is not None:
        before = [_number(r.get("p95_ms")) for r in rows_of(context.baseline.details, "timeseries")]
        if any(v is not None for v in before):
            overlays[_BASELINE] = (before + [None] * length)[:length]
    return overlays


def charts(result: StageResult, context: ViewContext | None = None) -> list[Block]:
    """The three time-series charts, for whichever series the stage recorded."""
    rows = rows_of(result.details, "timeseries")
    if not rows:
        return []
    return present(_chart(rows, spec, context or ViewContext()) for spec in _CHARTS)


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


def endpoint_status(name: str, budgets: Sequence[BudgetResult]) -> Cell:
    """The worst outcome of the budgets on one endpoint's metrics, linked to that budget's row."""
    prefix = f'load.endpoint["{name}"].'
    own = fmt.ordered(tuple(b for b in budgets if b.metric.startswith(prefix)))
    if not own:
        return Cell("no budget")
    worst = own[0]
    return Cell(fmt.STATUS_WORDS[worst.status], href=f"#{anchor_of(worst.budget)}")


def endpoint_table(result: StageResult, budgets: Sequence[BudgetResult] = ()) -> Table | None:
    """Endpoints slowest first, sortable by p95 and errors, with the outcome of their budgets."""
    rows = endpoint_rows(result)
    if not rows:
        return None
    rows.sort(key=lambda r: _number(r.get("p95_ms")) or 0.0, reverse=True)
    cells = [
        [text(r.get("name"))]
        + [num(key, r.get(key)) for _, key in _ENDPOINT_COLUMNS]
        + [endpoint_status(str(r.get("name")), budgets)]
        for r in rows
    ]
    headers = ["Endpoint"] + [h for h, _ in _ENDPOINT_COLUMNS] + ["Budget status"]
    caption = f"Endpoints ({len(rows)}), slowest p95 first; latencies in ms"
    return Table(caption, headers, cells, sortable=True)


def baseline_table(result: StageResult, baseline: StageResult | None) -> Table | None:
    """p95 per endpoint against the baseline run, judged by `perf_budgets.significance.compare_p95`."""
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


def blocks(result: StageResult, context: ViewContext) -> list[Block]:
    """Everything the load section shows."""
    return present(
        [*charts(result, context), endpoint_table(result, context.budgets), baseline_table(result, context.baseline)]
    )
