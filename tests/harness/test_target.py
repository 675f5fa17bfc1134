"""Target lifecycle with the real bundled app: start, answer, stop, and every way start can fail."""

from __future__ import annotations

import socket
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest

from stagekit.description import AppCommand
from stagekit.target import AppProcess, bundled_app
from vocabulary.errors import ErrorKind, HarnessError


def scripted(log: Path, script: str, startup_timeout_s: float) -> AppProcess:
    """A target whose process is a given Python snippet (a real process that misbehaves)."""
    return AppProcess(AppCommand(argv=(sys.executable, "-c", script)), log, startup_timeout_s=startup_timeout_s)


NEVER_READY = "import time; time.sleep(120)"
EXITS_EARLY = "print('database file is locked', flush=True); raise SystemExit(3)"


def _gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


@pytest.mark.slow
def test_starts_answers_and_stops(tmp_path: Path, target_data_dir: Path) -> None:
    app = bundled_app(tmp_path / "target.log", data_dir=target_data_dir)
    url = app.start()
    try:
        assert url.startswith("http://127.0.0.1:")
        assert httpx.get(f"{url}/health").status_code == 200
        assert app.process is not None
        pids = [app.process.pid, *(c.pid for c in psutil.Process(app.process.pid).children(recursive=True))]
    finally:
        app.stop()
    assert all(_gone(pid) for pid in pids)
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/health")
    assert (tmp_path / "target.log").stat().st_size > 0


def test_port_already_taken_is_reported(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(HarnessError) as info:
            bundled_app(tmp_path / "t.log", port=port).start()
    assert info.value.kind is ErrorKind.TARGET_START
    assert f"port {port} on 127.0.0.1 is already in use" in info.value.message


def test_never_healthy_hits_the_deadline(tmp_path: Path) -> None:
    app = scripted(tmp_path / "t.log", NEVER_READY, startup_timeout_s=1.5)
    started = time.monotonic()
    with pytest.raises(HarnessError) as info:
        app.start()
    assert time.monotonic() - started < 15
    assert "did not answer" in info.value.message and "within 1.5 s" in info.value.message
    assert app.process is None


def test_early_exit_shows_the_log(tmp_path: Path) -> None:
    with pytest.raises(HarnessError) as info:
        scripted(tmp_path / "t.log", EXITS_EARLY, startup_timeout_s=10).start()
    assert "exited with code 3" in info.value.message
    assert "database file is locked" in info.value.message
