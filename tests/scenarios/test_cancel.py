"""Cancelling the load stage stops Locust (workers included) and keeps what was measured."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import psutil
import pytest

from scenarios import stage
from stagekit.target import AppProcess
from tests.scenarios.conftest import load_context
from vocabulary.records import Status
from vocabulary.rundir import RunDir

pytestmark = [pytest.mark.slow]


def locust_processes(marker: str) -> list[psutil.Process]:
    """Live processes whose command line mentions ``marker`` (this run's summary path)."""
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        if marker in " ".join(proc.info["cmdline"] or []):
            found.append(proc)
    return found


def test_cancel_returns_incomplete_and_leaves_no_process(bundled_target: AppProcess, tmp_path: Path) -> None:
    ctx = load_context(bundled_target.url, tmp_path, duration_s=120, processes=2)
    summary = str(ctx.artifacts / "summary.json")
    warm = ctx.artifacts / "warmup.done"

    def cancel_after_warmup() -> None:
        """Cancel a few seconds into the measured window (Locust's start-up time varies)."""
        deadline = time.monotonic() + 90
        while not warm.exists() and time.monotonic() < deadline and not ctx.cancel.is_set():
            time.sleep(0.2)
        time.sleep(7)  # past two worker report intervals (3 s each)
        ctx.cancel.set()

    canceller = threading.Thread(target=cancel_after_warmup, daemon=True)
    canceller.start()
    result = stage.run(ctx)
    ctx.cancel.set()
    canceller.join()
    assert result.status is Status.INCOMPLETE
    assert result.metrics["load.http.requests"] > 0, "what was measured before the cancel is kept"
    assert not {c.name: c.ok for c in result.validity}["run-complete"]
    assert locust_processes(summary) == []
    RunDir(tmp_path).write_result(result)  # still a valid stage result
