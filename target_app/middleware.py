"""Pure-ASGI middleware: security headers and request body limits."""

from __future__ import annotations

import json

import fastapi
import uvicorn
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from target_app.asgi import HttpMiddleware
from target_app.errors import PayloadTooLargeError
from target_app.uploads import MAX_UPLOAD_BYTES, MiB

CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
# The headers the ``missing-security-headers`` fault drops.
GUARDED_HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "strict-origin-when-cross-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}
ISOLATION_HEADERS = {
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
}
HSTS = "max-age=63072000; includeSubDomains"
# The version banner the ``server-banner`` fault adds (what a default stack often leaks).
BANNER_HEADERS = {
    "server": f"uvicorn/{uvicorn.__version__}",
    "x-powered-by": f"FastAPI/{fastapi.__version__}",
}
STATIC_PREFIXES = ("/static/", "/thumbnails/")


class SecurityHeadersMiddleware(HttpMiddleware):
    """Adds security headers (and a default Cache-Control) to every HTTP response."""

    def __init__(self, app: ASGIApp, *, drop_guarded: bool = False, banner: bool = False) -> None:
        super().__init__(app)
        self.headers = dict(ISOLATION_HEADERS) if drop_guarded else {**GUARDED_HEADERS, **ISOLATION_HEADERS}
        if banner:
            self.headers.update(BANNER_HEADERS)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        static = scope["path"].startswith(STATIC_PREFIXES)
        https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    headers.setdefault(name, value)
                if https:
                    headers.setdefault("strict-transport-security", HSTS)
                headers.setdefault("cache-control", "public, max-age=3600" if static else "no-store")
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyLimitMiddleware(HttpMiddleware):
    """Rejects request bodies over 1 MiB (500 MiB for model uploads) with a JSON 413."""

    UPLOAD_ROUTES = {("POST", "/api/models"), ("POST", "/upload")}

    def __init__(self, app: ASGIApp, *, limit: int = MiB) -> None:
        super().__init__(app)
        self.limit = limit

    def _limit_for(self, scope: Scope) -> int:
        upload = (scope["method"], scope["path"].rstrip("/")) in self.UPLOAD_ROUTES
        return MAX_UPLOAD_BYTES + MiB if upload else self.limit

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = self._limit_for(scope)
        length = dict(scope["headers"]).get(b"content-length", b"")
        if length.isdigit() and int(length) > limit:
            await _reject(send, limit)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                raise PayloadTooLargeError(f"Request body is larger than {limit // MiB} MB")
            return message

        await self.app(scope, counting_receive, send)


async def _reject(send: Send, limit: int) -> None:
    body = json.dumps({"detail": f"Request body is larger than {limit // MiB} MB"}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
