"""One supervisor for every process the harness starts: the target and each stage's tool.

A child runs in a session (so a process group) of its own, with its output in a log file, and
never outlives the harness:

- stopped on purpose: its `Stop` signals in turn (SIGINT first, so the tool writes what it
  measured), each with a grace period, then SIGKILL to its whole group (workers, drivers);
- whatever kills the harness, ``kill -9`` included: its lifeline (`stagekit/lifeline.py`, a tiny
  watchdog in a session of its own holding the read end of a pipe only the harness can close)
  sees the pipe close and kills the child's session and every process descended from it,
  browsers in sessions of their own included. Stopping on purpose ends the same way.

`interruptible` makes SIGTERM, and SIGINT even when the shell started the harness with it
ignored, end the harness's main thread with ``KeyboardInterrupt``, so every ``finally`` that
stops a child runs.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from stagekit import egress

LIFELINE = Path(__file__).with_name("lifeline.py")
_REAP_S = 10.0
"""How long to wait for the group leader after SIGKILL (a process in uninterruptible I/O)."""


@dataclasses.dataclass(frozen=True)
class Stop:
    """How a child is stopped on purpose; SIGKILL to its whole group always comes last."""

    steps: tuple[tuple[signal.Signals, float], ...] = ((signal.SIGINT, 5.0),)
    """Each signal in turn, with the seconds to wait for the child to exit after it."""
    group: bool = True
    """Send ``steps`` to the child's whole process group, or to the child alone."""
    linger_s: float = 0.0
    """Once the child exited, how long the rest of its group may take to end by itself."""


@dataclasses.dataclass(frozen=True)
class Ended:
    """How waiting for a child ended."""

    returncode: int | None
    """None when it was still running (deadline or cancellation)."""
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


class Child:
    """A started child process on its lifeline; `stop` (or leaving the ``with`` block) ends it and its tree."""

    def __init__(self, popen: subprocess.Popen[bytes], lifeline: _Lifeline, stop: Stop) -> None:
        self.popen = popen
        self.started = time.monotonic()
        self._lifeline = lifeline
        self._stop = stop

    @property
    def pid(self) -> int:
        """The child's pid, also its process group and session id."""
        return self.popen.pid

    @property
    def returncode(self) -> int | None:
        """Its exit code once reaped (negative: the signal that killed it)."""
        return self.popen.returncode

    def poll(self) -> int | None:
        """Its exit code if it has exited, else None."""
        return self.popen.poll()

    def wait(self, timeout: float | None = None) -> int:
        """Wait for it to exit (``subprocess.TimeoutExpired`` after ``timeout``)."""
        return self.popen.wait(timeout=timeout)

    def stop(self) -> int | None:
        """Stop it as its `Stop` says, then kill its tree; its exit code (None if not reaped). Safe twice."""
        try:
            self._ask_to_exit()
        finally:  # a second Ctrl-C during the grace period kills at once
            returncode = self.kill()
        return returncode

    def _ask_to_exit(self) -> None:
        for sig, grace_s in self._stop.steps:
            if self.popen.poll() is not None:
                break
            self._signal(sig, group=self._stop.group)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(timeout=grace_s)
        if self._stop.linger_s:
            _wait_group_gone(self.pid, self._stop.linger_s)

    def kill(self) -> int | None:
        """SIGKILL its whole tree at once; its exit code (None if not reaped). Safe twice.

        Its group first, then the lifeline takes the rest, even processes in sessions of their own.
        """
        self._signal(signal.SIGKILL, group=True)
        self._lifeline.cut()
        try:
            return self.popen.wait(timeout=_REAP_S)
        except subprocess.TimeoutExpired:
            return None

    def _signal(self, sig: signal.Signals, *, group: bool) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            if group:
                os.killpg(self.pid, sig)
            else:
                self.popen.send_signal(sig)

    def __enter__(self) -> Child:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def start(
    argv: Sequence[str],
    *,
    env: Mapping[str, str],
    cwd: Path | None,
    log: Path | None,
    stop: Stop = Stop(),
    truncate_log: bool = False,
    capture_stdout: bool = False,
    cpus: Sequence[int] = (),
) -> Child:
    """Start ``argv`` in a session of its own on a lifeline, output into ``log`` (appended unless
    ``truncate_log``; None: this process's own output). With ``capture_stdout`` only stderr goes
    to the log and ``child.popen.stdout`` is a pipe. ``cpus``: pin it (and what it forks) to them.
    Raises ``OSError`` when ``argv`` cannot be started.
    """
    with _log_stream(log, truncate_log) as out:
        popen = subprocess.Popen(
            list(argv),
            cwd=cwd,
            # A stage running beside others has its own egress folder, which os.environ cannot say.
            env={**env, **egress.child_environment()},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE if capture_stdout else out,
            stderr=out if capture_stdout or out is None else subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        lifeline = _Lifeline(popen.pid)
        if cpus:
            # Set before the child has imported anything, so what it forks inherits it.
            os.sched_setaffinity(popen.pid, cpus)
    except BaseException:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(popen.pid, signal.SIGKILL)
        popen.wait()
        raise
    return Child(popen, lifeline, stop)


@contextlib.contextmanager
def _log_stream(log: Path | None, truncate: bool) -> Iterator[IO[bytes] | None]:
    if log is None:
        yield None
        return
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb" if truncate else "ab") as out:
        yield out


def wait(
    child: Child,
    *,
    timeout_s: float,
    cancel: threading.Event,
    on_tick: Callable[[], None] = lambda: None,
    poll_s: float = 0.5,
) -> Ended:
    """Wait for ``child`` to exit, ``cancel`` to be set or ``timeout_s`` to pass; ``on_tick`` every ``poll_s``.

    Does not stop the child: the caller does, in its ``finally``.
    """
    while True:
        try:
            return Ended(child.wait(timeout=poll_s), time.monotonic() - child.started)
        except subprocess.TimeoutExpired:
            pass
        elapsed = time.monotonic() - child.started
        if cancel.is_set():
            return Ended(None, elapsed, cancelled=True)
        if elapsed > timeout_s:
            return Ended(None, elapsed, timed_out=True)
        on_tick()


class _Lifeline:
    """The watchdog of one child: kills the child's tree when the pipe closes (`cut`, or this process died)."""

    def __init__(self, pid: int) -> None:
        read, write = os.pipe()  # both ends close-on-exec: no other child inherits the write end
        try:
            self._watchdog = subprocess.Popen(
                [sys.executable, "-I", "-S", str(LIFELINE), str(read), str(pid)],
                pass_fds=(read,),
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        except BaseException:
            os.close(write)
            raise
        finally:
            os.close(read)
        self._write: int | None = write
        self._lock = threading.Lock()

    def cut(self) -> None:
        """Close the pipe and wait until the watchdog has killed the child's tree."""
        with self._lock:
            write, self._write = self._write, None
        if write is None:
            return
        os.close(write)
        try:
            self._watchdog.wait(timeout=_REAP_S)
        except subprocess.TimeoutExpired:
            self._watchdog.kill()
            self._watchdog.wait()


def _wait_group_gone(pgid: int, timeout_s: float) -> None:
    """Wait until no process of group ``pgid`` is left, at most ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)


@contextlib.contextmanager
def interruptible() -> Iterator[None]:
    """Within the block SIGTERM acts like Ctrl-C, and Ctrl-C works even if it was ignored at start-up.

    A shell without job control starts ``cmd &`` with SIGINT ignored, and Python then installs no
    handler for it; a CI runner cancelling with SIGINT would not stop the harness. Handlers are
    reset to the default in every child started meanwhile (an ignored signal would be inherited).
    Only the main thread can install handlers: elsewhere this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            if handler is not None:  # None: set outside Python, cannot be put back
                signal.signal(sig, handler)


def _raise_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt
