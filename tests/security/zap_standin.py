"""A stand-in ZAP daemon for tests: a real loopback HTTP server replaying ZAP's documented JSON API.

Why a stand-in: no ZAP engine (Java, ~500 MB of add-ons) can run where this project's CI runs,
so the ZAP adapter is tested against this server instead — the only stand-in allowed in this
project. It answers exactly the endpoints `security.zap` calls through the official ``zapv2``
client, with the response shapes of ZAP's API (https://www.zaproxy.org/docs/api/): e.g.
``{"version": "2.16.0"}``, ``{"contextId": "1"}``, ``{"importUrl": []}``, ``{"scan": "0"}``,
``{"status": "100"}``, ``{"recordsToScan": "0"}``, ``{"alerts": [...]}``, and ZAP's error shape
``{"code": "bad_api_key", "message": ...}`` for a wrong ``X-ZAP-API-Key``. Like ZAP, it accepts
both proxy-form requests (``GET http://zap/JSON/...``, how zapv2 talks) and direct ones.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.fixtures import servers

VERSION = "2.16.0"


@dataclasses.dataclass
class Script:
    """What the stand-in answers: alerts, and how many polls each phase takes to finish."""

    api_key: str = "test-key"
    alerts: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    spider_polls: int = 2
    """Polls of spider/view/status before it reports 100 (a huge number never finishes)."""
    passive_records: int = 3
    """recordsToScan counts down by one per poll."""
    active_polls: int = 2
    calls: list[tuple[str, dict[str, str]]] = dataclasses.field(default_factory=list)

    def called(self, endpoint: str) -> list[dict[str, str]]:
        """Parameters of every call to an endpoint like ``spider/action/scan``."""
        return [params for path, params in self.calls if path == endpoint]


def _answer(script: Script, endpoint: str, params: dict[str, str]) -> dict[str, Any]:
    polls = len(script.called(endpoint))
    if endpoint == "core/view/version":
        return {"version": VERSION}
    if endpoint == "context/action/newContext":
        return {"contextId": "1"}
    if endpoint in {"context/action/includeInContext", "context/action/removeContext", "ascan/action/stop"}:
        return {"Result": "OK"}
    if endpoint == "openapi/action/importUrl":
        return {"importUrl": []}
    if endpoint in {"spider/action/scan", "ascan/action/scan"}:
        return {"scan": "0"}
    if endpoint == "spider/view/status":
        return {"status": "100" if polls >= script.spider_polls else str(50 * polls // script.spider_polls)}
    if endpoint == "ascan/view/status":
        return {"status": "100" if polls >= script.active_polls else "10"}
    if endpoint == "pscan/view/recordsToScan":
        return {"recordsToScan": str(max(0, script.passive_records - polls))}
    if endpoint == "alert/view/alerts":
        start, count = int(params.get("start", 0)), int(params.get("count", 0) or len(script.alerts))
        return {"alerts": script.alerts[start : start + count]}
    raise KeyError(endpoint)


def _handler(script: Script) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            endpoint = parts.path.removeprefix("/JSON/").strip("/")
            params = dict(parse_qsl(parts.query))
            if self.headers.get("X-ZAP-API-Key") != script.api_key:
                self._send(403, {"code": "bad_api_key", "message": "Bad API Key"})
                return
            try:
                body = _answer(script, endpoint, params)
            except KeyError:
                self._send(400, {"code": "bad_view", "message": f"No such endpoint: {endpoint}"})
                return
            script.calls.append((endpoint, params))
            self._send(200, body)

        def _send(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: tests assert on `Script.calls` instead."""

    return Handler


def serve(script: Script) -> Iterator[str]:
    """Run the stand-in on a free loopback port for the duration of a ``with``/fixture; yields its URL."""
    with servers.serve(_handler(script), poll_s=0.05) as url:
        yield url


def alert(plugin_id: str, name: str, risk: str, url: str, **extra: str) -> dict[str, Any]:
    """A ZAP alert in the JSON API's shape (every value a string, as ZAP sends them)."""
    return {
        "sourceid": "3",
        "other": "",
        "method": "GET",
        "evidence": "",
        "pluginId": plugin_id,
        "cweid": "693",
        "confidence": "Medium",
        "wascid": "15",
        "description": name,
        "messageId": "1",
        "inputVector": "",
        "url": url,
        "tags": {},
        "reference": "",
        "solution": "",
        "alert": name,
        "param": "",
        "attack": "",
        "name": name,
        "risk": risk,
        "id": "0",
        "alertRef": plugin_id,
        **extra,
    }
