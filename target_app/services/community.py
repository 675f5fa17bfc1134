"""Ratings, comments, feedback, beta sign-ups and the analytics summary."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from target_app.errors import ConflictError
from target_app.schemas import (
    AnalyticsSummary,
    BetaIn,
    BetaOut,
    CommentList,
    CommentOut,
    FeedbackIn,
    FeedbackOut,
    RatingList,
    RatingOut,
)
from target_app.services.catalogue import require_model
from target_app.tables import (
    BetaSignup,
    Comment,
    Feedback,
    Model3D,
    Rating,
    Token,
    User,
    WikiPage,
    utcnow,
)

RECENT_RATINGS = 50


def rate(session: Session, model_id: int, user: User, score: int) -> RatingOut:
    """Record (or replace) ``user``'s score and update the model's aggregate."""
    model = require_model(session, model_id)
    rating = session.scalar(select(Rating).where(Rating.model_id == model_id, Rating.user_id == user.id))
    if rating is None:
        rating = Rating(model_id=model_id, user_id=user.id, score=score, created_at=utcnow())
        session.add(rating)
        model.rating_count += 1
        model.rating_sum += score
    else:
        model.rating_sum += score - rating.score
        rating.score, rating.created_at = score, utcnow()
    model.rating_avg = round(model.rating_sum / model.rating_count, 2)
    return RatingOut(model_id=model_id, username=user.username, score=score, created_at=rating.created_at)


def ratings(session: Session, model_id: int) -> RatingList:
    """The most recent ratings of a model and its aggregate."""
    model = require_model(session, model_id)
    stmt = (
        select(Rating.model_id, User.username, Rating.score, Rating.created_at)
        .join(User, Rating.user_id == User.id)
        .where(Rating.model_id == model_id)
        .order_by(Rating.created_at.desc(), Rating.id.desc())
        .limit(RECENT_RATINGS)
    )
    items = [RatingOut(**row._mapping) for row in session.execute(stmt)]
    return RatingList(items=items, rating_avg=model.rating_avg, rating_count=model.rating_count)


def add_comment(session: Session, model_id: int, user: User, body: str) -> CommentOut:
    """Add a comment and bump the model's comment count."""
    model = require_model(session, model_id)
    comment = Comment(model_id=model_id, user_id=user.id, body=body, created_at=utcnow())
    session.add(comment)
    model.comment_count += 1
    session.flush()
    return CommentOut(id=comment.id, model_id=model_id, author=user.username, body=body, created_at=comment.created_at)


def comments(session: Session, model_id: int, page: int, per_page: int) -> CommentList:
    """One page of a model's comments, newest first."""
    model = require_model(session, model_id)
    stmt = (
        select(Comment.id, Comment.model_id, User.username.label("author"), Comment.body, Comment.created_at)
        .join(User, Comment.user_id == User.id)
        .where(Comment.model_id == model_id)
        .order_by(Comment.created_at.desc(), Comment.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    items = [CommentOut(**row._mapping) for row in session.execute(stmt)]
    return CommentList(items=items, total=model.comment_count, page=page, per_page=per_page)


def add_feedback(session: Session, data: FeedbackIn) -> FeedbackOut:
    """Store a feedback message."""
    row = Feedback(message=data.message, email=data.email, category=data.category.value, created_at=utcnow())
    session.add(row)
    session.flush()
    return FeedbackOut(id=row.id, category=data.category, created_at=row.created_at)


def beta_signup(session: Session, data: BetaIn) -> BetaOut:
    """Join the beta programme; :class:`ConflictError` if the email already did."""
    exists = session.scalar(select(BetaSignup.id).where(BetaSignup.email == data.email))
    if exists is not None:
        raise ConflictError("This email is already signed up")
    row = BetaSignup(email=data.email, platform=data.platform.value, reason=data.reason, created_at=utcnow())
    session.add(row)
    try:
        session.flush()
    except IntegrityError as exc:  # a concurrent sign-up with the same email won the race
        raise ConflictError("This email is already signed up") from exc
    return BetaOut(id=row.id, email=row.email, platform=data.platform, created_at=row.created_at)


def _count(session: Session, column: object) -> int:
    return int(session.scalar(select(func.count(column))) or 0)  # type: ignore[arg-type]


def analytics(session: Session) -> AnalyticsSummary:
    """Server-side figures for the dashboard."""
    now = utcnow()
    day_ago = now - timedelta(hours=24)
    return AnalyticsSummary(
        models=_count(session, Model3D.id),
        uploads_last_24h=int(session.scalar(select(func.count(Model3D.id)).where(Model3D.created_at >= day_ago)) or 0),
        active_users=int(
            session.scalar(select(func.count(func.distinct(Token.user_id))).where(Token.created_at >= day_ago)) or 0
        ),
        feedback_count=_count(session, Feedback.id),
        users=_count(session, User.id),
        ratings=_count(session, Rating.id),
        comments=_count(session, Comment.id),
        downloads=int(session.scalar(select(func.coalesce(func.sum(Model3D.downloads), 0))) or 0),
        wiki_pages=_count(session, WikiPage.id),
        beta_signups=_count(session, BetaSignup.id),
        generated_at=now,
    )
