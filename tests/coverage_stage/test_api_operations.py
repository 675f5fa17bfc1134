"""The operation x stage matrix: attribution from request-count deltas, details fallback, ratios."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from harness import api_operations as ops

DOCUMENT = {
    "openapi": "3.1.0",
    "paths": {
        "/api/models": {"get": {}, "post": {}},
        "/api/models/{model_id}": {"get": {}, "delete": {}, "parameters": []},
        "/metrics": {"get": {}},
    },
}


def _operations(tmp_path: Path) -> dict[str, str]:
    file = tmp_path / "openapi.json"
    file.write_text(json.dumps(DOCUMENT), encoding="utf-8")
    return ops.load_operations(str(file))


def test_operations_come_from_the_document_with_their_spelling(tmp_path: Path) -> None:
    operations = _operations(tmp_path)
    assert operations == {
        "GET /api/models": "GET /api/models",
        "POST /api/models": "POST /api/models",
        "GET /api/models/{}": "GET /api/models/{model_id}",
        "DELETE /api/models/{}": "DELETE /api/models/{model_id}",
        "GET /metrics": "GET /metrics",
    }


def test_a_grown_count_is_exercised_and_the_harness_scrape_is_not() -> None:
    before = Counter({("GET", "/api/models"): 5, ("GET", "/metrics"): 3})
    after = Counter({("GET", "/api/models"): 5, ("GET", "/metrics"): 4, ("DELETE", "/api/models/{id}"): 1})
    assert ops.exercised(before, after) == {"DELETE /api/models/{}"}


def test_a_stage_that_scrapes_metrics_itself_exercises_it() -> None:
    before = Counter({("GET", "/metrics"): 3})
    assert ops.exercised(before, Counter({("GET", "/metrics"): 5})) == {"GET /metrics"}


def test_a_restarted_target_counts_from_zero_again() -> None:
    before = Counter({("GET", "/api/models"): 50})
    assert ops.exercised(before, Counter({("GET", "/api/models"): 2})) == {"GET /api/models"}


def test_published_operations_are_the_fallback() -> None:
    assert ops.from_details(["get /api/models/{slug}", "POST  /api/models", "nonsense"]) == {
        "GET /api/models/{}",
        "POST /api/models",
    }


def test_dropping_a_stage_leaves_its_operations_uncovered(tmp_path: Path) -> None:
    operations = _operations(tmp_path)
    seen = {"load": {"GET /api/models", "GET /static/app.js"}, "contracts": {"POST /api/models", "GET /api/models/{}"}}
    matrix = ops.OperationMatrix.build(operations, seen)
    assert matrix.stage_ratio("load") == 1 / 5  # the asset is no API operation
    assert matrix.ratio() == 3 / 5
    assert matrix.uncovered() == ["DELETE /api/models/{model_id}", "GET /metrics"]
    without = ops.OperationMatrix.build(operations, {"load": seen["load"]})
    assert without.uncovered() == [
        "POST /api/models",
        "GET /api/models/{model_id}",
        "DELETE /api/models/{model_id}",
        "GET /metrics",
    ]
    row = matrix.table()[2]
    assert row == {"operation": "GET /api/models/{model_id}", "stages": {"load": False, "contracts": True}}
