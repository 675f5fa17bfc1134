"""Scripted UI states worth auditing: most real violations live in states, not landing pages.

Each state drives a fresh page from the target's base URL into one interesting condition (a form
showing its errors, a failed login, the page after an upload) and leaves it there for axe. The
bundled app has no dialog or disclosure widget yet; add a state here when it gets one. The scripts
use role and label locators on the bundled app's pages and are independent of the e2e page
objects, so this stage runs without the e2e stage.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from playwright.sync_api import Page

_LOG_IN = re.compile(r"^log in$", re.IGNORECASE)


@dataclasses.dataclass(frozen=True)
class State:
    """One scripted state: a name (``state:<name>`` in findings) and the steps that reach it."""

    name: str
    description: str
    auth: bool
    """Reached from a logged-in browser context."""
    steps: Callable[[Page, str, Path], None]
    """Drive ``page`` from ``base_url`` into the state; the folder holds scratch files (uploads)."""


def submit_without_browser_checks(page: Page, form_selector: str) -> None:
    """Submit a form as-is, skipping HTML5 validation, so the server's error messages render."""
    with page.expect_navigation():
        page.locator(form_selector).evaluate("form => { form.noValidate = true; form.requestSubmit(); }")


def _register_errors(page: Page, base_url: str, scratch: Path) -> None:
    page.goto(f"{base_url}/register")
    submit_without_browser_checks(page, "main form")


def _feedback_errors(page: Page, base_url: str, scratch: Path) -> None:
    page.goto(f"{base_url}/feedback")
    submit_without_browser_checks(page, "main form")


def _login_failed(page: Page, base_url: str, scratch: Path) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_label("Username").fill("demo")
    page.get_by_label("Password").fill("not-the-password")
    with page.expect_navigation():
        page.get_by_role("button", name=_LOG_IN).click()


def _rating_errors(page: Page, base_url: str, scratch: Path) -> None:
    page.goto(f"{base_url}/models/1")
    submit_without_browser_checks(page, "#rating form")


def _upload_done(page: Page, base_url: str, scratch: Path) -> None:
    model = scratch / "a11y-cube.stl"
    model.write_text("solid cube\nendsolid cube\n", encoding="utf-8")
    page.goto(f"{base_url}/upload")
    page.get_by_label("Title").fill("Accessibility audit cube")
    page.get_by_label("Category").select_option(index=1)
    page.get_by_label("Model file").set_input_files(model)
    with page.expect_navigation():
        page.get_by_role("button", name="Upload model").click()


STATES: tuple[State, ...] = (
    State("register-errors", "the register form submitted empty, showing its errors", False, _register_errors),
    State("feedback-errors", "the feedback form submitted empty, showing its errors", False, _feedback_errors),
    State("login-failed", "the login page after a wrong password", False, _login_failed),
    State("rating-errors", "a model page, signed in, after an empty rating was sent", True, _rating_errors),
    State("upload-done", "the model page shown after uploading a model", True, _upload_done),
)
"""Every scripted state, in audit order."""

STATE_NAMES: tuple[str, ...] = tuple(state.name for state in STATES)
BY_NAME: dict[str, State] = {state.name: state for state in STATES}
