"""Start a foreign app in its own process group on a free loopback port, and read its request log.

``start_app("shelf", tmp_path, faults=("server-error",))`` is a context manager; ``shelf_app`` and
``notes_app`` are function-scoped pytest fixtures of clean apps built on it. Not registered in the
root conftest: import them (``from tests.foreign_apps.fixtures import shelf_app``) or name this
module in ``pytest_plugins``.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ("shelf", "notes")
READY_TIMEOUT_S = 20.0
STOP_GRACE_S = 5.0

LoggedRequest = tuple[str, str, int]


@dataclass(frozen=True)
class RunningApp:
    """A started app: where it listens, its request log, its console output."""

    name: str
    url: str
    request_log: Path
    output: Path
    process: subprocess.Popen[bytes]

    def requests(self) -> list[LoggedRequest]:
        """``(method, path?query, status)`` per request so far; the first ones are the readiness probe's ``GET /``."""
        if not self.request_log.exists():
            return []
        return [parse_log_line(line) for line in self.request_log.read_text(encoding="utf-8").splitlines() if line]

    def paths(self) -> list[str]:
        """The requested paths without their query strings."""
        return [target.partition("?")[0] for _, target, _ in self.requests()]


def parse_log_line(line: str) -> LoggedRequest:
    """``"GET /books?limit=5 200"`` -> ``("GET", "/books?limit=5", 200)``."""
    method, _, rest = line.partition(" ")
    target, _, status = rest.rpartition(" ")
    return method, target, int(status)


def free_port() -> int:
    """A loopback port nobody listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def start_app(
    name: str, tmp_path: Path, faults: Iterable[str] = (), env: Mapping[str, str] | None = None
) -> Iterator[RunningApp]:
    """Run ``python -m tests.foreign_apps.<name>`` until the block ends; the process group is always killed."""
    if name not in APPS:
        raise ValueError(f"unknown foreign app {name!r}; choose one of {', '.join(APPS)}")
    port = free_port()
    log, output = tmp_path / f"{name}-{port}-requests.log", tmp_path / f"{name}-{port}.out"
    # --faults is always passed, so a FOREIGN_FAULTS in the test's own environment cannot leak in.
    command = [sys.executable, "-m", f"tests.foreign_apps.{name}", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--request-log", str(log), "--faults", ",".join(faults)]
    with output.open("wb") as sink:
        process = subprocess.Popen(
            command, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=sink, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    app = RunningApp(name, f"http://127.0.0.1:{port}", log, output, process)
    try:
        _wait_ready(app)
        yield app
    finally:
        _stop(process)


def _wait_ready(app: RunningApp) -> None:
    """Poll ``GET /`` until it answers, the process dies, or the deadline passes (then say why)."""
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if app.process.poll() is not None:
            raise RuntimeError(f"{app.name} exited with {app.process.returncode} before serving\n{_tail(app.output)}")
        with contextlib.suppress(httpx.TransportError):
            httpx.get(f"{app.url}/", timeout=2.0)
            return
        time.sleep(0.1)
    raise RuntimeError(f"{app.name} did not answer GET / within {READY_TIMEOUT_S:.0f} s\n{_tail(app.output)}")


def _tail(path: Path, lines: int = 30) -> str:
    text = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
    return "--- output tail ---\n" + "\n".join(text.splitlines()[-lines:])


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the whole group, a grace period, then SIGKILL to whatever of the group is left."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(STOP_GRACE_S)
    # Sweep the group even after a clean exit: anything the app started must not outlive the test.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(STOP_GRACE_S)


@pytest.fixture
def shelf_app(tmp_path: Path) -> Iterator[RunningApp]:
    """The bookshelf WSGI app without faults."""
    with start_app("shelf", tmp_path) as app:
        yield app


@pytest.fixture
def notes_app(tmp_path: Path) -> Iterator[RunningApp]:
    """The notes ASGI site without faults."""
    with start_app("notes", tmp_path) as app:
        yield app
