"""What the generic user sends: a plan of concrete requests, made by the stage, read inside Locust.

The stage builds the plan in its own process (from the OpenAPI document, or a crawl of the app's
pages), checks each GET once against the target, and writes it as JSON next to the run's other load
artifacts; the generic Locust user (`scenarios.generic_locustfile`) only replays it. No Locust here.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

OPENAPI = "openapi"
PAGES = "pages"


@dataclasses.dataclass(frozen=True)
class PlannedRequest:
    """One request the generic user sends, by weight, under the endpoint name ``METHOD name``."""

    method: str
    path: str
    """The concrete path with its query string, e.g. ``/books/3`` or ``/books?limit=5``."""
    name: str
    """The request name in Locust's statistics and the endpoint metrics: a path template or a page path."""
    weight: float = 1.0
    body: Any = None
    """A JSON body (unsafe methods only); None sends none."""
    json_response: bool = False
    """A 2xx answer must be JSON (the document says so)."""


@dataclasses.dataclass(frozen=True)
class Plan:
    """The requests of one run, where they came from, and what was left out and why."""

    user: str
    """``openapi`` (the documented operations) or ``pages`` (the crawled pages)."""
    source: str
    requests: tuple[PlannedRequest, ...]
    skipped: dict[str, str] = dataclasses.field(default_factory=dict)
    """``"METHOD /path"`` or a page path -> why it is not sent."""

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (also the stage's ``details["plan"]``)."""
        return {
            "user": self.user,
            "source": self.source,
            "requests": [dataclasses.asdict(r) for r in self.requests],
            "skipped": dict(self.skipped),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Plan:
        """Rebuild a plan from `to_dict`'s output."""
        requests = tuple(PlannedRequest(**r) for r in data["requests"])
        return cls(data["user"], data["source"], requests, dict(data.get("skipped", {})))


def write(plan: Plan, path: Path) -> Path:
    """Save the plan as JSON (the generic user reads it with `read`)."""
    path.write_text(json.dumps(plan.to_dict(), indent=2), encoding="utf-8")
    return path


def read(path: str | Path) -> Plan:
    """The plan saved by `write`."""
    return Plan.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))
