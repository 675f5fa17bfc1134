"""The bookshelf's Swagger 2.0 document, served at ``GET /swagger.json``.

Swagger 2.0 on purpose: the bundled app speaks OpenAPI 3, and the harness must not assume either.
Every status code the app can return for an operation is declared here (except the 500 of the
``server-error`` fault, which is the bug a contract run should report).
"""

from __future__ import annotations

from typing import Any

from tests.foreign_apps.shelf_catalogue import GENRES, INT64_MAX, SEED_BOOKS, TITLE_MAX, YEAR_MAX, YEAR_MIN

LIMIT_DEFAULT, LIMIT_MAX = 10, 50


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/definitions/{name}"}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "schema": _ref("Error")}


def _id_parameter(name: str, example: int) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "type": "integer",
        "format": "int64",
        "minimum": 1,
        "maximum": INT64_MAX,
        "x-example": example,
    }


_LIST_PARAMETERS: list[dict[str, Any]] = [
    {
        "name": "limit",
        "in": "query",
        "required": False,
        "type": "integer",
        "minimum": 1,
        "maximum": LIMIT_MAX,
        "default": LIMIT_DEFAULT,
        "x-example": 5,
        "description": "How many books to return at most.",
    },
    {
        "name": "genre",
        "in": "query",
        "required": False,
        "type": "string",
        "enum": list(GENRES),
        "x-example": "history",
        "description": "Only books of this genre.",
    },
]

_BOOKS: dict[str, Any] = {
    "get": {
        "operationId": "listBooks",
        "summary": "List books",
        "tags": ["books"],
        "parameters": _LIST_PARAMETERS,
        "responses": {"200": {"description": "Books by id", "schema": _ref("BookList")}, "400": _error("Bad query")},
    },
    "post": {
        "operationId": "addBook",
        "summary": "Add a book",
        "tags": ["books"],
        "parameters": [{"name": "book", "in": "body", "required": True, "schema": _ref("NewBook")}],
        "responses": {
            "201": {"description": "The stored book", "schema": _ref("Book")},
            "400": _error("The body is not a valid NewBook"),
            "413": _error("The body is larger than 1 MiB"),
            "415": _error("The body is not JSON"),
        },
    },
}

_BOOK: dict[str, Any] = {
    "parameters": [_id_parameter("bookId", 3)],
    "get": {
        "operationId": "getBook",
        "summary": "One book",
        "tags": ["books"],
        "responses": {
            "200": {"description": "The book", "schema": _ref("Book")},
            "400": _error("bookId is not a positive integer"),
            "404": _error("No such book"),
        },
    },
    "delete": {
        "operationId": "deleteBook",
        "summary": "Remove a book you added (the seed catalogue, ids 1..20, stays)",
        "tags": ["books"],
        "responses": {
            "204": {"description": "Removed"},
            "400": _error("bookId is not a positive integer"),
            "404": _error("No such book"),
            "409": _error("Seed books cannot be removed"),
        },
    },
}

_AUTHORS: dict[str, Any] = {
    "get": {
        "operationId": "listAuthors",
        "summary": "List authors",
        "tags": ["authors"],
        "responses": {"200": {"description": "All authors", "schema": _ref("AuthorList")}},
    },
}

_AUTHOR: dict[str, Any] = {
    "parameters": [_id_parameter("authorId", 2)],
    "get": {
        "operationId": "getAuthor",
        "summary": "One author and their books",
        "tags": ["authors"],
        "responses": {
            "200": {"description": "The author", "schema": _ref("Author")},
            "400": _error("authorId is not a positive integer"),
            "404": _error("No such author"),
        },
    },
}

_STATS: dict[str, Any] = {
    "get": {
        "operationId": "getStats",
        "summary": "Shelf counts",
        "tags": ["stats"],
        "responses": {"200": {"description": "Counts", "schema": _ref("Stats")}},
    },
}

_GENRE = {"type": "string", "enum": list(GENRES), "example": "fiction"}
_YEAR = {"type": "integer", "minimum": YEAR_MIN, "maximum": YEAR_MAX, "example": 1954}
_TITLE = {"type": "string", "minLength": 1, "maxLength": TITLE_MAX, "example": "The Left Hand of Darkness"}
_POSITIVE_ID = {"type": "integer", "format": "int64", "minimum": 1, "maximum": INT64_MAX, "example": 4}

DEFINITIONS: dict[str, Any] = {
    "NewBook": {
        "type": "object",
        "required": ["title", "authorId", "genre"],
        "additionalProperties": False,
        "properties": {"title": _TITLE, "authorId": _POSITIVE_ID, "genre": _GENRE, "year": _YEAR},
    },
    "Book": {
        "type": "object",
        "required": ["id", "title", "authorId", "genre"],
        "properties": {"id": _POSITIVE_ID, "title": _TITLE, "authorId": _POSITIVE_ID, "genre": _GENRE, "year": _YEAR},
    },
    "BookList": {
        "type": "object",
        "required": ["items", "count"],
        "properties": {"items": {"type": "array", "items": _ref("Book")}, "count": {"type": "integer", "minimum": 0}},
    },
    "Author": {
        "type": "object",
        "required": ["id", "name", "born", "bookIds"],
        "properties": {
            "id": _POSITIVE_ID,
            "name": {"type": "string", "example": "Ada Byron"},
            "born": {"type": "integer", "example": 1815},
            "bookIds": {"type": "array", "items": {"type": "integer", "minimum": 1, "maximum": SEED_BOOKS}},
        },
    },
    "AuthorList": {"type": "array", "items": _ref("Author")},
    "Stats": {
        "type": "object",
        "required": ["books", "authors", "byGenre"],
        "properties": {
            "books": {"type": "integer", "minimum": 0},
            "authors": {"type": "integer", "minimum": 0},
            "byGenre": {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0}},
        },
    },
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {"error": {"type": "string", "example": "No such book"}},
    },
}


def swagger_document() -> dict[str, Any]:
    """The whole document; host-less, so clients use the address they fetched it from."""
    return {
        "swagger": "2.0",
        "info": {
            "title": "Shelf",
            "version": "1.2.0",
            "description": "A small bookshelf: books, their authors and a few counts.",
        },
        "basePath": "/",
        "schemes": ["http"],
        "consumes": ["application/json"],
        "produces": ["application/json"],
        "tags": [{"name": "books"}, {"name": "authors"}, {"name": "stats"}],
        "paths": {
            "/books": _BOOKS,
            "/books/{bookId}": _BOOK,
            "/authors": _AUTHORS,
            "/authors/{authorId}": _AUTHOR,
            "/stats": _STATS,
        },
        "definitions": DEFINITIONS,
    }
