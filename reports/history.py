"""The history store: one JSON line per run in ``<out>/history.jsonl`` (`harness trends` reads it with pandas).

Each row holds the run id, time, profile, outcome, git revision, fault switches, budget counts and every
run-level metric (per-endpoint and per-page metrics are left out so rows stay small). A stage that
did not apply to the target records no metric: its trend shows a gap, never a fake 0. Appends
are one ``write`` under an exclusive lock; a run already recorded is not appended twice
(`harness report` re-renders). A torn last line (a run killed mid-write) is skipped with a
warning when reading, and the next append starts on a fresh line, so it never breaks a run.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reports import format as fmt
from reports.registry import RunView, handler
from vocabulary.records import Status

if TYPE_CHECKING:
    import pandas as pd

FILE = "history.jsonl"
KEY_METRICS = (
    "load.http.p95_ms",
    "load.http.error_ratio",
    "load.http.rps",
    "load.users.peak",
    "e2e.workflows.pass_ratio",
    "e2e.performance.score",
    "contracts.failures.total",
    "security.findings.high",
    "a11y.violations.serious",
    "coverage.line_ratio",
)
"""Metrics shown by `harness trends` (the report's Trends section follows the budgets instead)."""
_META_COLUMNS = ("run_id", "time", "profile", "outcome", "git_revision")

log = logging.getLogger(__name__)


def row_of(run: RunView) -> dict[str, Any]:
    """The history row of one run."""
    row: dict[str, Any] = {
        "run_id": run.run_id,
        "time": run.meta.get("finished_at") or run.verdict.generated_at,
        "profile": run.verdict.profile,
        "outcome": run.verdict.outcome.value,
        "git_revision": run.meta.get("git_revision"),
        "faults": run.meta.get("faults") or None,
    }
    row.update({f"budgets.{status}": count for status, count in run.verdict.counts().items()})
    for result in run.results.values():
        if result.status is Status.NOT_APPLICABLE:
            continue
        row.update({name: value for name, value in result.metrics.items() if "[" not in name})
    # Figures the gate derives (e.g. security.findings.blocking) are in no stage's metrics: keep the
    # judged value so every budgeted run-level metric has its trend.
    judged = {b.metric: b.observed for b in run.verdict.budgets if b.observed is not None and "[" not in b.metric}
    return {**judged, **row}


def read_rows(out: Path) -> list[dict[str, Any]]:
    """Every intact row of ``<out>/history.jsonl``; damaged lines are skipped with a warning."""
    file = out / FILE
    if not file.is_file():
        return []
    rows = []
    # errors="replace": bytes mangled by a crash become a damaged line to skip, not a failed run.
    text = file.read_text(encoding="utf-8", errors="replace")
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            log.warning("%s line %d is damaged (a run interrupted while writing?); skipped", file, number)
            continue
        if isinstance(row, dict):
            rows.append(row)
    return rows


def append(out: Path, row: dict[str, Any]) -> Path:
    """Append ``row`` unless its run id is already recorded; one locked write, own line."""
    file = out / FILE
    out.mkdir(parents=True, exist_ok=True)
    line = json.dumps(row, sort_keys=True, default=str) + "\n"
    fd = os.open(file, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        if any(r.get("run_id") == row["run_id"] for r in read_rows(out)):
            return file
        size = os.fstat(fd).st_size
        if size and os.pread(fd, 1, size - 1) != b"\n":
            line = "\n" + line  # the last write was torn: start ours on a fresh line
        os.write(fd, line.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    return file


def recent(out: Path, metrics: Sequence[str] | None = None, last_n: int = 20) -> list[dict[str, Any]]:
    """The last ``last_n`` runs, oldest first: the run columns and the ``metrics`` recorded in any run
    (None where a run has none). Plain rows: the report's Trends section needs no pandas (~1 s to import)."""
    return _recent(read_rows(out), metrics, last_n)


def _recent(rows: list[dict[str, Any]], metrics: Sequence[str] | None, last_n: int) -> list[dict[str, Any]]:
    columns = _columns(rows, metrics)
    if "time" in columns:
        # As pandas sorts: by time, stable, runs without one last.
        rows = sorted(rows, key=lambda row: (row.get("time") is None, str(row.get("time"))))
    kept = rows[-last_n:] if last_n > 0 else []
    return [{column: row.get(column) for column in columns} for row in kept]


def _columns(rows: list[dict[str, Any]], metrics: Sequence[str] | None) -> list[str]:
    recorded = {key for row in rows for key in row}
    wanted = [m for m in (metrics or KEY_METRICS) if m in recorded]
    return [c for c in _META_COLUMNS if c in recorded] + wanted


def trends(out: Path, metrics: Sequence[str] | None = None, last_n: int = 20) -> pd.DataFrame:
    """`recent` as a data frame (a run without a metric has NaN there)."""
    import pandas as pd  # here, not at import: `harness run` refuses a typo in well under a second without it

    rows = read_rows(out)
    if not rows:
        return pd.DataFrame(columns=list(_META_COLUMNS))
    return pd.DataFrame.from_records(_recent(rows, metrics, last_n), columns=_columns(rows, metrics))


def render_trends(out: Path, last_n: int) -> str:
    """`harness trends`: the key metrics of the last ``last_n`` runs as a text table."""
    import pandas as pd

    frame = trends(out, KEY_METRICS, last_n)
    if frame.empty:
        return f"no runs recorded in {out / FILE} yet"
    shown = frame.drop(columns=[c for c in ("git_revision",) if c in frame.columns])
    headers = list(shown.columns)
    body = [
        [str(v) if c in _META_COLUMNS else fmt.value(c, None if pd.isna(v) else float(v)) for c, v in row.items()]
        for row in shown.to_dict("records")
    ]
    widths = [max(len(h), *(len(r[i]) for r in body)) for i, h in enumerate(headers)]
    lines = [headers, *body]
    return "\n".join("  ".join(v.ljust(w) for v, w in zip(line, widths, strict=True)).rstrip() for line in lines)


@handler("history")
def render(run: RunView) -> Path:
    """Record this run in ``<out>/history.jsonl`` (before the HTML report reads its trends)."""
    return append(run.out, row_of(run))
