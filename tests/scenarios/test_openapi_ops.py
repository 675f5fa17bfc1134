"""The generic API user's operations from OpenAPI 3.x and Swagger 2.0 documents (no target needed)."""

from __future__ import annotations

from typing import Any

from scenarios.openapi_ops import Operation, Selection, operations, sample

OPENAPI_3: dict[str, Any] = {
    "openapi": "3.1.0",
    "servers": [{"url": "https://api.example/{version}", "variables": {"version": {"default": "v2"}}}],
    "components": {
        "parameters": {
            "ModelId": {
                "name": "model_id",
                "in": "path",
                "required": True,
                "schema": {"type": "integer", "examples": [7]},
            }
        },
        "schemas": {
            "NewNote": {
                "type": "object",
                "required": ["title", "tags"],
                "properties": {
                    "title": {"type": "string", "minLength": 3},
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "draft": {"type": "boolean"},
                },
            }
        },
    },
    "paths": {
        "/models/{model_id}": {
            "get": {
                "parameters": [{"$ref": "#/components/parameters/ModelId"}],
                "responses": {"200": {"content": {"application/json": {}}}},
            }
        },
        "/wiki/{slug}": {
            "get": {"parameters": [{"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}]}
        },
        "/search": {
            "get": {
                "parameters": [
                    {
                        "name": "q",
                        "in": "query",
                        "required": True,
                        "schema": {"type": "string", "enum": ["lamp", "gear"]},
                    },
                    {"name": "page", "in": "query", "schema": {"type": "integer"}},
                ]
            }
        },
        "/codes/{code}": {
            "get": {
                "parameters": [
                    {
                        "name": "code",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "pattern": "^[A-Z]{3}$"},
                    }
                ]
            }
        },
        "/me": {"get": {"security": [{"bearer": []}]}},
        "/maybe-me": {"get": {"security": [{"bearer": []}, {}]}},
        "/tenant": {"get": {"parameters": [{"name": "X-Tenant", "in": "header", "required": True}]}},
        "/notes": {
            "post": {
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewNote"}}},
                }
            }
        },
        "/avatars": {"post": {"requestBody": {"required": True, "content": {"multipart/form-data": {}}}}},
        "/auth/logout": {"get": {}},
        "/metrics": {"get": {}},
        "/ping": {"head": {}},
    },
}

SWAGGER_2: dict[str, Any] = {
    "swagger": "2.0",
    "basePath": "/api/",
    "produces": ["application/json"],
    "definitions": {"Book": {"type": "object", "properties": {"title": {"type": "string"}}}},
    "paths": {
        "/books/{bookId}": {
            "parameters": [
                {"name": "bookId", "in": "path", "required": True, "type": "integer", "minimum": 1, "x-example": 3}
            ],
            "get": {"responses": {"200": {"description": "A book", "schema": {"$ref": "#/definitions/Book"}}}},
            "delete": {"responses": {"204": {"description": "Gone"}}},
        },
        "/authors/{authorId}": {
            "get": {
                "parameters": [{"name": "authorId", "in": "path", "required": True, "type": "integer", "minimum": 10}],
                "responses": {"200": {"description": "An author", "schema": {"type": "object"}}},
            }
        },
        "/books": {
            "get": {
                "parameters": [
                    {
                        "name": "genre",
                        "in": "query",
                        "required": True,
                        "type": "string",
                        "enum": ["fiction", "history"],
                        "default": "history",
                    }
                ],
                "responses": {"200": {"description": "Books", "schema": {"type": "array"}}},
            },
            "post": {
                "parameters": [
                    {"name": "book", "in": "body", "required": True, "schema": {"$ref": "#/definitions/Book"}}
                ],
                "responses": {"201": {"description": "Stored"}},
            },
        },
        "/covers": {"post": {"parameters": [{"name": "file", "in": "formData", "required": True, "type": "file"}]}},
    },
}


def by_label(ops: list[Operation]) -> dict[str, Operation]:
    return {op.label: op for op in ops}


def test_openapi_3_values_come_from_examples_enums_then_the_schema() -> None:
    ops, skipped = operations(OPENAPI_3, Selection(avoid=("/logout$", "^/v2/metrics$")))
    found = by_label(ops)
    assert set(found) == {"GET /v2/models/{model_id}", "GET /v2/wiki/{slug}", "GET /v2/search", "GET /v2/maybe-me"}
    model = found["GET /v2/models/{model_id}"]
    assert model.attempts == ("/v2/models/7", "/v2/models/1", "/v2/models/2", "/v2/models/3")
    assert model.json_response
    assert found["GET /v2/wiki/{slug}"].attempts == ("/v2/wiki/1",), "never the literal 'example'"
    # Only required query parameters; an enum gives its values in order.
    assert found["GET /v2/search"].attempts == ("/v2/search?q=lamp", "/v2/search?q=gear")
    assert "requires auth" in skipped["GET /v2/me"]
    assert "header parameter 'X-Tenant'" in skipped["GET /v2/tenant"]
    assert "pattern" not in skipped["GET /v2/codes/{code}"] and "no value" in skipped["GET /v2/codes/{code}"]
    assert "unsafe" in skipped["POST /v2/notes"]
    assert "never requests" in skipped["GET /v2/auth/logout"] and "never requests" in skipped["GET /v2/metrics"]
    assert "HEAD" in skipped["HEAD /v2/ping"]


def test_unsafe_methods_get_a_json_body_when_asked() -> None:
    ops, skipped = operations(OPENAPI_3, Selection(unsafe=True, authenticated=True))
    found = by_label(ops)
    assert found["POST /v2/notes"].body == {"title": "111", "tags": ["1"]}
    assert "GET /v2/me" in found and "GET /v2/tenant" in found, "credentials cover auth and its headers"
    assert "multipart/form-data" in skipped["POST /v2/avatars"]


def test_swagger_2_parameters_base_path_and_bodies() -> None:
    ops, skipped = operations(SWAGGER_2, Selection(unsafe=True))
    found = by_label(ops)
    assert found["GET /api/books/{bookId}"].attempts == ("/api/books/3", "/api/books/1", "/api/books/2")
    assert found["GET /api/books/{bookId}"].json_response
    assert found["GET /api/authors/{authorId}"].attempts[0] == "/api/authors/10", "the minimum, not 1"
    assert found["GET /api/books"].attempts == ("/api/books?genre=history", "/api/books?genre=fiction")
    assert found["POST /api/books"].body == {"title": "1"}
    assert found["DELETE /api/books/{bookId}"].attempts[0] == "/api/books/3"
    assert "form body" in skipped["POST /api/covers"]


def test_include_and_exclude_match_method_and_path() -> None:
    ops, skipped = operations(SWAGGER_2, Selection(include=("^GET /api/books",), exclude=(r"\{bookId\}",)))
    assert [op.label for op in ops] == ["GET /api/books"]
    assert skipped["GET /api/books/{bookId}"] == "matches an exclude pattern"
    assert skipped["GET /api/authors/{authorId}"] == "matches no include pattern"


def test_sample_follows_refs_and_combinations_and_stops_on_recursion() -> None:
    node = {"type": "object", "required": ["child"], "properties": {"child": {"$ref": "#/components/schemas/Node"}}}
    doc: dict[str, Any] = {"components": {"schemas": {"Node": node}}}
    both = {"allOf": [{"properties": {"a": {"type": "integer"}}}, {"properties": {"b": {"enum": ["x"]}}}]}
    assert sample(doc, both) == {"a": 1, "b": "x"}
    assert sample(doc, {"oneOf": [{"type": "string", "format": "date"}, {"type": "integer"}]}) == "2024-01-31"
    nested = sample(doc, {"$ref": "#/components/schemas/Node"})
    depth = 0
    while isinstance(nested, dict) and nested:
        nested, depth = nested["child"], depth + 1
    assert 0 < depth < 20
