"""Turning a received upload into a published model (shared by the API and the upload page)."""

from __future__ import annotations

import asyncio
import os
import time
from typing import Annotated, Any

from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy.orm import Session

from target_app.context import AppContext, in_session, invalidate
from target_app.domain import MEDIA_TYPES, CategorySlug, FileFormat, License, format_from_upload
from target_app.errors import UnsupportedMediaError
from target_app.metrics import UPLOAD_DURATION, UPLOAD_SIZE
from target_app.schemas import ModelDetail
from target_app.services.catalogue import NewModel, create_model, get_model
from target_app.tables import User
from target_app.uploads import ReceivedFile, ReceivedForm

ALLOWED_EXTENSIONS = ", ".join(f".{fmt.value}" for fmt in FileFormat)
SLOW_UPLOAD_DELAY_S = 5.5  # the ``slow-upload`` fault: past the 5 s upload budget


class UploadFields(BaseModel):
    """The text fields of an upload."""

    title: Annotated[str, Field(min_length=1, max_length=200)]
    description: Annotated[str, Field(max_length=5000)] = ""
    category: CategorySlug
    license: License = License.cc_by


def upload_request_body() -> dict[str, Any]:
    """The OpenAPI request body of an upload. Enum schemas are inlined rather than referenced:
    some tools validate a multipart body against this schema alone, without the components."""
    fields = UploadFields.model_json_schema()
    definitions = fields.pop("$defs", {})
    properties: dict[str, Any] = {
        "file": {"type": "string", "format": "binary", "description": f"{ALLOWED_EXTENSIONS}; up to 500 MB"}
    }
    for name, schema in fields["properties"].items():
        reference = schema.pop("$ref", None)
        properties[name] = {**definitions[reference.rsplit("/", 1)[-1]], **schema} if reference else schema
    media_types = ", ".join(MEDIA_TYPES)
    return {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {"type": "object", "required": ["file", *fields["required"]], "properties": properties},
                "encoding": {"file": {"contentType": media_types}},
            }
        },
    }


def validate_upload(form: ReceivedForm) -> tuple[UploadFields, ReceivedFile, FileFormat]:
    """Fields, file and format of an upload, or the 422/415 error a client can act on."""
    errors: list[dict[str, object]] = []
    fields = None
    try:
        fields = UploadFields.model_validate(form.fields)
    except ValidationError as exc:
        errors += [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
    if form.file is None:
        errors.append({"type": "missing", "loc": ("body", "file"), "msg": "Field required", "input": None})
    if errors or fields is None or form.file is None:
        raise RequestValidationError(errors)
    file_format = format_from_upload(form.file.filename, form.file.content_type)
    if file_format is None:
        raise UnsupportedMediaError(f"Unsupported file type; allowed: {ALLOWED_EXTENSIONS}")
    return fields, form.file, file_format


def _store(
    session: Session,
    user: User,
    fields: UploadFields,
    received: ReceivedFile,
    file_format: FileFormat,
    upload_dir: os.PathLike[str],
    site_url: str,
) -> ModelDetail:
    new = NewModel(
        title=fields.title,
        description=fields.description,
        category=fields.category.value,
        license=fields.license.value,
        file_format=file_format.value,
        size_bytes=received.size,
    )
    model = create_model(session, user, new)
    final_path = os.path.join(upload_dir, f"{model.id}.{file_format.value}")
    os.replace(received.path, final_path)
    model.file_path = final_path
    session.flush()
    return get_model(session, model.id, site_url)


async def publish(ctx: AppContext, form: ReceivedForm, user: User, site_url: str, started: float) -> ModelDetail:
    """Validate, store and announce an upload; the received file is removed on any failure."""
    try:
        if ctx.has("slow-upload"):
            await asyncio.sleep(SLOW_UPLOAD_DELAY_S)  # a slow storage backend; other requests go on
        fields, received, file_format = validate_upload(form)
        detail = await in_session(ctx, _store, user, fields, received, file_format, ctx.settings.upload_dir, site_url)
    except BaseException:
        form.discard()
        raise
    UPLOAD_SIZE.observe(received.size)
    UPLOAD_DURATION.observe(time.perf_counter() - started)
    # Listings are not flushed: under load an upload every few seconds made every listing miss at
    # once (a latency spike each time). They show the model within the cache TTL; a search for a
    # title nobody searched before shows it at once. Deletes still flush them.
    await invalidate(ctx, "analytics")
    await ctx.hub.broadcast(
        {
            "type": "model.created",
            "model_id": detail.id,
            "title": detail.title,
            "author": detail.author,
            "url": f"/models/{detail.id}",
        }
    )
    return detail
