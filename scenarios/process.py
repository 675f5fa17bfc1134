"""Run Locust in its own process group and always take it down again.

Locust (and gevent's monkey-patching) never enters the harness process. Stopping is graceful
first: SIGINT to the master makes Locust stop the swarm and run its ``quit`` event, so the
summary of what was measured is still written; then the whole group is killed, workers included.
(Not SIGTERM: a headless shape run installs Locust's SIGTERM handler only after the shape
finishes, so SIGTERM mid-run kills the master before it writes anything; Locust 2.47.)
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

GRACE_S = 15.0
POLL_S = 0.5


@dataclasses.dataclass
class Outcome:
    """How the Locust process ended."""

    returncode: int | None
    cancelled: bool = False
    timed_out: bool = False


def run(
    cmd: Sequence[str],
    *,
    env: dict[str, str],
    cwd: Path,
    log_path: Path,
    deadline_s: float,
    cancel: threading.Event,
    on_tick: Callable[[], None] = lambda: None,
    cpus: Sequence[int] = (),
) -> Outcome:
    """Run ``cmd`` until it exits, ``cancel`` is set, or ``deadline_s`` passes (on ``cpus`` if given)."""
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(
            list(cmd), env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )
        outcome = Outcome(returncode=None)
        try:
            if cpus:
                # Set before Locust has imported anything, so --processes workers inherit it.
                os.sched_setaffinity(proc.pid, cpus)
            outcome = _wait(proc, time.monotonic() + deadline_s, cancel, on_tick)
        except KeyboardInterrupt:
            cancel.set()
            outcome = Outcome(returncode=None, cancelled=True)
        finally:
            returncode = stop(proc)
        outcome.returncode = returncode if outcome.returncode is None else outcome.returncode
        return outcome


def _wait(
    proc: subprocess.Popen[bytes], deadline: float, cancel: threading.Event, on_tick: Callable[[], None]
) -> Outcome:
    while True:
        try:
            return Outcome(returncode=proc.wait(timeout=POLL_S))
        except subprocess.TimeoutExpired:
            pass
        if cancel.is_set():
            return Outcome(returncode=None, cancelled=True)
        if time.monotonic() > deadline:
            return Outcome(returncode=None, timed_out=True)
        on_tick()


def stop(proc: subprocess.Popen[bytes]) -> int | None:
    """SIGINT the master, wait up to `GRACE_S`, then SIGKILL the whole process group."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=GRACE_S)
    # Workers of --processes share the group; never leave one behind.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    try:
        return proc.wait(timeout=GRACE_S)
    except subprocess.TimeoutExpired:
        return None
