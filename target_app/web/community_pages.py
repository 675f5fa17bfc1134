"""Feedback, beta programme and analytics dashboard pages."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Form, Response
from pydantic import ValidationError

from target_app.context import cached_json, in_session, invalidate
from target_app.domain import FeedbackCategory, Platform
from target_app.errors import ConflictError
from target_app.schemas import BetaIn, FeedbackIn
from target_app.services import community
from target_app.web.render import PageDep, field_errors

router = APIRouter(include_in_schema=False)
FormStr = Annotated[str, Form()]
FEEDBACK_CATEGORIES = [(c.value, c.value.title()) for c in FeedbackCategory]
PLATFORMS = [(p.value, {"macos": "macOS", "ios": "iOS"}.get(p.value, p.value.title())) for p in Platform]


@router.get("/feedback")
async def feedback_form(page: PageDep, sent: bool = False) -> Response:
    """The feedback form."""
    return page.render("feedback.html", errors={}, values={}, sent=sent, categories=FEEDBACK_CATEGORIES)


@router.post("/feedback")
async def feedback_submit(
    page: PageDep, message: FormStr = "", email: FormStr = "", category: FormStr = "general", csrf_token: FormStr = ""
) -> Response:
    """Send feedback."""
    page.check_csrf(csrf_token)
    values = {"message": message, "email": email, "category": category}
    try:
        data = FeedbackIn(message=message.strip(), email=email.strip() or None, category=category)  # type: ignore[arg-type]
    except ValidationError as exc:
        return page.render(
            "feedback.html", 400, errors=field_errors(exc), values=values, sent=False, categories=FEEDBACK_CATEGORIES
        )
    await in_session(page.ctx, community.add_feedback, data)
    await invalidate(page.ctx, "analytics")
    return page.redirect("/feedback?sent=true")


@router.get("/beta")
async def beta_form(page: PageDep, joined: bool = False) -> Response:
    """The beta programme sign-up form."""
    return page.render("beta.html", errors={}, values={}, joined=joined, platforms=PLATFORMS)


@router.post("/beta")
async def beta_submit(
    page: PageDep, email: FormStr = "", platform: FormStr = "", reason: FormStr = "", csrf_token: FormStr = ""
) -> Response:
    """Join the beta programme."""
    page.check_csrf(csrf_token)
    values = {"email": email, "platform": platform, "reason": reason}
    try:
        data = BetaIn(
            email=email.strip(),
            platform=platform,  # type: ignore[arg-type]
            reason=reason.strip() or None,
        )
        await in_session(page.ctx, community.beta_signup, data)
    except ValidationError as exc:
        return page.render("beta.html", 400, errors=field_errors(exc), values=values, joined=False, platforms=PLATFORMS)
    except ConflictError as exc:
        return page.render(
            "beta.html", 400, errors={"email": exc.detail}, values=values, joined=False, platforms=PLATFORMS
        )
    await invalidate(page.ctx, "analytics")
    return page.redirect("/beta?joined=true")


@router.get("/dashboard")
async def dashboard(page: PageDep) -> Response:
    """Analytics dashboard: server-side figures."""
    summary = json.loads(await cached_json(page.ctx, "analytics", "summary", community.analytics))
    return page.render("dashboard.html", summary=summary)
