"""Pydantic request/response models: the API contract published in ``/openapi.json``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from target_app.domain import CategorySlug, FeedbackCategory, FileFormat, License, Platform

USERNAME_PATTERN = r"^[A-Za-z0-9_.-]{3,32}$"
EMAIL_PATTERN = r"^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(\.[A-Za-z0-9-]{1,63}){1,4}$"
SLUG_PATTERN = r"^[a-z0-9]{1,20}(-[a-z0-9]{1,20}){0,5}$"

Username = Annotated[str, Field(pattern=USERNAME_PATTERN, examples=["demo"])]
Email = Annotated[str, Field(pattern=EMAIL_PATTERN, max_length=254, examples=["demo@example.com"])]
Password = Annotated[str, Field(min_length=8, max_length=128, examples=["demo-password-123"])]
Slug = Annotated[str, Field(pattern=SLUG_PATTERN, examples=["getting-started-1"])]


class ErrorResponse(BaseModel):
    """Every non-validation error: a short, safe message (never a stack trace)."""

    detail: str = Field(examples=["Not Found"])


class RegisterIn(BaseModel):
    """A new account."""

    username: Username
    email: Email
    password: Password


class LoginIn(BaseModel):
    """Credentials."""

    username: Annotated[str, Field(min_length=1, max_length=64, examples=["demo"])]
    password: Annotated[str, Field(min_length=1, max_length=128, examples=["demo-password-123"])]


class TokenOut(BaseModel):
    """A bearer token for the ``Authorization`` header."""

    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Lifetime in seconds", examples=[86400])


class UserOut(BaseModel):
    """A public view of an account."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    username: str
    email: str
    created_at: datetime


class CategoryOut(BaseModel):
    """A catalogue category with its model count."""

    slug: CategorySlug
    name: str
    model_count: int


class ModelSummary(BaseModel):
    """A model as shown in the catalogue list."""

    id: int
    title: str
    category: CategorySlug
    file_format: FileFormat
    rating_avg: float | None = Field(description="Mean score from 1 to 5, null when unrated")
    rating_count: int
    downloads: int
    author: str
    created_at: datetime
    thumbnail_url: str = Field(examples=["/thumbnails/1.svg"])


class ModelDetail(ModelSummary):
    """A model with everything its page shows."""

    description: str
    license: License
    size_bytes: int
    share_url: str
    comment_count: int


class ModelPage(BaseModel):
    """One page of catalogue results."""

    items: list[ModelSummary]
    total: int
    page: int
    per_page: int


class RatingIn(BaseModel):
    """A score; rating again replaces your previous score."""

    score: Annotated[int, Field(ge=1, le=5, examples=[5])]


class RatingOut(BaseModel):
    """One user's rating."""

    model_id: int
    username: str
    score: int
    created_at: datetime


class RatingList(BaseModel):
    """A model's most recent ratings and its aggregate."""

    items: list[RatingOut]
    rating_avg: float | None
    rating_count: int


class CommentIn(BaseModel):
    """A comment body."""

    body: Annotated[str, Field(min_length=1, max_length=2000, examples=["Printed great!"])]


class CommentOut(BaseModel):
    """A comment on a model."""

    id: int
    model_id: int
    author: str
    body: str
    created_at: datetime


class CommentList(BaseModel):
    """One page of a model's comments, newest first."""

    items: list[CommentOut]
    total: int
    page: int
    per_page: int


class ShareOut(BaseModel):
    """A link to a model's public page."""

    url: str = Field(examples=["http://127.0.0.1:8000/models/1"])


class FeedbackIn(BaseModel):
    """A message to the product team."""

    message: Annotated[str, Field(min_length=1, max_length=5000)]
    email: Email | None = None
    category: FeedbackCategory = FeedbackCategory.general


class FeedbackOut(BaseModel):
    """Receipt for feedback."""

    id: int
    category: FeedbackCategory
    created_at: datetime


class WikiCreate(BaseModel):
    """A new wiki page."""

    slug: Slug
    title: Annotated[str, Field(min_length=1, max_length=200)]
    body: Annotated[str, Field(min_length=1, max_length=50_000)]


class WikiUpdate(BaseModel):
    """A new revision of a wiki page."""

    title: Annotated[str, Field(min_length=1, max_length=200)]
    body: Annotated[str, Field(min_length=1, max_length=50_000)]


class WikiSummary(BaseModel):
    """A wiki page in the index."""

    slug: str
    title: str
    revision: int
    updated_at: datetime


class WikiPageOut(WikiSummary):
    """A wiki page with its current text."""

    body: str
    author: str


class WikiRevisionOut(BaseModel):
    """One saved version of a wiki page."""

    revision: int
    title: str
    body: str
    author: str
    created_at: datetime


class BetaIn(BaseModel):
    """A beta-tester programme sign-up."""

    email: Email
    platform: Platform
    reason: Annotated[str, Field(max_length=2000)] | None = None


class BetaOut(BaseModel):
    """Receipt for a beta sign-up."""

    id: int
    email: str
    platform: Platform
    created_at: datetime


class AnalyticsSummary(BaseModel):
    """Server-side figures for the dashboard."""

    models: int
    uploads_last_24h: int
    active_users: int
    feedback_count: int
    users: int
    ratings: int
    comments: int
    downloads: int
    wiki_pages: int
    beta_signups: int
    generated_at: datetime


class HealthOut(BaseModel):
    """Liveness."""

    status: Literal["ok"] = "ok"


class ReadyOut(BaseModel):
    """Readiness: whether the database answers."""

    status: Literal["ok", "unavailable"]
    database: Literal["ok", "unavailable"]
