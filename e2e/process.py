"""Run one tool process for the stage: own session, log to a file, deadline, cancellation, no orphans."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

_POLL_S = 0.5
_GRACE_S = 5.0


@dataclasses.dataclass(frozen=True)
class Finished:
    """How a tool process ended."""

    returncode: int | None
    """None when it was killed (deadline or cancellation)."""
    elapsed_s: float
    timed_out: bool = False
    cancelled: bool = False

    def describe(self, name: str, log: Path) -> str:
        """One line for an error message."""
        if self.timed_out:
            return f"{name} did not finish within its deadline and was stopped (log: {log})"
        if self.cancelled:
            return f"{name} was cancelled (log: {log})"
        return f"{name} exited with code {self.returncode} (log: {log})"


def run(
    command: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    log: Path,
    timeout_s: float,
    cancel: threading.Event,
    on_tick: Callable[[], None] | None = None,
) -> Finished:
    """Run ``command`` to completion, or stop its whole process group on deadline or cancel."""
    log.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with log.open("ab") as out:
        process = subprocess.Popen(
            list(command),
            cwd=cwd,
            env=dict(env),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            return _wait(process, started, timeout_s, cancel, on_tick)
        finally:
            stop(process)


def _wait(
    process: subprocess.Popen[bytes],
    started: float,
    timeout_s: float,
    cancel: threading.Event,
    on_tick: Callable[[], None] | None,
) -> Finished:
    while True:
        try:
            code = process.wait(timeout=_POLL_S)
            return Finished(code, time.monotonic() - started)
        except subprocess.TimeoutExpired:
            pass
        if on_tick is not None:
            on_tick()
        elapsed = time.monotonic() - started
        if cancel.is_set():
            return Finished(None, elapsed, cancelled=True)
        if elapsed > timeout_s:
            return Finished(None, elapsed, timed_out=True)


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGINT (pytest writes its reports), then SIGKILL, to the whole group; safe when it ended."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGINT)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=_GRACE_S)
    # Browsers started by the tool share its group: none may outlive the stage.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
