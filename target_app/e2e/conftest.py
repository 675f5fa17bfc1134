"""Fixtures of the marketplace's workflow tests: deadlines, a stable layout, test accounts, a model.

The tests use the harness's optional ``step`` fixture (the e2e stage loads its plugin); this file
only checks each step against the declared ones (`workflows.STEPS`).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from target_app import DEMO_PASSWORD, DEMO_USERNAME

from .data import new_user, register_via_api
from .pages.auth import LoginPage, User
from .workflows import StepFn, check_step

# Web-first assertions retry until this deadline; the default 5 s is too tight on a shared CI box.
EXPECT_TIMEOUT_MS = 10_000
ACTION_TIMEOUT_MS = 20_000
NAVIGATION_TIMEOUT_MS = 30_000


def pytest_configure(config: pytest.Config) -> None:
    """Raise the web-first assertion deadline once for the session."""
    expect.set_options(timeout=EXPECT_TIMEOUT_MS)


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    """A fixed viewport and locale, for stable layouts."""
    return {**browser_context_args, "viewport": {"width": 1280, "height": 800}, "locale": "en-US"}


@pytest.fixture
def page(page: Page) -> Page:
    """pytest-playwright's page with deadlines suited to a loaded machine."""
    page.set_default_timeout(ACTION_TIMEOUT_MS)
    page.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
    return page


@pytest.fixture
def step(step: StepFn, request: pytest.FixtureRequest) -> StepFn:
    """The harness's ``step``, refusing a step the test does not declare."""
    test = request.node.originalname

    def checked(name: str) -> AbstractContextManager[None]:
        check_step(test, name)
        return step(name)

    return checked


@pytest.fixture
def fresh_user(page: Page) -> User:
    """A new account registered through the JSON API, so tests never share state."""
    user = new_user()
    register_via_api(page.request, user)
    return user


@pytest.fixture(scope="session")
def demo_user() -> User:
    """The seeded account (``MESHMARKET_USERNAME``/``_PASSWORD`` name another, as in harness.toml)."""
    return User(
        username=os.environ.get("MESHMARKET_USERNAME", DEMO_USERNAME),
        email="",
        password=os.environ.get("MESHMARKET_PASSWORD", DEMO_PASSWORD),
    )


@pytest.fixture
def login(page: Page, fresh_user: User) -> Callable[[], None]:
    """Sign the fresh user in through the login form (call it inside the "log in" step)."""
    return lambda: LoginPage(page).log_in(fresh_user)


@pytest.fixture
def model_id(page: Page) -> int:
    """A published model to work on (the catalogue's top-rated one, found through the API)."""
    response = page.request.get("/api/models", params={"per_page": 1, "sort": "rating"})
    assert response.ok, f"GET /api/models answered {response.status}"
    items = response.json()["items"]
    assert items, "the target's catalogue is empty"
    return int(items[0]["id"])
