"""Operations of an OpenAPI document matched to the requests stages published, and the matrix over stages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coverage_stage import api_operations as ops
from vocabulary.errors import HarnessError

SWAGGER = {
    "swagger": "2.0",
    "basePath": "/api",
    "paths": {
        "/books": {"get": {}, "post": {}},
        "/books/{bookId}": {"get": {}, "delete": {}, "parameters": []},
        "/books/mine": {"get": {}},
        "/books/{bookId}/cover.{format}": {"get": {}},
    },
}
OPENAPI_YAML = """openapi: 3.0.3
servers:
  - url: http://example.test/{version}
    variables: {version: {default: v2}}
paths:
  /pets/{petId}:
    get: {}
"""


@pytest.fixture
def catalogue() -> ops.Catalogue:
    return ops.Catalogue.from_document(SWAGGER)


def test_operations_keep_the_documents_spelling_and_order(catalogue: ops.Catalogue) -> None:
    assert catalogue.names() == [
        "GET /books",
        "POST /books",
        "GET /books/{bookId}",
        "DELETE /books/{bookId}",
        "GET /books/mine",
        "GET /books/{bookId}/cover.{format}",
    ]
    assert catalogue.base_paths == ("/api",)


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ("GET /api/books/3", "GET /books/{bookId}"),  # concrete, with the base path
        ("GET /books/3?fields=title", "GET /books/{bookId}"),  # without it, a query string
        ("get http://127.0.0.1:8000/api/books/3/", "GET /books/{bookId}"),  # a full URL, a trailing slash
        ("GET /books/{id}", "GET /books/{bookId}"),  # a template with other parameter names
        ("GET /books/[id]", "GET /books/{bookId}"),  # a Locust-style request name
        ("GET /api/books/mine", "GET /books/mine"),  # a literal segment wins over a parameter
        ("GET /books/3/cover.png", "GET /books/{bookId}/cover.{format}"),
        ("DELETE /api/books/7", "DELETE /books/{bookId}"),
        ("PUT /api/books/7", None),  # an undocumented method
        ("GET /api/books/7/reviews", None),  # deeper than any template
        ("GET /static/app.js", None),  # a page or an asset is no API operation
        ("list books", None),  # a name without a path
    ],
)
def test_published_requests_match_the_operation_they_exercised(
    catalogue: ops.Catalogue, entry: str, expected: str | None
) -> None:
    assert catalogue.match(entry) == expected


def test_matching_many_entries_counts_the_ones_that_matched_nothing(catalogue: ops.Catalogue) -> None:
    found, unmatched = catalogue.matched(["GET /api/books", "GET /api/books/1", "GET /api/books/2", "GET /"])
    assert (found, unmatched) == ({"GET /books", "GET /books/{bookId}"}, 1)


def test_documents_load_from_json_and_yaml_files_with_server_base_paths(tmp_path: Path) -> None:
    (tmp_path / "swagger.json").write_text(json.dumps(SWAGGER), encoding="utf-8")
    (tmp_path / "openapi.yaml").write_text(OPENAPI_YAML, encoding="utf-8")
    assert ops.load_catalogue(str(tmp_path / "swagger.json")).names()[0] == "GET /books"
    pets = ops.load_catalogue(str(tmp_path / "openapi.yaml"))
    assert pets.base_paths == ("/v2",)
    assert pets.match("GET /v2/pets/5") == pets.match("GET /pets/5") == "GET /pets/{petId}"


def test_an_unreadable_document_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(HarnessError, match="is not a valid OpenAPI document"):
        ops.load_catalogue(str(tmp_path / "broken.json"))


def test_the_matrix_names_who_exercised_what_and_what_nobody_did(catalogue: ops.Catalogue) -> None:
    seen = {
        "load": catalogue.matched(["GET /api/books", "GET /static/app.js"])[0],
        "contracts": catalogue.matched(["POST /books", "GET /books/{bookId}"])[0],
    }
    matrix = ops.OperationMatrix.build(catalogue.names(), seen)
    assert matrix.stage_ratio("load") == 1 / 6
    assert matrix.ratio() == 3 / 6
    assert matrix.uncovered() == ["DELETE /books/{bookId}", "GET /books/mine", "GET /books/{bookId}/cover.{format}"]
    assert matrix.table()[2] == {"operation": "GET /books/{bookId}", "stages": {"load": False, "contracts": True}}
