"""Fixtures for the target app's own tests: in-process clients and in-thread servers.

Real subprocess servers come from ``tests.fixtures.target`` (``bundled_target``,
``start_target``); everything here stays in this process so it is fast.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import (
    AbstractAsyncContextManager,
    AbstractContextManager,
    asynccontextmanager,
    contextmanager,
)
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from stagekit.target import free_port
from target_app import DEMO_PASSWORD, DEMO_USERNAME
from target_app.app import create_app
from target_app.config import Settings

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def anyio_backend() -> str:
    """The app runs on asyncio (uvloop in production)."""
    return "asyncio"


def settings_for(data_dir: Path, *faults: str) -> Settings:
    """Settings on the shared seeded data folder, with these faults on."""
    return Settings(
        data_dir=data_dir,
        database_url=f"sqlite:///{data_dir / 'target.db'}",
        redis_url=None,
        faults=frozenset(faults),
        crash_after_s=1.0,
    )


@asynccontextmanager
async def asgi_client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client talking to ``app`` in-process, with its lifespan running."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


@pytest.fixture
def make_client(target_data_dir: Path) -> Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]:
    """``async with make_client("fault", ...) as client``: an in-process app with faults."""

    def make(*faults: str) -> AbstractAsyncContextManager[httpx.AsyncClient]:
        return asgi_client(create_app(settings_for(target_data_dir, *faults)))

    return make


@pytest.fixture(scope="session")
def healthy_app(target_data_dir: Path) -> FastAPI:
    """The app without faults, built once (each test still runs its own lifespan)."""
    return create_app(settings_for(target_data_dir))


@pytest.fixture
async def client(healthy_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """An in-process client of the app without faults."""
    async with asgi_client(healthy_app) as api:
        yield api


async def login(
    client: httpx.AsyncClient, username: str = DEMO_USERNAME, password: str = DEMO_PASSWORD
) -> dict[str, str]:
    """Authorization headers for a user."""
    response = await client.post("/api/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.fixture
async def auth(client: httpx.AsyncClient) -> dict[str, str]:
    """Bearer headers of the seeded demo user."""
    return await login(client)


async def page_login(client: httpx.AsyncClient) -> str:
    """Sign the client in through the login page; returns a CSRF token for later forms."""
    form = await client.get("/login")
    token = CSRF_FIELD.search(form.text)
    assert token is not None
    response = await client.post(
        "/login", data={"username": DEMO_USERNAME, "password": DEMO_PASSWORD, "next": "/", "csrf_token": token.group(1)}
    )
    assert response.status_code == 303, response.text
    return token.group(1)


@contextmanager
def serve_in_thread(app: FastAPI) -> Iterator[str]:
    """Run ``app`` under uvicorn in a thread on a free port; yields its base URL."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on", server_header=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("in-thread server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def thread_server(target_data_dir: Path) -> Callable[..., AbstractContextManager[str]]:
    """``with thread_server("fault") as url``: a real uvicorn server in this process."""

    def start(*faults: str) -> AbstractContextManager[str]:
        return serve_in_thread(create_app(settings_for(target_data_dir, *faults)))

    return start
