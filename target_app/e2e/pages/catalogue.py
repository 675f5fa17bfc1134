"""The catalogue: search, filters, sort, results and pagination."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, expect

from .base import BasePage

_DOWNLOADS = re.compile(r"(\d+) downloads")


class CataloguePage(BasePage):
    """``/models``."""

    path = "/models"

    @property
    def search_form(self) -> Locator:
        """The search landmark with the query, filters and sort."""
        return self.main.get_by_role("search")

    @property
    def result_count(self) -> Locator:
        """The "N models found" status line."""
        return self.main.get_by_role("status").filter(has_text="models found")

    @property
    def results(self) -> Locator:
        """One list item per model card."""
        return self.main.get_by_role("list").first.get_by_role("listitem")

    def search(self, text: str) -> None:
        """Search the catalogue for ``text``."""
        self.search_form.get_by_label("Search models").fill(text)
        self.search_form.get_by_role("button", name="Search").click()

    def filter_by_category(self, category: str) -> None:
        """Show only one category, by its display name."""
        self.search_form.get_by_label("Category").select_option(label=category)
        self.search_form.get_by_role("button", name="Search").click()

    def sort_by(self, order: str) -> None:
        """Sort by one of the displayed orders, e.g. ``Downloads``."""
        self.search_form.get_by_label("Sort by").select_option(label=order)
        self.search_form.get_by_role("button", name="Search").click()

    def next_page(self) -> None:
        """Follow the pagination's next-page link."""
        self.main.get_by_role("navigation", name="Pagination").get_by_role("link", name="Next page").click()

    def expect_page(self, number: int) -> None:
        """The pagination says which page is shown."""
        pagination = self.main.get_by_role("navigation", name="Pagination")
        expect(pagination).to_contain_text(f"Page {number} of")

    def expect_results(self) -> None:
        """At least one model card and a non-zero count."""
        expect(self.result_count).not_to_have_text(re.compile(r"^0 models"))
        expect(self.results.first).to_be_visible()

    def titles(self) -> list[str]:
        """The titles of the shown models, in order (the link text; the image is alt text only)."""
        return [title.strip() for title in self.results.get_by_role("link").all_inner_texts()]

    def model_links(self) -> list[str]:
        """The detail-page links of the shown models, in order: unique per model, unlike titles
        (the load stage uploads many models with the same title into a reused data folder)."""
        return [link.get_attribute("href") or "" for link in self.results.get_by_role("link").all()]

    def download_counts(self) -> list[int]:
        """The download counts of the shown models, in order."""
        texts = self.results.filter(has_text="downloads").all_inner_texts()
        return [int(match.group(1)) for text in texts if (match := _DOWNLOADS.search(text))]

    def open_first_model(self) -> str:
        """Open the first result's page; returns its title."""
        link = self.results.first.get_by_role("link")
        title = link.inner_text().strip()
        link.click()
        return title
