"""`python -m harness run` as a child process in its own group: wait for a stage, interrupt, inspect."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import psutil

from tests.fixtures.runs import REPO


@contextmanager
def harness_run(args: list[str], env: dict[str, str]) -> Iterator[subprocess.Popen[str]]:
    """Start the harness (its own process group, like a shell job); kill the group on the way out."""
    process = subprocess.Popen(
        [sys.executable, "-m", "harness", "run", *args],
        cwd=REPO,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wait_for_line(process: subprocess.Popen[str], needle: str, timeout_s: float) -> str:
    """Read stderr until a line holds ``needle``; everything read so far."""
    assert process.stderr is not None
    seen = ""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if not line and process.poll() is not None:
            break
        seen += line
        if needle in line:
            return seen
    raise AssertionError(f"{needle!r} not seen in {timeout_s} s:\n{seen}")


def descendants(pid: int) -> list[psutil.Process]:
    """Every live process below ``pid``."""
    return psutil.Process(pid).children(recursive=True)


def interrupt(process: subprocess.Popen[str], sig: int) -> float:
    """SIGINT to the whole group (what Ctrl-C in a terminal does) or SIGTERM to the harness (what CI
    does); wait for the exit and return how long it took."""
    if sig == signal.SIGINT:
        os.killpg(process.pid, sig)
    else:
        process.send_signal(sig)
    started = time.monotonic()
    process.communicate(timeout=30)
    return time.monotonic() - started


def alive(processes: list[psutil.Process]) -> list[str]:
    """The processes of ``processes`` still running (zombies count as gone), as readable names."""
    left = []
    for proc in processes:
        try:
            if proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE:
                left.append(f"{proc.pid} {' '.join(proc.cmdline())[:120]}")
        except psutil.NoSuchProcess:
            continue
    return left
