"""The app's lifespan: background tasks for the ``periodic-stall`` and ``crash`` faults, and the
``slow-restart`` fault's recovery after an unclean shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import AsyncIterator, Coroutine
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from target_app.config import Settings
from target_app.context import AppContext

log = logging.getLogger("target_app")
STALL_EVERY_S = 5.0
STALL_FOR_S = 1.0
CRASH_EXIT_CODE = 70
RUNNING_MARKER = "target.running"


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


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only checks the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, owned by another user
    return True


def left_by_a_dead_process(marker: Path) -> bool:
    """Whether ``marker`` names a process that is gone without removing it (killed, crashed)."""
    try:
        pid = int(marker.read_text(encoding="ascii"))
    except (OSError, ValueError):
        return marker.exists()
    return not _alive(pid)


async def recover_if_unclean(settings: Settings) -> Path:
    """``slow-restart``: after an unclean shutdown, "recover" for ``restart_delay_s`` before serving.

    The marker holds the running process's id and is removed on a clean shutdown, so only a start
    after a kill (the resilience profile's restart) is slow; uvicorn accepts no connection until
    the lifespan has started, so ``/health`` stays unreachable meanwhile.
    """
    marker = settings.data_dir / RUNNING_MARKER
    if left_by_a_dead_process(marker):
        log.warning("slow-restart fault: unclean shutdown found, recovering for %.1f s", settings.restart_delay_s)
        await asyncio.sleep(settings.restart_delay_s)
    marker.write_text(str(os.getpid()), encoding="ascii")
    return marker


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
    marker = await recover_if_unclean(ctx.settings) if ctx.has("slow-restart") else None
    running = [asyncio.create_task(coro) for coro in fault_tasks(ctx)]
    try:
        yield
    finally:
        for task in running:
            task.cancel()
        ctx.db.engine.dispose()
        if marker is not None:
            marker.unlink(missing_ok=True)
