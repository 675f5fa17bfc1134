"""The one auth recipe of a target description, carried out once per run and shared by every stage.

`authenticate` turns the recipe into `Credentials` (headers and cookies), proving them on the
recipe's probe path. Stages that run a tool in a subprocess hand the credentials over through one
environment variable (`Credentials.to_env` / `Credentials.from_env`), never on a command line or in
a file; every secret value is registered for redaction.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Mapping
from typing import Any

import httpx

from stagekit import bounded
from stagekit.description import AuthRecipe
from vocabulary import secrets
from vocabulary.errors import ErrorKind, HarnessError

ENV = "HARNESS_AUTH"
"""The variable a stage's subprocess reads its credentials from (JSON)."""
_TIMEOUT_S = 10.0


class AuthError(HarnessError):
    """The recipe did not yield working credentials: stages stop rather than test only the public surface."""

    def __init__(self, message: str, tip: str) -> None:
        super().__init__(ErrorKind.STAGE, message, tip=tip)


@dataclasses.dataclass(frozen=True)
class Credentials:
    """What every authenticated request carries."""

    headers: dict[str, str] = dataclasses.field(default_factory=dict)
    cookies: dict[str, str] = dataclasses.field(default_factory=dict)
    token: str = ""
    """The bearer token, when the recipe yields one (Schemathesis and scripts may need it alone)."""

    @property
    def empty(self) -> bool:
        """True for an unauthenticated run."""
        return not (self.headers or self.cookies)

    def to_env(self) -> dict[str, str]:
        """``{HARNESS_AUTH: json}`` for a subprocess; empty when there is nothing to carry."""
        if self.empty:
            return {}
        return {ENV: json.dumps(dataclasses.asdict(self))}

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Credentials:
        """The credentials a parent stage handed over (none when the variable is absent)."""
        raw = (os.environ if environ is None else environ).get(ENV, "")
        if not raw:
            return cls()
        data: dict[str, Any] = json.loads(raw)
        return cls(headers=dict(data["headers"]), cookies=dict(data["cookies"]), token=str(data.get("token", "")))

    def cookie_header(self) -> str:
        """The cookies as one ``Cookie`` header value."""
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())


def authenticate(recipe: AuthRecipe, base_url: str, environ: Mapping[str, str] | None = None) -> Credentials:
    """Carry out ``recipe`` against ``base_url`` and prove the result on its probe path."""
    environ = os.environ if environ is None else environ
    if recipe.kind == "none":
        return Credentials()
    if recipe.kind == "bearer":
        token = _from_env(environ, recipe.token_env, "token_env")
        credentials = Credentials(headers={"Authorization": f"Bearer {token}"}, token=token)
    elif recipe.kind == "cookie":
        header = _from_env(environ, recipe.cookie_env, "cookie_env")
        credentials = Credentials(cookies=_parse_cookies(header))
    else:
        credentials = _log_in(recipe, base_url)
    if recipe.session_cookie and credentials.token:
        credentials = dataclasses.replace(
            credentials, cookies={**credentials.cookies, recipe.session_cookie: credentials.token}
        )
    for value in (credentials.token, *credentials.headers.values(), *credentials.cookies.values()):
        secrets.register(value)
    _probe(recipe, base_url, credentials)
    return credentials


def _from_env(environ: Mapping[str, str], name: str, key: str) -> str:
    value = environ.get(name, "")
    if not value:
        raise AuthError(
            f"the target's auth recipe takes its secret from ${name}, which is not set",
            tip=f"export {name}=... (named by [tool.harness.target.auth] {key})",
        )
    secrets.register(value)
    return value


def _parse_cookies(header: str) -> dict[str, str]:
    pairs = (part.strip().partition("=") for part in header.split(";") if part.strip())
    return {name: value for name, _, value in pairs}


def _log_in(recipe: AuthRecipe, base_url: str) -> Credentials:
    """Send the login request; keep the token (JSON pointer) or the cookies it sets."""
    url = base_url + recipe.path
    body = {"json": recipe.body} if recipe.body_format == "json" else {"data": recipe.body}
    try:
        with httpx.Client(timeout=_TIMEOUT_S, follow_redirects=False) as client:
            response = bounded.request(client, recipe.method, url, bounded.LOGIN_MAX_BYTES, **body)
            cookies = {cookie.name: cookie.value or "" for cookie in client.cookies.jar}
    except bounded.BodyTooLarge as exc:
        raise AuthError(
            f"login at {recipe.method} {recipe.path} failed: {exc}",
            tip="check [tool.harness.target.auth] path: it should name the app's login request",
        ) from exc
    except httpx.HTTPError as exc:
        raise HarnessError(ErrorKind.TARGET_UNREACHABLE, f"cannot reach the login endpoint {url}: {exc}") from exc
    if response.status_code >= 400:
        raise AuthError(
            f"login at {recipe.method} {recipe.path} failed: HTTP {response.status_code}",
            tip="check [tool.harness.target.auth] path and body (and the environment variables they name)",
        )
    if not recipe.token_pointer:
        if not cookies:
            raise AuthError(
                f"login at {recipe.method} {recipe.path} answered {response.status_code} but set no cookie",
                tip="set [tool.harness.target.auth] token_pointer to where the response holds a token",
            )
        return Credentials(cookies=cookies)
    token = _pointer(response, recipe.token_pointer)
    if not token:
        raise AuthError(
            f"login at {recipe.method} {recipe.path} answered {response.status_code} but no token at "
            f"{recipe.token_pointer}",
            tip="set [tool.harness.target.auth] token_pointer to where the login response holds the token",
        )
    return Credentials(headers={"Authorization": f"Bearer {token}"}, token=token)


def _pointer(response: httpx.Response, pointer: str) -> str:
    """The string at a JSON pointer (``/a/b``) of the response body, or "" when absent."""
    try:
        value: Any = response.json()
    except ValueError:
        return ""
    for part in pointer.strip("/").split("/"):
        value = value.get(part) if isinstance(value, dict) else None
    return value if isinstance(value, str) else ""


def _probe(recipe: AuthRecipe, base_url: str, credentials: Credentials) -> None:
    """Credentials the target rejects would turn every protected request into a 401 test."""
    if not recipe.probe_path:
        return
    try:
        # Only the status matters: the body is never read.
        with httpx.stream(
            "GET",
            base_url + recipe.probe_path,
            headers=credentials.headers,
            cookies=credentials.cookies,
            timeout=_TIMEOUT_S,
        ) as response:
            pass
    except httpx.HTTPError as exc:
        raise HarnessError(ErrorKind.TARGET_UNREACHABLE, f"cannot reach {base_url}{recipe.probe_path}: {exc}") from exc
    if not response.is_success:
        raise AuthError(
            f"the target rejects the credentials of its auth recipe ({recipe.kind}): GET {recipe.probe_path} "
            f"answered HTTP {response.status_code}",
            tip="check the secret, or the probe_path of [tool.harness.target.auth]",
        )
