"""Run one tool process for the stage under the harness's supervisor: own session, log file,
deadline, cancellation, no orphans."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from stagekit import supervisor

Finished = supervisor.Ended
"""How a tool process ended (``returncode`` None when it was stopped)."""


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
    """Run ``command`` to completion, or stop its whole process group on deadline or cancel.

    The default `supervisor.Stop`: SIGINT to the group first (pytest writes its reports), then SIGKILL.
    """
    with supervisor.start(command, env=env, cwd=cwd, log=log) as child:
        return supervisor.wait(child, timeout_s=timeout_s, cancel=cancel, on_tick=on_tick or (lambda: None))
