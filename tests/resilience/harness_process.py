"""`python -m harness run` as a child process in its own group: wait for a stage, interrupt, inspect."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import psutil

from tests.fixtures.runs import REPO


class HarnessProcess:
    """The running harness; its stderr is drained by a thread so a full pipe never blocks it."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.popen = subprocess.Popen(
            [sys.executable, "-m", "harness", "run", *args],
            cwd=REPO,
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        self.stderr: list[str] = []
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()

    @property
    def pid(self) -> int:
        """The harness's process id (and process group id)."""
        return self.popen.pid

    def _drain(self) -> None:
        assert self.popen.stderr is not None
        for line in self.popen.stderr:
            self.stderr.append(line)

    def wait_for_line(self, needle: str, timeout_s: float) -> None:
        """Until a line of stderr holds ``needle``."""
        deadline = time.monotonic() + timeout_s
        while not any(needle in line for line in self.stderr):
            if time.monotonic() > deadline or self.popen.poll() is not None:
                raise AssertionError(f"{needle!r} not seen:\n{''.join(self.stderr)}")
            time.sleep(0.1)

    def wait(self, timeout_s: float) -> int:
        """The exit code, once the harness ended."""
        code = self.popen.wait(timeout=timeout_s)
        self._reader.join(timeout=5)
        return code

    def interrupt(self, sig: int) -> float:
        """SIGINT to the whole group (what Ctrl-C in a terminal does) or SIGTERM to the harness (what CI
        does); wait for the exit and return how long it took."""
        if sig == signal.SIGINT:
            os.killpg(self.pid, sig)
        else:
            self.popen.send_signal(sig)
        started = time.monotonic()
        self.wait(timeout_s=30)
        return time.monotonic() - started


@contextmanager
def harness_run(args: list[str], env: dict[str, str]) -> Iterator[HarnessProcess]:
    """Start the harness (its own process group, like a shell job); kill the group on the way out."""
    process = HarnessProcess(args, env)
    try:
        yield process
    finally:
        if process.popen.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.popen.wait()


def descendants(pid: int) -> list[psutil.Process]:
    """Every live process below ``pid``."""
    children: list[psutil.Process] = psutil.Process(pid).children(recursive=True)
    return children


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
