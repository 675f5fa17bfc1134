"""Target lifecycle: start the bundled app on a free loopback port, or check an external URL.

The bundled app runs in its own session (process group) with its log streamed into the run
directory; `BundledTarget.stop` is always reached (context manager) and escalates from SIGINT
(so coverage data and uvicorn shut down cleanly) to SIGTERM and SIGKILL, so no orphan is left.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import IO

import httpx

from harness.errors import ErrorKind, HarnessError
from harness.netguard import check_target_url

HOST = "127.0.0.1"
_POLL_S = 0.1
_STOP_GRACE_S = 10.0


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


class BundledTarget:
    """The bundled marketplace app as a child process; use as a context manager."""

    def __init__(
        self,
        log_path: Path,
        *,
        port: int = 0,
        faults: Sequence[str] = (),
        workers: int = 1,
        data_dir: Path | None = None,
        coverage_data: Path | None = None,
        coverage_rcfile: Path | None = None,
        startup_timeout_s: float = 60.0,
        extra_env: dict[str, str] | None = None,
    ) -> None:
        self.log_path = log_path
        self.requested_port = port
        self.faults = tuple(faults)
        self.workers = workers
        self.data_dir = data_dir
        self.coverage_data = coverage_data
        self.coverage_rcfile = coverage_rcfile
        self.startup_timeout_s = startup_timeout_s
        self.extra_env = extra_env or {}
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:54321``."""
        return f"http://{HOST}:{self.port}"

    def command(self) -> list[str]:
        """The command line that starts the app (under coverage when asked)."""
        runner = [sys.executable]
        if self.coverage_data is not None:
            runner += ["-m", "coverage", "run", "--parallel-mode", f"--data-file={self.coverage_data}"]
            if self.coverage_rcfile is not None:
                runner.append(f"--rcfile={self.coverage_rcfile}")
        args = ["-m", "target_app", "--host", HOST, "--port", str(self.port), "--workers", str(self.workers)]
        if self.faults:
            args += ["--faults", ",".join(self.faults)]
        if self.data_dir is not None:
            args += ["--data-dir", str(self.data_dir)]
        return runner + args

    def start(self) -> str:
        """Start the app and wait for ``/health``; returns the base URL."""
        if self.requested_port and port_in_use(self.requested_port):
            raise HarnessError(
                ErrorKind.TARGET_START,
                f"port {self.requested_port} on {HOST} is already in use",
                tip="stop whatever listens there, or omit the port to pick a free one",
            )
        self.port = self.requested_port or free_port()
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("ab")
        env = {**os.environ, **self.extra_env, "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            self.command(), stdout=self._log, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
        self._wait_healthy()
        return self.url

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + self.startup_timeout_s
        with httpx.Client(timeout=2.0) as client:
            while time.monotonic() < deadline:
                assert self.process is not None
                if self.process.poll() is not None:
                    code = self.process.returncode
                    self.stop()
                    raise HarnessError(
                        ErrorKind.TARGET_START,
                        f"the bundled target exited with code {code} before it was healthy\n{self.log_tail()}",
                        tip=f"full log: {self.log_path}",
                    )
                with contextlib.suppress(httpx.HTTPError):
                    if client.get(f"{self.url}/health").status_code == 200:
                        return
                time.sleep(_POLL_S)
        self.stop()
        raise HarnessError(
            ErrorKind.TARGET_START,
            f"the bundled target did not answer {self.url}/health within {self.startup_timeout_s:g} s\n"
            f"{self.log_tail()}",
            tip=f"full log: {self.log_path}; raise target_startup_timeout_s for a slow machine",
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
        if process is not None and process.poll() is None:
            _terminate_group(process)
        if self._log is not None:
            self._log.close()
            self._log = None

    def restart(self) -> None:
        """Kill the app hard (SIGKILL) and start it again on the same port."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.process = None
        self.requested_port = self.port
        if self._log is not None:
            self._log.close()
            self._log = None
        self.start()

    def __enter__(self) -> BundledTarget:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def _terminate_group(process: subprocess.Popen[bytes]) -> None:
    """SIGINT, then SIGTERM, then SIGKILL to the child's whole process group."""
    for sig, wait_s in ((signal.SIGINT, _STOP_GRACE_S), (signal.SIGTERM, 3.0), (signal.SIGKILL, 5.0)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=wait_s)
            break
        except subprocess.TimeoutExpired:
            continue
    # Children of the app (uvicorn workers) share its group: make sure none outlive it.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def check_external(url: str, *, allow_remote: bool, timeout_s: float) -> str:
    """Refuse remote hosts without permission, then check the target answers within ``timeout_s``."""
    url = check_target_url(url, allow_remote=allow_remote)
    started = time.monotonic()
    try:
        httpx.get(url + "/", timeout=timeout_s, follow_redirects=False)
    except httpx.HTTPError as exc:
        elapsed = time.monotonic() - started
        reason = type(exc).__name__ if not str(exc) else str(exc)
        raise HarnessError(
            ErrorKind.TARGET_UNREACHABLE,
            f"target {url} is not reachable: {reason} (after {elapsed:.1f} s)",
            tip="check the URL and that the app is running; omit --target-url to use the bundled app",
        ) from exc
    return url
