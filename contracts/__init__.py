"""Contracts stage: Schemathesis fuzzing and stateful testing of the target's OpenAPI document."""
