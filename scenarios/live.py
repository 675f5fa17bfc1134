"""The load stage's live figures, from the partial result the stage refreshes while Locust runs.

The harness plugin rewrites its summary every few seconds (`scenarios.metrics.PARTIAL_EVERY_S`);
the stage folds it into a partial `StageResult`, and these are that result's figures: users now,
requests/s over the last complete seconds, p95 and error ratio of the measured window so far (what
the budgets will judge), and the validity checks that already fail.
"""

from __future__ import annotations

from vocabulary.records import StageResult

RECENT_S = 5
"""Complete seconds the live requests/s is averaged over."""
SETTLED_AT_END = frozenset({"run-complete", "server-metrics-scraped", "requests-measured"})
"""Checks a partial result always fails (the run is not over, the target is scraped after it, the
warm-up measures nothing): no warning while the run goes on."""


def figures(result: StageResult) -> str:
    """``20 users, 46 req/s, p95 12.8 ms, errors 0.0 %`` (``warming up`` before the measured window)."""
    series = result.details.get("timeseries", [])
    users = next((row["users"] for row in reversed(series) if row.get("users") is not None), 0)
    recent = series[-RECENT_S - 1 : -1]  # the last second is still being counted
    rps = sum(row.get("requests", 0) for row in recent) / len(recent) if recent else 0.0
    parts = [f"{users} users", f"{rps:.0f} req/s"]
    metrics = result.metrics
    if not metrics.get("load.http.requests"):
        return ", ".join([*parts, "warming up"])
    parts += [
        f"p95 {metrics.get('load.http.p95_ms', 0.0):.1f} ms",
        f"errors {100 * metrics.get('load.http.error_ratio', 0.0):.1f} %",
    ]
    failing = warnings(result)
    return ", ".join([*parts, f"warning: {', '.join(failing)}"] if failing else parts)


def warnings(result: StageResult) -> list[str]:
    """The validity checks the run already fails (only those a partial result can judge)."""
    # Before the first hold second the held ratio is 0 by definition, not a lost user.
    holding = result.details.get("users", {}).get("hold_seconds", 0) > 0
    return [
        check.name
        for check in result.validity
        if not check.ok and check.name not in SETTLED_AT_END and (holding or check.name != "users-held")
    ]
