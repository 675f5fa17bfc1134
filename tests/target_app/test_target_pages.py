"""Server-rendered pages: structure, accessibility basics, sessions, CSRF, forms."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.target_app.conftest import CSRF_FIELD, page_login

pytestmark = pytest.mark.anyio

PUBLIC_PAGES = [
    "/",
    "/models",
    "/models/1",
    "/login",
    "/register",
    "/feedback",
    "/beta",
    "/dashboard",
    "/wiki",
    "/wiki/getting-started-10",
    "/wiki/getting-started-10/history",
]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
async def test_page_structure(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 200
    html = response.text
    assert html.count("<h1") == 1
    for landmark in ("<header", "<nav", '<main id="main"', "<footer"):
        assert landmark in html
    assert 'class="skip-link" href="#main"' in html
    assert "<script>" not in html and "style=" not in html  # CSP: no inline script/style
    assert all("alt=" in tag for tag in re.findall(r"<img[^>]*>", html))
    for control_id in re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', html):
        assert f'for="{control_id}"' in html


async def test_upload_page_requires_login(client: httpx.AsyncClient) -> None:
    response = await client.get("/upload")
    assert response.status_code == 303 and response.headers["location"] == "/login?next=/upload"


async def test_login_sets_a_safe_session_cookie(client: httpx.AsyncClient) -> None:
    form = await client.get("/login")
    token = CSRF_FIELD.search(form.text)
    assert token is not None
    response = await client.post(
        "/login",
        data={"username": "demo", "password": "demo-password-123", "next": "/upload", "csrf_token": token.group(1)},
    )
    assert response.status_code == 303 and response.headers["location"] == "/upload"
    cookie = response.headers["set-cookie"]
    assert "session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # plain http; set when served over https
    assert "Signed in as" in (await client.get("/")).text


async def test_forms_without_csrf_token_are_refused(client: httpx.AsyncClient) -> None:
    response = await client.post("/feedback", data={"message": "hi"})
    assert response.status_code == 403 and "<h1>403" in response.text


async def test_form_errors_are_tied_to_their_fields(client: httpx.AsyncClient) -> None:
    token = CSRF_FIELD.search((await client.get("/register")).text)
    assert token is not None
    response = await client.post(
        "/register", data={"username": "x", "email": "bad", "password": "short", "csrf_token": token.group(1)}
    )
    assert response.status_code == 400
    assert 'aria-describedby="username-hint username-error" aria-invalid="true"' in response.text
    assert 'id="email-error"' in response.text and 'role="alert"' in response.text


async def test_upload_form_publishes_and_redirects(client: httpx.AsyncClient) -> None:
    csrf = await page_login(client)
    response = await client.post(
        "/upload",
        data={"title": "Form cube", "category": "art", "license": "CC0-1.0", "csrf_token": csrf},
        files={"file": ("cube.obj", b"v 0 0 0\n", "application/octet-stream")},
    )
    assert response.status_code == 303, response.text
    detail = await client.get(response.headers["location"])
    assert "Form cube" in detail.text and "Your model was uploaded." in detail.text


async def test_comment_and_rating_forms(client: httpx.AsyncClient) -> None:
    csrf = await page_login(client)
    rated = await client.post("/models/11/rate", data={"score": "5", "csrf_token": csrf})
    assert rated.status_code == 303
    commented = await client.post("/models/11/comments", data={"body": "Lovely print", "csrf_token": csrf})
    assert commented.status_code == 303
    assert "Lovely print" in (await client.get("/models/11")).text


async def test_unknown_page_is_an_html_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/models/999999")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "Model not found" in response.text
