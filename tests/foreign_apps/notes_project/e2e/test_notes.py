"""Browser tests for Notes. Run with pytest-playwright: pytest e2e --base-url http://127.0.0.1:8000"""

import re

from playwright.sync_api import Page, expect


def test_open_a_note_from_the_list(page: Page) -> None:
    page.goto("/notes")
    expect(page.get_by_role("heading", level=1, name="All notes")).to_be_visible()

    page.get_by_role("link", name="Groceries").click()

    expect(page).to_have_url(re.compile(r"/notes/\d+$"))
    expect(page.get_by_role("heading", level=1, name="Groceries")).to_be_visible()
    expect(page.get_by_text("Oat milk")).to_be_visible()


def test_log_in_through_the_form(page: Page, credentials: tuple[str, str]) -> None:
    username, password = credentials
    page.goto("/login")

    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()

    expect(page).to_have_url(re.compile(r"/account$"))
    expect(page.get_by_role("heading", level=1, name="Your account")).to_be_visible()
    expect(page.get_by_text(f"Signed in as {username}")).to_be_visible()


def test_wrong_password_is_refused(page: Page, credentials: tuple[str, str]) -> None:
    username, _ = credentials
    page.goto("/login")

    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("alert")).to_have_text("Wrong username or password.")
    expect(page).to_have_url(re.compile(r"/login$"))
