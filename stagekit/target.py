"""Target lifecycle: start the app a target description names on a free loopback port, or check a URL.

The app runs under the harness's supervisor (`stagekit.supervisor`: a session of its own, its log
streamed into the run directory, a lifeline that kills it if the harness dies); `AppProcess.stop`
is always reached (context manager) and escalates from SIGINT (so coverage data and uvicorn shut
down cleanly) to SIGTERM and SIGKILL, so no orphan is left.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from stagekit import supervisor
from stagekit.description import AppCommand, bundled_description
from stagekit.faults import require_faults_env
from stagekit.netguard import RemoteHosts, check_target_url
from vocabulary.errors import ErrorKind, HarnessError

HOST = "127.0.0.1"
_POLL_S = 0.1
# To the app's whole group (uvicorn workers share it); SIGKILL follows.
_STOP = supervisor.Stop(steps=((signal.SIGINT, 10.0), (signal.SIGTERM, 3.0)))


def free_port() -> int:
    """A port that is free on the loopback interface right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def port_in_use(port: int) -> bool:
    """True if something already listens on ``127.0.0.1:port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return True
        return False


class AppProcess:
    """The app a target description's ``command`` starts, as a child process; use as a context manager."""

    def __init__(
        self,
        command: AppCommand,
        log_path: Path,
        *,
        ready_path: str = "/",
        port: int = 0,
        faults: Sequence[str] = (),
        workers: int = 0,
        data_dir: Path | None = None,
        coverage_data: Path | None = None,
        coverage_rcfile: Path | None = None,
        startup_timeout_s: float | None = None,
        extra_env: dict[str, str] | None = None,
    ) -> None:
        self.app = command
        self.log_path = log_path
        self.ready_path = ready_path
        self.requested_port = port
        self.faults = tuple(faults)
        self.workers = workers
        self.data_dir = data_dir
        self.coverage_data = coverage_data
        self.coverage_rcfile = coverage_rcfile
        self.startup_timeout_s = command.startup_timeout_s if startup_timeout_s is None else startup_timeout_s
        self.extra_env = extra_env or {}
        self.port = 0
        self.process: supervisor.Child | None = None

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:54321``."""
        return f"http://{HOST}:{self.port}"

    def command(self) -> list[str]:
        """The command line that starts the app (a Python app under coverage.py when asked)."""
        fill = {"python": sys.executable, "host": HOST, "port": str(self.port)}
        argv = [part.format(**fill) for part in self.app.argv]
        if self.coverage_data is not None:  # only for a Python app (coverage_stage.runs_python)
            runner = [sys.executable, "-m", "coverage", "run", "--parallel-mode", f"--data-file={self.coverage_data}"]
            if self.coverage_rcfile is not None:
                runner.append(f"--rcfile={self.coverage_rcfile}")
            argv = runner + argv[1:]
        return argv

    def environment(self) -> dict[str, str]:
        """The app's environment: ours, the description's ``env``, the port and the switches."""
        env = {**os.environ, **self.app.env, **self.extra_env, "PYTHONUNBUFFERED": "1"}
        env.update(PORT=str(self.port), HOST=HOST)
        if self.faults and self.app.faults_env:
            env[self.app.faults_env] = ",".join(self.faults)
        if self.data_dir is not None and self.app.data_dir_env:
            env[self.app.data_dir_env] = str(self.data_dir)
        if self.workers:
            env["WEB_CONCURRENCY"] = str(self.workers)  # the convention uvicorn and gunicorn read
        return env

    def start(self) -> str:
        """Start the app and wait for its ready path; returns the base URL."""
        require_faults_env(self.app, self.faults)  # also for an app started without the pipeline's preflight
        if self.requested_port and port_in_use(self.requested_port):
            raise HarnessError(
                ErrorKind.TARGET_START,
                f"port {self.requested_port} on {HOST} is already in use",
                tip="stop whatever listens there, or omit the port to pick a free one",
            )
        self.port = self.requested_port or free_port()
        try:
            self.process = supervisor.start(
                self.command(), env=self.environment(), cwd=self.app.cwd, log=self.log_path, stop=_STOP
            )
        except OSError as exc:
            raise HarnessError(
                ErrorKind.TARGET_START, f"cannot start the target {self.app.argv[0]!r}: {exc.strerror or exc}"
            ) from exc
        try:
            self._wait_ready()
        except BaseException:  # Ctrl-C or SIGTERM while waiting included: never leave it running
            self.stop()
            raise
        return self.url

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout_s
        ready = self.url + self.ready_path
        with httpx.Client(timeout=2.0, follow_redirects=False) as client:
            while time.monotonic() < deadline:
                assert self.process is not None
                if self.process.poll() is not None:
                    code = self.process.returncode
                    self.stop()
                    raise HarnessError(
                        ErrorKind.TARGET_START,
                        f"the target exited with code {code} before it was ready\n{self.log_tail()}",
                        tip=f"full log: {self.log_path}",
                    )
                with contextlib.suppress(httpx.HTTPError):
                    if client.get(ready).status_code < 400:
                        return
                time.sleep(_POLL_S)
        self.stop()
        raise HarnessError(
            ErrorKind.TARGET_START,
            f"the target did not answer {ready} within {self.startup_timeout_s:g} s\n{self.log_tail()}",
            tip=f"full log: {self.log_path}; raise startup_timeout_s for a slow machine",
        )

    def log_tail(self, lines: int = 15) -> str:
        """The last lines of the target's log, indented, for error messages."""
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "  (no log)"
        return "\n".join("  | " + line for line in text.splitlines()[-lines:])

    def stop(self) -> None:
        """Stop the app and everything it started; safe to call twice."""
        process, self.process = self.process, None
        if process is not None:
            process.stop()

    def restart(self) -> None:
        """Kill the app hard (SIGKILL to its group) and start it again on the same port."""
        process, self.process = self.process, None
        if process is not None:
            process.kill()
        self.requested_port = self.port
        self.start()

    def __enter__(self) -> AppProcess:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def runs_python(command: AppCommand) -> bool:
    """Does the command start a Python interpreter (so coverage.py can run it)?"""
    first = Path(command.argv[0]).name if command.argv else ""
    return command.argv[:1] == ("{python}",) or first.startswith("python")


def check_external(url: str, *, ready_path: str = "/", allow_remote: RemoteHosts, timeout_s: float) -> str:
    """Refuse remote hosts without permission, then check the target answers within ``timeout_s``."""
    url = check_target_url(url, allow_remote=allow_remote)
    started = time.monotonic()
    try:
        httpx.get(url + ready_path, timeout=timeout_s, follow_redirects=False)
    except httpx.HTTPError as exc:
        elapsed = time.monotonic() - started
        reason = type(exc).__name__ if not str(exc) else str(exc)
        raise HarnessError(
            ErrorKind.TARGET_UNREACHABLE,
            f"target {url} is not reachable: {reason} (after {elapsed:.1f} s)",
            tip="check the URL and that the app is running (or give the target a command so the harness starts it)",
        ) from exc
    return url


def bundled_app(log_path: Path, **options: Any) -> AppProcess:
    """The bundled marketplace, started from its own target description (tests, the web UI, benchmarks)."""
    described = bundled_description()
    assert described.command is not None
    return AppProcess(described.command, log_path, ready_path=described.ready_path, **options)
