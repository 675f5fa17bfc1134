"""Bad input stops the contracts stage before any test runs, with the right error kind and message."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from contracts import stage
from tests.contracts.conftest import MakeContext
from vocabulary.errors import ErrorKind, HarnessError
from vocabulary.exit_codes import ExitCode

MINIMAL_SCHEMA = {
    "openapi": "3.1.0",
    "info": {"title": "t", "version": "1"},
    "paths": {"/api/models": {"get": {"responses": {"200": {"description": "ok"}}}}},
}


def _run_expecting_error(ctx: object) -> HarnessError:
    with pytest.raises(HarnessError) as caught:
        stage.run(ctx)  # type: ignore[arg-type]
    return caught.value


def test_unreachable_schema_url_is_target_unreachable(make_context: MakeContext) -> None:
    error = _run_expecting_error(make_context("http://127.0.0.1:9"))
    assert error.kind is ErrorKind.TARGET_UNREACHABLE
    assert error.exit_code is ExitCode.INCONCLUSIVE
    assert "cannot fetch the OpenAPI document http://127.0.0.1:9/openapi.json" in error.message
    assert error.tip and "--openapi" in error.tip


@pytest.mark.parametrize(
    ("content", "why"),
    [
        ('{"hello": "world"}', "expected 'openapi: 3.x' (or 'swagger: 2.0'), found no 'openapi' version field"),
        ('{"openapi": "3.1.0", "paths": {}}', "it has no 'paths'"),
        ("[1, 2", "it is neither JSON nor YAML"),
        ("- just\n- a list\n", "the top level is not an object"),
    ],
)
def test_not_openapi_file_is_usage_error(make_context: MakeContext, tmp_path: Path, content: str, why: str) -> None:
    schema = tmp_path / "not-openapi.json"
    schema.write_text(content, encoding="utf-8")
    error = _run_expecting_error(make_context("http://127.0.0.1:9", openapi=str(schema)))
    assert error.kind is ErrorKind.USAGE
    assert error.exit_code is ExitCode.USAGE_ERROR
    assert error.message == f"{schema} is not a valid OpenAPI document: {why}"


def test_missing_schema_file_is_usage_error(make_context: MakeContext, tmp_path: Path) -> None:
    error = _run_expecting_error(make_context("http://127.0.0.1:9", openapi=str(tmp_path / "absent.json")))
    assert error.kind is ErrorKind.USAGE
    assert "cannot read the OpenAPI file" in error.message


def test_filter_matching_nothing_is_usage_error(make_context: MakeContext, tmp_path: Path) -> None:
    schema = tmp_path / "openapi.json"
    schema.write_text(json.dumps(MINIMAL_SCHEMA), encoding="utf-8")
    ctx = make_context("http://127.0.0.1:9", openapi=str(schema), include=["^DELETE /nothing"])
    error = _run_expecting_error(ctx)
    assert error.kind is ErrorKind.USAGE
    assert error.message == (
        "the contracts operation filter (include=['^DELETE /nothing'], exclude=[]) matches none of the 1 operations"
    )
    assert error.tip and "GET /api/models" in error.tip


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        ({"seed": "abc"}, "contracts option 'seed' expects int, got 'abc'"),
        ({"phases": ["fuzzing", "chaos"]}, "contracts option 'phases' must be one of examples, coverage, fuzzing"),
        ({"include": 42}, "contracts option 'include' expects list[str], got 42"),
    ],
)
def test_bad_options_are_usage_errors(make_context: MakeContext, options: dict[str, object], fragment: str) -> None:
    error = _run_expecting_error(make_context("http://127.0.0.1:9", **options))
    assert error.exit_code == 4
    assert fragment in error.message
