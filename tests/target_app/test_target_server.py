"""The app over a real uvicorn server: headers, gzip, websockets, streaming uploads, CLI."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator

import httpx
import psutil
import pytest
import websockets

from stagekit.target import AppProcess
from target_app.faults import FAULTS
from tests.target_app.conftest import login

MiB = 1024 * 1024
BOUNDARY = "harness-test-boundary"


def test_no_server_banner_and_security_headers(bundled_target: AppProcess) -> None:
    response = httpx.get(f"{bundled_target.url}/models")
    assert "server" not in response.headers
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"
    assert "strict-transport-security" not in response.headers  # plain http


def test_gzip(bundled_target: AppProcess) -> None:
    response = httpx.get(f"{bundled_target.url}/api/models?per_page=50", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert len(response.json()["items"]) == 50


def test_upload_is_broadcast_to_websocket_clients(bundled_target: AppProcess) -> None:
    async def scenario() -> dict[str, object]:
        ws_url = bundled_target.url.replace("http", "ws") + "/ws/notifications"
        async with websockets.connect(ws_url) as ws, httpx.AsyncClient(base_url=bundled_target.url) as client:
            created = await client.post(
                "/api/models",
                headers=await login(client),
                data={"title": "Broadcast me", "category": "tools"},
                files={"file": ("b.glb", b"glTF", "model/gltf-binary")},
            )
            assert created.status_code == 201
            message: dict[str, object] = json.loads(await asyncio.wait_for(ws.recv(), 10))
            return message

    message = asyncio.run(scenario())
    assert message["type"] == "model.created" and message["title"] == "Broadcast me"


def _multipart_stream(size: int) -> tuple[Iterator[bytes], int]:
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="title"\r\n\r\nBig\r\n'
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="category"\r\n\r\nart\r\n'
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="big.stl"\r\nContent-Type: model/stl\r\n\r\n'
    ).encode()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()

    def chunks() -> Iterator[bytes]:
        yield head
        block = b"\x00" * MiB
        for _ in range(size // MiB):
            yield block
        yield tail

    return chunks(), len(head) + size + len(tail)


class PeakRss:
    """Samples a process's resident memory in a thread; ``peak`` is the maximum seen."""

    def __init__(self, pid: int) -> None:
        self.process = psutil.Process(pid)
        self.baseline = self.peak = self.process.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, self.process.memory_info().rss)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()


@pytest.mark.slow
def test_large_upload_streams_without_growing_memory(bundled_target: AppProcess) -> None:
    size = 200 * MiB
    body, length = _multipart_stream(size)
    assert bundled_target.process is not None
    with httpx.Client(base_url=bundled_target.url, timeout=120) as client:
        headers = {
            **asyncio.run(_token(bundled_target.url)),
            "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
            "Content-Length": str(length),
        }
        with PeakRss(bundled_target.process.pid) as rss:
            response = client.post("/api/models", content=body, headers=headers)
    assert response.status_code == 201, response.text
    assert response.json()["size_bytes"] == size
    assert rss.peak - rss.baseline < 40 * MiB, f"RSS grew by {(rss.peak - rss.baseline) / MiB:.0f} MiB"


async def _token(url: str) -> dict[str, str]:
    async with httpx.AsyncClient(base_url=url) as client:
        return await login(client)


def test_oversized_upload_is_refused_before_reading(bundled_target: AppProcess) -> None:
    with socket.create_connection(("127.0.0.1", bundled_target.port), timeout=10) as sock:
        sock.sendall(
            b"POST /api/models HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: multipart/form-data; boundary=x\r\n"
            b"Content-Length: 600000000\r\n\r\n"
        )
        reply = sock.recv(4096).decode()
    assert reply.startswith("HTTP/1.1 413")


def test_cli_lists_faults() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "target_app", "--list-faults"], capture_output=True, text=True, check=True
    ).stdout
    assert [line.split("\t")[0] for line in out.splitlines()] == list(FAULTS)


def test_cli_rejects_unknown_fault_with_a_suggestion() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "target_app", "--faults", "slow-catalog"], capture_output=True, text=True
    )
    assert result.returncode == 2
    assert "Did you mean 'slow-catalogue'?" in result.stderr


def test_readiness_checks_the_database(bundled_target: AppProcess) -> None:
    ready = httpx.get(f"{bundled_target.url}/health/ready")
    assert ready.status_code == 200 and ready.json() == {"status": "ok", "database": "ok"}
