"""Wiki workflows: create, edit, view history."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect

from .data import unique
from .pages.wiki import WikiArticle, WikiEditor
from .workflows import StepFn

BODY = "Level the bed before every print.\n\nClean it with isopropyl alcohol."
EDITED = "Level the bed before every print.\n\nA glue stick helps PETG stick."


def test_wiki_create(page: Page, step: StepFn, login: Callable[[], None]) -> None:
    """Create a wiki page."""
    editor = WikiEditor(page)
    slug = unique("e2e-bed")
    with step("log in"):
        login()
    with step("open new wiki page"):
        editor.open()
    with step("fill page"):
        editor.fill("Bed levelling", BODY, slug)
    with step("save"):
        editor.save()
    with step("see page"):
        WikiArticle(page, slug).expect_text("Bed levelling", "Clean it with isopropyl alcohol.")


def test_wiki_edit(page: Page, step: StepFn, login: Callable[[], None]) -> None:
    """Edit a wiki page."""
    with step("log in"):
        login()
    with step("create page"):
        article = WikiEditor(page).create(unique("e2e-edit"), "Bed levelling", BODY)
    with step("edit page"):
        editor = article.edit()
        editor.fill("Bed levelling and adhesion", EDITED)
    with step("save"):
        editor.save()
    with step("see new text"):
        article.expect_text("Bed levelling and adhesion", "A glue stick helps PETG stick.")


def test_wiki_history(page: Page, step: StepFn, login: Callable[[], None]) -> None:
    """View a wiki page's history."""
    with step("log in"):
        login()
    with step("create and edit page"):
        article = WikiEditor(page).create(unique("e2e-history"), "Bed levelling", BODY)
        editor = article.edit()
        editor.fill("Bed levelling, revised", EDITED)
        editor.save()
        article.expect_text("Bed levelling, revised", "A glue stick helps PETG stick.")
    with step("open history"):
        history = article.open_history()
    with step("see revisions"):
        expect(history.revisions).to_have_count(2)
        expect(history.revisions.first).to_contain_text("Bed levelling, revised")
