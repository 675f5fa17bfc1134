"""The upload, page-vitals and restart fault switches change exactly their own behaviour.

Their effect in a real browser and under load (CLS, INP, upload and recovery budgets failing) is
proven end to end in tests/e2e_stage, tests/scenarios and tests/resilience; here only the app side.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path

import httpx
import pytest

from target_app.app import create_app
from target_app.lifecycle import RUNNING_MARKER
from target_app.middleware import CSP
from target_app.publishing import SLOW_UPLOAD_DELAY_S
from tests.target_app.conftest import login, settings_for

pytestmark = pytest.mark.anyio
MakeClient = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]
STL = ("a.stl", b"solid a\nendsolid a\n", "model/stl")


async def _timed_upload(client: httpx.AsyncClient) -> tuple[int, float]:
    headers = await login(client)
    started = time.perf_counter()
    response = await client.post(
        "/api/models", headers=headers, data={"title": "Slow upload", "category": "art"}, files={"file": STL}
    )
    return response.status_code, time.perf_counter() - started


async def _timed_listing_after(delay_s: float, client: httpx.AsyncClient) -> float:
    await asyncio.sleep(delay_s)
    started = time.perf_counter()
    assert (await client.get("/api/models?per_page=2")).status_code == 200
    return time.perf_counter() - started


async def test_slow_upload_delays_uploads_only(make_client: MakeClient, client: httpx.AsyncClient) -> None:
    healthy_status, healthy_s = await _timed_upload(client)
    async with make_client("slow-upload") as slow:
        (status, upload_s), listing_s = await asyncio.gather(_timed_upload(slow), _timed_listing_after(0.5, slow))
    assert healthy_status == status == 201
    assert healthy_s < 2.0 and upload_s >= SLOW_UPLOAD_DELAY_S > 5.0  # the upload budget is 5 s
    assert listing_s < 1.0, "the delay must not block the event loop for other requests"


async def _page(make_client: MakeClient, path: str, *faults: str) -> str:
    async with make_client(*faults) as app:
        response = await app.get(path)
    assert response.status_code == 200
    assert "'unsafe-inline'" not in response.headers["content-security-policy"] == CSP
    return response.text


@pytest.mark.parametrize(
    ("fault", "page", "other"), [("layout-shift", "/", "/wiki"), ("slow-interaction", "/wiki", "/")]
)
async def test_page_faults_mark_only_their_page(make_client: MakeClient, fault: str, page: str, other: str) -> None:
    marker = f'data-fault="{fault}"'
    assert marker in await _page(make_client, page, fault)
    assert marker not in await _page(make_client, other, fault)
    assert marker not in await _page(make_client, page)


async def test_page_faults_behaviour_lives_in_the_static_script(client: httpx.AsyncClient) -> None:
    script = (await client.get("/static/app.js")).text
    for fault in ("layout-shift", "slow-interaction"):
        assert f'[data-fault="{fault}"]' in script
    assert "late-banner" in (await client.get("/static/app.css")).text


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


async def _startup_s(target_data_dir: Path, data_dir: Path, *faults: str) -> float:
    """Seconds the app's lifespan takes to start (uvicorn serves nothing until it has)."""
    settings = dataclasses.replace(settings_for(target_data_dir, *faults), data_dir=data_dir, restart_delay_s=0.6)
    app = create_app(settings)
    started = time.perf_counter()
    async with app.router.lifespan_context(app):
        elapsed = time.perf_counter() - started
        if faults:
            assert (data_dir / RUNNING_MARKER).read_text() == str(os.getpid())
    return elapsed


async def test_slow_restart_delays_only_a_start_after_a_kill(target_data_dir: Path, tmp_path: Path) -> None:
    marker = tmp_path / RUNNING_MARKER
    clean_start = await _startup_s(target_data_dir, tmp_path, "slow-restart")
    assert not marker.exists(), "a clean shutdown removes the marker"
    marker.write_text(str(os.getpid()))
    beside_a_live_worker = await _startup_s(target_data_dir, tmp_path, "slow-restart")
    marker.write_text(str(_dead_pid()))
    without_fault = await _startup_s(target_data_dir, tmp_path)
    assert marker.exists(), "without the fault the marker is not touched"
    after_kill = await _startup_s(target_data_dir, tmp_path, "slow-restart")
    assert clean_start < 0.6 and beside_a_live_worker < 0.6 and without_fault < 0.6
    assert after_kill >= 0.6
