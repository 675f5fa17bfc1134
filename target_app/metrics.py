"""Prometheus metrics and the ASGI middleware that times requests per route template.

With several workers, ``server.serve`` sets ``PROMETHEUS_MULTIPROC_DIR`` before this module is
imported, so prometheus-client writes per-process files and ``/metrics`` merges them.
"""

from __future__ import annotations

import os
import time

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from starlette.types import Message, Receive, Scope, Send

from target_app.asgi import HttpMiddleware

HTTP_BUCKETS = (
    0.001,
    0.0025,
    0.005,
    0.0075,
    0.01,
    0.025,
    0.05,
    0.075,
    0.1,
    0.25,
    0.5,
    1,
    2.5,
    5,
    10,
)
DB_BUCKETS = (
    0.0005,
    0.001,
    0.002,
    0.003,
    0.005,
    0.0075,
    0.01,
    0.015,
    0.02,
    0.025,
    0.03,
    0.04,
    0.05,
    0.075,
    0.1,
    0.25,
    1,
)
SIZE_BUCKETS = tuple(float(1024 * 4**n) for n in range(11))  # 1 KiB … 1 GiB

HTTP_DURATION = Histogram(
    "http_request_duration_seconds",
    "HTTP request latency, by route template",
    ["method", "route", "status"],
    buckets=HTTP_BUCKETS,
)
DB_QUERY_DURATION = Histogram("db_query_duration_seconds", "Database query duration", buckets=DB_BUCKETS)
CACHE_HITS = Counter("cache_hits_total", "Cache lookups that hit", ["cache"])
CACHE_MISSES = Counter("cache_misses_total", "Cache lookups that missed", ["cache"])
WS_LATENCY = Histogram(
    "ws_message_latency_seconds",
    "Server time from receiving a websocket message to sending its reply",
    ["type"],
    buckets=HTTP_BUCKETS,
)
UPLOAD_SIZE = Histogram("upload_size_bytes", "Size of uploaded model files", buckets=SIZE_BUCKETS)
UPLOAD_DURATION = Histogram(
    "upload_duration_seconds",
    "Time to receive and store an upload",
    buckets=(0.1, 0.25, 0.5, 1, 2, 3, 5, 7.5, 10, 20, 30, 60),
)

UNMATCHED_ROUTE = "<unmatched>"


def render_metrics() -> tuple[bytes, str]:
    """The exposition text (merged across workers in multiprocess mode) and its media type."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


def route_template(scope: Scope) -> str:
    """The matched route's path template (bounded label cardinality)."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) and path else UNMATCHED_ROUTE


class RequestMetricsMiddleware(HttpMiddleware):
    """Times each HTTP request until its last body chunk is sent."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        status = 500

        async def timed_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                self._observe(scope, status, started)

        try:
            await self.app(scope, receive, timed_send)
        except Exception:
            self._observe(scope, 500, started)
            raise

    @staticmethod
    def _observe(scope: Scope, status: int, started: float) -> None:
        HTTP_DURATION.labels(scope["method"], route_template(scope), str(status)).observe(time.perf_counter() - started)
