"""The Budgets tab in Locust's web UI: live p95 per endpoint, error rate and users vs budgets.

Locust 2.x renders extra tabs from ``template_args["extended_tabs"]`` / ``["extended_tables"]``
and fills them from an ``extended_stats`` list in the ``/stats/requests`` JSON it polls; the same
rows are served as JSON at ``/budgets``. Limits and verdicts come from the gate's own budget
file and judging function, so the tab shows what `harness gate` would say about these figures
(the rows and the page's colouring script: `scenarios.budget_rows`).
"""

from __future__ import annotations

import json
import time
from typing import Any

from flask import Response, request
from locust.env import Environment

from scenarios import adapter
from scenarios.budget_rows import COLUMNS, PAGE_ADDITION, judge
from scenarios.metrics import Collector

KEY = "budgets"
REFRESH_S = 2.0


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


def install(env: Environment, collector: Collector) -> BudgetsTab | None:
    """Add the tab when Locust runs with its web UI (never in headless stage runs)."""
    web = env.web_ui
    if web is None or web.app is None:
        return None
    tab = BudgetsTab(collector)
    web.template_args["extended_tabs"] = [{"title": "Budgets", "key": KEY}]
    web.template_args["extended_tables"] = [{"key": KEY, "structure": [{"key": k, "title": t} for k, t in COLUMNS]}]

    def add_budget_rows(response: Response) -> Response:
        if request.path == "/stats/requests" and response.is_json:
            body = response.get_json() | {"extended_stats": [{"key": KEY, "data": tab.rows()}]}
            response.set_data(json.dumps(body))
        elif request.path == "/" and response.mimetype == "text/html" and not response.direct_passthrough:
            page = response.get_data(as_text=True)
            response.set_data(page.replace("</body>", PAGE_ADDITION + "</body>", 1))
        return response

    def budgets() -> Response:
        return Response(json.dumps(tab.rows()), mimetype="application/json")

    web.app.after_request(add_budget_rows)
    web.app.add_url_rule("/budgets", view_func=budgets)
    return tab
