"""The Budgets tab in Locust's web UI: live p95 per endpoint, error rate and users vs budgets.

Locust 2.x renders extra tabs from ``template_args["extended_tabs"]`` / ``["extended_tables"]``
and fills them from an ``extended_stats`` list in the ``/stats/requests`` JSON it polls; the same
rows are served as JSON at ``/budgets``. Limits and verdicts come from the gate's own budget
file and judging function, so the tab shows what `harness gate` would say about these figures.
"""

from __future__ import annotations

import json
import time
from typing import Any

from flask import Response, request
from locust.env import Environment

from perf_budgets.evaluator import budget_pattern, judge_value
from perf_budgets.loader import load_budgets
from scenarios import adapter
from scenarios.metrics import Collector

KEY = "budgets"
REFRESH_S = 2.0
COLUMNS = (("budget", "Budget"), ("metric", "Metric"), ("observed", "Observed"),
           ("limit", "Limit"), ("status", "Status"))


class BudgetsTab:
    """Computes the live rows (at most every `REFRESH_S`) from the master's merged collector."""

    def __init__(self, collector: Collector) -> None:
        self.collector = collector
        self._rows: list[dict[str, Any]] = []
        self._at = 0.0

    def rows(self) -> list[dict[str, Any]]:
        """One row per load budget and concrete metric measured so far."""
        if time.monotonic() - self._at >= REFRESH_S:
            self._at = time.monotonic()
            self._rows = judge(adapter.metrics(self.collector.build(final=False)), self.collector.profile.name)
        return self._rows


def judge(metrics: dict[str, float], profile: str) -> list[dict[str, Any]]:
    """Each load budget of ``profile`` against the metrics that match it."""
    if not metrics.get("load.http.requests"):
        # Before the warm-up ends nothing is measured; an empty histogram must not read as a pass.
        return [{"budget": "-", "metric": "-", "observed": "-", "limit": "-", "status": "warming up"}]
    rows = []
    for budget in load_budgets().for_profile(profile):
        if not budget.metric.startswith("load.") or budget.comparison == "max_regression_pct":
            continue
        pattern = budget_pattern(budget.metric)
        for metric in sorted(m for m in metrics if pattern.match(m)):
            observed = metrics[metric]
            rows.append({"budget": budget.id, "metric": metric, "observed": round(observed, 3),
                         "limit": f"{budget.comparison} {budget.limit:g}",
                         "status": judge_value(budget, observed).value})
    return rows


def install(env: Environment, collector: Collector) -> BudgetsTab | None:
    """Add the tab when Locust runs with its web UI (never in headless stage runs)."""
    web = env.web_ui
    if web is None or web.app is None:
        return None
    tab = BudgetsTab(collector)
    web.template_args["extended_tabs"] = [{"title": "Budgets", "key": KEY}]
    web.template_args["extended_tables"] = [
        {"key": KEY, "structure": [{"key": k, "title": t} for k, t in COLUMNS]}
    ]

    def add_budget_rows(response: Response) -> Response:
        if request.path == "/stats/requests" and response.is_json:
            body = response.get_json() | {"extended_stats": [{"key": KEY, "data": tab.rows()}]}
            response.set_data(json.dumps(body))
        return response

    def budgets() -> Response:
        return Response(json.dumps(tab.rows()), mimetype="application/json")

    web.app.after_request(add_budget_rows)
    web.app.add_url_rule("/budgets", view_func=budgets)
    return tab
