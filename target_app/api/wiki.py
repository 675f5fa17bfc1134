"""``/api/wiki``: the community wiki with revision history."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Response, status
from fastapi import Path as PathParam

from target_app.api.deps import Ctx, CurrentUser
from target_app.api.docs import WIKI_LINKS, errors
from target_app.context import AppContext, cached_json, in_session, invalidate, json_response
from target_app.schemas import (
    SLUG_PATTERN,
    WikiCreate,
    WikiPageOut,
    WikiRevisionOut,
    WikiSummary,
    WikiUpdate,
)
from target_app.services import wiki
from target_app.tables import User

router = APIRouter(prefix="/api/wiki", tags=["wiki"])

SlugParam = Annotated[str, PathParam(pattern=SLUG_PATTERN, examples=["getting-started-1"])]


@router.get("", response_model=list[WikiSummary])
async def list_wiki_pages(ctx: Ctx) -> Response:
    """Every wiki page."""
    return json_response(await cached_json(ctx, "wiki", "index", wiki.index))


@router.post("", status_code=status.HTTP_201_CREATED, responses={201: WIKI_LINKS, **errors(400, 401, 409, 413)})
async def create_wiki_page(body: WikiCreate, user: CurrentUser, ctx: Ctx) -> WikiPageOut:
    """Create a page (revision 1)."""
    return await create_page(ctx, user, body.slug, body.title, body.body)


@router.get("/{slug}", response_model=WikiPageOut, responses=errors(404))
async def get_wiki_page(slug: SlugParam, ctx: Ctx) -> Response:
    """A page's current text."""
    return json_response(await cached_json(ctx, _page_namespace(slug), "page", lambda s: wiki.get(s, slug)))


@router.put("/{slug}", responses=errors(400, 401, 404, 413))
async def update_wiki_page(slug: SlugParam, body: WikiUpdate, user: CurrentUser, ctx: Ctx) -> WikiPageOut:
    """Save a new revision of a page."""
    return await save_revision(ctx, user, slug, body.title, body.body)


@router.get("/{slug}/revisions", responses=errors(404))
async def list_wiki_revisions(slug: SlugParam, ctx: Ctx) -> list[WikiRevisionOut]:
    """Every revision of a page, newest first."""
    return await in_session(ctx, wiki.revisions, slug)


def _page_namespace(slug: str) -> str:
    """The cache namespace of one page (its edits leave the other pages cached)."""
    return f"wiki:{slug}"


async def create_page(ctx: AppContext, user: User, slug: str, title: str, body: str) -> WikiPageOut:
    """Create a page and flush the cached index (the API and the page form)."""
    created = await in_session(ctx, wiki.create, user, slug, title, body)
    await invalidate(ctx, "wiki")
    return created


async def save_revision(ctx: AppContext, user: User, slug: str, title: str, body: str) -> WikiPageOut:
    """Save a revision and flush the page and the index, which shows titles and revisions."""
    updated = await in_session(ctx, wiki.update, user, slug, title, body)
    await invalidate(ctx, "wiki", _page_namespace(slug))
    return updated
