"""What every page of the target shares: the main navigation, the account area, live notifications."""

from __future__ import annotations

from typing import Self

from playwright.sync_api import Locator, Page, expect


class BasePage:
    """A page of the target; subclasses set ``path`` and add intent methods."""

    path = "/"

    def __init__(self, page: Page) -> None:
        self.page = page

    def open(self) -> Self:
        """Navigate to this page and wait until its main heading shows."""
        self.page.goto(self.path)
        expect(self.heading).to_be_visible()
        return self

    @property
    def heading(self) -> Locator:
        """The page's one level-1 heading."""
        return self.page.get_by_role("heading", level=1)

    @property
    def main(self) -> Locator:
        """The main landmark (excludes header, footer and notifications)."""
        return self.page.get_by_role("main")

    @property
    def header(self) -> Locator:
        """The site header (banner landmark) with the account area."""
        return self.page.get_by_role("banner")

    @property
    def notifications(self) -> Locator:
        """The live region that shows websocket notifications."""
        return self.page.get_by_role("complementary", name="Live notifications").get_by_role("status")

    def log_out(self) -> None:
        """Press the header's log-out button."""
        self.header.get_by_role("button", name="Log out").click()

    def expect_signed_in(self, username: str) -> None:
        """The header names the signed-in user."""
        expect(self.header).to_contain_text(f"Signed in as {username}")

    def expect_signed_out(self) -> None:
        """The header offers to log in again and no longer names a user."""
        expect(self.header.get_by_role("link", name="Log in")).to_be_visible()
        expect(self.header).not_to_contain_text("Signed in as")

    def expect_live_connection(self) -> None:
        """The page's websocket to the notification hub is open."""
        expect(self.page.locator("html")).to_have_attribute("data-ws", "open")

    def expect_notice(self, text: str) -> None:
        """A status message in the main content, e.g. after a form was sent."""
        expect(self.main.get_by_role("status").filter(has_text=text)).to_be_visible()
