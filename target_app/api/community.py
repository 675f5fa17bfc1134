"""Ratings, comments, share links, feedback, beta sign-ups and analytics."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from target_app.api.catalogue import ModelId, site_url
from target_app.api.deps import Ctx, CurrentUser
from target_app.api.docs import errors
from target_app.context import AppContext, cached_json, in_session, invalidate, json_response
from target_app.schemas import (
    AnalyticsSummary,
    BetaIn,
    BetaOut,
    CommentIn,
    CommentList,
    CommentOut,
    FeedbackIn,
    FeedbackOut,
    RatingIn,
    RatingList,
    RatingOut,
    ShareOut,
)
from target_app.services import catalogue, community
from target_app.tables import User

router = APIRouter(prefix="/api")


@router.get("/models/{model_id}/ratings", tags=["ratings"], response_model=RatingList, responses=errors(404))
async def list_ratings(model_id: ModelId, ctx: Ctx) -> Response:
    """A model's most recent ratings and its average (cached with the model: a rating flushes both)."""
    body = await cached_json(ctx, f"model:{model_id}", "ratings", lambda s: community.ratings(s, model_id))
    return json_response(body)


@router.post(
    "/models/{model_id}/ratings",
    tags=["ratings"],
    status_code=status.HTTP_201_CREATED,
    responses=errors(400, 401, 404, 413),
)
async def rate_model(model_id: ModelId, body: RatingIn, user: CurrentUser, ctx: Ctx) -> RatingOut:
    """Rate a model from 1 to 5 (rating again replaces your previous score)."""
    return await rate(ctx, model_id, user, body.score)


async def rate(ctx: AppContext, model_id: int, user: User, score: int) -> RatingOut:
    """Store a rating and flush the model's cached detail and ratings (the API and the page form)."""
    rating = await in_session(ctx, community.rate, model_id, user, score)
    # Listings show averages that may lag by the cache TTL: flushing every listing on each rating
    # made the whole catalogue miss at once under load (a rating is not a catalogue change).
    await invalidate(ctx, f"model:{model_id}")
    return rating


@router.get("/models/{model_id}/comments", tags=["comments"], responses=errors(404))
async def list_comments(
    model_id: ModelId,
    ctx: Ctx,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 20,
) -> CommentList:
    """A model's comments, newest first."""
    return await in_session(ctx, community.comments, model_id, page, per_page)


@router.post(
    "/models/{model_id}/comments",
    tags=["comments"],
    status_code=status.HTTP_201_CREATED,
    responses=errors(400, 401, 404, 413),
)
async def add_comment(model_id: ModelId, body: CommentIn, user: CurrentUser, ctx: Ctx) -> CommentOut:
    """Comment on a model (broadcast to websocket clients)."""
    comment = await in_session(ctx, community.add_comment, model_id, user, body.body)
    await invalidate(ctx, f"model:{model_id}", "analytics")
    await ctx.hub.broadcast(
        {
            "type": "comment.created",
            "model_id": model_id,
            "comment_id": comment.id,
            "author": comment.author,
            "url": f"/models/{model_id}",
        }
    )
    return comment


@router.get("/models/{model_id}/share", tags=["models"], responses=errors(404))
async def share_model(model_id: ModelId, ctx: Ctx, request: Request) -> ShareOut:
    """A link to the model's public page."""
    await in_session(ctx, catalogue.require_model, model_id)
    return ShareOut(url=catalogue.share_url(site_url(request), model_id))


@router.post("/feedback", tags=["feedback"], status_code=status.HTTP_201_CREATED, responses=errors(400, 413))
async def send_feedback(body: FeedbackIn, ctx: Ctx) -> FeedbackOut:
    """Send feedback to the product team."""
    receipt = await in_session(ctx, community.add_feedback, body)
    await invalidate(ctx, "analytics")
    return receipt


@router.post("/beta/signup", tags=["beta"], status_code=status.HTTP_201_CREATED, responses=errors(400, 409, 413))
async def beta_signup(body: BetaIn, ctx: Ctx) -> BetaOut:
    """Join the beta-tester programme (once per email)."""
    receipt = await in_session(ctx, community.beta_signup, body)
    await invalidate(ctx, "analytics")
    return receipt


@router.get("/analytics/summary", tags=["analytics"], response_model=AnalyticsSummary)
async def analytics_summary(ctx: Ctx) -> Response:
    """Server-side figures for the dashboard."""
    body = await cached_json(ctx, "analytics", "summary", community.analytics)
    return Response(body, media_type="application/json")
