"""No orphans, whatever ends the harness: ``kill -9`` of a run takes every process of it down (the
target, pytest, the Playwright driver, Chromium in its own session), and SIGTERM stops the UI launcher
like Ctrl-C (the target and Locust with it)."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest

from stagekit.target import free_port
from tests.fixtures.runs import REPO

# A tool that starts a browser-like grandchild in a session of its own, then works forever.
TOOL = (
    "import subprocess, sys, time\n"
    "subprocess.Popen([sys.executable, '-c', 'import os, time; os.setsid(); time.sleep(120)'])\n"
    "time.sleep(120)\n"
)
# A harness stand-in: supervises the tool, says so, and waits to be killed.
HARNESS = (
    "import os, sys, threading, time\n"
    "from pathlib import Path\n"
    "from stagekit import supervisor\n"
    "supervisor.start([sys.executable, '-c', sys.argv[1]], env=os.environ, cwd=Path.cwd(), log=None)\n"
    "print('started', flush=True)\n"
    "time.sleep(120)\n"
)


def tree(pid: int) -> list[psutil.Process]:
    """``pid`` and every live process below it."""
    root = psutil.Process(pid)
    return [root, *root.children(recursive=True)]


def names(pid: int) -> list[str]:
    """The names of the processes of ``pid``'s tree (those ending meanwhile left out)."""
    found = []
    for proc in tree(pid):
        with contextlib.suppress(psutil.NoSuchProcess):
            found.append(proc.name())
    return found


def alive(processes: list[psutil.Process]) -> list[str]:
    """Those still running (zombies count as gone), as readable lines."""
    left = []
    for proc in processes:
        try:
            if proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE:
                left.append(f"{proc.pid} {' '.join(proc.cmdline())[:100]}")
        except psutil.NoSuchProcess:
            continue
    return left


def wait_for(condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    """Poll ``condition`` until it holds."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"{what} not seen within {timeout_s} s"
        time.sleep(0.25)


def all_gone(processes: list[psutil.Process], within_s: float) -> list[str]:
    """Wait up to ``within_s`` for every process to end; the survivors."""
    deadline = time.monotonic() + within_s
    while alive(processes) and time.monotonic() < deadline:
        time.sleep(0.1)
    return alive(processes)


@contextlib.contextmanager
def kill_9_after(harness: subprocess.Popen[Any]) -> Iterator[None]:
    """Run the block (it waits until the tree is up), then ``kill -9`` the harness: every process of its
    tree must be gone within 5 s. The harness is killed and reaped whatever happens."""
    try:
        yield
        processes = tree(harness.pid)
        harness.kill()
        assert all_gone(processes, within_s=5) == []
    finally:
        harness.kill()
        harness.wait()


def test_kill_9_of_the_supervisor_takes_the_whole_tree_down(tmp_path: Path) -> None:
    """The supervisor alone, fast: a grandchild in a session of its own (like Chromium) dies too."""
    harness = subprocess.Popen(
        [sys.executable, "-c", HARNESS, TOOL], cwd=REPO, stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    with kill_9_after(harness):
        assert harness.stdout is not None and harness.stdout.readline() == "started\n"
        wait_for(lambda: len(tree(harness.pid)) == 4, 10, "harness, tool, its grandchild and the lifeline")


@pytest.mark.slow
def test_kill_9_of_a_run_leaves_no_process(tmp_path: Path, target_data_dir: Path) -> None:
    env = {**os.environ, "HARNESS_TARGET_DATA_DIR": str(target_data_dir)}
    command = [sys.executable, "-m", "harness", "run", "--stages", "e2e", "--profile", "smoke", "--out", str(tmp_path)]
    harness = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with kill_9_after(harness):
        wait_for(lambda: "chrom" in " ".join(names(harness.pid)), 120, "Chromium under the run")


@pytest.mark.slow
def test_sigterm_stops_the_ui_launcher_the_target_and_locust(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with (tmp_path / "ui.log").open("wb") as log:
        ui = subprocess.Popen(
            [sys.executable, "-m", "scenarios.ui", "--web-port", str(port)],
            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=log, text=True,
        )  # fmt: skip
    try:
        assert ui.stdout is not None
        announced = ui.stdout.readline()
        assert announced.startswith("Locust UI on"), (tmp_path / "ui.log").read_text()
        target = re.search(r" against (http://127\.0\.0\.1:\d+)", announced)
        assert target is not None, announced
        wait_for(lambda: _answers(f"http://127.0.0.1:{port}"), 60, "Locust's web UI")
        processes = tree(ui.pid)
        ui.send_signal(signal.SIGTERM)
        assert ui.wait(timeout=30) == 0
        assert all_gone(processes, within_s=5) == []
        assert not _answers(target[1])
    finally:
        ui.kill()
        ui.wait()


def _answers(url: str) -> bool:
    try:
        httpx.get(url, timeout=2)
    except httpx.HTTPError:
        return False
    return True
