"""``/api/categories`` and ``/api/models``: listing, detail, upload, delete, download.

Read endpoints answer cached JSON bytes directly (``response_model`` still documents them).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status
from fastapi import Path as PathParam
from fastapi.responses import FileResponse

from target_app.api.deps import Ctx, CurrentUser
from target_app.api.docs import MODEL_LINKS, VALIDATION_ERROR, errors
from target_app.context import AppContext, cached_json, in_session, invalidate, json_response
from target_app.domain import CategorySlug, FileFormat, Sort
from target_app.publishing import publish, upload_request_body
from target_app.sample_files import sample_file
from target_app.schemas import CategoryOut, ModelDetail, ModelPage
from target_app.services import catalogue
from target_app.uploads import receive_form

router = APIRouter(prefix="/api", tags=["models"])

ModelId = Annotated[int, PathParam(ge=1, le=2**31 - 1, description="Model id", examples=[1])]
SLOW_CATALOGUE_DELAY_S = 0.25
ERROR_RATE_EVERY = 50  # the ``error-rate`` fault fails one request in 50 (2 %)
_detail_requests = itertools.count(1)


async def catalogue_query(
    q: Annotated[str | None, Query(max_length=100, description="Search in titles")] = None,
    category: CategorySlug | None = None,
    file_format: FileFormat | None = None,
    min_rating: Annotated[float | None, Query(ge=0, le=5)] = None,
    sort: Sort = Sort.newest,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 20,
) -> catalogue.CatalogueQuery:
    """Query parameters of a catalogue listing (shared with the catalogue page)."""
    return catalogue.CatalogueQuery(
        q=q or None,
        category=category.value if category else None,
        file_format=file_format.value if file_format else None,
        min_rating=min_rating,
        sort=sort,
        page=page,
        per_page=per_page,
    )


CatalogueParams = Annotated[catalogue.CatalogueQuery, Depends(catalogue_query)]


async def catalogue_page(ctx: AppContext, query: catalogue.CatalogueQuery) -> bytes:
    """Cached JSON of a catalogue page (the ``slow-catalogue`` fault adds its delay here)."""
    if ctx.has("slow-catalogue"):
        await asyncio.sleep(SLOW_CATALOGUE_DELAY_S)
    return await cached_json(
        ctx, "catalogue", "list:" + query.cache_suffix(), lambda s: catalogue.list_models(s, query)
    )


async def model_detail(ctx: AppContext, model_id: int, site_url: str) -> bytes:
    """Cached JSON of a model's detail."""
    return await cached_json(ctx, f"model:{model_id}", site_url, lambda s: catalogue.get_model(s, model_id, site_url))


def site_url(request: Request) -> str:
    """The scheme and host the client used (for share links)."""
    return str(request.base_url).rstrip("/")


@router.get("/categories", response_model=list[CategoryOut])
async def list_categories(ctx: Ctx) -> Response:
    """Every category with its model count."""
    return json_response(await cached_json(ctx, "catalogue", "categories", catalogue.categories))


@router.get("/models", response_model=ModelPage)
async def list_models(ctx: Ctx, query: CatalogueParams) -> Response:
    """Search, filter, sort and page through the catalogue."""
    return json_response(await catalogue_page(ctx, query))


@router.get("/models/{model_id}", response_model=ModelDetail, responses=errors(404))
async def get_model(model_id: ModelId, ctx: Ctx, request: Request) -> Response:
    """A model's detail."""
    if ctx.has("error-rate") and next(_detail_requests) % ERROR_RATE_EVERY == 0:
        raise RuntimeError("injected fault: error-rate")
    body = await model_detail(ctx, model_id, site_url(request))
    if ctx.has("schema-violation"):
        data = json.loads(body)
        data["rating_avg"] = str(data["rating_avg"])
        body = json.dumps(data).encode()
    return json_response(body)


@router.post(
    "/models",
    status_code=status.HTTP_201_CREATED,
    response_model=ModelDetail,
    openapi_extra={"requestBody": upload_request_body()},
    responses={201: MODEL_LINKS, **errors(400, 401, 413, 415), **VALIDATION_ERROR},
)
async def create_model(request: Request, user: CurrentUser, ctx: Ctx) -> Response:
    """Upload a model file (multipart, streamed to disk) and publish it."""
    started = time.perf_counter()
    form = await receive_form(request, ctx.settings.upload_dir)
    detail = await publish(ctx, form, user, site_url(request), started)
    return json_response(detail.model_dump_json().encode(), status.HTTP_201_CREATED)


@router.delete(
    "/models/{model_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=errors(401, 403, 404),
)
async def delete_model(model_id: ModelId, user: CurrentUser, ctx: Ctx) -> Response:
    """Delete one of your own models."""
    path = await in_session(ctx, catalogue.delete_model, model_id, user)
    if path:
        await asyncio.to_thread(Path(path).unlink, missing_ok=True)
    await invalidate(ctx, f"model:{model_id}", "catalogue", "analytics")
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/models/{model_id}/download",
    response_class=Response,
    responses={
        200: {
            "description": "The model file",
            "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
        },
        **errors(404),
    },
)
async def download_model(model_id: ModelId, ctx: Ctx) -> Response:
    """Download a model's file."""
    model = await in_session(ctx, catalogue.record_download, model_id)
    filename = f"model-{model.id}.{model.file_format}"
    if model.file_path:
        return FileResponse(model.file_path, media_type="application/octet-stream", filename=filename)
    return Response(
        sample_file(model.id, model.file_format),
        media_type="application/octet-stream",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
