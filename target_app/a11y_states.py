"""The bundled app's scripted UI states for the accessibility stage (named in ``harness.toml``).

Role and label locators on the app's own pages; no dialog or disclosure widget exists yet, add a
state here when one does. The signed-in states run with the description's auth recipe.
"""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page

from accessibility.states import State, submit_without_browser_checks

_LOG_IN = re.compile(r"^log in$", re.IGNORECASE)


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
