"""The JSON API, in-process: accounts, catalogue, upload flow, community, wiki, operations."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.target_app.conftest import login

pytestmark = pytest.mark.anyio


def unique(prefix: str) -> str:
    """A name no other test (or earlier run on the same data) uses."""
    return f"{prefix}{uuid.uuid4().hex[:10]}"


async def test_register_login_me_logout(client: httpx.AsyncClient) -> None:
    name = unique("user")
    body = {"username": name, "email": f"{name}@example.com", "password": "long-enough-pw"}
    created = await client.post("/api/auth/register", json=body)
    assert created.status_code == 201
    assert created.json()["username"] == name
    assert (await client.post("/api/auth/register", json=body)).status_code == 409
    headers = await login(client, name, "long-enough-pw")
    assert (await client.get("/api/me", headers=headers)).json()["username"] == name
    assert (await client.post("/api/auth/logout", headers=headers)).status_code == 204
    assert (await client.get("/api/me", headers=headers)).status_code == 401


async def test_invalid_credentials_are_401_with_challenge(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/auth/login", json={"username": "demo", "password": "nope"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    anonymous = await client.get("/api/me")
    assert anonymous.status_code == 401
    assert anonymous.json() == {"detail": "Not authenticated"}


async def test_register_validation_is_422(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/auth/register", json={"username": "x", "email": "bad", "password": "short"})
    assert response.status_code == 422
    fields = {error["loc"][-1] for error in response.json()["detail"]}
    assert fields == {"username", "email", "password"}


async def test_catalogue_lists_filters_sorts_and_pages(client: httpx.AsyncClient) -> None:
    page = (await client.get("/api/models", params={"per_page": 5, "page": 2})).json()
    assert page["total"] >= 5000 and page["page"] == 2 and len(page["items"]) == 5
    toys = (await client.get("/api/models", params={"category": "toys"})).json()
    assert toys["items"] and {m["category"] for m in toys["items"]} == {"toys"}
    rated = (await client.get("/api/models", params={"sort": "rating", "min_rating": 4})).json()
    scores = [m["rating_avg"] for m in rated["items"]]
    assert scores == sorted(scores, reverse=True) and min(scores) >= 4
    found = (await client.get("/api/models", params={"q": "dragon"})).json()
    assert found["total"] > 0 and all("dragon" in m["title"].lower() for m in found["items"])
    assert (await client.get("/api/models", params={"per_page": 101})).status_code == 422


async def test_model_detail_and_404(client: httpx.AsyncClient) -> None:
    detail = (await client.get("/api/models/1")).json()
    assert detail["id"] == 1 and detail["share_url"] == "http://testserver/models/1"
    assert {"description", "license", "size_bytes", "comment_count"} <= detail.keys()
    missing = await client.get("/api/models/999999")
    assert missing.status_code == 404 and missing.json() == {"detail": "Model not found"}
    assert (await client.get("/api/models/0")).status_code == 422


async def test_seeded_download_is_a_small_generated_file(client: httpx.AsyncClient) -> None:
    detail = (await client.get("/api/models/3")).json()
    response = await client.get("/api/models/3/download")
    assert response.status_code == 200
    assert len(response.content) == detail["size_bytes"]
    assert "attachment" in response.headers["content-disposition"]


async def test_upload_rate_comment_download_delete(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    content = b"solid cube\nendsolid cube\n"
    created = await client.post(
        "/api/models",
        headers=auth,
        data={"title": "Test cube", "category": "toys", "description": "A cube"},
        files={"file": ("cube.stl", content, "application/octet-stream")},
    )
    assert created.status_code == 201, created.text
    model = created.json()
    assert model["file_format"] == "stl" and model["size_bytes"] == len(content)
    url = f"/api/models/{model['id']}"
    assert (await client.post(f"{url}/ratings", headers=auth, json={"score": 4})).status_code == 201
    assert (await client.get(url)).json()["rating_avg"] == 4.0  # cache invalidated by the write
    comment = await client.post(f"{url}/comments", headers=auth, json={"body": "Nice"})
    assert comment.status_code == 201
    assert (await client.get(f"{url}/comments")).json()["items"][0]["body"] == "Nice"
    assert (await client.get(f"{url}/download")).content == content
    assert (await client.get(f"{url}/share")).json()["url"].endswith(f"/models/{model['id']}")
    assert (await client.delete(url, headers=auth)).status_code == 204
    assert (await client.get(url)).status_code == 404


async def test_upload_rejections(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    form = {"title": "Nope", "category": "toys"}
    text_file = {"file": ("notes.txt", b"hello", "text/plain")}
    assert (await client.post("/api/models", data=form, files=text_file)).status_code == 401
    wrong_type = await client.post("/api/models", headers=auth, data=form, files=text_file)
    assert wrong_type.status_code == 415
    no_file = await client.post("/api/models", headers=auth, files={"title": (None, "x")})
    assert no_file.status_code == 422
    assert {e["loc"][-1] for e in no_file.json()["detail"]} == {"category", "file"}


async def test_only_the_author_can_delete(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    # Model 1 was seeded with another author.
    assert (await client.get("/api/models/1")).json()["author"] != "demo"
    assert (await client.delete("/api/models/1", headers=auth)).status_code == 403


async def test_rating_again_replaces_the_score(client: httpx.AsyncClient) -> None:
    name = unique("rater")
    await client.post(
        "/api/auth/register", json={"username": name, "email": f"{name}@example.com", "password": "long-enough-pw"}
    )
    headers = await login(client, name, "long-enough-pw")
    before = (await client.get("/api/models/7/ratings")).json()["rating_count"]
    for score in (1, 5):
        await client.post("/api/models/7/ratings", headers=headers, json={"score": score})
    after = (await client.get("/api/models/7/ratings")).json()
    assert after["rating_count"] == before + 1
    assert after["items"][0] == {**after["items"][0], "username": name, "score": 5}


async def test_wiki_create_update_history(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    slug = unique("page-")
    body = {"slug": slug, "title": "Tips", "body": "First"}
    assert (await client.post("/api/wiki", headers=auth, json=body)).status_code == 201
    assert (await client.post("/api/wiki", headers=auth, json=body)).status_code == 409
    updated = await client.put(f"/api/wiki/{slug}", headers=auth, json={"title": "Tips", "body": "Second"})
    assert updated.json()["revision"] == 2
    revisions = (await client.get(f"/api/wiki/{slug}/revisions")).json()
    assert [r["body"] for r in revisions] == ["Second", "First"]
    assert (await client.get("/api/wiki/no-such-page")).status_code == 404


async def test_feedback_beta_and_analytics(client: httpx.AsyncClient) -> None:
    before = (await client.get("/api/analytics/summary")).json()
    feedback = await client.post("/api/feedback", json={"message": "Great site"})
    assert feedback.status_code == 201
    email = f"{unique('beta')}@example.com"
    signup = {"email": email, "platform": "linux"}
    assert (await client.post("/api/beta/signup", json=signup)).status_code == 201
    assert (await client.post("/api/beta/signup", json=signup)).status_code == 409
    after = (await client.get("/api/analytics/summary")).json()
    assert after["feedback_count"] == before["feedback_count"] + 1
    assert after["beta_signups"] == before["beta_signups"] + 1
    assert after["models"] >= 5000


async def test_health_ready_metrics(client: httpx.AsyncClient) -> None:
    assert (await client.get("/health")).json() == {"status": "ok"}
    assert (await client.get("/health/ready")).json() == {"status": "ok", "database": "ok"}
    await client.get("/api/models/2")
    text = (await client.get("/metrics")).text
    assert (
        'http_request_duration_seconds_bucket{le="0.005",method="GET",'
        'route="/api/models/{model_id}",status="200"}' in text
    )
    for name in (
        "db_query_duration_seconds",
        "cache_hits_total",
        "cache_misses_total",
        "ws_message_latency_seconds",
        "upload_size_bytes",
        "upload_duration_seconds",
    ):
        assert f"# TYPE {name}" in text


async def test_errors_are_json_without_internals(client: httpx.AsyncClient) -> None:
    unknown = await client.get("/api/nothing-here")
    assert unknown.status_code == 404 and unknown.json() == {"detail": "Not Found"}
    wrong_method = await client.patch("/api/wiki/getting-started-1")
    assert wrong_method.status_code == 405 and wrong_method.headers["allow"] == "GET, PUT"
    too_big = await client.post(
        "/api/feedback", content=b"x" * (1024 * 1024 + 1), headers={"content-type": "application/json"}
    )
    assert too_big.status_code == 413
