"""Catalogue pages: home, catalogue, model detail (rate, comment), upload, thumbnails."""

from __future__ import annotations

import json
import time
import zlib
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse

from target_app.api.catalogue import (
    ModelId,
    catalogue_page,
    model_detail,
    site_url,
)
from target_app.api.community import rate
from target_app.context import in_session, invalidate
from target_app.domain import CategorySlug, FileFormat, License, Sort, category_name
from target_app.errors import UnsupportedMediaError
from target_app.publishing import ALLOWED_EXTENSIONS, publish
from target_app.services import community
from target_app.services.catalogue import CatalogueQuery
from target_app.uploads import receive_form
from target_app.web.render import PageDep

router = APIRouter(include_in_schema=False)

CHOICES = {
    "categories": [(c.value, category_name(c.value)) for c in CategorySlug],
    "formats": [(f.value, f".{f.value}") for f in FileFormat],
    "licenses": [(lic.value, lic.value) for lic in License],
    "sorts": [(s.value, s.value.title()) for s in Sort],
}


@router.get("/")
async def home(page: PageDep) -> Response:
    """Home: newest and top-rated models."""
    newest = json.loads(await catalogue_page(page.ctx, CatalogueQuery(per_page=8)))
    top = json.loads(await catalogue_page(page.ctx, CatalogueQuery(sort=Sort.rating, per_page=8)))
    return page.render("home.html", newest=newest["items"], top=top["items"], **CHOICES)


def _choice(enum: type[StrEnum], raw: str | None) -> str | None:
    return raw if raw in {member.value for member in enum} else None


def _number(raw: str | None, low: float, high: float) -> float | None:
    try:
        value = float(raw) if raw else None
    except ValueError:
        return None
    return value if value is not None and low <= value <= high else None


def page_query(request: Request) -> CatalogueQuery:
    """The catalogue page's query, read leniently: the page's own form submits empty filters
    (``category=&min_rating=``), and a browser user gets results, not a 422, for a stray value.
    The JSON API keeps its strict, documented validation."""
    params = request.query_params
    sort = _choice(Sort, params.get("sort"))
    return CatalogueQuery(
        q=(params.get("q") or "").strip()[:100] or None,
        category=_choice(CategorySlug, params.get("category")),
        file_format=_choice(FileFormat, params.get("file_format")),
        min_rating=_number(params.get("min_rating"), 0, 5),
        sort=Sort(sort) if sort else Sort.newest,
        page=int(_number(params.get("page"), 1, 10_000) or 1),
    )


@router.get("/models")
async def catalogue(page: PageDep, query: Annotated[CatalogueQuery, Depends(page_query)]) -> Response:
    """The catalogue: search form, filters, sort, results and pagination."""
    result = json.loads(await catalogue_page(page.ctx, query))
    pages = max(1, -(-result["total"] // query.per_page))
    return page.render(
        "catalogue.html",
        result=result,
        query=query,
        pages=pages,
        a11y_regression=page.ctx.has("a11y-regression"),
        **CHOICES,
    )


async def _detail_page(
    page: PageDep, model_id: int, status_code: int = 200, errors: dict[str, str] | None = None
) -> Response:
    model = json.loads(await model_detail(page.ctx, model_id, site_url(page.request)))
    comments = await in_session(page.ctx, community.comments, model_id, 1, 20)
    return page.render(
        "model.html",
        status_code,
        model=model,
        comments=comments.items,
        errors=errors or {},
        category_name=category_name(model["category"]),
    )


@router.get("/models/{model_id}")
async def model_page(model_id: ModelId, page: PageDep) -> Response:
    """A model: details, download and share links, rating and comment forms."""
    return await _detail_page(page, model_id)


@router.post("/models/{model_id}/rate")
async def rate_form(
    model_id: ModelId, page: PageDep, score: Annotated[str, Form()] = "", csrf_token: Annotated[str, Form()] = ""
) -> Response:
    """Rating form submit."""
    page.check_csrf(csrf_token)
    if page.user is None:
        return page.redirect(page.login_url())
    if score not in {"1", "2", "3", "4", "5"}:
        return await _detail_page(page, model_id, 400, {"score": "Choose a score from 1 to 5."})
    await rate(page.ctx, model_id, page.user, int(score))
    return page.redirect(f"/models/{model_id}?rated=1#rating")


@router.post("/models/{model_id}/comments")
async def comment_form(
    model_id: ModelId, page: PageDep, body: Annotated[str, Form()] = "", csrf_token: Annotated[str, Form()] = ""
) -> Response:
    """Comment form submit."""
    page.check_csrf(csrf_token)
    if page.user is None:
        return page.redirect(page.login_url())
    if not body.strip() or len(body) > 2000:
        return await _detail_page(page, model_id, 400, {"body": "Write a comment of 1 to 2000 characters."})
    comment = await in_session(page.ctx, community.add_comment, model_id, page.user, body.strip())
    await invalidate(page.ctx, f"model:{model_id}", "analytics")
    await page.ctx.hub.broadcast(
        {
            "type": "comment.created",
            "model_id": model_id,
            "comment_id": comment.id,
            "author": comment.author,
            "url": f"/models/{model_id}",
        }
    )
    return page.redirect(f"/models/{model_id}#comments")


@router.get("/upload")
async def upload_form(page: PageDep) -> Response:
    """The upload form (sign-in required)."""
    if page.user is None:
        return page.redirect(page.login_url())
    return page.render("upload.html", errors={}, values={}, allowed=ALLOWED_EXTENSIONS, **CHOICES)


@router.post("/upload")
async def upload_submit(request: Request, page: PageDep) -> Response:
    """Upload form submit: streamed like the API upload (``broken-upload`` fails it)."""
    if page.user is None:
        return page.redirect(page.login_url())
    started = time.perf_counter()
    form = await receive_form(request, page.ctx.settings.upload_dir)
    try:
        page.check_csrf(form.fields.get("csrf_token"))
        if page.ctx.has("broken-upload"):
            raise RuntimeError("injected fault: broken-upload")
    except BaseException:
        form.discard()
        raise
    try:
        detail = await publish(page.ctx, form, page.user, site_url(request), started)
    except RequestValidationError as exc:
        errors = {str(e["loc"][-1]): str(e["msg"]) for e in exc.errors()}
        return _upload_errors(page, errors, form.fields)
    except UnsupportedMediaError as exc:
        return _upload_errors(page, {"file": exc.detail}, form.fields)
    return page.redirect(f"/models/{detail.id}?uploaded=1")


def _upload_errors(page: PageDep, errors: dict[str, str], values: dict[str, Any]) -> Response:
    return page.render("upload.html", 400, errors=errors, values=values, allowed=ALLOWED_EXTENSIONS, **CHOICES)


@router.get("/thumbnails/{model_id}.svg")
async def thumbnail(model_id: ModelId) -> Response:
    """A generated, deterministic thumbnail (no external images)."""
    hue = zlib.crc32(str(model_id).encode()) % 360
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="160" height="120" viewBox="0 0 160 120">'
        f'<rect width="160" height="120" fill="hsl({hue},45%,85%)"/>'
        f'<polygon points="80,18 128,96 32,96" fill="hsl({hue},55%,35%)"/>'
        f'<polygon points="80,18 128,96 80,80" fill="hsl({hue},55%,25%)"/></svg>'
    )
    return Response(svg, media_type="image/svg+xml")


@router.get("/favicon.ico")
async def favicon() -> RedirectResponse:
    """Browsers ask for it regardless of the ``<link rel=icon>``."""
    return RedirectResponse("/static/favicon.svg", status_code=308)
