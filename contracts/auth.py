"""Authentication for the run: log in (or take a token), prove the token works, hand it to Schemathesis.

The token and password reach Schemathesis only through environment variables that its config
file names as ``${VAR}``, so they never appear on a command line, in a config file or a report.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Mapping
from typing import Any

import httpx

from harness import secrets
from harness.errors import ErrorKind, HarnessError
from target_app import DEMO_PASSWORD, DEMO_USERNAME

TOKEN_ENV = "HARNESS_API_TOKEN"
_USER_VAR = "HARNESS_CONTRACTS_USER"
_PASSWORD_VAR = "HARNESS_CONTRACTS_PASSWORD"
_TOKEN_VAR = "HARNESS_CONTRACTS_TOKEN"
_TIMEOUT_S = 10.0


class AuthError(HarnessError):
    """Logging in failed: the stage stops rather than test only the public surface."""

    def __init__(self, message: str, tip: str) -> None:
        super().__init__(ErrorKind.STAGE, message, tip=tip)


@dataclasses.dataclass(frozen=True)
class AuthOptions:
    """Where and as whom to log in."""

    login_path: str = "/api/auth/login"
    probe_path: str = "/api/me"
    token_pointer: str = "/access_token"
    logout_regex: str = r"/logout$"

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> AuthOptions:
        """Overrides from the stage's config table."""
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: str(v) for k, v in options.items() if k in names})


@dataclasses.dataclass(frozen=True)
class AuthPlan:
    """A proven token, and how Schemathesis should get (and re-get) one."""

    method: str
    """``login`` (Schemathesis logs in again after a 401, e.g. once it called logout) or ``token``."""
    token: str
    username: str = ""
    password: str = ""

    def env(self) -> dict[str, str]:
        """Variables the Schemathesis process needs; secrets live only here."""
        return {_TOKEN_VAR: self.token, _USER_VAR: self.username, _PASSWORD_VAR: self.password}

    def config_toml(self, scheme: str | None, options: AuthOptions) -> str:
        """The auth part of ``schemathesis.toml`` for the schema's bearer scheme (or every request)."""
        if scheme is None:
            return f'headers = {{ Authorization = "Bearer ${{{_TOKEN_VAR}}}" }}\n[auth]\nauto-signup = false\n'
        key = json.dumps(scheme)
        if self.method == "token":
            return f'[auth]\nauto-signup = false\n[auth.openapi.{key}]\nbearer = "${{{_TOKEN_VAR}}}"\n'
        payload = f'{{ username = "${{{_USER_VAR}}}", password = "${{{_PASSWORD_VAR}}}" }}'
        return (
            f"[auth]\nauto-signup = false\n[auth.dynamic.openapi.{key}]\n"
            f'path = {json.dumps(options.login_path)}\nmethod = "post"\npayload = {payload}\n'
            f"extract_selector = {json.dumps(options.token_pointer)}\nretry_on = [401]\n"
        )

    def excluded(self, options: AuthOptions) -> tuple[str, ...]:
        """Operations not to call: logout would revoke a fixed token that cannot be renewed."""
        return (options.logout_regex,) if self.method == "token" else ()


def authenticate(base_url: str, options: Mapping[str, Any], auth: AuthOptions) -> AuthPlan:
    """Log in as the configured (default: seeded demo) user, or take ``HARNESS_API_TOKEN``; then probe."""
    token = os.environ.get(TOKEN_ENV, "")
    if token:
        plan = AuthPlan(method="token", token=token)
    else:
        username = str(options.get("username", DEMO_USERNAME))
        password = str(options.get("password", DEMO_PASSWORD))
        plan = AuthPlan("login", _login(base_url, auth, username, password), username, password)
        secrets.register(password)
    secrets.register(plan.token)
    _probe(base_url, auth, plan)
    return plan


def _login(base_url: str, auth: AuthOptions, username: str, password: str) -> str:
    url = base_url + auth.login_path
    try:
        response = httpx.post(url, json={"username": username, "password": password}, timeout=_TIMEOUT_S)
    except httpx.HTTPError as exc:
        raise HarnessError(ErrorKind.TARGET_UNREACHABLE, f"cannot reach the login endpoint {url}: {exc}") from exc
    if response.status_code != 200:
        raise AuthError(
            f"login as {username!r} at POST {auth.login_path} failed: HTTP {response.status_code}",
            tip="set [tool.harness.contracts] username/password, or a token in HARNESS_API_TOKEN",
        )
    token = _pointer(response, auth.token_pointer)
    if not token:
        raise AuthError(
            f"login at POST {auth.login_path} answered 200 but no token at {auth.token_pointer}",
            tip="set [tool.harness.contracts] token_pointer to where the login response holds the token",
        )
    return token


def _pointer(response: httpx.Response, pointer: str) -> str:
    """The string at a JSON pointer (``/a/b``) of the response body, or "" when absent."""
    try:
        value: Any = response.json()
    except ValueError:
        return ""
    for part in pointer.strip("/").split("/"):
        value = value.get(part) if isinstance(value, dict) else None
    return value if isinstance(value, str) else ""


def _probe(base_url: str, auth: AuthOptions, plan: AuthPlan) -> None:
    """A token the target rejects would turn every protected operation into a 401 test."""
    if not auth.probe_path:
        return
    headers = {"Authorization": f"Bearer {plan.token}"}
    try:
        response = httpx.get(base_url + auth.probe_path, headers=headers, timeout=_TIMEOUT_S)
    except httpx.HTTPError as exc:
        raise HarnessError(ErrorKind.TARGET_UNREACHABLE, f"cannot reach {base_url}{auth.probe_path}: {exc}") from exc
    if response.status_code != 200:
        source = TOKEN_ENV if plan.method == "token" else "the login token"
        raise AuthError(
            f"the target rejects {source}: GET {auth.probe_path} answered HTTP {response.status_code}",
            tip=f'check the token (or set probe_path = "" if {auth.probe_path} does not exist)',
        )
