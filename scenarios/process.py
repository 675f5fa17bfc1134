"""Run Locust under the harness's supervisor (own process group, lifeline) and always take it down again.

Locust (and gevent's monkey-patching) never enters the harness process. Stopping is graceful
first: SIGINT to the master makes Locust stop the swarm and run its ``quit`` event, so the
summary of what was measured is still written; then the whole group is killed, workers included.
(Not SIGTERM: a headless shape run installs Locust's SIGTERM handler only after the shape
finishes, so SIGTERM mid-run kills the master before it writes anything; Locust 2.47.)
"""

from __future__ import annotations

import dataclasses
import signal
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from stagekit import supervisor

GRACE_S = 15.0
POLL_S = 0.5
# SIGINT to the master alone: it stops its workers itself.
LOCUST_STOP = supervisor.Stop(steps=((signal.SIGINT, GRACE_S),), group=False)


@dataclasses.dataclass
class Outcome:
    """How the Locust process ended."""

    returncode: int | None
    cancelled: bool = False
    timed_out: bool = False


def start(cmd: Sequence[str], *, env: Mapping[str, str], cwd: Path, log_path: Path | None) -> supervisor.Child:
    """Start Locust (output into ``log_path``, None: this terminal); stop it with ``child.stop()``."""
    return supervisor.start(cmd, env=env, cwd=cwd, log=log_path, stop=LOCUST_STOP)


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
    child = supervisor.start(cmd, env=env, cwd=cwd, log=log_path, stop=LOCUST_STOP, cpus=cpus)
    outcome = Outcome(returncode=None)
    try:
        ended = supervisor.wait(child, timeout_s=deadline_s, cancel=cancel, on_tick=on_tick, poll_s=POLL_S)
        outcome = Outcome(ended.returncode, cancelled=ended.cancelled, timed_out=ended.timed_out)
    except KeyboardInterrupt:
        cancel.set()
        outcome = Outcome(returncode=None, cancelled=True)
    finally:
        returncode = child.stop()
    outcome.returncode = returncode if outcome.returncode is None else outcome.returncode
    return outcome
