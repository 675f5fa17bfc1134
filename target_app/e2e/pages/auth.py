"""Log in and register pages."""

from __future__ import annotations

import dataclasses

from playwright.sync_api import expect

from .base import BasePage


@dataclasses.dataclass(frozen=True)
class User:
    """Credentials of a test account."""

    username: str
    email: str
    password: str


class LoginPage(BasePage):
    """``/login``: username and password."""

    path = "/login"

    def fill(self, user: User) -> None:
        """Type the credentials into the labelled fields."""
        self.page.get_by_label("Username").fill(user.username)
        self.page.get_by_label("Password").fill(user.password)

    def submit(self) -> None:
        """Press the form's log-in button (not the header's link)."""
        self.main.get_by_role("button", name="Log in").click()

    def log_in(self, user: User) -> None:
        """Open the page, sign in, and wait until the header names the user."""
        self.open()
        self.fill(user)
        self.submit()
        self.expect_signed_in(user.username)


class RegisterPage(BasePage):
    """``/register``: username, email and password."""

    path = "/register"

    def fill(self, user: User) -> None:
        """Type the new account's details."""
        self.page.get_by_label("Username").fill(user.username)
        self.page.get_by_label("Email").fill(user.email)
        self.page.get_by_label("Password").fill(user.password)

    def submit(self) -> None:
        """Press the form's register button."""
        self.main.get_by_role("button", name="Register").click()

    def expect_no_errors(self) -> None:
        """No error summary is shown."""
        expect(self.page.get_by_role("alert")).to_have_count(0)
