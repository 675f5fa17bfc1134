"""What the e2e stage runs on a target: its options, the tests folder and the pages to journey."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from e2e import userconfig
from stagekit import stage_options
from stagekit.description import TargetDescription
from stagekit.stage_metrics import StageMetric, Unit, family
from stagekit.stage_options import POSITIVE, StageOption, at_least
from vocabulary.errors import ErrorKind, HarnessError

MOVED = {"workflows": "each test is a workflow now: choose tests with select, a pytest -k expression"}
"""Options that no longer exist here, and where their job went."""


def _option(default: Any, meaning: str, kind: str = "", **extra: Any) -> Any:
    """A stage option: its default, its help text, (when the default is None) its type and its ``range``,
    declared together."""
    return dataclasses.field(default=default, metadata={"help": meaning, "type": kind, **extra})


@dataclasses.dataclass(frozen=True)
class Options:
    """The stage's options, validated."""

    select: str = _option("", "a pytest -k expression choosing which of the tests run, e.g. 'checkout or login'")
    pages: tuple[str, ...] | None = _option(
        None,
        "pages to journey instead of the description's pages and auth_pages (those among auth_pages are "
        "signed in); [] for none",
        "list[str]",
    )
    vitals_runs: int = _option(3, "cold loads per journeyed page; the median is reported", range=at_least(1))
    workers: int = _option(
        1, "pytest-xdist processes running the tests (needs pytest-xdist installed)", range=at_least(1)
    )
    trace: str = _option(
        "on-first-retry",
        "Playwright traces of failed tests: on-first-retry (the failed tests run once more, traced; the first "
        "outcome stands), retain-on-failure (every test traced, a failure's trace kept: a third more browser time) "
        "or off",
        choices=("on-first-retry", "retain-on-failure", "off"),
    )
    timeout_s: float = _option(
        600.0,
        "deadline of each subprocess (the tests, the journeys) and of each page Lighthouse scores, in seconds",
        range=POSITIVE,
    )
    lighthouse_pages: int | None = _option(
        None,
        "pages Lighthouse scores, the first ones measured (default: 2 in the smoke profile, every measured page "
        "otherwise); 0 turns Lighthouse off and the performance score is not applicable",
        "int",
        range=at_least(0),
    )
    lighthouse_preset: str = _option(
        "desktop",
        "Lighthouse's settings: desktop (--preset=desktop) or mobile (Lighthouse's own default: simulated Slow 4G "
        "and a 4x slower CPU, whose score follows a shared CI runner's load)",
        choices=("desktop", "mobile"),
    )
    a11y_steps: bool | None = _option(
        None,
        "the step observers of other stages after every step() of the tests (the accessibility stage's axe "
        "audit of the open tabs): true for all, false for none (default: those of the stages the run puts after e2e)",
        "bool",
    )

    @classmethod
    def from_mapping(cls, options: Mapping[str, Any]) -> Options:
        """Read ``ctx.options``; a mistake is a config error naming the option."""
        stage_options.check("e2e", options, OPTIONS, MOVED)
        given = stage_options.with_defaults(options, OPTIONS)
        pages = given["pages"]
        return cls(
            select=str(given["select"]).strip(),
            pages=None if pages is None else tuple(_names(pages)),
            vitals_runs=int(given["vitals_runs"]),
            workers=int(given["workers"]),
            trace=str(given["trace"]),
            timeout_s=float(given["timeout_s"]),
            lighthouse_pages=None if given["lighthouse_pages"] is None else int(given["lighthouse_pages"]),
            lighthouse_preset=str(given["lighthouse_preset"]),
            a11y_steps=given["a11y_steps"],
        )


OPTIONS: tuple[StageOption, ...] = stage_options.from_dataclass(Options)
"""Every option of ``[tool.harness.e2e]``: the fields of `Options`."""
_PAGE = 'e2e.page["*"]'
"""A family labelled by the page's path."""
METRICS: tuple[StageMetric, ...] = (
    StageMetric("e2e.workflows.total", Unit.COUNT, "tests of the target's Playwright folder that ran to an outcome"),
    StageMetric("e2e.workflows.passed", Unit.COUNT, "of those, the passed ones"),
    StageMetric("e2e.workflows.pass_ratio", Unit.RATIO, "passed / ran"),
    *family(_PAGE + ".{}_ms", ("load", "ttfb", "fcp", "lcp", "inp"), Unit.MS, "Web Vitals of a page (median)"),
    StageMetric(f"{_PAGE}.cls", Unit.NUMBER, "cumulative layout shift of a page (median)"),
    StageMetric(f"{_PAGE}.score", Unit.SCORE, "Lighthouse performance score of a page, 0-100"),
    StageMetric(
        "e2e.performance.score", Unit.SCORE, "mean Lighthouse performance score of the audited pages, 0-100 (A >= 90)"
    ),
)
"""Every metric the e2e stage publishes in ``e2e.json``."""


def _names(value: Any) -> list[str]:
    """A list from a TOML list or a comma-separated string."""
    items = value.split(",") if isinstance(value, str) else list(value or [])
    return [str(item).strip() for item in items if str(item).strip()]


@dataclasses.dataclass(frozen=True)
class Plan:
    """What the stage runs on this target."""

    tests: Path | None
    """The team's pytest-playwright folder (None: workflows are not applicable)."""
    project: Path | None
    """Where the tests run from, and how far up their pytest configuration is looked for."""
    pages: tuple[str, ...]
    auth_pages: tuple[str, ...]
    crawl: bool
    """No page named and no tests: the journeys crawl from ``/``."""

    @property
    def journeys(self) -> bool:
        """True when page journeys run."""
        return bool(self.pages or self.auth_pages or self.crawl)


def plan_for(description: TargetDescription, options: Options) -> Plan:
    """The tests and the pages of the description (the ``pages`` option overrides the pages)."""
    tests = description.playwright_tests
    if tests is not None and not tests.is_dir():
        raise HarnessError(
            ErrorKind.CONFIG,
            f"playwright_tests names {tests}, which is not a folder",
            tip="point [tool.harness.target] playwright_tests at your pytest-playwright test folder",
        )
    if tests is not None:
        userconfig.check_importable(tests)
    source = Path(description.source).parent if description.source else None
    project = source if source is not None and tests is not None and tests.is_relative_to(source) else tests
    if options.pages is None:
        pages, auth_pages = description.pages, description.auth_pages
    else:
        pages = tuple(p for p in options.pages if p not in description.auth_pages)
        auth_pages = tuple(p for p in options.pages if p in description.auth_pages)
    crawl = tests is None and options.pages is None and not (pages or auth_pages)
    return Plan(tests, project, pages, auth_pages, crawl)
