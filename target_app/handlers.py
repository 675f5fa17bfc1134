"""Error handling: JSON for the API, an error page for browsers, never a stack trace."""

from __future__ import annotations

import logging
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import Match
from starlette.types import Message, Receive, Scope, Send

from target_app.asgi import HttpMiddleware
from target_app.errors import AppError
from target_app.web.render import TEMPLATES

log = logging.getLogger("target_app")
CANDIDATE_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
MACHINE_PREFIXES = ("/api", "/health", "/metrics", "/openapi.json", "/thumbnails", "/static")


def wants_html(path: str) -> bool:
    """Pages get an HTML error page; API and operations endpoints get JSON."""
    return not path.startswith(MACHINE_PREFIXES)


def error_response(request: Request, status: int, detail: str, headers: dict[str, str] | None = None) -> Response:
    """A JSON ``{"detail": ...}`` or the error page."""
    if wants_html(request.url.path):
        context = {
            "status": status,
            "reason": HTTPStatus(status).phrase,
            "detail": detail,
            "user": None,
            "faults": frozenset(),
        }
        return TEMPLATES.TemplateResponse(request, "error.html", context, status_code=status, headers=headers)
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)


async def app_error(request: Request, exc: Exception) -> Response:
    """Domain errors (404, 409, 403, 401, 413, 415, 400)."""
    assert isinstance(exc, AppError)
    headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
    return error_response(request, exc.status_code, exc.detail, headers)


async def http_error(request: Request, exc: Exception) -> Response:
    """Routing errors (unknown path, wrong method) and explicit HTTP exceptions."""
    assert isinstance(exc, StarletteHTTPException)
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = allowed_methods(request)
    return error_response(request, exc.status_code, str(exc.detail), headers)


def allowed_methods(request: Request) -> str:
    """Every method some route serves at this path (Starlette lists only the first route's)."""
    routes = request.app.router.routes
    allowed = [
        method
        for method in CANDIDATE_METHODS
        if any(route.matches({**request.scope, "method": method})[0] is Match.FULL for route in routes)
    ]
    return ", ".join(allowed)


async def validation_error(request: Request, exc: Exception) -> Response:
    """FastAPI's 422 body for the API; an error page for pages."""
    assert isinstance(exc, RequestValidationError)
    if wants_html(request.url.path):
        return error_response(request, 422, "The address or form contains invalid values.")
    return await request_validation_exception_handler(request, exc)


def install_handlers(app: FastAPI) -> None:
    """Register the handlers above."""
    app.add_exception_handler(AppError, app_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)


class ErrorBoundaryMiddleware(HttpMiddleware):
    """Turns unexpected exceptions into a generic 500 *inside* the middleware stack, so the
    response still carries security headers and is counted by the metrics middleware."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            log.exception("Unhandled error on %s %s", scope["method"], scope["path"])
            if started:
                raise
            response = error_response(Request(scope), 500, "Internal Server Error")
            await response(scope, receive, send)
