"""Run the audit subprocess under the harness's supervisor: JSON-line events, deadline, cancellation, no orphans."""

from __future__ import annotations

import dataclasses
import json
import os
import queue
import signal
import sys
import threading
import time
from collections.abc import Generator, Mapping
from pathlib import Path
from typing import IO, Any

from stagekit import supervisor
from stagekit.imports import IMPORT_ROOT as ROOT

_POLL_S = 0.2
# SIGTERM to the audit alone asks it to close its browser, and only it can: Playwright starts
# Chromium in a process group of its own, which killing the audit's group would not reach. Then
# its group (the Playwright driver ends last) gets a moment to end before the SIGKILL.
_STOP = supervisor.Stop(steps=((signal.SIGTERM, 5.0),), group=False, linger_s=5.0)


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
    child = supervisor.start(
        command, cwd=ROOT, env={**env, "PYTHONPATH": path}, log=log, stop=_STOP, capture_stdout=True
    )
    try:
        assert child.popen.stdout is not None
        yield from _read(child, child.popen.stdout, time.monotonic() + timeout_s, cancel, outcome)
    finally:
        outcome.returncode = child.stop()


def _read(
    child: supervisor.Child,
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
            child.wait()
            return
        yield json.loads(line)


def _pump(stream: IO[bytes], lines: queue.Queue[bytes]) -> None:
    """Move stdout lines into ``lines``; an empty item marks the end of the stream."""
    for line in stream:
        if line.strip():
            lines.put(line)
    lines.put(b"")
