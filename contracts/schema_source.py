"""The target's OpenAPI document: fetched or read once, checked, saved as an artifact, indexed."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import Any

from stagekit.openapi import load_document, operation_labels


@dataclasses.dataclass(frozen=True)
class ApiSchema:
    """A loaded OpenAPI document and the labels (``METHOD /path``) of its operations."""

    document: dict[str, Any]
    operations: tuple[str, ...]

    def bearer_scheme(self) -> str | None:
        """The name of the first security scheme that takes an ``Authorization: Bearer`` token."""
        # OpenAPI 3 keeps schemes under components; Swagger 2.0 under securityDefinitions.
        schemes = self.document.get("components", {}).get("securitySchemes") or self.document.get(
            "securityDefinitions", {}
        )
        for name, scheme in schemes.items():
            kind = scheme.get("type")
            if (kind == "http" and str(scheme.get("scheme", "")).lower() == "bearer") or kind in (
                "oauth2",
                "openIdConnect",
            ):
                return str(name)
        return None

    def select(self, include: tuple[str, ...], exclude: tuple[str, ...]) -> tuple[str, ...]:
        """Operations matching any include regex (all when none) and no exclude regex."""
        chosen = [op for op in self.operations if not include or any(re.search(p, op) for p in include)]
        return tuple(op for op in chosen if not any(re.search(p, op) for p in exclude))


def load(source: str) -> ApiSchema:
    """Fetch (URL) or read (file) ``source``, check it is an OpenAPI document and index its operations."""
    document = load_document(source)
    return ApiSchema(document=document, operations=operation_labels(document))


def save(schema: ApiSchema, path: Path) -> Path:
    """Write the document as JSON so the run can be replayed against the exact schema tested."""
    path.write_text(json.dumps(schema.document, indent=2), encoding="utf-8")
    return path
