"""Summary → metrics and validity; the stress knee; the generic OpenAPI user's operations."""

from __future__ import annotations

from scenarios import adapter
from scenarios.openapi_ops import operations

STEPS = [
    {"users": 100, "seconds": 28, "rps": 95.0, "error_ratio": 0.0, "p95_ms": 40.0},
    {"users": 200, "seconds": 28, "rps": 190.0, "error_ratio": 0.0, "p95_ms": 85.0},
    {"users": 300, "seconds": 28, "rps": 230.0, "error_ratio": 0.0, "p95_ms": 240.0},
    {"users": 400, "seconds": 28, "rps": 210.0, "error_ratio": 0.02, "p95_ms": 900.0},
]


def test_knee_is_the_last_step_within_both_limits() -> None:
    assert adapter.knee(STEPS, 100, 0.001) == {"load.stress.knee_users": 200.0, "load.stress.knee_rps": 190.0}


def test_no_knee_when_even_the_first_step_breaks() -> None:
    assert adapter.knee(STEPS, 10, 0.001) is None


def test_openapi_user_takes_public_gets_with_examples() -> None:
    doc = {
        "paths": {
            "/api/models/{model_id}": {"get": {
                "parameters": [{"name": "model_id", "in": "path", "required": True,
                                "schema": {"type": "integer", "examples": [7]}}],
                "responses": {"200": {"content": {"application/json": {}}}},
            }},
            "/api/wiki/{slug}": {"get": {"parameters": [{"name": "slug", "in": "path", "required": True,
                                                         "schema": {"type": "string"}}]}},
            "/api/me": {"get": {"security": [{"bearer": []}]}},
            "/api/models": {"post": {}},
            "/metrics": {"get": {}},
        }
    }
    ops = {op.template: op for op in operations(doc)}
    assert set(ops) == {"/api/models/{model_id}", "/api/wiki/{slug}"}
    assert ops["/api/models/{model_id}"].url() == "/api/models/7"
    assert ops["/api/models/{model_id}"].json_body
    assert ops["/api/wiki/{slug}"].url() == "/api/wiki/example"
