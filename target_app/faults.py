"""Fault switches: each breaks exactly one thing a budget guards (the harness's honesty rule)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

FAULTS: dict[str, str] = {
    "slow-catalogue": "GET /api/models and the /models page take about 250 ms longer",
    "error-rate": "about 2% of GET /api/models/{model_id} answer a JSON 500",
    "schema-violation": "GET /api/models/{model_id} returns rating_avg as a string",
    "missing-security-headers": (
        "drops CSP, X-Content-Type-Options, X-Frame-Options, Referrer-Policy, Permissions-Policy"
    ),
    "a11y-regression": ("catalogue page: an image without alt, an unlabelled search input, low-contrast text"),
    "broken-upload": "the /upload form's submit answers a 500 error page (the API upload works)",
    "slow-websocket": "websocket pong replies are delayed by about 120 ms",
    "cache-disabled": "the cache never hits (every lookup is a miss)",
    "slow-queries": "every database query takes about 25 ms longer",
    "periodic-stall": "the whole server freezes for 1 s every 5 s (event loop blocked)",
    "crash": "the process exits hard after TARGET_CRASH_AFTER_S seconds (default 10)",
    "slow-page": "HTML pages take about 3.5 s longer server-side",
    "slow-upload": "every upload (API and form) takes about 5.5 s longer before it is stored",
    "layout-shift": "the home page inserts a banner above its content after load (CLS about 0.17)",
    "slow-interaction": "a click on the wiki index page blocks the main thread for about 300 ms",
    "slow-restart": (
        "after an unclean shutdown (kill) the next start waits TARGET_RESTART_DELAY_S (default 30) before serving"
    ),
    "server-banner": "every response names the server and framework with versions (Server, X-Powered-By)",
    "stale-schema-ref": "the OpenAPI request bodies of rating and commenting reference schemas that do not exist",
    "broken-page": "the wiki page /wiki/getting-started-10 answers a 500 error page (the API still serves it)",
}


class UnknownFaultError(ValueError):
    """A fault name that is not in :data:`FAULTS`."""


def parse_faults(names: str | Iterable[str] | None) -> frozenset[str]:
    """Parse ``a,b`` (or an iterable of names) into a validated set of fault names."""
    if names is None:
        return frozenset()
    items = names.split(",") if isinstance(names, str) else list(names)
    chosen = frozenset(name.strip() for name in items if name.strip())
    for name in sorted(chosen):
        if name not in FAULTS:
            raise UnknownFaultError(_unknown_message(name))
    return chosen


def _unknown_message(name: str) -> str:
    close = difflib.get_close_matches(name, FAULTS, n=1)
    tip = f" Did you mean '{close[0]}'?" if close else ""
    return f"Unknown fault '{name}'.{tip} Run `python -m target_app --list-faults` to see all."


def describe_faults() -> str:
    """One line per fault: ``name<TAB>description``."""
    return "\n".join(f"{name}\t{text}" for name, text in FAULTS.items())
