"""A model's page: details, download, share link, rating and comments."""

from __future__ import annotations

import re

from playwright.sync_api import Download, Locator, Page, expect

from .base import BasePage


class ModelPage(BasePage):
    """``/models/{id}``."""

    def __init__(self, page: Page, model_id: int | None = None) -> None:
        super().__init__(page)
        if model_id is not None:
            self.path = f"/models/{model_id}"

    @property
    def facts(self) -> Locator:
        """The details list (author, category, format, licence, rating, downloads)."""
        return self.main.get_by_role("article").get_by_role("definition")

    @property
    def share_link(self) -> Locator:
        """The read-only share URL field."""
        return self.page.get_by_label("Share link")

    def expect_details(self, title: str) -> None:
        """The heading names the model and its facts are listed."""
        expect(self.heading).to_have_text(title)
        expect(self.facts.first).to_be_visible()
        expect(self.main.get_by_role("link", name="Download model file")).to_be_visible()

    def rate(self, score: int) -> None:
        """Choose a score and submit the rating form."""
        rating = self.main.get_by_role("region", name="Rate this model")
        rating.get_by_label("Your score").select_option(str(score))
        rating.get_by_role("button", name="Submit rating").click()

    def comment(self, text: str) -> None:
        """Write and post a comment."""
        comments = self.main.get_by_role("region", name=re.compile(r"^Comments"))
        comments.get_by_label("Your comment").fill(text)
        comments.get_by_role("button", name="Post comment").click()

    def expect_comment(self, text: str) -> None:
        """A posted comment is listed."""
        comments = self.main.get_by_role("region", name=re.compile(r"^Comments"))
        expect(comments.get_by_role("listitem").filter(has_text=text)).to_be_visible()

    def copy_share_link(self) -> None:
        """Press the copy button next to the share URL."""
        self.main.get_by_role("button", name="Copy link").click()

    def download(self) -> Download:
        """Click the download link and wait for the file."""
        with self.page.expect_download() as info:
            self.main.get_by_role("link", name="Download model file").click()
        return info.value
