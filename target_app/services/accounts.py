"""Accounts: registration, login (tokens and page sessions), logout, token lookup."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from target_app.errors import ConflictError, UnauthorizedError
from target_app.passwords import hash_password, new_token, token_digest, verify_password
from target_app.schemas import TokenOut, UserOut
from target_app.tables import Token, User, utcnow

TOKEN_LIFETIME = timedelta(hours=24)


def register(session: Session, username: str, email: str, password: str) -> UserOut:
    """Create an account; :class:`ConflictError` if the username or email is taken."""
    taken = session.scalar(select(User.id).where(or_(User.username == username, User.email == email)).limit(1))
    if taken is not None:
        raise ConflictError("Username or email already registered")
    user = User(username=username, email=email, password_hash=hash_password(password))
    session.add(user)
    session.flush()
    return UserOut.model_validate(user)


def authenticate(session: Session, username: str, password: str) -> User:
    """The user with these credentials; :class:`UnauthorizedError` otherwise."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not verify_password(password, user.password_hash):
        raise UnauthorizedError("Invalid username or password")
    return user


def issue_token(session: Session, user: User) -> TokenOut:
    """A new bearer token (also used as the page session id)."""
    token = new_token()
    now = utcnow()
    session.add(Token(digest=token_digest(token), user_id=user.id, created_at=now, expires_at=now + TOKEN_LIFETIME))
    return TokenOut(access_token=token, expires_in=int(TOKEN_LIFETIME.total_seconds()))


def login(session: Session, username: str, password: str) -> TokenOut:
    """Check credentials and issue a token."""
    return issue_token(session, authenticate(session, username, password))


def user_for_token(session: Session, token: str) -> User | None:
    """The user a live token belongs to, or None."""
    return session.scalar(
        select(User)
        .join(Token, Token.user_id == User.id)
        .where(Token.digest == token_digest(token), Token.expires_at > utcnow())
    )


def revoke(session: Session, token: str) -> None:
    """End a token or session."""
    session.execute(delete(Token).where(Token.digest == token_digest(token)))
