"""Each fault switch breaks exactly its own thing (the harness's honesty rule)."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager, AbstractContextManager

import httpx
import pytest
import websockets
from prometheus_client import REGISTRY

from target_app.faults import FAULTS
from target_app.middleware import GUARDED_HEADERS
from tests.fixtures.target import StartTarget
from tests.target_app.conftest import login, page_login

pytestmark = pytest.mark.anyio
MakeClient = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]
ThreadServer = Callable[..., AbstractContextManager[str]]
TESTED_FAULTS = {
    "slow-catalogue",
    "error-rate",
    "schema-violation",
    "missing-security-headers",
    "a11y-regression",
    "broken-upload",
    "slow-websocket",
    "cache-disabled",
    "slow-queries",
    "periodic-stall",
    "crash",
    "slow-page",
    "server-banner",  # this and the next: tested in test_target_budget_faults.py
    "stale-schema-ref",
    "broken-page",
    "slow-upload",  # these four: tested in test_target_perf_faults.py
    "layout-shift",
    "slow-interaction",
    "slow-restart",
}


def test_every_fault_has_a_test() -> None:
    assert set(FAULTS) == TESTED_FAULTS


async def timed_get(client: httpx.AsyncClient, url: str) -> tuple[httpx.Response, float]:
    started = time.perf_counter()
    response = await client.get(url)
    return response, time.perf_counter() - started


async def test_slow_catalogue(make_client: MakeClient) -> None:
    async with make_client("slow-catalogue") as client:
        listing, listing_s = await timed_get(client, "/api/models?per_page=3")
        _, page_s = await timed_get(client, "/models")
        detail, detail_s = await timed_get(client, "/api/models/1")
    assert listing.status_code == detail.status_code == 200
    assert listing_s >= 0.25 and page_s >= 0.25
    assert detail_s < 0.25


async def test_error_rate(make_client: MakeClient) -> None:
    async with make_client("error-rate") as client:
        details = [await client.get("/api/models/1") for _ in range(100)]
        listings = [await client.get("/api/models?per_page=1") for _ in range(20)]
    failed = [r for r in details if r.status_code == 500]
    assert len(failed) == 2  # one request in 50
    assert all(r.json() == {"detail": "Internal Server Error"} for r in failed)
    assert all(r.headers["x-content-type-options"] == "nosniff" for r in failed)
    assert all(r.status_code == 200 for r in listings)


async def test_schema_violation(make_client: MakeClient) -> None:
    # Two fresh apps (fresh caches): the session's healthy app may hold a cached model 1 from
    # before another test (a contract run) rated it.
    async with make_client() as healthy_client, make_client("schema-violation") as broken:
        healthy = (await healthy_client.get("/api/models/1")).json()
        detail = (await broken.get("/api/models/1")).json()
        listing = (await broken.get("/api/models?per_page=5&sort=rating")).json()
    assert detail["rating_avg"] == str(healthy["rating_avg"])
    assert {k: v for k, v in detail.items() if k != "rating_avg"} == {
        k: v for k, v in healthy.items() if k != "rating_avg"
    }
    assert all(isinstance(m["rating_avg"], float) for m in listing["items"])


async def test_missing_security_headers(make_client: MakeClient, client: httpx.AsyncClient) -> None:
    healthy = (await client.get("/")).headers
    async with make_client("missing-security-headers") as broken:
        dropped = (await broken.get("/")).headers
    assert all(name in healthy for name in GUARDED_HEADERS)
    assert not any(name in dropped for name in GUARDED_HEADERS)
    assert dropped["cross-origin-opener-policy"] == healthy["cross-origin-opener-policy"]
    assert dropped["cache-control"] == healthy["cache-control"]


async def test_a11y_regression(make_client: MakeClient, client: httpx.AsyncClient) -> None:
    healthy = (await client.get("/models")).text
    async with make_client("a11y-regression") as broken:
        catalogue = (await broken.get("/models")).text
        home = (await broken.get("/")).text
    images_without_alt = [tag for tag in re.findall(r"<img[^>]*>", catalogue) if "alt=" not in tag]
    assert len(images_without_alt) == 1
    assert 'for="q"' not in catalogue and 'id="q"' in catalogue
    assert 'class="low-contrast"' in catalogue
    assert 'for="q"' in healthy and "low-contrast" not in healthy
    assert all("alt=" in tag for tag in re.findall(r"<img[^>]*>", home + healthy))


async def test_broken_upload(make_client: MakeClient) -> None:
    async with make_client("broken-upload") as client:
        csrf = await page_login(client)
        form = await client.post(
            "/upload",
            data={"title": "Broken", "category": "art", "csrf_token": csrf},
            files={"file": ("a.stl", b"solid a\nendsolid a\n", "model/stl")},
        )
        api = await client.post(
            "/api/models",
            headers=await login(client),
            data={"title": "Ok", "category": "art"},
            files={"file": ("a.stl", b"solid a\nendsolid a\n", "model/stl")},
        )
    assert form.status_code == 500 and "<h1>500" in form.text and "Traceback" not in form.text
    assert api.status_code == 201


async def test_slow_websocket(thread_server: ThreadServer) -> None:
    async def best_round_trip(url: str) -> float:
        async with websockets.connect(url.replace("http", "ws") + "/ws/notifications") as ws:
            times = []
            for n in range(3):
                sent = time.perf_counter()
                await ws.send(json.dumps({"type": "ping", "id": n, "sent": sent}))
                reply = json.loads(await ws.recv())
                assert reply == {"type": "pong", "id": n, "sent": sent}
                times.append(time.perf_counter() - sent)
            return min(times)

    with thread_server() as url:
        healthy = await best_round_trip(url)
    with thread_server("slow-websocket") as url:
        slow = await best_round_trip(url)
    assert healthy < 0.1 <= 0.12 <= slow


def _sample(name: str, labels: dict[str, str] | None = None) -> float:
    return REGISTRY.get_sample_value(name, labels or {}) or 0.0


async def _catalogue_cache_hits(client: httpx.AsyncClient) -> tuple[float, float]:
    hits, misses = (_sample(f"cache_{kind}_total", {"cache": "catalogue"}) for kind in ("hits", "misses"))
    for _ in range(3):
        assert (await client.get("/api/models?per_page=7&sort=downloads")).status_code == 200
    return (
        _sample("cache_hits_total", {"cache": "catalogue"}) - hits,
        _sample("cache_misses_total", {"cache": "catalogue"}) - misses,
    )


async def test_cache_disabled(make_client: MakeClient, client: httpx.AsyncClient) -> None:
    healthy_hits, _ = await _catalogue_cache_hits(client)
    async with make_client("cache-disabled") as broken:
        hits, misses = await _catalogue_cache_hits(broken)
    assert healthy_hits >= 2
    assert hits == 0 and misses == 3


async def _mean_query_s(client: httpx.AsyncClient) -> float:
    count, total = _sample("db_query_duration_seconds_count"), _sample("db_query_duration_seconds_sum")
    for model_id in range(20, 25):  # ratings are not cached: every request queries
        assert (await client.get(f"/api/models/{model_id}/ratings")).status_code == 200
    queries = _sample("db_query_duration_seconds_count") - count
    return (_sample("db_query_duration_seconds_sum") - total) / queries


async def test_slow_queries(make_client: MakeClient, client: httpx.AsyncClient) -> None:
    healthy = await _mean_query_s(client)
    async with make_client("slow-queries") as broken:
        slow = await _mean_query_s(broken)
    assert slow >= 0.025  # the injected delay is inside the timed span
    assert slow - healthy >= 0.02


def test_periodic_stall(thread_server: ThreadServer) -> None:
    worst = 0.0
    with thread_server("periodic-stall") as url, httpx.Client(base_url=url, timeout=5) as http:
        deadline = time.monotonic() + 7
        while time.monotonic() < deadline and worst < 0.8:
            started = time.perf_counter()
            assert http.get("/health").status_code == 200
            worst = max(worst, time.perf_counter() - started)
            time.sleep(0.05)
    assert worst >= 0.8


def test_crash(start_target: StartTarget) -> None:
    app = start_target(faults=("crash",), extra_env={"TARGET_CRASH_AFTER_S": "2"})
    assert app.process is not None
    assert app.process.wait(timeout=30) == 70


async def test_slow_page(make_client: MakeClient) -> None:
    async with make_client("slow-page") as client:
        page, page_s = await timed_get(client, "/wiki")
        api, api_s = await timed_get(client, "/api/wiki")
    assert page.status_code == api.status_code == 200
    assert page_s >= 3.5 and api_s < 1.0
