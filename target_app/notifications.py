"""Websocket notifications: a hub of connected clients, and the ``/ws/notifications`` endpoint.

Broadcasts reach the clients of this worker (the default is one worker; with several workers
a shared broker would be needed, see the README).
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect

from target_app.metrics import WS_LATENCY

SLOW_WEBSOCKET_DELAY_S = 0.12
SEND_TIMEOUT_S = 2.0


class Hub:
    """The set of connected websocket clients of this process."""

    def __init__(self) -> None:
        self._clients: set[WebSocket] = set()

    @property
    def size(self) -> int:
        """How many clients are connected."""
        return len(self._clients)

    def add(self, ws: WebSocket) -> None:
        """Register a connected client."""
        self._clients.add(ws)

    def discard(self, ws: WebSocket) -> None:
        """Forget a client."""
        self._clients.discard(ws)

    async def broadcast(self, message: dict[str, Any]) -> None:
        """Send ``message`` to every client; drop the ones that fail or stall."""
        if not self._clients:
            return
        started = time.perf_counter()
        text = json.dumps(message)
        clients = list(self._clients)
        results = await asyncio.gather(
            *(asyncio.wait_for(ws.send_text(text), SEND_TIMEOUT_S) for ws in clients),
            return_exceptions=True,
        )
        for ws, result in zip(clients, results, strict=True):
            if isinstance(result, BaseException):
                self.discard(ws)
        WS_LATENCY.labels(message.get("type", "broadcast")).observe(time.perf_counter() - started)


def _reply(message: Any) -> dict[str, Any]:
    if not isinstance(message, dict) or message.get("type") != "ping":
        return {"type": "error", "detail": 'Expected {"type": "ping", "id": ..., "sent": ...}'}
    return {"type": "pong", "id": message.get("id"), "sent": message.get("sent")}


async def serve_client(ws: WebSocket, hub: Hub, *, slow: bool) -> None:
    """Answer pings with pongs until the client leaves (``slow``: the slow-websocket fault)."""
    await ws.accept()
    hub.add(ws)
    try:
        while True:
            raw = await ws.receive_text()
            started = time.perf_counter()
            try:
                reply = _reply(json.loads(raw))
            except ValueError:
                reply = _reply(None)
            if slow and reply["type"] == "pong":
                await asyncio.sleep(SLOW_WEBSOCKET_DELAY_S)
            await ws.send_text(json.dumps(reply))
            WS_LATENCY.labels(reply["type"]).observe(time.perf_counter() - started)
    except WebSocketDisconnect:
        pass
    finally:
        hub.discard(ws)
