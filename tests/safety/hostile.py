"""Hostile targets on loopback: one that redirects every request off the machine, one whose page pulls
third-party resources. Off-host names end in ``.invalid`` (never resolvable), so even a failing guard
sends nothing anywhere; the tests check the harness blocked them before any lookup."""

from __future__ import annotations

import http.server
import json

REDIRECT_HOST = "redirected.invalid"
THIRD_PARTY = {
    "script": "scripts.invalid",
    "stylesheet": "styles.invalid",
    "image": "images.invalid",
    "iframe": "frames.invalid",
    "websocket": "sockets.invalid",
}
PAGE = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Hostile page</title>
<link rel="stylesheet" href="http://{THIRD_PARTY["stylesheet"]}/site.css">
<script src="http://{THIRD_PARTY["script"]}/track.js"></script></head>
<body><main><h1>Hostile page</h1>
<img src="http://{THIRD_PARTY["image"]}/pixel.png" alt="pixel">
<iframe src="http://{THIRD_PARTY["iframe"]}/embed" title="embed"></iframe>
<script>try {{ new WebSocket("ws://{THIRD_PARTY["websocket"]}/live"); }} catch (e) {{}}</script>
</main></body></html>
"""
SCHEMA = {
    "openapi": "3.0.3",
    "info": {"title": "hostile", "version": "1"},
    "paths": {"/items": {"get": {"responses": {"200": {"description": "ok"}}}}},
}


class _Quiet(http.server.BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """No request log on the test output."""

    def send(self, status: int, body: bytes, content_type: str, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class Redirecting(_Quiet):
    """Every request answers ``302 Location: http://redirected.invalid/<path>``, except the OpenAPI
    document (so the contracts stage has operations to follow off the target)."""

    def do_GET(self) -> None:
        if self.path == "/openapi.json":
            self.send(200, json.dumps(SCHEMA).encode(), "application/json")
            return
        self.send(302, b"", "text/plain", Location=f"http://{REDIRECT_HOST}{self.path}")

    do_HEAD = do_POST = do_PUT = do_DELETE = do_OPTIONS = do_PATCH = do_GET


class ThirdPartyPage(_Quiet):
    """``/`` is a page with an off-host script, stylesheet, image, iframe and websocket; the rest 404."""

    def do_GET(self) -> None:
        if self.path in ("/", "/index.html"):
            self.send(200, PAGE.encode(), "text/html; charset=utf-8")
        else:
            self.send(404, b"not found", "text/plain")

    do_HEAD = do_GET
