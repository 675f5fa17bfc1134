"""Which Locust files a run uses, and the ``locust -f`` list that runs them with the harness.

The target description decides, in this order: its ``locustfiles`` (run unchanged), else the
generic user on the operations of the app's OpenAPI document, else the generic user on the pages a
crawl of the app finds. The harness plugin goes last in the list, so a `LoadTestShape` of the
user's own files wins over the profile shape (Locust runs the first shape it finds).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from scenarios import openapi_ops, planner
from scenarios.plan import OPENAPI, Plan, write
from stagekit.auth import Credentials
from stagekit.description import TargetDescription
from stagekit.imports import IMPORT_ROOT
from stagekit.stage_options import regexes
from vocabulary.errors import ErrorKind, HarnessError

HERE = Path(__file__).resolve().parent
ROOT = IMPORT_ROOT
"""On PYTHONPATH of the Locust process, so its files import `scenarios` (site-packages once installed)."""
PLUGIN = HERE / "harness_locustfile.py"
GENERIC = HERE / "generic_locustfile.py"


@dataclasses.dataclass(frozen=True)
class Scenario:
    """The Locust files of a run, extra Locust arguments, and the generic user's plan if it is used."""

    locustfiles: tuple[Path, ...]
    args: tuple[str, ...] = ()
    plan: Plan | None = None

    @property
    def files_arg(self) -> str:
        """The ``-f`` value: these files, then the harness plugin."""
        return ",".join(str(p) for p in (*self.locustfiles, PLUGIN))

    @property
    def summary(self) -> str:
        """What the run sends, in a few words (for the console and the stage details)."""
        if self.plan is None:
            return "your Locust files: " + ", ".join(p.name for p in self.locustfiles)
        what = "operations" if self.plan.user == OPENAPI else "pages"
        return f"the generic user on {len(self.plan.requests)} {what} ({len(self.plan.skipped)} left out)"

    def details(self) -> dict[str, Any]:
        """The stage's ``details["scenario"]``."""
        base: dict[str, Any] = {"summary": self.summary, "locustfiles": [str(p) for p in self.locustfiles]}
        return base | ({"plan": self.plan.to_dict()} if self.plan is not None else {})


def choose(
    description: TargetDescription,
    url: str,
    openapi: str | None,
    options: Mapping[str, Any],
    credentials: Credentials,
    folder: Path,
) -> Scenario:
    """The user's Locust files, else the generic user with a plan written into ``folder``."""
    if description.locustfiles:
        return Scenario(_existing(description))
    with planner.target_client(url, credentials) as client:
        if openapi is not None:
            made = planner.openapi_plan(openapi, client, selection(description, options, credentials))
        else:
            made = planner.pages_plan(description, client)
    path = write(made, folder / "plan.json")
    return Scenario((GENERIC,), ("--harness-plan", str(path)), made)


def selection(
    description: TargetDescription, options: Mapping[str, Any], credentials: Credentials
) -> openapi_ops.Selection:
    """The operations the generic API user may send, from the stage options and the description."""
    return openapi_ops.Selection(
        include=regexes("load", options, "include"),
        exclude=regexes("load", options, "exclude"),
        unsafe=bool(options.get("unsafe_methods", False)),  # a bool: stage_options.check ran
        authenticated=not credentials.empty,
        avoid=planner.avoided(description),
    )


def _existing(description: TargetDescription) -> tuple[Path, ...]:
    missing = [str(p) for p in description.locustfiles if not p.is_file()]
    if missing:
        raise HarnessError(
            ErrorKind.CONFIG,
            f"the target description ({description.source}) names Locust files that do not exist: {', '.join(missing)}",
            tip="locustfiles are paths relative to the file that declares them",
        )
    return description.locustfiles
