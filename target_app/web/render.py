"""Page plumbing: templates, the page session (cookie), CSRF tokens and form errors."""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError
from starlette.responses import Response

from target_app.context import AppContext, get_ctx, in_session
from target_app.errors import ForbiddenError
from target_app.passwords import new_token
from target_app.services.accounts import user_for_token
from target_app.tables import User

TEMPLATES = Jinja2Templates(directory=Path(__file__).resolve().parent.parent / "templates")
SESSION_COOKIE = "session"
CSRF_COOKIE = "csrf_token"
SLOW_PAGE_DELAY_S = 3.5
FIELD_HINTS = {
    "username": "Use 3 to 32 letters, digits, dots, dashes or underscores.",
    "email": "Enter a valid email address, like name@example.com.",
    "password": "Use at least 8 characters.",
    "slug": "Use lowercase letters, digits and single dashes, like my-page.",
}


@dataclass
class Page:
    """What every page handler gets: app context, signed-in user, CSRF token."""

    request: Request
    ctx: AppContext
    user: User | None
    csrf: str
    new_csrf: bool = False
    cookies: dict[str, str | None] = field(default_factory=dict)

    def render(self, template: str, status_code: int = 200, /, **context: Any) -> Response:
        """Render ``template`` with the common page context."""
        context.update(user=self.user, csrf_token=self.csrf, faults=self.ctx.settings.faults)
        response = TEMPLATES.TemplateResponse(self.request, template, context, status_code=status_code)
        return self.finish(response)

    def redirect(self, url: str) -> Response:
        """A 303 See Other (the Post/Redirect/Get pattern)."""
        return self.finish(RedirectResponse(url, status_code=303))

    def finish(self, response: Response) -> Response:
        """Attach pending cookies (CSRF token, session changes)."""
        secure = self.request.url.scheme == "https"
        if self.new_csrf:
            self.cookies.setdefault(CSRF_COOKIE, self.csrf)
        for name, value in self.cookies.items():
            if value is None:
                response.delete_cookie(name, path="/", httponly=True, samesite="lax", secure=secure)
            else:
                response.set_cookie(name, value, path="/", httponly=True, samesite="lax", secure=secure)
        return response

    def check_csrf(self, submitted: object) -> None:
        """Reject a form whose token does not match the cookie (double-submit pattern)."""
        cookie = self.request.cookies.get(CSRF_COOKIE, "")
        if not (isinstance(submitted, str) and cookie and secrets.compare_digest(submitted, cookie)):
            raise ForbiddenError("The form expired or was not sent from this site; reload it.")

    def login_url(self) -> str:
        """The login page, coming back here afterwards."""
        return f"/login?next={quote(self.request.url.path)}"


async def page(request: Request) -> Page:
    """Dependency: the page context (and the ``slow-page`` fault's delay)."""
    ctx = get_ctx(request)
    if ctx.has("slow-page"):
        await asyncio.sleep(SLOW_PAGE_DELAY_S)
    session_token = request.cookies.get(SESSION_COOKIE)
    user = await in_session(ctx, user_for_token, session_token) if session_token else None
    csrf = request.cookies.get(CSRF_COOKIE)
    return Page(request, ctx, user, csrf or new_token(), new_csrf=csrf is None)


PageDep = Annotated[Page, Depends(page)]


def field_errors(exc: ValidationError) -> dict[str, str]:
    """Pydantic errors as one friendly message per form field."""
    errors: dict[str, str] = {}
    for error in exc.errors(include_url=False):
        name = str(error["loc"][-1]) if error["loc"] else "form"
        errors.setdefault(name, FIELD_HINTS.get(name, str(error["msg"])))
    return errors


def safe_next(target: str | None) -> str:
    """Only same-site paths are valid redirect targets after login."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/"
