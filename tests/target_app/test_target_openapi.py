"""The OpenAPI document: complete, honest, with security and links for stateful flows."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.anyio

EXPECTED_OPERATIONS = {
    "register_user",
    "login_user",
    "logout_user",
    "read_me",
    "list_categories",
    "list_models",
    "get_model",
    "create_model",
    "delete_model",
    "download_model",
    "list_ratings",
    "rate_model",
    "list_comments",
    "add_comment",
    "share_model",
    "send_feedback",
    "list_wiki_pages",
    "get_wiki_page",
    "create_wiki_page",
    "update_wiki_page",
    "list_wiki_revisions",
    "beta_signup",
    "analytics_summary",
    "health",
    "ready",
    "metrics",
}


@pytest.fixture
async def spec(client: httpx.AsyncClient) -> dict[str, Any]:
    document: dict[str, Any] = (await client.get("/openapi.json")).json()
    return document


def operations(spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {op["operationId"]: op for item in spec["paths"].values() for op in item.values()}


async def test_every_operation_is_documented(spec: dict[str, Any]) -> None:
    assert spec["openapi"].startswith("3.1")
    assert set(operations(spec)) == EXPECTED_OPERATIONS
    assert not any(path.startswith(("/models", "/wiki/", "/upload")) for path in spec["paths"])


async def test_errors_and_security_are_declared(spec: dict[str, Any]) -> None:
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    for name, op in operations(spec).items():
        assert "500" in op["responses"], name
        if op.get("security"):
            assert op["security"] == [{"bearerAuth": []}]
            assert "401" in op["responses"], name
        if "requestBody" in op or op.get("parameters"):
            assert "422" in op["responses"], name


async def test_links_describe_the_stateful_flows(spec: dict[str, Any]) -> None:
    ops = operations(spec)
    model_links = ops["create_model"]["responses"]["201"]["links"]
    assert {"GetModel", "RateModel", "AddComment", "DeleteModel"} <= set(model_links)
    assert model_links["GetModel"]["parameters"] == {"model_id": "$response.body#/id"}
    login = ops["register_user"]["responses"]["201"]["links"]["LoginWithNewAccount"]
    assert login["operationId"] == "login_user"
    assert set(ops["create_wiki_page"]["responses"]["201"]["links"]) >= {"GetWikiPage"}


async def test_model_detail_schema_matches_a_response(client: httpx.AsyncClient, spec: dict[str, Any]) -> None:
    schema = spec["components"]["schemas"]["ModelDetail"]
    body = (await client.get("/api/models/1")).json()
    assert set(schema["required"]) == set(body)
