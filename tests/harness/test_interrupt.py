"""Ctrl-C during a stage: partial results kept and marked incomplete, inconclusive verdict, exit 2
within 10 s, and no orphan processes (target, Locust, browser).

SIGINT is sent to a harness started the way a shell without job control starts ``cmd &``: with
SIGINT ignored (the harness installs its handler again, so this covers a plain Ctrl-C too)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from tests.fixtures.runs import REPO


def _wait_for_line(process: subprocess.Popen[str], needle: str, timeout_s: float) -> str:
    assert process.stderr is not None
    seen = ""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        seen += line
        if needle in line:
            return seen
    raise AssertionError(f"{needle!r} not seen in {timeout_s} s:\n{seen}")


def _descendants(pid: int) -> list[psutil.Process]:
    return psutil.Process(pid).children(recursive=True)


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_interrupt_during_load_leaves_an_incomplete_run(tmp_path: Path, target_data_dir: Path, sig: int) -> None:
    env = {**os.environ, "HARNESS_TARGET_DATA_DIR": str(target_data_dir)}
    harness = [sys.executable, "-m", "harness", "run", "--stages", "load", "--profile", "soak", "--out", str(tmp_path)]
    process = subprocess.Popen(
        ["sh", "-c", 'trap "" INT; exec "$@"', "sh", *harness],
        cwd=REPO,
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_for_line(process, "▶ load", timeout_s=90)
        time.sleep(6)  # let Locust start and measure something
        children = _descendants(process.pid)
        assert children, "the target and Locust should be running"
        process.send_signal(sig)
        started = time.monotonic()
        process.wait(timeout=30)
        assert time.monotonic() - started < 10
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 2
    assert all(not c.is_running() or c.status() == psutil.STATUS_ZOMBIE for c in children)
    run = tmp_path / "latest"
    assert json.loads((run / "load.json").read_text())["status"] == "incomplete"
    meta = json.loads((run / "run.json").read_text())
    assert meta["complete"] is False
    verdict = json.loads((run / "verdict.json").read_text())
    assert verdict["outcome"] == "inconclusive"
    assert any("interrupted" in note for note in verdict["notes"])
