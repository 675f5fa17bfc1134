"""Accounts: registration, login (tokens and page sessions), logout, token lookup."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from target_app.errors import ConflictError
from target_app.passwords import new_token, token_digest
from target_app.schemas import TokenOut, UserOut
from target_app.tables import Token, User, utcnow

TOKEN_LIFETIME = timedelta(hours=24)


def register(session: Session, username: str, email: str, password_hash: str) -> UserOut:
    """Create an account (the password already hashed); :class:`ConflictError` if the name or email is taken."""
    taken = session.scalar(select(User.id).where(or_(User.username == username, User.email == email)).limit(1))
    if taken is not None:
        raise ConflictError("Username or email already registered")
    user = User(username=username, email=email, password_hash=password_hash)
    session.add(user)
    session.flush()
    return UserOut.model_validate(user)


def credentials(session: Session, username: str) -> tuple[int, str] | None:
    """The id and stored password hash of ``username``, or None if there is no such user."""
    row = session.execute(select(User.id, User.password_hash).where(User.username == username)).first()
    return None if row is None else (row.id, row.password_hash)


def issue_token(session: Session, user_id: int) -> TokenOut:
    """A new bearer token (also used as the page session id)."""
    token = new_token()
    now = utcnow()
    session.add(Token(digest=token_digest(token), user_id=user_id, created_at=now, expires_at=now + TOKEN_LIFETIME))
    return TokenOut(access_token=token, expires_in=int(TOKEN_LIFETIME.total_seconds()))


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
