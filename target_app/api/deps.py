"""Authentication dependency for the API: the ``bearerAuth`` security scheme."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from target_app.context import AppContext, get_ctx, in_session
from target_app.errors import UnauthorizedError
from target_app.services.accounts import user_for_token
from target_app.tables import User

bearer_scheme = HTTPBearer(
    scheme_name="bearerAuth",
    bearerFormat="opaque",
    description="A token from POST /api/auth/login",
    auto_error=False,
)


async def app_context(request: Request) -> AppContext:
    """The app's context. Every dependency is ``async def``: FastAPI runs plain ``def``
    dependencies in the thread pool, a thread hop per request on the hottest paths."""
    return get_ctx(request)


Ctx = Annotated[AppContext, Depends(app_context)]
Credentials = Annotated[HTTPAuthorizationCredentials | None, Security(bearer_scheme)]


async def current_user(ctx: Ctx, credentials: Credentials) -> User:
    """The user a bearer token belongs to; 401 otherwise."""
    if credentials is None:
        raise UnauthorizedError("Not authenticated")
    user = await in_session(ctx, user_for_token, credentials.credentials)
    if user is None:
        raise UnauthorizedError("Invalid or expired token")
    return user


async def bearer_token(credentials: Credentials) -> str:
    """The raw bearer token (for logout)."""
    if credentials is None:
        raise UnauthorizedError("Not authenticated")
    return credentials.credentials


CurrentUser = Annotated[User, Depends(current_user)]
BearerToken = Annotated[str, Depends(bearer_token)]
