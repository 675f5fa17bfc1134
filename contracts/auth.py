"""The target description's auth recipe, as Schemathesis config: which tables, which variables.

Credentials come only from ``stagekit.auth.authenticate`` (the description's one recipe). They reach
Schemathesis only through environment variables that the generated config names as ``${VAR}``:
never on a command line, in a config file or a report. A login recipe with a token pointer (and a
bearer scheme in the document) becomes Schemathesis's dynamic auth, so it logs in again after a 401
(e.g. once it called logout); any other credentials are fixed, so logout operations are excluded.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from stagekit.auth import Credentials
from stagekit.description import AuthRecipe

KeyPath = tuple[str, ...]
"""A key in the Schemathesis config, e.g. ``("auth", "openapi", "bearerAuth")``."""

_TOKEN_VAR = "HARNESS_CONTRACTS_TOKEN"
_LOGIN_VAR = "HARNESS_CONTRACTS_LOGIN_{}"
_HEADER_VAR = "HARNESS_CONTRACTS_HEADER_{}"
_FORM = "application/x-www-form-urlencoded"


@dataclasses.dataclass(frozen=True)
class AuthPlan:
    """How Schemathesis authenticates: config entries (key path -> value) and the secrets they name."""

    method: str
    """``none``, ``login`` (renewed by Schemathesis after a 401) or ``fixed`` (cannot be renewed)."""
    entries: dict[KeyPath, Any] = dataclasses.field(default_factory=dict)
    env: dict[str, str] = dataclasses.field(default_factory=dict)
    exclude: tuple[str, ...] = ()
    """Operation-name regexes not to call: logout would end a session that cannot be renewed."""


NO_AUTH = AuthPlan(method="none")


def plan(recipe: AuthRecipe, credentials: Credentials, bearer_scheme: str | None) -> AuthPlan:
    """The Schemathesis side of proven ``credentials`` (``bearer_scheme``: the document's token scheme)."""
    if credentials.empty:
        return NO_AUTH
    if recipe.kind == "login" and recipe.token_pointer and bearer_scheme is not None:
        return _dynamic(recipe, bearer_scheme)
    exclude = (_operation_pattern(recipe.logout_pattern),)
    if credentials.token and not credentials.cookies and bearer_scheme is not None:
        entry: dict[KeyPath, Any] = {("auth", "openapi", bearer_scheme): {"bearer": f"${{{_TOKEN_VAR}}}"}}
        return AuthPlan("fixed", entry, {_TOKEN_VAR: credentials.token}, exclude)
    headers = dict(credentials.headers)
    if credentials.cookies:
        headers["Cookie"] = credentials.cookie_header()
    names = {name: _HEADER_VAR.format(index) for index, name in enumerate(headers)}
    entries: dict[KeyPath, Any] = {("headers", name): f"${{{var}}}" for name, var in names.items()}
    return AuthPlan("fixed", entries, {var: headers[name] for name, var in names.items()}, exclude)


def _dynamic(recipe: AuthRecipe, scheme: str) -> AuthPlan:
    """Schemathesis sends the login request itself, with the body fields from the environment."""
    names = {field: _LOGIN_VAR.format(index) for index, field in enumerate(recipe.body)}
    table = {
        "path": recipe.path,
        "method": recipe.method.lower(),
        "payload": {field: f"${{{var}}}" for field, var in names.items()},
        "payload_content_type": _FORM if recipe.body_format == "form" else "application/json",
        "extract_selector": recipe.token_pointer,
        "retry_on": [401],
    }
    entries: dict[KeyPath, Any] = {("auth", "dynamic", "openapi", scheme): table}
    return AuthPlan("login", entries, {var: recipe.body[field] for field, var in names.items()})


def _operation_pattern(path_pattern: str) -> str:
    """The recipe's logout regex is on paths; operations are named ``METHOD /path``."""
    return "^[A-Z]+ " + path_pattern[1:] if path_pattern.startswith("^") else path_pattern
