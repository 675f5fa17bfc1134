"""A Locust worker killed mid-run in distributed mode: the figures of fewer workers are not passed off
as the run's, the workers-intact check fails and every load budget is inconclusive."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import psutil
import pytest

from tests.resilience.harness_process import descendants, harness_run

ARGS = ["--stages", "load", "-o", "load.processes=2", "-o", "load.users=6", "-o", "load.duration_s=20"]


def _locust_workers(harness_pid: int, timeout_s: float) -> list[psutil.Process]:
    """The forked workers (children of the Locust master) once both are up."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        locusts = [p for p in descendants(harness_pid) if "locust" in " ".join(p.cmdline())]
        pids = {p.pid for p in locusts}
        workers = [p for p in locusts if p.ppid() in pids]
        if len(workers) == 2:
            return workers
        time.sleep(0.2)
    raise AssertionError("two Locust workers did not start")


def _wait_for(path: Path, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while not path.exists():
        assert time.monotonic() < deadline, f"{path.name} did not appear within {timeout_s} s"
        time.sleep(0.2)


@pytest.mark.slow
def test_a_dead_worker_makes_the_load_budgets_inconclusive(tmp_path: Path, target_data_dir: Path) -> None:
    with harness_run([*ARGS, "--out", str(tmp_path)], {"HARNESS_TARGET_DATA_DIR": str(target_data_dir)}) as process:
        process.wait_for_line("▶ load", timeout_s=90)
        workers = _locust_workers(process.pid, timeout_s=60)
        _wait_for(tmp_path / "latest" / "load" / "warmup.done", timeout_s=60)
        os.kill(workers[0].pid, signal.SIGKILL)
        code = process.wait(timeout_s=150)
    assert code == 2
    run = tmp_path / "latest"
    load = json.loads((run / "load.json").read_text())
    assert load["status"] == "incomplete" and "worker" in load["error"]
    checks = {c["name"]: c for c in load["validity"]}
    assert not checks["workers-intact"]["ok"], checks["workers-intact"]["detail"]
    verdict = json.loads((run / "verdict.json").read_text())
    assert verdict["outcome"] == "inconclusive"
    judged = [b for b in verdict["budgets"] if b["stage"] == "load" and b["status"] != "not_evaluated"]
    assert judged and all(b["status"] == "inconclusive" for b in judged), [(b["budget"], b["status"]) for b in judged]
