"""Extends pytest-playwright for the target: the harness's browser, the target URL, test users.

Traces and screenshots of failures come from pytest-playwright's own options
(``--tracing retain-on-failure --screenshot only-on-failure --output DIR``), which the stage passes.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import APIRequestContext, Page, expect

from e2e.pages.auth import LoginPage, User
from harness.browser import find_browser
from harness.errors import HarnessError

# Web-first assertions retry until this deadline; the default 5 s is too tight on a shared CI box.
EXPECT_TIMEOUT_MS = 10_000
ACTION_TIMEOUT_MS = 20_000
NAVIGATION_TIMEOUT_MS = 30_000
TARGET_URL_ENV = "HARNESS_TARGET_URL"
# The bundled target's seeded account (documented in target_app/__init__.py).
DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo-password-123"


def pytest_configure(config: pytest.Config) -> None:
    """Raise the web-first assertion deadline once for the session."""
    expect.set_options(timeout=EXPECT_TIMEOUT_MS)


@pytest.fixture(scope="session")
def base_url(pytestconfig: pytest.Config) -> str:
    """The target: ``--base-url``, else ``HARNESS_TARGET_URL``; no silent default."""
    url = pytestconfig.getoption("--base-url") or os.environ.get(TARGET_URL_ENV)
    if not url:
        pytest.exit(f"no target URL: pass --base-url or set {TARGET_URL_ENV}", returncode=4)
    return str(url).rstrip("/")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Launch the browser the spine finds (Playwright's, CHROMIUM_PATH, /usr/bin/chromium)."""
    try:
        browser = find_browser()
    except HarnessError as exc:
        pytest.exit(exc.render(), returncode=3)
    return {**browser_type_launch_args, **browser.launch_kwargs()}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any], base_url: str) -> dict[str, Any]:
    """Every context talks to the target, with a fixed viewport and locale for stable layouts."""
    return {
        **browser_context_args,
        "base_url": base_url,
        "viewport": {"width": 1280, "height": 800},
        "locale": "en-US",
    }


@pytest.fixture
def page(page: Page) -> Page:
    """pytest-playwright's page with deadlines suited to a loaded machine."""
    page.set_default_timeout(ACTION_TIMEOUT_MS)
    page.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
    return page


@pytest.fixture
def fresh_user(page: Page) -> User:
    """A new account registered through the JSON API, so tests never share state."""
    user = new_user()
    register_via_api(page.request, user)
    return user


@pytest.fixture(scope="session")
def demo_user() -> User:
    """The target's seeded account (``HARNESS_E2E_USERNAME``/``_PASSWORD`` for another target)."""
    return User(
        username=os.environ.get("HARNESS_E2E_USERNAME", DEMO_USERNAME),
        email="",
        password=os.environ.get("HARNESS_E2E_PASSWORD", DEMO_PASSWORD),
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
