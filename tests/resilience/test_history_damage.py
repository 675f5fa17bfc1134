"""A history file damaged by a crash (torn line, zero-filled tail, stray bytes) never breaks the next run."""

from __future__ import annotations

from pathlib import Path

import pytest

from reports import history

GOOD = {"run_id": "r1", "time": "2026-03-01T10:00:00Z", "profile": "smoke", "outcome": "pass"}


@pytest.mark.parametrize(
    "damage",
    [b'{"run_id": "r2", "load.http.p9', b"\x00" * 64, b"\xff\xfe garbage \xc3"],
    ids=["torn-line", "zero-filled-tail", "invalid-utf8"],
)
def test_next_run_appends_and_reads_after_damage(tmp_path: Path, damage: bytes) -> None:
    history.append(tmp_path, GOOD)
    with (tmp_path / history.FILE).open("ab") as handle:
        handle.write(damage)
    history.append(tmp_path, {**GOOD, "run_id": "r3"})
    assert [row["run_id"] for row in history.read_rows(tmp_path)] == ["r1", "r3"]
    assert "r3" in history.render_trends(tmp_path, last_n=5)
