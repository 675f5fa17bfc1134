"""history.jsonl: one row per run, readable by pandas, robust to a torn last line."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from reports import history
from reports.registry import RunView


def _row(run_id: str, p95: float, time: str) -> dict[str, object]:
    return {"run_id": run_id, "time": time, "profile": "smoke", "outcome": "pass", "load.http.p95_ms": p95}


def test_each_run_appends_one_row_pandas_reads(report_run: Callable[[str], Path]) -> None:
    paths = [report_run(name) for name in ("pass", "breach", "all_stages")]
    for path in [*paths, paths[0]]:  # re-rendering "pass" does not append it twice
        history.render(RunView.load(path))
    out = paths[0].parent
    frame = pd.read_json(out / history.FILE, lines=True)
    assert list(frame["run_id"]) == ["pass", "breach", "all_stages"]
    assert list(frame["outcome"]) == ["pass", "breached", "breached"]
    assert frame.loc[2, "coverage.line_ratio"] == pytest.approx(0.88)
    assert not any("[" in column for column in frame.columns)  # per-endpoint metrics stay out


def test_torn_last_line_is_skipped_with_warning_and_next_append_works(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    history.append(tmp_path, _row("r1", 50.0, "2026-03-01T10:00:00Z"))
    with (tmp_path / history.FILE).open("a", encoding="utf-8") as handle:
        handle.write('{"run_id": "r2", "load.http.p9')  # a run killed mid-write
    with caplog.at_level(logging.WARNING, logger="reports.history"):
        history.append(tmp_path, _row("r3", 70.0, "2026-03-01T12:00:00Z"))
        frame = history.trends(tmp_path, ["load.http.p95_ms"], last_n=10)
    assert list(frame["run_id"]) == ["r1", "r3"]
    assert list(frame["load.http.p95_ms"]) == [50.0, 70.0]
    assert "line 2 is damaged" in caplog.text


def test_trends_keep_last_n_oldest_first_and_render_text(tmp_path: Path) -> None:
    for i in range(6):
        history.append(tmp_path, _row(f"r{i}", 50.0 + i, f"2026-03-0{i + 1}T10:00:00Z"))
    frame = history.trends(tmp_path, ["load.http.p95_ms", "not.recorded"], last_n=3)
    assert list(frame.columns) == ["run_id", "time", "profile", "outcome", "load.http.p95_ms"]
    assert list(frame["run_id"]) == ["r3", "r4", "r5"]
    text = history.render_trends(tmp_path, last_n=2)
    lines = text.splitlines()
    assert lines[0].split() == ["run_id", "time", "profile", "outcome", "load.http.p95_ms"]
    assert lines[1].split()[0] == "r4" and lines[2].endswith("55 ms")


def test_render_trends_without_history(tmp_path: Path) -> None:
    assert history.render_trends(tmp_path, 5) == f"no runs recorded in {tmp_path / history.FILE} yet"
