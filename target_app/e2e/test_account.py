"""Account workflows: register, log in, log out."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page

from .data import new_user
from .pages.auth import LoginPage, RegisterPage, User
from .pages.base import BasePage
from .workflows import StepFn


def test_register(page: Page, step: StepFn) -> None:
    """Register a new account."""
    user = new_user()
    register = RegisterPage(page)
    with step("open register page"):
        register.open()
    with step("fill form"):
        register.fill(user)
    with step("submit"):
        register.submit()
        register.expect_no_errors()
    with step("see signed in"):
        register.expect_signed_in(user.username)


def test_login(page: Page, step: StepFn, demo_user: User) -> None:
    """Log in as the demo user."""
    login = LoginPage(page)
    with step("open login page"):
        login.open()
    with step("fill credentials"):
        login.fill(demo_user)
    with step("submit"):
        login.submit()
    with step("see signed in"):
        login.expect_signed_in(demo_user.username)


def test_logout(page: Page, step: StepFn, login: Callable[[], None]) -> None:
    """Log out."""
    with step("log in"):
        login()
    current = BasePage(page)
    with step("log out"):
        current.log_out()
    with step("see signed out"):
        current.expect_signed_out()
