"""The analytics dashboard."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from .base import BasePage


class DashboardPage(BasePage):
    """``/dashboard``: figures as a description list."""

    path = "/dashboard"

    def figure(self, label: str) -> int:
        """The number shown for ``label``, e.g. ``Models``."""
        # dt/dd pairs share a wrapper; `has=` locators are relative to it, hence `self.page`.
        term = self.page.get_by_role("term").filter(has_text=re.compile(f"^{re.escape(label)}$"))
        value = self.main.locator("div").filter(has=term).get_by_role("definition")
        expect(value).to_have_text(re.compile(r"^[\d,]+$"))
        return int(value.inner_text().replace(",", ""))
