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


@functools.cache
def _validator(name: str) -> jsonschema.protocols.Validator:
    schema = load(name)
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator: jsonschema.protocols.Validator = validator_class(schema)
    return validator


def validate_stage_result(data: dict[str, Any]) -> None:
    """Raise `jsonschema.ValidationError` (the most relevant one) if ``data`` is not a valid stage result."""
    error = jsonschema.exceptions.best_match(_validator(STAGE_RESULT_SCHEMA).iter_errors(data))
    if error is not None:
        raise error
