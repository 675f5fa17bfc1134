"""``/api/wiki``: the community wiki with revision history."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, status
from fastapi import Path as PathParam

from target_app.api.deps import Ctx, CurrentUser
from target_app.api.docs import WIKI_LINKS, errors
from target_app.context import in_session
from target_app.schemas import (
    SLUG_PATTERN,
    WikiCreate,
    WikiPageOut,
    WikiRevisionOut,
    WikiSummary,
    WikiUpdate,
)
from target_app.services import wiki

router = APIRouter(prefix="/api/wiki", tags=["wiki"])

SlugParam = Annotated[str, PathParam(pattern=SLUG_PATTERN, examples=["getting-started-1"])]


@router.get("")
async def list_wiki_pages(ctx: Ctx) -> list[WikiSummary]:
    """Every wiki page."""
    return await in_session(ctx, wiki.index)


@router.post("", status_code=status.HTTP_201_CREATED, responses={201: WIKI_LINKS, **errors(400, 401, 409, 413)})
async def create_wiki_page(body: WikiCreate, user: CurrentUser, ctx: Ctx) -> WikiPageOut:
    """Create a page (revision 1)."""
    return await in_session(ctx, wiki.create, user, body.slug, body.title, body.body)


@router.get("/{slug}", responses=errors(404))
async def get_wiki_page(slug: SlugParam, ctx: Ctx) -> WikiPageOut:
    """A page's current text."""
    return await in_session(ctx, wiki.get, slug)


@router.put("/{slug}", responses=errors(400, 401, 404, 413))
async def update_wiki_page(slug: SlugParam, body: WikiUpdate, user: CurrentUser, ctx: Ctx) -> WikiPageOut:
    """Save a new revision of a page."""
    return await in_session(ctx, wiki.update, user, slug, body.title, body.body)


@router.get("/{slug}/revisions", responses=errors(404))
async def list_wiki_revisions(slug: SlugParam, ctx: Ctx) -> list[WikiRevisionOut]:
    """Every revision of a page, newest first."""
    return await in_session(ctx, wiki.revisions, slug)
