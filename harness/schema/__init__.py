"""Checked-in JSON Schemas for the records the harness writes."""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

import jsonschema

STAGE_RESULT_SCHEMA = "stage-result.v1.json"


@functools.cache
def load(name: str) -> dict[str, Any]:
    """A schema shipped in this package, by file name."""
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def validate_stage_result(data: dict[str, Any]) -> None:
    """Raise `jsonschema.ValidationError` if ``data`` is not a valid stage result."""
    jsonschema.validate(data, load(STAGE_RESULT_SCHEMA))
