"""The Budgets tab's rows, judged offline on a real smoke load result: report words and units, failing
first (the tab itself, in Locust's web UI, is tested in test_webui*.py)."""

from __future__ import annotations

import json
from pathlib import Path

from scenarios import budget_rows

RECORDED = Path(__file__).resolve().parent.parent / "data" / "recorded" / "smoke_load.json"


def _metrics() -> dict[str, float]:
    return dict(json.loads(RECORDED.read_text(encoding="utf-8"))["metrics"])


def test_rows_use_the_report_words_and_units_failing_first() -> None:
    metrics = _metrics()
    metrics["load.http.p95_ms"] = 250.0  # over the smoke profile's 100 ms
    rows = budget_rows.judge(metrics, "smoke")
    statuses = [r["status"] for r in rows]
    assert statuses[0] == "breached" and statuses == sorted(statuses, key=lambda s: budget_rows.RANK[s])
    by_metric = {r["metric"]: r for r in rows}
    assert by_metric["load.http.p95_ms"] == {
        "budget": "api_p95",
        "metric": "load.http.p95_ms",
        "observed": "250 ms",
        "limit": "≤ 100 ms",
        "status": "breached",
    }
    assert by_metric["load.http.error_ratio"]["limit"] == "≤ 0.1 %"
    assert by_metric["load.http.error_ratio"]["observed"] == "0 %"
    assert set(statuses) <= {"breached", "warning", "met"}


def test_warming_up_is_no_pass() -> None:
    assert budget_rows.judge({}, "smoke")[0]["status"] == "warming up"
