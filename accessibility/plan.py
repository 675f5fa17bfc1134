"""What the audit visits: pages, crawl limits, scripted states and rule tags, from the target description.

The description's ``pages`` (else a crawl from ``/``), ``auth_pages``, ``crawl_depth``, ``max_pages`` and
``states`` decide; the stage options may narrow them for this stage only. The plan travels to the
audit subprocess as JSON; credentials never do (they go by environment, so no artifact holds one).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from accessibility.states import State, load_states
from stagekit import stage_options
from stagekit.description import TargetDescription
from stagekit.stage_metrics import StageMetric, Unit, family
from stagekit.stage_options import POSITIVE, StageOption, at_least
from vocabulary.errors import ErrorKind, HarnessError
from vocabulary.suggest import did_you_mean

GATED_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
"""The WCAG 2.1 A/AA rules the stage gates on by default."""
REPORTED_TAGS = ("best-practice",)
"""Reported as their own metrics, gated only if a budget names them."""

OPTIONS: tuple[StageOption, ...] = (
    StageOption(
        "pages", None, 'pages to audit instead of the target description\'s, e.g. ["/", "/about"]', "list[str]"
    ),
    StageOption(
        "auth_pages", None, "signed-in pages to audit instead of the target description's auth_pages", "list[str]"
    ),
    StageOption(
        "states", None, 'names of the described states to audit (default: all), e.g. ["login-failed"]', "list[str]"
    ),
    StageOption(
        "crawl_depth",
        None,
        "link depth of the crawl instead of the target description's, e.g. 0",
        "int",
        range=at_least(0),
    ),
    StageOption(
        "max_pages",
        None,
        "most pages the crawl audits instead of the target description's, e.g. 10",
        "int",
        range=at_least(1),
    ),
    StageOption(
        "best_practice", True, "also run axe's best-practice rules (reported as their own metrics, never gated)"
    ),
    StageOption("page_timeout_s", 30.0, "seconds one page or state may take to load and be audited", range=POSITIVE),
    StageOption("timeout_s", 300.0, "seconds the whole audit may take", range=POSITIVE),
)
"""Every option of ``[tool.harness.accessibility]`` (a default of None: the target description's)."""
MOVED: dict[str, str] = {
    "username": "signed-in pages use the target description's auth recipe: [tool.harness.target.auth]",
    "password": "signed-in pages use the target description's auth recipe: [tool.harness.target.auth]",
}
"""Options that no longer exist here, and where their job went."""
IMPACTS = ("critical", "serious", "moderate", "minor")
"""axe's impact levels, highest first."""
METRICS: tuple[StageMetric, ...] = (
    *family("a11y.violations.{}", IMPACTS, Unit.COUNT, "WCAG 2.1 A/AA violations by impact (gated)"),
    *family("a11y.best_practice.violations.{}", IMPACTS, Unit.COUNT, "best-practice violations by impact"),
    StageMetric("a11y.incomplete", Unit.COUNT, "items axe could not decide (need review)"),
    *family(
        "a11y.{}",
        ("pages.audited", "pages.unanswered", "states.audited", "steps.audited", "steps.repeated"),
        Unit.COUNT,
        "pages, scripted states and e2e workflow steps audited; pages answering an error; steps repeating a state",
    ),
    StageMetric("a11y.rules.applied", Unit.COUNT, "axe rules that applied to something"),
    StageMetric("a11y.passes", Unit.COUNT, "axe rule checks passed"),
    StageMetric('a11y.page["*"].audited', Unit.RATIO, "1: the page was audited, 0: it answered an error status"),
    StageMetric("a11y.pages.audited_ratio", Unit.RATIO, "audited / reached pages"),
)
"""Every metric the accessibility stage publishes in ``accessibility.json``."""


@dataclasses.dataclass(frozen=True)
class AuditPlan:
    """Everything the audit subprocess needs except credentials."""

    base_url: str
    pages: tuple[str, ...]
    auth_pages: tuple[str, ...]
    states: tuple[str, ...]
    """Scripted states reached anonymously."""
    auth_states: tuple[str, ...]
    """Scripted states reached with the auth recipe's credentials."""
    states_ref: str
    """Where the states are defined (``module:attribute``), for the subprocess to load them."""
    states_folder: str
    """The description's folder, from which the states module is importable."""
    crawl_depth: int
    max_pages: int
    tags: tuple[str, ...]
    page_timeout_s: float

    @property
    def needs_auth(self) -> bool:
        """True when something in the plan is audited behind the login."""
        return bool(self.auth_pages or self.auth_states)

    def load_states(self) -> dict[str, State]:
        """The planned states by name (loaded again in the subprocess)."""
        if not self.states_ref:
            return {}
        folder = Path(self.states_folder) if self.states_folder else None
        return {state.name: state for state in load_states(self.states_ref, folder)}

    def write(self, path: Path) -> None:
        """Save as JSON for ``python -m accessibility.audit --plan PATH``."""
        path.write_text(json.dumps(dataclasses.asdict(self), indent=2), encoding="utf-8")

    @classmethod
    def read(cls, path: Path) -> AuditPlan:
        """Load a plan written by `write`."""
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        fields: dict[str, Any] = {name: tuple(v) if isinstance(v, list) else v for name, v in data.items()}
        return cls(**fields)


def options_with_defaults(options: Mapping[str, Any]) -> dict[str, Any]:
    """The stage options merged over the defaults; an unknown key is a config error."""
    stage_options.check("accessibility", options, OPTIONS, MOVED)
    return stage_options.with_defaults(options, OPTIONS)


def build_plan(base_url: str, description: TargetDescription, options: Mapping[str, Any]) -> AuditPlan:
    """The plan for this target: its pages (else a crawl from ``/``), signed-in pages and scripted states."""
    opts = options_with_defaults(options)
    # The description's empty list means "crawl from /"; the stage option's means "no pages".
    pages = tuple(opts["pages"]) if opts["pages"] is not None else (description.pages or ("/",))
    folder = _folder(description)
    states = _states(description.states, folder, opts["states"])
    return AuditPlan(
        base_url=base_url.rstrip("/"),
        pages=pages,
        auth_pages=_chosen(opts["auth_pages"], description.auth_pages),
        states=tuple(s.name for s in states if not s.auth),
        auth_states=tuple(s.name for s in states if s.auth),
        states_ref=description.states if states else "",
        states_folder=str(folder) if states and folder else "",
        crawl_depth=int(_chosen(opts["crawl_depth"], description.crawl_depth)),
        max_pages=int(_chosen(opts["max_pages"], description.max_pages)),
        tags=GATED_TAGS + (REPORTED_TAGS if opts["best_practice"] else ()),
        page_timeout_s=float(opts["page_timeout_s"]),
    )


def _chosen(option: Any, described: Any) -> Any:
    """The stage option when given, else the description's value (lists as tuples)."""
    value = described if option is None else option
    return tuple(value) if isinstance(value, list | tuple) else value


def _folder(description: TargetDescription) -> Path | None:
    """The folder of the file the description came from (the user's project), if it came from one."""
    source = Path(description.source) if description.source else None
    return source.parent if source is not None and source.is_file() else None


def _states(ref: str, folder: Path | None, chosen: list[str] | None) -> tuple[State, ...]:
    """The described states, all of them or those the stage option names."""
    if not ref:
        if chosen:
            raise HarnessError(
                ErrorKind.CONFIG,
                f"[tool.harness.accessibility] states names {', '.join(chosen)}, but the target describes no states",
                tip='set [tool.harness.target] states = "yourpackage.module:STATES"',
            )
        return ()
    described = load_states(ref, folder)
    if chosen is None:
        return described
    names = [state.name for state in described]
    for name in chosen:
        if name not in names:
            raise HarnessError(
                ErrorKind.CONFIG,
                f"unknown accessibility state {name!r}.{did_you_mean(name, names)}",
                tip=f"states of {ref}: {', '.join(names)}",
            )
    return tuple(state for state in described if state.name in chosen)
