"""OpenAPI response declarations and links shared by the API routers."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from target_app.schemas import ErrorResponse

_DESCRIPTIONS = {
    400: "Malformed request body",
    401: "Missing, invalid or expired bearer token",
    403: "Authenticated but not allowed",
    404: "Not found",
    409: "Already exists",
    413: "Request body too large",
    415: "Unsupported media type",
    500: "Internal server error (never includes a stack trace)",
    503: "Not ready",
}
_EXAMPLES = {
    400: "Malformed multipart body",
    401: "Not authenticated",
    403: "Only the author can delete this model",
    404: "Model not found",
    409: "Username or email already registered",
    413: "Request body is larger than 1 MB",
    415: "Unsupported file type; allowed: .stl, .obj, .glb, .gltf, .fbx, .3mf, .ply",
    500: "Internal Server Error",
}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """Response declarations for these error status codes (``{"detail": "..."}`` bodies)."""
    return {
        code: {
            "model": ErrorResponse,
            "description": _DESCRIPTIONS[code],
            "content": {"application/json": {"example": {"detail": _EXAMPLES.get(code, "")}}},
        }
        for code in codes
    }


VALIDATION_ERROR: dict[int | str, dict[str, Any]] = {
    422: {
        "description": "Validation Error",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/HTTPValidationError"}}},
    }
}


def links(targets: dict[str, str], parameters: dict[str, str]) -> dict[str, Any]:
    """OpenAPI ``links`` from one response to other operations (name → operationId)."""
    return {
        "links": {
            name: {"operationId": operation_id, "parameters": parameters} for name, operation_id in targets.items()
        }
    }


MODEL_LINKS = links(
    {
        "GetModel": "get_model",
        "DeleteModel": "delete_model",
        "DownloadModel": "download_model",
        "ListRatings": "list_ratings",
        "RateModel": "rate_model",
        "ListComments": "list_comments",
        "AddComment": "add_comment",
        "ShareModel": "share_model",
    },
    {"model_id": "$response.body#/id"},
)
WIKI_LINKS = links(
    {"GetWikiPage": "get_wiki_page", "UpdateWikiPage": "update_wiki_page", "ListWikiRevisions": "list_wiki_revisions"},
    {"slug": "$response.body#/slug"},
)
REGISTER_LINKS: dict[str, Any] = {
    "links": {
        "LoginWithNewAccount": {
            "operationId": "login_user",
            "requestBody": {
                "username": "$request.body#/username",
                "password": "$request.body#/password",
            },
        }
    }
}


STALE_REF_OPERATIONS = frozenset({"rate_model", "add_comment"})
"""The operations whose request-body ``$ref`` the ``stale-schema-ref`` fault points at a renamed schema."""


def stale_request_refs(app: FastAPI, operation_ids: frozenset[str]) -> None:
    """Serve an OpenAPI document whose request bodies for these operations name schemas that do not exist.

    What a model renamed in code (``RatingIn`` -> ``RatingInput``) does to a hand-maintained
    reference: the server is unchanged, but the document no longer says what to send.
    """
    build = app.openapi

    def openapi() -> dict[str, Any]:
        document = build()  # FastAPI caches it: the edit below happens once and is idempotent
        for item in document["paths"].values():
            for operation in item.values():
                if operation.get("operationId") in operation_ids:
                    schema = operation["requestBody"]["content"]["application/json"]["schema"]
                    schema["$ref"] = schema["$ref"].removesuffix("In") + "Input"
        return document

    app.openapi = openapi  # type: ignore[method-assign]
