"""Account pages: log in, register, log out (session cookie, CSRF-protected forms)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Response
from pydantic import ValidationError

from target_app import signin
from target_app.context import in_session, invalidate
from target_app.errors import ConflictError, UnauthorizedError
from target_app.schemas import RegisterIn
from target_app.services import accounts
from target_app.web.render import SESSION_COOKIE, PageDep, field_errors, safe_next

router = APIRouter(include_in_schema=False)
FormStr = Annotated[str, Form()]


@router.get("/login")
async def login_form(page: PageDep, next: str = "/") -> Response:
    """The sign-in form."""
    return page.render("login.html", errors={}, values={}, next=safe_next(next))


@router.post("/login")
async def login_submit(
    page: PageDep, username: FormStr = "", password: FormStr = "", next: FormStr = "/", csrf_token: FormStr = ""
) -> Response:
    """Sign in and start a page session."""
    page.check_csrf(csrf_token)
    try:
        token = await signin.log_in(page.ctx, username, password)
    except UnauthorizedError:
        errors = {"password": "The username or password is incorrect."}
        return page.render("login.html", 400, errors=errors, values={"username": username}, next=safe_next(next))
    await invalidate(page.ctx, "analytics")
    page.cookies[SESSION_COOKIE] = token.access_token
    return page.redirect(safe_next(next))


@router.get("/register")
async def register_form(page: PageDep) -> Response:
    """The registration form."""
    return page.render("register.html", errors={}, values={})


@router.post("/register")
async def register_submit(
    page: PageDep, username: FormStr = "", email: FormStr = "", password: FormStr = "", csrf_token: FormStr = ""
) -> Response:
    """Create an account and sign in."""
    page.check_csrf(csrf_token)
    values = {"username": username, "email": email}
    try:
        data = RegisterIn(username=username, email=email, password=password)
        await signin.register(page.ctx, data.username, data.email, data.password)
    except ValidationError as exc:
        return page.render("register.html", 400, errors=field_errors(exc), values=values)
    except ConflictError:
        errors = {"username": "This username or email is already registered."}
        return page.render("register.html", 400, errors=errors, values=values)
    token = await signin.log_in(page.ctx, username, password)
    page.cookies[SESSION_COOKIE] = token.access_token
    await invalidate(page.ctx, "analytics")
    return page.redirect("/")


@router.post("/logout")
async def logout(page: PageDep, csrf_token: FormStr = "") -> Response:
    """End the page session."""
    page.check_csrf(csrf_token)
    token = page.request.cookies.get(SESSION_COOKIE)
    if token:
        await in_session(page.ctx, accounts.revoke, token)
    page.cookies[SESSION_COOKIE] = None
    return page.redirect("/")
