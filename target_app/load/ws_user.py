"""Websocket listeners: ping/pong round trips on ``/ws/notifications``, reported as ``WS`` requests.

websocket-client is plain-socket code, so under Locust's gevent monkey-patching it yields to
other users while it waits (the asyncio `websockets` client would not).
"""

from __future__ import annotations

import json
import random
import time
import urllib.parse
from typing import Any

import websocket
from locust import User, task

PING_NAME = "/ws/notifications ping"
CONNECT_NAME = "/ws/notifications connect"
TIMEOUT_S = 10.0


def ws_url(host: str) -> str:
    """``http://h:p`` → ``ws://h:p/ws/notifications`` (https → wss)."""
    url = urllib.parse.urlsplit(host)
    scheme = "wss" if url.scheme == "https" else "ws"
    return f"{scheme}://{url.netloc}/ws/notifications"


class WebsocketListener(User):
    """Holds one websocket open and measures a ping/pong round trip every second or so."""

    weight = 1
    think_scale = 1.0

    def wait_time(self) -> float:
        """About one ping a second (scaled like the other users' think time)."""
        return random.uniform(0.5, 1.5) * self.think_scale

    def on_start(self) -> None:
        """Connect (a failed connect is reported and retried on the next task)."""
        self.ws: websocket.WebSocket | None = None
        self._seq = 0
        self._connect()

    def on_stop(self) -> None:
        """Close the socket."""
        if self.ws is not None:
            self.ws.close()
            self.ws = None

    def _fire(self, name: str, started: float, exc: BaseException | None, length: int = 0) -> None:
        self.environment.events.request.fire(
            request_type="WS",
            name=name,
            response_time=(time.perf_counter() - started) * 1000,
            response_length=length,
            response=None,
            context={},
            exception=exc,
            start_time=time.time() - (time.perf_counter() - started),
        )

    def _connect(self) -> None:
        started = time.perf_counter()
        try:
            self.ws = websocket.create_connection(ws_url(self.host or ""), timeout=TIMEOUT_S)
        except (OSError, websocket.WebSocketException) as exc:
            # Only failures are reported: the handshake is not the latency the budget guards.
            self._fire(CONNECT_NAME, started, exc)
            self.ws = None

    @task
    def ping(self) -> None:
        """Send a ping and wait for its pong, skipping broadcasts in between."""
        if self.ws is None:
            self._connect()
            return
        self._seq += 1
        started = time.perf_counter()
        try:
            self.ws.send(json.dumps({"type": "ping", "id": self._seq, "sent": time.time()}))
            length = self._await_pong(self._seq)
        except (OSError, websocket.WebSocketException, ValueError) as exc:
            self._fire(PING_NAME, started, exc)
            self.on_stop()
            return
        self._fire(PING_NAME, started, None, length)

    def _await_pong(self, seq: int) -> int:
        assert self.ws is not None
        while True:
            raw = self.ws.recv()
            message: Any = json.loads(raw)
            if isinstance(message, dict) and message.get("type") == "pong" and message.get("id") == seq:
                return len(raw)
