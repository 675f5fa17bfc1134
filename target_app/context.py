"""Per-app state (settings, database, cache, websocket hub) and helpers to use it off the loop."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Concatenate, ParamSpec, TypeVar

from pydantic_core import to_json
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection

from target_app.cache import Cache
from target_app.config import Settings
from target_app.db import Database
from target_app.notifications import Hub

P = ParamSpec("P")
T = TypeVar("T")


@dataclass
class AppContext:
    """Everything a request handler needs, stored on ``app.state.ctx``."""

    settings: Settings
    db: Database
    cache: Cache
    hub: Hub

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

    return await run_in_threadpool(work)


async def cached_json(ctx: AppContext, namespace: str, suffix: str, produce: Callable[[Session], object]) -> bytes:
    """JSON bytes from the cache, or produced in a session and cached."""
    cache = ctx.cache

    def lookup() -> tuple[str, bytes | None]:
        key = cache.key(namespace, suffix)
        return key, cache.get(namespace, key)

    # The in-process cache is a dict lookup: cheaper on the loop than a thread hop.
    key, value = lookup() if cache.local else await run_in_threadpool(lookup)
    if value is None:
        value = to_json(await in_session(ctx, produce))
        if cache.local:
            cache.set(key, value)
        else:
            await run_in_threadpool(cache.set, key, value)
    return value


async def invalidate(ctx: AppContext, *namespaces: str) -> None:
    """Invalidate cache namespaces after a write."""
    if ctx.cache.local:
        ctx.cache.invalidate(*namespaces)
    else:
        await run_in_threadpool(ctx.cache.invalidate, *namespaces)
