"""The notes site's state: seeded notes, the one account, and login sessions, all in memory.

The ASGI app runs on one event loop thread, so nothing here needs a lock.
"""

from __future__ import annotations

import hmac
import itertools
import secrets
from dataclasses import asdict, dataclass
from typing import Any

USERNAME = "alice"
DEFAULT_PASSWORD = "alice-secret-pw"
TITLE_MAX, BODY_MAX = 200, 5000


@dataclass(frozen=True)
class Note:
    """One note; ``asdict`` is its JSON form."""

    id: int
    title: str
    body: str
    author: str

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


_SEED = (
    ("Groceries", "Oat milk, lemons, a loaf of rye and coffee beans."),
    ("Reading list", "Finish the essay collection, then start the long novel about the lighthouse."),
    ("Bike repair", "The rear brake squeals; new pads are in the drawer under the stairs."),
    ("Garden plan", "Tomatoes by the south wall, herbs in the window boxes, beans along the fence."),
    ("Meeting notes", "Agreed to ship on Thursday; Sam writes the release notes."),
    ("Recipe: lentil soup", "Onion, carrot, celery, red lentils, stock, cumin; simmer for twenty minutes."),
    ("Travel checklist", "Passport, charger, rain jacket, the blue notebook."),
    ("Ideas", "A tiny site for notes that a release gate can test without knowing it."),
)


class Notebook:
    """All notes by id, oldest first."""

    def __init__(self) -> None:
        self._notes = {n: Note(n, title, body, USERNAME) for n, (title, body) in enumerate(_SEED, start=1)}
        self._ids = itertools.count(len(_SEED) + 1)

    def all(self) -> list[Note]:
        return list(self._notes.values())

    def get(self, note_id: int) -> Note | None:
        return self._notes.get(note_id)

    def add(self, title: str, body: str, author: str) -> Note:
        note = Note(next(self._ids), title, body, author)
        self._notes[note.id] = note
        return note


class Accounts:
    """The single account and the tokens of its live sessions (a token is both cookie value and bearer)."""

    def __init__(self, password: str) -> None:
        self._password = password
        self._sessions: dict[str, str] = {}

    def log_in(self, username: str, password: str) -> str | None:
        """A new session token, or None for wrong credentials (compared in constant time)."""
        known = hmac.compare_digest(_bytes(username), _bytes(USERNAME))
        if not (hmac.compare_digest(_bytes(password), _bytes(self._password)) and known):
            return None
        token = secrets.token_urlsafe(24)
        self._sessions[token] = username
        return token

    def user_for(self, token: str | None) -> str | None:
        return self._sessions.get(token) if token else None

    def log_out(self, token: str | None) -> None:
        if token:
            self._sessions.pop(token, None)


def _bytes(text: str) -> bytes:
    # JSON may carry lone surrogates; they must compare unequal, not crash the login.
    return text.encode("utf-8", "surrogatepass")


def validate_note(body: object) -> tuple[tuple[str, str] | None, str]:
    """``((title, body), "")`` for ``{"title": ..., "body": ...}``, else ``(None, reason)``."""
    if not isinstance(body, dict):
        return None, "send a JSON object with title and body"
    title, text = body.get("title"), body.get("body", "")
    if not isinstance(title, str) or not 1 <= len(title.strip()) <= TITLE_MAX:
        return None, f"title must be 1 to {TITLE_MAX} characters"
    if not isinstance(text, str) or len(text) > BODY_MAX:
        return None, f"body must be a string of at most {BODY_MAX} characters"
    return (title.strip(), text), ""
