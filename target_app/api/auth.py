"""``/api/auth/*`` and ``/api/me``."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from target_app import signin
from target_app.api.deps import BearerToken, Ctx, CurrentUser
from target_app.api.docs import REGISTER_LINKS, errors
from target_app.context import in_session, invalidate
from target_app.schemas import LoginIn, RegisterIn, TokenOut, UserOut
from target_app.services import accounts

router = APIRouter(prefix="/api", tags=["auth"])


@router.post(
    "/auth/register",
    status_code=status.HTTP_201_CREATED,
    responses={201: REGISTER_LINKS, **errors(400, 409, 413)},
)
async def register_user(body: RegisterIn, ctx: Ctx) -> UserOut:
    """Create an account."""
    user = await signin.register(ctx, body.username, body.email, body.password)
    await invalidate(ctx, "analytics")
    return user


@router.post("/auth/login", responses=errors(400, 401, 413))
async def login_user(body: LoginIn, ctx: Ctx) -> TokenOut:
    """Exchange credentials for a bearer token."""
    token = await signin.log_in(ctx, body.username, body.password)
    await invalidate(ctx, "analytics")
    return token


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT, responses=errors(401))
async def logout_user(_user: CurrentUser, token: BearerToken, ctx: Ctx) -> Response:
    """Revoke the bearer token used for this request."""
    await in_session(ctx, accounts.revoke, token)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/me", responses=errors(401))
async def read_me(user: CurrentUser) -> UserOut:
    """The account the bearer token belongs to."""
    return UserOut.model_validate(user)
