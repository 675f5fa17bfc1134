"""Password hashing (scrypt, standard library) and opaque random tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets

# scrypt cost: ~30 ms per hash on a small CPU, enough for a demo and light enough for load tests
# that log many users in.
_N, _R, _P = 2**14, 8, 1


def hash_password(password: str, salt: bytes | None = None) -> str:
    """``scrypt$<salt hex>$<digest hex>``."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """Constant-time check of ``password`` against a :func:`hash_password` value."""
    try:
        scheme, salt_hex, digest_hex = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    expected = hash_password(password, bytes.fromhex(salt_hex)).split("$")[2]
    return hmac.compare_digest(expected, digest_hex)


def new_token() -> str:
    """A URL-safe random token (bearer token, session id, CSRF token)."""
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """What the database stores instead of the token itself."""
    return hashlib.sha256(token.encode()).hexdigest()
