"""The upload workflow: upload through the form, see the model listed, and announced live."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from .data import unique
from .pages.base import BasePage
from .pages.catalogue import CataloguePage
from .pages.model import ModelPage
from .pages.upload import NewModel, UploadPage
from .workflows import StepFn

CUBE_STL = """solid cube
  facet normal 0 0 -1
    outer loop
      vertex 0 0 0
      vertex 1 1 0
      vertex 1 0 0
    endloop
  endfacet
  facet normal 0 0 -1
    outer loop
      vertex 0 0 0
      vertex 0 1 0
      vertex 1 1 0
    endloop
  endfacet
endsolid cube
"""


@pytest.fixture
def new_model(tmp_path: Path) -> NewModel:
    """A small ASCII STL with a unique title."""
    file = tmp_path / "e2e-cube.stl"
    file.write_text(CUBE_STL, encoding="ascii")
    title = unique("E2E cube")
    return NewModel(title, "A cube uploaded by the e2e stage.", "Tools", "CC0-1.0", file)


def test_upload(
    page: Page, context: BrowserContext, step: StepFn, login: Callable[[], None], new_model: NewModel
) -> None:
    """Upload a model, see it listed and notified live."""
    upload = UploadPage(page)
    with step("log in"):
        login()
    with step("open watcher tab"):
        watcher = BasePage(context.new_page())
        watcher.page.goto("/")
        watcher.expect_live_connection()
    with step("open upload form"):
        upload.open()
    with step("fill upload form"):
        upload.fill(new_model)
    with step("submit upload"):
        upload.submit()
        upload.expect_notice("Your model was uploaded")
    with step("see model page"):
        ModelPage(page).expect_details(new_model.title)
    with step("see it listed"):
        catalogue = CataloguePage(page).open()
        catalogue.search(new_model.title)
        expect(catalogue.results).to_have_count(1)
        expect(catalogue.results.first).to_contain_text(new_model.title)
    with step("see notification in second tab"):
        expect(watcher.notifications).to_contain_text(f"New model: {new_model.title}")
