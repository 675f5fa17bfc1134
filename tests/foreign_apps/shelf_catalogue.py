"""The bookshelf's data: seeded authors and books, an in-memory store, and the new-book validation.

Validation follows the Swagger body schema in :mod:`shelf_swagger` exactly, so that a fuzzer's
schema-valid bodies are accepted and its schema-violating ones are rejected (no more, no less).
"""

from __future__ import annotations

import itertools
import threading
from typing import Any, TypeGuard

GENRES = ("fiction", "history", "science", "poetry")
SEED_BOOKS = 20
TITLE_MAX = 200
YEAR_MIN, YEAR_MAX = 0, 2100
INT64_MAX = 2**63 - 1

AUTHORS: tuple[dict[str, Any], ...] = (
    {"id": 1, "name": "Ada Byron", "born": 1815},
    {"id": 2, "name": "Basil Carter", "born": 1921},
    {"id": 3, "name": "Chiara Duval", "born": 1956},
    {"id": 4, "name": "Dmitri Egorov", "born": 1889},
    {"id": 5, "name": "Eun-ji Fairfax", "born": 1978},
    {"id": 6, "name": "Farah Ghani", "born": 1990},
)

Book = dict[str, Any]


def _seed_book(number: int) -> Book:
    """Book ``number`` (1-based) of the seed catalogue; deterministic, so tests can name ids 1..20."""
    return {
        "id": number,
        "title": f"Volume {number}: {('Tides', 'Ledgers', 'Orbits', 'Lanterns')[number % 4]}",
        "authorId": AUTHORS[number % len(AUTHORS)]["id"],
        "genre": GENRES[number % len(GENRES)],
        "year": 1900 + 5 * number,
    }


class Shelf:
    """Books in memory behind one lock (the server answers each connection on its own thread)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._books: dict[int, Book] = {n: _seed_book(n) for n in range(1, SEED_BOOKS + 1)}
        self._ids = itertools.count(SEED_BOOKS + 1)

    def list(self, limit: int, genre: str | None) -> list[Book]:
        """The first ``limit`` books by id, optionally of one genre."""
        with self._lock:
            books = [dict(b) for b in self._books.values() if genre is None or b["genre"] == genre]
        return books[:limit]

    def get(self, book_id: int) -> Book | None:
        """A copy of one book, or None."""
        with self._lock:
            book = self._books.get(book_id)
            return dict(book) if book else None

    def add(self, fields: Book) -> Book:
        """Store a validated new book under the next id."""
        with self._lock:
            book = {"id": next(self._ids), **fields}
            self._books[book["id"]] = book
            return dict(book)

    def delete(self, book_id: int) -> str:
        """``"deleted"``, ``"missing"`` or ``"protected"`` (the seed catalogue stays, see below)."""
        # The seed books are what load tests and e2e tests read; if a contract run in the same app
        # deleted them, a later stage would see 404s that are the fuzzer's doing, not the app's.
        if 1 <= book_id <= SEED_BOOKS:
            return "protected" if book_id in self._books else "missing"
        with self._lock:
            return "deleted" if self._books.pop(book_id, None) is not None else "missing"

    def stats(self) -> dict[str, Any]:
        """Counts for ``GET /stats``."""
        with self._lock:
            genres = [b["genre"] for b in self._books.values()]
        return {
            "books": len(genres),
            "authors": len(AUTHORS),
            "byGenre": {g: genres.count(g) for g in GENRES},
        }


def find_author(author_id: int) -> dict[str, Any] | None:
    """One author with the ids of their books in the seed catalogue."""
    for author in AUTHORS:
        if author["id"] == author_id:
            books = [n for n in range(1, SEED_BOOKS + 1) if _seed_book(n)["authorId"] == author_id]
            return {**author, "bookIds": books}
    return None


def validate_new_book(body: object) -> tuple[Book | None, str]:
    """``(fields, "")`` for a valid ``NewBook`` body, else ``(None, reason)``."""
    if not isinstance(body, dict):
        return None, "body must be a JSON object"
    extra = sorted(set(body) - {"title", "authorId", "genre", "year"})
    if extra:
        return None, f"unknown field(s): {', '.join(extra)}"
    for check in (_check_title, _check_author, _check_genre, _check_year):
        reason = check(body)
        if reason:
            return None, reason
    return {key: body[key] for key in ("title", "authorId", "genre", "year") if key in body}, ""


def _is_int(value: object) -> TypeGuard[int]:
    # bool is an int subclass in Python but not an integer in JSON Schema.
    return isinstance(value, int) and not isinstance(value, bool)


def _check_title(body: dict[str, Any]) -> str:
    title = body.get("title")
    if not isinstance(title, str) or not 1 <= len(title) <= TITLE_MAX:
        return f"title must be a string of 1 to {TITLE_MAX} characters"
    return ""


def _check_author(body: dict[str, Any]) -> str:
    author = body.get("authorId")
    if not _is_int(author) or not 1 <= author <= INT64_MAX:
        return "authorId must be a positive integer"
    return ""


def _check_genre(body: dict[str, Any]) -> str:
    if body.get("genre") not in GENRES:
        return f"genre must be one of {', '.join(GENRES)}"
    return ""


def _check_year(body: dict[str, Any]) -> str:
    if "year" not in body:
        return ""
    year = body["year"]
    if not _is_int(year) or not YEAR_MIN <= year <= YEAR_MAX:
        return f"year must be an integer from {YEAR_MIN} to {YEAR_MAX}"
    return ""
