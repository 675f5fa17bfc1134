"""The generic user, for an app without Locust files of its own: replays the stage's plan.

The plan (``--harness-plan plan.json``, made by `scenarios.planner`) holds concrete requests: the
documented operations of the app's OpenAPI document, or the pages a crawl found. Each request is
named by its path template or page, carries the target description's credentials (handed over in
``HARNESS_AUTH``), never follows a redirect, and fails on a status of 400 or more, or on a body
that is not the JSON the document promised.
"""

from __future__ import annotations

import json
import logging
import random
from typing import Any, ClassVar

from locust import FastHttpUser, events, task
from locust.env import Environment

from scenarios import options, plan
from scenarios.plan import PlannedRequest
from stagekit.auth import Credentials

log = logging.getLogger(__name__)


class GenericUser(FastHttpUser):
    """Sends the plan's requests in proportion to their weights, with a short think time."""

    requests: ClassVar[list[PlannedRequest]] = []
    weights: ClassVar[list[float]] = []
    headers: ClassVar[dict[str, str]] = {}
    think_s = (0.5, 2.0)
    think_scale = 1.0

    def wait_time(self) -> float:
        """Random think time, scaled like the profile's."""
        return random.uniform(*self.think_s) * self.think_scale

    @task
    def call(self) -> None:
        """One weighted-random planned request with a status and body check."""
        req = random.choices(self.requests, weights=self.weights)[0]
        with self.client.request(
            req.method, req.path, name=req.name, headers=self.headers, json=req.body,
            allow_redirects=False, catch_response=True,
        ) as resp:  # fmt: skip
            problem = check(resp.status_code, req.json_response, resp.text)
            if problem is not None:
                resp.failure(problem)


def check(status: int, json_response: bool, text: str | None) -> str | None:
    """Why an answer fails (None when it passes): an error status, or promised JSON that is not."""
    if status >= 400 or status < 100:
        return f"HTTP {status}"
    if json_response and 200 <= status < 300:
        try:
            json.loads(text or "")
        except ValueError:
            return "the document promises JSON, the body is not JSON"
    return None


@events.init_command_line_parser.add_listener  # type: ignore[untyped-decorator]
def _add_arguments(parser: Any) -> None:
    parser.add_argument(
        "--harness-plan",
        default="",
        env_var="HARNESS_LOAD_PLAN",
        help="the generic user's plan (JSON written by the load stage)",
    )


@events.init.add_listener  # type: ignore[untyped-decorator]
def _on_init(environment: Environment, **_: Any) -> None:
    source = options.parsed(environment).harness_plan
    chosen = plan.read(source) if source else None
    if chosen is None or not chosen.requests:
        # Loudly: a run without requests would measure nothing and must not look green.
        log.error("the generic user has no planned requests (%s)", source or "no --harness-plan")
        environment.process_exit_code = 1
        return
    GenericUser.requests = list(chosen.requests)
    GenericUser.weights = [r.weight for r in chosen.requests]
    GenericUser.think_scale = options.think_scale(environment)
    credentials = Credentials.from_env()
    cookie = credentials.cookie_header()
    GenericUser.headers = {**credentials.headers, **({"Cookie": cookie} if cookie else {})}
