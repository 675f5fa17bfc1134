"""Parse Set-Cookie headers into names and attributes (shared by the cookie rules and the grade)."""

from __future__ import annotations

import dataclasses

import httpx

SESSION_HINTS = ("sess", "sid", "login", "auth", "token", "jwt")
"""Name fragments that mark a session cookie (the HTTP Observatory heuristic, plus token names)."""


@dataclasses.dataclass(frozen=True)
class SetCookie:
    """One Set-Cookie header: the cookie's name, value and lower-cased attributes."""

    name: str
    value: str
    attributes: dict[str, str]
    raw: str

    @property
    def secure(self) -> bool:
        """Sent over TLS only."""
        return "secure" in self.attributes

    @property
    def http_only(self) -> bool:
        """Hidden from scripts."""
        return "httponly" in self.attributes

    @property
    def same_site(self) -> str | None:
        """The SameSite value, lower-cased, or None when absent."""
        value = self.attributes.get("samesite")
        return value.lower() if value is not None else None

    @property
    def is_deletion(self) -> bool:
        """A cookie being cleared (empty value or Max-Age <= 0): ZAP does not alert on those."""
        max_age = self.attributes.get("max-age", "")
        return not self.value or (max_age.lstrip("-").isdigit() and int(max_age) <= 0)

    @property
    def is_session(self) -> bool:
        """The name suggests it carries a session or credential."""
        lowered = self.name.lower()
        return any(hint in lowered for hint in SESSION_HINTS)


def parse(header: str) -> SetCookie:
    """Parse one Set-Cookie header value."""
    first, *rest = header.split(";")
    name, _, value = first.partition("=")
    attributes: dict[str, str] = {}
    for part in rest:
        key, _, val = part.strip().partition("=")
        if key:
            attributes[key.lower()] = val.strip()
    return SetCookie(name.strip(), value.strip(), attributes, header)


def of_response(response: httpx.Response) -> list[SetCookie]:
    """Every cookie a response sets."""
    return [parse(value) for value in response.headers.get_list("set-cookie")]
