"""The stage's tool runner: deadline and cancellation stop the whole process group, no orphans."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import psutil

from e2e import process

# A parent that starts a grandchild (like pytest starting Chromium) and then hangs.
HANGS_WITH_CHILD = (
    "import subprocess, sys, time\n"
    "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
    "print(child.pid, flush=True)\n"
    "time.sleep(60)\n"
)


def _run(tmp_path: Path, cancel: threading.Event, timeout_s: float) -> tuple[process.Finished, int]:
    log = tmp_path / "tool.log"
    finished = process.run(
        [sys.executable, "-c", HANGS_WITH_CHILD], cwd=tmp_path, env={}, log=log, timeout_s=timeout_s, cancel=cancel
    )
    return finished, int(log.read_text().split()[0])


def _gone(pid: int, within_s: float = 5.0) -> bool:
    """Dead (or a zombie) within a moment: a signal is delivered asynchronously."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.05)
    return False


def test_deadline_stops_the_tool_and_its_children(tmp_path: Path) -> None:
    finished, child = _run(tmp_path, threading.Event(), timeout_s=1.5)
    assert finished.timed_out and finished.returncode is None
    assert "did not finish within its deadline" in finished.describe("pytest", tmp_path / "tool.log")
    assert _gone(child)


def test_cancel_stops_the_tool_and_its_children(tmp_path: Path) -> None:
    cancel = threading.Event()
    threading.Timer(1.0, cancel.set).start()
    started = time.monotonic()
    finished, child = _run(tmp_path, cancel, timeout_s=60)
    assert finished.cancelled and time.monotonic() - started < 15
    assert _gone(child)


def test_a_finished_tool_reports_its_exit_code(tmp_path: Path) -> None:
    finished = process.run(
        [sys.executable, "-c", "raise SystemExit(3)"],
        cwd=tmp_path,
        env={},
        log=tmp_path / "tool.log",
        timeout_s=30,
        cancel=threading.Event(),
    )
    assert finished.returncode == 3 and not finished.timed_out
