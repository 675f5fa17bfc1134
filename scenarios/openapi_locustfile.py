"""Load for any target from its OpenAPI document (no hand-written users needed).

    PYTHONPATH=. locust -f scenarios/openapi_locustfile.py --host https://staging.example \\
        --headless --harness-profile smoke --harness-openapi https://staging.example/openapi.json
"""

from __future__ import annotations

import logging
from typing import Any

from locust import events
from locust.env import Environment

from scenarios import options, webui
from scenarios.openapi_ops import load_document, operations
from scenarios.openapi_user import OpenApiUser
from scenarios.shapes import ProfileShape

__all__ = ["OpenApiUser", "ProfileShape"]

log = logging.getLogger(__name__)


@events.init_command_line_parser.add_listener  # type: ignore[untyped-decorator]
def _add_arguments(parser: Any) -> None:
    options.add_arguments(parser)


@events.init.add_listener  # type: ignore[untyped-decorator]
def _on_init(environment: Environment, **_: Any) -> None:
    opts = options.parsed(environment)
    profile = options.profile_of(environment)
    source = opts.harness_openapi or f"{(environment.host or '').rstrip('/')}/openapi.json"
    OpenApiUser.operations = operations(load_document(source))
    OpenApiUser.think_scale = options.think_scale(environment, profile)
    if not OpenApiUser.operations:
        # Loudly: a run without operations would measure nothing and must not look green.
        log.error("no usable GET operations in %s", source)
        environment.process_exit_code = 1
    webui.install(environment, options.collector_for(environment, profile))
