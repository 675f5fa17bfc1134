"""Community wiki: new page, view, edit, history."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

from .base import BasePage


class WikiEditor(BasePage):
    """``/wiki/new`` and ``/wiki/{slug}/edit``: the same form, the slug only when creating."""

    path = "/wiki/new"

    def fill(self, title: str, body: str, slug: str | None = None) -> None:
        """Fill the form; ``slug`` only on a new page."""
        if slug is not None:
            self.main.get_by_label("Address (slug)").fill(slug)
        self.main.get_by_label("Title").fill(title)
        self.main.get_by_label("Text").fill(body)

    def save(self) -> None:
        """Press save."""
        self.main.get_by_role("button", name="Save page").click()

    def create(self, slug: str, title: str, body: str) -> WikiArticle:
        """Open the new-page form, save the page, and land on it."""
        self.open()
        self.fill(title, body, slug)
        self.save()
        article = WikiArticle(self.page, slug)
        article.expect_text(title, body)
        return article


class WikiArticle(BasePage):
    """``/wiki/{slug}``: the current revision."""

    def __init__(self, page: Page, slug: str) -> None:
        super().__init__(page)
        self.slug = slug
        self.path = f"/wiki/{slug}"

    def expect_text(self, title: str, body: str) -> None:
        """The page shows the title and the text."""
        expect(self.heading).to_have_text(title)
        expect(self.main.get_by_role("article")).to_contain_text(body)

    def edit(self) -> WikiEditor:
        """Follow the edit link."""
        self.main.get_by_role("link", name="Edit this page").click()
        editor = WikiEditor(self.page)
        expect(editor.heading).to_contain_text("Edit")
        return editor

    def open_history(self) -> WikiHistory:
        """Follow the history link."""
        self.main.get_by_role("link", name="History").click()
        history = WikiHistory(self.page)
        expect(history.heading).to_contain_text("History of")
        return history


class WikiHistory(BasePage):
    """``/wiki/{slug}/history``: a table of revisions, newest first."""

    @property
    def revisions(self) -> Locator:
        """One row per revision (the header row excluded)."""
        return self.main.get_by_role("table").get_by_role("row").filter(has=self.page.get_by_role("cell"))
