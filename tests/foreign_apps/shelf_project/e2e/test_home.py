"""Browser test for the Shelf home page. Run with pytest-playwright: pytest e2e --base-url http://127.0.0.1:8000"""

import re

from playwright.sync_api import Page, expect


def test_home_links_to_the_api_docs(page: Page) -> None:
    page.goto("/")
    expect(page.get_by_role("heading", level=1, name="Shelf")).to_be_visible()

    page.get_by_role("link", name="Read the API documentation").click()

    expect(page).to_have_url(re.compile(r"/docs$"))
    expect(page.get_by_role("heading", level=1, name="API documentation")).to_be_visible()
    expect(page.get_by_role("link", name="Swagger 2.0 document")).to_have_attribute("href", "/swagger.json")
