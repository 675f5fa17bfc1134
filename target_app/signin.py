"""Sign-in and registration with the password work kept off the database threads.

A password hash costs ~30 ms of CPU by design. Done inside a database session it held one of the
few database threads for that long, so a burst of logins (1000 users ramping up) stalled every
query behind it. Here the session only reads or writes rows, and hashing runs on its own small
pool sized to the CPU, where waiting logins queue without blocking anyone else.
"""

from __future__ import annotations

from anyio import to_thread

from target_app.context import AppContext, in_session
from target_app.errors import UnauthorizedError
from target_app.passwords import hash_password, verify_password
from target_app.schemas import TokenOut, UserOut
from target_app.services import accounts

# Checked against when the username is unknown, so a miss costs as much as a wrong password
# (the response time does not reveal which usernames exist).
_DECOY_HASH = hash_password("decoy-password", b"\0" * 16)


async def log_in(ctx: AppContext, username: str, password: str) -> TokenOut:
    """A new token for valid credentials; :class:`UnauthorizedError` otherwise."""
    found = await in_session(ctx, accounts.credentials, username)
    user_id, stored = found if found is not None else (None, _DECOY_HASH)
    valid = await to_thread.run_sync(verify_password, password, stored, limiter=ctx.hash_limiter)
    if user_id is None or not valid:
        raise UnauthorizedError("Invalid username or password")
    return await in_session(ctx, accounts.issue_token, user_id)


async def register(ctx: AppContext, username: str, email: str, password: str) -> UserOut:
    """Create an account; :class:`ConflictError` if the username or email is taken."""
    digest = await to_thread.run_sync(hash_password, password, limiter=ctx.hash_limiter)
    return await in_session(ctx, accounts.register, username, email, digest)
