"""Fault switches for the findings, contract, accessibility and coverage budgets: each breaks exactly its thing."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

import httpx
import pytest

from tests.target_app.conftest import login

pytestmark = pytest.mark.anyio
MakeClient = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]
BANNER = ("server", "x-powered-by")


async def test_server_banner(make_client: MakeClient, client: httpx.AsyncClient) -> None:
    paths = ("/", "/api/models/1", "/api/nope")  # a page, an API answer, an error
    healthy = [await client.get(path) for path in paths]
    async with make_client("server-banner") as broken:
        leaky = [await broken.get(path) for path in paths]
    assert not any(name in response.headers for response in healthy for name in BANNER)
    for response, before in zip(leaky, healthy, strict=True):
        assert response.headers["server"].startswith("uvicorn/")
        assert response.headers["x-powered-by"].startswith("FastAPI/")
        assert response.status_code == before.status_code
        assert set(response.headers) - set(BANNER) == set(before.headers)


async def test_stale_schema_ref(make_client: MakeClient, client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    healthy = (await client.get("/openapi.json")).json()
    async with make_client("stale-schema-ref") as broken:
        stale = (await broken.get("/openapi.json")).json()
        rated = await broken.post("/api/models/4321/ratings", headers=await login(broken), json={"score": 4})
    refs = {
        op["operationId"]: op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        for item in stale["paths"].values()
        for op in item.values()
        if op.get("operationId") in {"rate_model", "add_comment"}
    }
    assert refs == {
        "rate_model": "#/components/schemas/RatingInput",
        "add_comment": "#/components/schemas/CommentInput",
    }
    assert not {"RatingInput", "CommentInput"} & set(stale["components"]["schemas"])
    assert rated.status_code == 201  # the server is unchanged: only its document is stale
    for path, item in healthy["paths"].items():
        for method, operation in item.items():
            if operation["operationId"] not in refs:
                assert stale["paths"][path][method] == operation


async def test_broken_page(make_client: MakeClient, client: httpx.AsyncClient) -> None:
    async with make_client("broken-page") as broken:
        page = await broken.get("/wiki/getting-started-10")
        api = await broken.get("/api/wiki/getting-started-10")
        others = [await broken.get(path) for path in ("/wiki", "/wiki/getting-started-10/history")]
    assert page.status_code == 500 and "<h1>500" in page.text and "Traceback" not in page.text
    assert api.status_code == 200 and (await client.get("/wiki/getting-started-10")).status_code == 200
    assert [response.status_code for response in others] == [200, 200]
