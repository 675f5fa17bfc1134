"""Community wiki pages: index, view, create, edit, history."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Response
from fastapi import Path as PathParam
from pydantic import ValidationError

from target_app.api.wiki import create_page, save_revision
from target_app.context import in_session
from target_app.errors import ConflictError
from target_app.schemas import SLUG_PATTERN, WikiCreate, WikiUpdate
from target_app.services import wiki
from target_app.web.render import PageDep, field_errors

router = APIRouter(prefix="/wiki", include_in_schema=False)
FormStr = Annotated[str, Form()]
SlugParam = Annotated[str, PathParam(pattern=SLUG_PATTERN)]
BROKEN_PAGE_SLUG = "getting-started-10"
"""The seeded wiki page whose view the ``broken-page`` fault crashes (the accessibility stage audits it)."""


@router.get("")
async def wiki_index(page: PageDep) -> Response:
    """Every wiki page."""
    return page.render("wiki_index.html", pages=await in_session(page.ctx, wiki.index))


@router.get("/new")
async def wiki_new(page: PageDep) -> Response:
    """The new-page form (sign-in required)."""
    if page.user is None:
        return page.redirect(page.login_url())
    return page.render("wiki_form.html", errors={}, values={}, creating=True)


@router.post("/new")
async def wiki_create(
    page: PageDep, slug: FormStr = "", title: FormStr = "", body: FormStr = "", csrf_token: FormStr = ""
) -> Response:
    """Create a page."""
    page.check_csrf(csrf_token)
    if page.user is None:
        return page.redirect(page.login_url())
    values = {"slug": slug, "title": title, "body": body}
    try:
        data = WikiCreate(slug=slug.strip(), title=title.strip(), body=body)
        await create_page(page.ctx, page.user, data.slug, data.title, data.body)
    except ValidationError as exc:
        return page.render("wiki_form.html", 400, errors=field_errors(exc), values=values, creating=True)
    except ConflictError as exc:
        return page.render("wiki_form.html", 400, errors={"slug": exc.detail}, values=values, creating=True)
    return page.redirect(f"/wiki/{data.slug}")


@router.get("/{slug}")
async def wiki_view(slug: SlugParam, page: PageDep) -> Response:
    """A page's current text."""
    if slug == BROKEN_PAGE_SLUG and page.ctx.has("broken-page"):
        raise RuntimeError("injected fault: broken-page")
    entry = await in_session(page.ctx, wiki.get, slug)
    return page.render("wiki_page.html", entry=entry, paragraphs=entry.body.split("\n\n"))


@router.get("/{slug}/edit")
async def wiki_edit(slug: SlugParam, page: PageDep) -> Response:
    """The edit form (sign-in required)."""
    if page.user is None:
        return page.redirect(page.login_url())
    entry = await in_session(page.ctx, wiki.get, slug)
    return page.render("wiki_form.html", errors={}, values=entry.model_dump(), creating=False)


@router.post("/{slug}/edit")
async def wiki_save(
    slug: SlugParam, page: PageDep, title: FormStr = "", body: FormStr = "", csrf_token: FormStr = ""
) -> Response:
    """Save a new revision."""
    page.check_csrf(csrf_token)
    if page.user is None:
        return page.redirect(page.login_url())
    try:
        data = WikiUpdate(title=title.strip(), body=body)
    except ValidationError as exc:
        values = {"slug": slug, "title": title, "body": body}
        return page.render("wiki_form.html", 400, errors=field_errors(exc), values=values, creating=False)
    await save_revision(page.ctx, page.user, slug, data.title, data.body)
    return page.redirect(f"/wiki/{slug}")


@router.get("/{slug}/history")
async def wiki_history(slug: SlugParam, page: PageDep) -> Response:
    """Every revision of a page."""
    entry = await in_session(page.ctx, wiki.get, slug)
    revisions = await in_session(page.ctx, wiki.revisions, slug)
    return page.render("wiki_history.html", entry=entry, revisions=revisions)
