"""Account workflows: register, log in, log out."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page

from e2e.conftest import new_user
from e2e.pages.auth import LoginPage, RegisterPage, User
from e2e.pages.base import BasePage
from e2e.recorder import StepFn


@pytest.mark.workflow("register")
def test_register(page: Page, step: StepFn) -> None:
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


@pytest.mark.workflow("login")
def test_login(page: Page, step: StepFn, demo_user: User) -> None:
    login = LoginPage(page)
    with step("open login page"):
        login.open()
    with step("fill credentials"):
        login.fill(demo_user)
    with step("submit"):
        login.submit()
    with step("see signed in"):
        login.expect_signed_in(demo_user.username)


@pytest.mark.workflow("logout")
def test_logout(page: Page, step: StepFn, login: Callable[[], None]) -> None:
    with step("log in"):
        login()
    current = BasePage(page)
    with step("log out"):
        current.log_out()
    with step("see signed out"):
        current.expect_signed_out()
