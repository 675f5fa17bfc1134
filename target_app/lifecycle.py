"""The app's lifespan: background tasks for the ``periodic-stall`` and ``crash`` faults."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import AsyncIterator, Coroutine
from typing import Any

from fastapi import FastAPI

from target_app.context import AppContext

log = logging.getLogger("target_app")
STALL_EVERY_S = 5.0
STALL_FOR_S = 1.0
CRASH_EXIT_CODE = 70


async def stall_forever() -> None:
    """Block the event loop (``time.sleep``) for 1 s in every 5 s: the whole server freezes."""
    while True:
        await asyncio.sleep(STALL_EVERY_S - STALL_FOR_S)
        time.sleep(STALL_FOR_S)


async def crash_after(seconds: float) -> None:
    """Exit the process hard, like a segfault or an OOM kill would."""
    await asyncio.sleep(seconds)
    log.error("crash fault: exiting after %.1f s", seconds)
    os._exit(CRASH_EXIT_CODE)


def fault_tasks(ctx: AppContext) -> list[Coroutine[Any, Any, None]]:
    """The background coroutines the enabled faults need."""
    tasks: list[Coroutine[Any, Any, None]] = []
    if ctx.has("periodic-stall"):
        tasks.append(stall_forever())
    if ctx.has("crash"):
        tasks.append(crash_after(ctx.settings.crash_after_s))
    return tasks


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Start fault tasks; on shutdown cancel them and release the database pool."""
    ctx: AppContext = app.state.ctx
    running = [asyncio.create_task(coro) for coro in fault_tasks(ctx)]
    try:
        yield
    finally:
        for task in running:
            task.cancel()
        ctx.db.engine.dispose()
