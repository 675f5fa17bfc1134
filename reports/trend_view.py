"""The report's Trends section: the verdict history and one chart per budgeted metric over the last runs.

The charted metrics are those of the run's budgets (so a breach on any budgeted figure shows,
whichever stage measured it), each with its current limit as a dashed line. A breached run's point
is red and an inconclusive one's purple; the x labels repeat it in text ("✗" breached, "?"
inconclusive, "⚑" run with fault switches), and the verdict history table says it in words.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from perf_budgets.verdict import BudgetResult, Verdict
from reports import format as fmt
from reports import history
from reports.blocks import Block, Cell, Chart, Note, Table, text
from reports.charts import Look, line_chart

TREND_RUNS = 20
_MARK_COLOURS = {"breached": "#a4161a", "inconclusive": "#6b3fa0"}
_MARK_TEXT = {"breached": " ✗", "inconclusive": " ?"}
_COUNTS = ("budgets.fail", "budgets.inconclusive")


def _missing(value: Any) -> bool:
    return value is None or value != value  # NaN: a column this run did not record


def budgeted_metrics(verdict: Verdict) -> list[str]:
    """The run-level metrics the run's budgets judge, worst budget first (history keeps no labelled ones)."""
    return list(dict.fromkeys(b.metric for b in fmt.ordered(verdict.budgets) if "[" not in b.metric))


def _label(row: dict[str, Any]) -> str:
    """``03-01 10:00`` plus the outcome and fault marks of one history row."""
    label = str(row.get("time", ""))[5:16].replace("T", " ")
    label += _MARK_TEXT.get(str(row.get("outcome")), "")
    return label + (" ⚑" if not _missing(row.get("faults")) and row.get("faults") else "")


def _chart(metric: str, rows: Sequence[dict[str, Any]], budgets: Sequence[BudgetResult]) -> Chart:
    values = [None if _missing(r.get(metric)) else float(r[metric]) for r in rows]
    limits: dict[str, list[float | None]] = {
        f"limit ({b.budget})": [b.limit] * len(rows)
        for b in budgets
        if b.metric == metric and b.comparison != "max_regression_pct"
    }
    marks = {i: _MARK_COLOURS[str(r.get("outcome"))] for i, r in enumerate(rows) if r.get("outcome") in _MARK_COLOURS}
    latest = next((v for v in reversed(values) if v is not None), None)
    desc = (
        f"{metric} over the last {len(rows)} runs, oldest first; latest {fmt.value(metric, latest)}; "
        f"{sum(1 for r in rows if r.get('outcome') == 'breached')} breached runs marked red."
    )
    look = Look(
        dashed=set(limits),
        colours=dict.fromkeys(limits, "#000000"),
        marks={metric: marks},
        zero=True,
        formatter=lambda v: fmt.value(metric, v),
    )
    labels = [_label(r) for r in rows]
    series = {metric: values, **limits}
    return Chart(line_chart(metric, desc, range(len(rows)), series, x_labels=labels, size=(560, 280), look=look))


def verdict_history(rows: Sequence[dict[str, Any]]) -> Table:
    """The outcome of each of the last runs, newest first, with its breach count and fault switches."""
    headers = ("Run", "Finished", "Profile", "Outcome", "Breached", "Inconclusive", "Fault switches")

    def cells(row: dict[str, Any]) -> list[Cell]:
        counts = [Cell("—") if _missing(row.get(c)) else Cell(f"{row[c]:g}", float(row[c])) for c in _COUNTS]
        faults = row.get("faults")
        return [
            text(row.get("run_id")),
            text(str(row.get("time", ""))[:19].replace("T", " ")),
            text(row.get("profile")),
            text(row.get("outcome")),
            *counts,
            text(None if _missing(faults) else ", ".join(faults) if isinstance(faults, list) else faults),
        ]

    return Table(f"Verdict history (last {len(rows)} runs), newest first", headers, [cells(r) for r in reversed(rows)])


def blocks(out: Path, verdict: Verdict) -> list[Block]:
    """The verdict history, then a chart per budgeted metric recorded in two or more of the last runs."""
    metrics = budgeted_metrics(verdict)
    rows = history.recent(out, [*metrics, *_COUNTS, "faults"], TREND_RUNS)
    if len(rows) < 2:
        return [Note("Trends appear once two or more runs are recorded (history.jsonl).")]
    charts: list[Block] = [
        _chart(m, rows, verdict.budgets) for m in metrics if sum(not _missing(r.get(m)) for r in rows) >= 2
    ]
    return [verdict_history(rows), *charts]
