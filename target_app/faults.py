"""Fault switches: each breaks exactly one thing a budget guards (the harness's honesty rule)."""

from __future__ import annotations

import dataclasses
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


@dataclasses.dataclass(frozen=True)
class FaultEvidence:
    """How a gate run shows one fault: the budgets it breaches and the run that shows them (bench/trust.py)."""

    budgets: tuple[str, ...]
    """Budget ids of perf_budgets/budgets.toml that must all be breached (or, if warn-level, warned)."""
    stages: str
    """The stages those budgets live in: the fault's short run is ``--stages`` this."""
    also: tuple[str, ...] = ()
    """Budgets the fault may breach too as a direct consequence (a frozen server is slow everywhere)."""
    stages_needed: bool = False
    """True when the fault cannot be shown with every stage (a crashed target fails the later stages)."""
    profile: str = "smoke"
    env: tuple[tuple[str, str], ...] = ()
    """Environment of the run (the started target inherits it), e.g. the fault's own timing."""
    options: tuple[str, ...] = ()
    """``-o STAGE.KEY=VALUE`` for the run."""
    budget_patch: str = ""
    """TOML appended to the shipped budget file for this run (a limit no short run could wait for)."""
    why: str = ""
    """Why the run differs from a plain smoke gate."""


_PERF_SCORE = ("performance_score",)
"""The performance score averages every vital of every page: one slow vital may pull it below A."""

FAULT_EVIDENCE: dict[str, FaultEvidence] = {
    # Budget ids as asserted by the harness's own fault tests (tests/scenarios, tests/e2e_stage, ...).
    # The catalogue list is a quarter of the smoke mix's requests: +250 ms moves the overall p95 too.
    "slow-catalogue": FaultEvidence(("endpoint_p95", "api_p95"), "load"),
    "error-rate": FaultEvidence(("error_ratio",), "load,contracts", also=("contracts_blocking",)),
    "schema-violation": FaultEvidence(("contracts_blocking",), "contracts"),
    "missing-security-headers": FaultEvidence(("security_blocking", "security_grade"), "security"),
    "a11y-regression": FaultEvidence(("a11y_blocking",), "accessibility"),
    "broken-upload": FaultEvidence(("e2e_workflows", "e2e_blocking"), "e2e"),
    "slow-websocket": FaultEvidence(("ws_p95",), "load"),
    "cache-disabled": FaultEvidence(("cache_hit_ratio",), "load"),
    # Writes run several queries each: +25 ms per query lifts their endpoint p95 over 100 ms too.
    "slow-queries": FaultEvidence(("db_query_p95",), "load", also=("endpoint_p95",)),
    "periodic-stall": FaultEvidence(
        ("api_p95",), "load", also=("endpoint_p95", "ws_p95", "upload_p95", "availability")
    ),
    "crash": FaultEvidence(
        ("availability",),
        "load",
        also=("error_ratio",),
        stages_needed=True,
        env=(("TARGET_CRASH_AFTER_S", "20"),),
        why="the target dies 20 s after its start, inside the load stage's measured window",
    ),
    "slow-page": FaultEvidence(
        ("page_load",),
        "e2e",
        also=("page_lcp", *_PERF_SCORE),
        options=("e2e.select=test_dashboard", "e2e.vitals_runs=1"),
        why="one workflow (test_dashboard) and one cold load per page: with every page 3.5 s slower "
        "all 19 workflows and 3 loads a page take over 7 minutes",
    ),
    "slow-upload": FaultEvidence(("upload_p95",), "load"),
    "layout-shift": FaultEvidence(("page_cls",), "e2e", also=_PERF_SCORE),
    "slow-interaction": FaultEvidence(("page_inp",), "e2e", also=_PERF_SCORE),
    "slow-restart": FaultEvidence(
        ("recovery",),
        "load",
        stages_needed=True,
        profile="resilience",
        env=(("TARGET_RESTART_DELAY_S", "6"),),
        # The kill comes 20 s after the warm-up, as in the full profile: the server's figures are taken up to
        # the kill, and a shorter window would judge the cache while it is still cold.
        options=("load.duration_s=60", "load.restart_after_s=20"),
        budget_patch="[profiles.resilience.budgets.recovery]\nmax = 3\n",
        why="resilience profile cut to 60 s, restart delay 6 s against a recovery limit cut to 3 s: "
        "the shipped 5 min cannot be waited for in a short run",
    ),
    "server-banner": FaultEvidence(("security_warnings",), "security"),
    "stale-schema-ref": FaultEvidence(("contracts_tested",), "contracts"),
    "broken-page": FaultEvidence(("a11y_pages",), "accessibility"),
}
"""Fault -> the budgets that must catch it: the gate's expected answer for every switch."""


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
