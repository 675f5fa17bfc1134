"""Per-app state (settings, database, cache, websocket hub) and helpers to use it off the loop."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Concatenate, ParamSpec, TypeVar

from anyio import CapacityLimiter, to_thread
from pydantic_core import to_json
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection
from starlette.responses import Response

from target_app.cache import Cache
from target_app.config import Settings
from target_app.db import Database
from target_app.notifications import Hub

P = ParamSpec("P")
T = TypeVar("T")

DB_THREADS = 4
"""Threads that may run database work at once. With dozens of threads busy in Python (Starlette's
default pool has 40) the event-loop thread starves for the GIL and stops accepting requests: the
peak profile once left /health unanswered for 100 s. SQLite on one core gains nothing beyond a few."""
HASH_THREADS = 2
"""Threads that may hash passwords at once (CPU-bound; more threads than cores only add waiting)."""


@dataclass
class AppContext:
    """Everything a request handler needs, stored on ``app.state.ctx``."""

    settings: Settings
    db: Database
    cache: Cache
    hub: Hub
    inflight: dict[str, asyncio.Event] = field(default_factory=dict)
    """Cache keys being produced right now (single flight: one query per key, the rest wait)."""

    @functools.cached_property
    def db_limiter(self) -> CapacityLimiter:
        """Bounds concurrent database work (created on first use, inside the event loop)."""
        return CapacityLimiter(DB_THREADS)

    @functools.cached_property
    def hash_limiter(self) -> CapacityLimiter:
        """Bounds concurrent password hashing (see :mod:`target_app.signin`)."""
        return CapacityLimiter(HASH_THREADS)

    def has(self, fault: str) -> bool:
        """Whether a fault switch is on."""
        return self.settings.has(fault)


def get_ctx(conn: HTTPConnection) -> AppContext:
    """The app's context (a FastAPI dependency)."""
    ctx: AppContext = conn.app.state.ctx
    return ctx


async def in_session(ctx: AppContext, fn: Callable[Concatenate[Session, P], T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run ``fn(session, ...)`` in a worker thread inside one transaction."""

    def work() -> T:
        with ctx.db.session() as session:
            return fn(session, *args, **kwargs)

    return await to_thread.run_sync(work, limiter=ctx.db_limiter)


async def cached_json(ctx: AppContext, namespace: str, suffix: str, produce: Callable[[Session], object]) -> bytes:
    """JSON bytes from the cache, or produced in a session and cached.

    Concurrent misses of one key run one query: the others wait for it and read the cache again
    (after a write invalidates a popular listing, hundreds of users would otherwise query at once).
    """
    cache = ctx.cache

    def lookup() -> tuple[str, bytes | None]:
        key = cache.key(namespace, suffix)
        return key, cache.get(key)

    while True:
        # The in-process cache is a dict lookup: cheaper on the loop than a thread hop.
        key, value = lookup() if cache.local else await run_in_threadpool(lookup)
        if value is not None:
            cache.count(namespace, hit=True)  # a request that waited for another's fill counts here
            return value
        producing = ctx.inflight.get(key)
        if producing is None:
            break
        await producing.wait()
    cache.count(namespace, hit=False)
    if cache.disabled:  # the ``cache-disabled`` fault: every request queries, nothing is shared
        return to_json(await in_session(ctx, produce))
    done = ctx.inflight[key] = asyncio.Event()
    try:
        value = to_json(await in_session(ctx, produce))
        if cache.local:
            cache.set(key, value)
        else:
            await run_in_threadpool(cache.set, key, value)
    finally:
        del ctx.inflight[key]
        done.set()
    return value


def json_response(body: bytes, status_code: int = 200) -> Response:
    """Cached JSON bytes as a response (the route's ``response_model`` still documents them)."""
    return Response(body, status_code=status_code, media_type="application/json")


async def invalidate(ctx: AppContext, *namespaces: str) -> None:
    """Invalidate cache namespaces after a write."""
    if ctx.cache.local:
        ctx.cache.invalidate(*namespaces)
    else:
        await run_in_threadpool(ctx.cache.invalidate, *namespaces)
