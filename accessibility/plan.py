"""What the audit visits: pages, crawl limits, scripted states and rule tags, from the stage options.

The plan travels to the audit subprocess as JSON; credentials never do (they go by environment,
so no artifact holds a password).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from accessibility.states import STATE_NAMES
from harness import secrets
from harness.errors import ErrorKind, HarnessError
from harness.suggest import did_you_mean

GATED_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
"""The WCAG 2.1 A/AA rules the stage gates on by default."""
REPORTED_TAGS = ("best-practice",)
"""Reported as their own metrics, gated only if a budget names them."""

BUNDLED_PAGES = (
    "/",
    "/models",
    "/models/1",
    "/login",
    "/register",
    "/feedback",
    "/wiki",
    "/wiki/getting-started-10",
    "/beta",
)
"""Pages of the bundled app anyone may open (the wiki slug is one the seed always creates)."""
BUNDLED_AUTH_PAGES = ("/dashboard", "/upload", "/wiki/new")
"""Pages of the bundled app audited after logging in as the demo user."""

USERNAME_ENV = "HARNESS_A11Y_USERNAME"
PASSWORD_ENV = "HARNESS_A11Y_PASSWORD"

_DEFAULTS: dict[str, Any] = {
    "pages": None,
    "auth_pages": None,
    "states": None,
    "crawl_depth": None,
    "max_pages": 20,
    "best_practice": True,
    "username": None,
    "password": None,
    "page_timeout_s": 30.0,
    "timeout_s": 300.0,
}
"""Every option of ``[tool.harness.accessibility]`` (None = derived from the target)."""


@dataclasses.dataclass(frozen=True)
class AuditPlan:
    """Everything the audit subprocess needs except credentials."""

    base_url: str
    pages: tuple[str, ...]
    auth_pages: tuple[str, ...]
    states: tuple[str, ...]
    crawl_depth: int
    max_pages: int
    tags: tuple[str, ...]
    page_timeout_s: float

    def write(self, path: Path) -> None:
        """Save as JSON for ``python -m accessibility.audit --plan PATH``."""
        path.write_text(json.dumps(dataclasses.asdict(self), indent=2), encoding="utf-8")

    @classmethod
    def read(cls, path: Path) -> AuditPlan:
        """Load a plan written by `write`."""
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            base_url=str(data["base_url"]),
            pages=tuple(data["pages"]),
            auth_pages=tuple(data["auth_pages"]),
            states=tuple(data["states"]),
            crawl_depth=int(data["crawl_depth"]),
            max_pages=int(data["max_pages"]),
            tags=tuple(data["tags"]),
            page_timeout_s=float(data["page_timeout_s"]),
        )


def options_with_defaults(options: Mapping[str, Any]) -> dict[str, Any]:
    """The stage options merged over the defaults; an unknown key is a config error."""
    for key in options:
        if key not in _DEFAULTS:
            raise HarnessError(
                ErrorKind.CONFIG,
                f"unknown option {key!r} in [tool.harness.accessibility].{did_you_mean(key, _DEFAULTS)}",
                tip=f"known options: {', '.join(_DEFAULTS)}",
            )
    return {**_DEFAULTS, **options}


def build_plan(base_url: str, bundled: bool, options: Mapping[str, Any]) -> AuditPlan:
    """The plan for this target: the bundled app's page list, or a crawl from an external home page."""
    opts = options_with_defaults(options)
    states = _states(opts["states"], bundled)
    tags = GATED_TAGS + (REPORTED_TAGS if opts["best_practice"] else ())
    return AuditPlan(
        base_url=base_url.rstrip("/"),
        pages=tuple(opts["pages"] if opts["pages"] is not None else (BUNDLED_PAGES if bundled else ("/",))),
        auth_pages=tuple(opts["auth_pages"] if opts["auth_pages"] is not None else _auth_default(bundled)),
        states=states,
        crawl_depth=_crawl_depth(opts["crawl_depth"], bundled),
        max_pages=int(opts["max_pages"]),
        tags=tags,
        page_timeout_s=float(opts["page_timeout_s"]),
    )


def _crawl_depth(chosen: int | None, bundled: bool) -> int:
    """Link depth to follow: the bundled app's page list is complete; unknown targets get one hop."""
    if chosen is None:
        return 0 if bundled else 1
    return int(chosen)


def _auth_default(bundled: bool) -> tuple[str, ...]:
    return BUNDLED_AUTH_PAGES if bundled else ()


def _states(chosen: list[str] | None, bundled: bool) -> tuple[str, ...]:
    """The scripted states to audit: all for the bundled app, none for an external target by default."""
    if chosen is None:
        # The scripts know the bundled app's forms; an external target must opt in by name.
        return STATE_NAMES if bundled else ()
    for name in chosen:
        if name not in STATE_NAMES:
            raise HarnessError(
                ErrorKind.CONFIG,
                f"unknown accessibility state {name!r}.{did_you_mean(name, STATE_NAMES)}",
                tip=f"known states: {', '.join(STATE_NAMES)}",
            )
    return tuple(chosen)


def credentials(bundled: bool, options: Mapping[str, Any]) -> dict[str, str]:
    """Environment for the audit subprocess carrying the login (demo user for the bundled app)."""
    opts = options_with_defaults(options)
    username, password = opts["username"], opts["password"]
    if bundled and username is None:
        from target_app import DEMO_PASSWORD, DEMO_USERNAME

        username, password = DEMO_USERNAME, DEMO_PASSWORD
    if username is None or password is None:
        return {}
    secrets.register(str(password))
    return {USERNAME_ENV: str(username), PASSWORD_ENV: str(password)}
