"""Run the audit subprocess: own session, JSON-line events, deadline, cancellation, no orphans."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Generator, Mapping
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parents[1]
_POLL_S = 0.2
_GRACE_S = 5.0


@dataclasses.dataclass
class Outcome:
    """How the audit process ended; filled in once its events are consumed."""

    returncode: int | None = None
    timed_out: bool = False
    cancelled: bool = False


def audit_command(plan: Path, out: Path) -> list[str]:
    """The command line of the audit subprocess."""
    return [sys.executable, "-m", "accessibility.audit", "--plan", str(plan), "--out", str(out)]


def events(
    command: list[str],
    *,
    env: Mapping[str, str],
    log: Path,
    timeout_s: float,
    cancel: threading.Event,
    outcome: Outcome,
) -> Generator[dict[str, Any], None, None]:
    """Yield the subprocess's JSON events until it exits, the deadline passes or ``cancel`` is set."""
    # The repo root on the path, so the audit imports this checkout whether or not it is installed.
    path = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    with log.open("ab") as stderr:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**env, "PYTHONPATH": path},
            stdout=subprocess.PIPE,
            stderr=stderr,
            start_new_session=True,
        )
        try:
            assert process.stdout is not None
            yield from _read(process, process.stdout, time.monotonic() + timeout_s, cancel, outcome)
        finally:
            stop(process)
            outcome.returncode = process.returncode


def _read(
    process: subprocess.Popen[bytes],
    stdout: IO[bytes],
    deadline: float,
    cancel: threading.Event,
    outcome: Outcome,
) -> Generator[dict[str, Any], None, None]:
    lines: queue.Queue[bytes] = queue.Queue()
    reader = threading.Thread(target=_pump, args=(stdout, lines), daemon=True)
    reader.start()
    while True:
        if cancel.is_set():
            outcome.cancelled = True
            return
        if time.monotonic() > deadline:
            outcome.timed_out = True
            return
        try:
            line = lines.get(timeout=_POLL_S)
        except queue.Empty:
            continue
        if not line:
            process.wait()
            return
        yield json.loads(line)


def _pump(stream: IO[bytes], lines: queue.Queue[bytes]) -> None:
    """Move stdout lines into ``lines``; an empty item marks the end of the stream."""
    for line in stream:
        if line.strip():
            lines.put(line)
    lines.put(b"")


def stop(process: subprocess.Popen[bytes]) -> None:
    """Ask the audit to close its browser (SIGTERM), wait for its group to end, then SIGKILL it.

    Playwright starts Chromium in a process group of its own, so killing the audit's group cannot
    reach the browser: only the audit (through Playwright) can close it, hence the grace period.
    """
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=_GRACE_S)
    _wait_group_gone(process.pid, _GRACE_S)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def _wait_group_gone(pgid: int, timeout_s: float) -> None:
    """Wait until no process of group ``pgid`` is left (the Playwright driver ends last)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
