"""Test data: names no other run uses, and fresh accounts registered through the JSON API."""

from __future__ import annotations

import uuid

from playwright.sync_api import APIRequestContext

from .pages.auth import User


def unique(prefix: str) -> str:
    """A name no other test run uses, e.g. for titles and wiki slugs."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def new_user() -> User:
    """Unique credentials for one test."""
    tag = uuid.uuid4().hex[:10]
    return User(username=f"e2e_{tag}", email=f"e2e_{tag}@example.test", password=f"pw-{tag}-secret")


def register_via_api(request: APIRequestContext, user: User) -> None:
    """Create the account with the JSON API; a refusal fails the test's setup."""
    response = request.post(
        "/api/auth/register",
        data={"username": user.username, "email": user.email, "password": user.password},
    )
    assert response.status == 201, f"registering {user.username} answered {response.status}: {response.text()[:200]}"
