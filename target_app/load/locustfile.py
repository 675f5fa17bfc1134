"""The bundled marketplace's load test: its user mix, named in ``target_app/harness.toml``.

A Locust file like any team's: the harness runs it unchanged, adding its own plugin last::

    PYTHONPATH=. locust -f target_app/load/locustfile.py,scenarios/harness_locustfile.py \\
        --host http://127.0.0.1:8000 --headless --harness-profile smoke --harness-summary out/summary.json

The signed-in users log in themselves (the login is part of the measured traffic) with the
account the description's auth recipe names: ``MESHMARKET_USERNAME`` / ``MESHMARKET_PASSWORD``,
the seeded demo account by default. With the harness plugin loaded, think times, the share of
returning sessions, the uploaders' start and the fixed user counts follow the chosen profile; on
its own the file runs as plain Locust with the defaults.
"""

from __future__ import annotations

import os
from typing import Any

from locust import events
from locust.env import Environment

from scenarios.options import profile_of, think_scale
from target_app import DEMO_PASSWORD, DEMO_USERNAME
from target_app.load.upload_user import Uploader
from target_app.load.users import CatalogueBrowser, FeedbackSender, MarketplaceUser, Member, Searcher, WikiEditor
from target_app.load.ws_user import WebsocketListener

__all__ = ["CatalogueBrowser", "FeedbackSender", "Member", "Searcher", "Uploader", "WebsocketListener", "WikiEditor"]

SMOKE_LARGE_UPLOAD_KB = 1024
LARGE_UPLOAD_KB = 50 * 1024


@events.init_command_line_parser.add_listener  # type: ignore[untyped-decorator]
def _add_arguments(parser: Any) -> None:
    parser.add_argument(
        "--meshmarket-large-upload-kb",
        type=int,
        default=0,
        env_var="MESHMARKET_LARGE_UPLOAD_KB",
        help="size of the rare large upload (0: 1 MB in the smoke profile, 50 MB otherwise)",
    )


@events.init.add_listener  # type: ignore[untyped-decorator]
def _on_init(environment: Environment, **_: Any) -> None:
    MarketplaceUser.username = os.environ.get("MESHMARKET_USERNAME", DEMO_USERNAME)
    MarketplaceUser.password = os.environ.get("MESHMARKET_PASSWORD", DEMO_PASSWORD)
    profile = profile_of(environment)
    smoke = profile is None or profile.name == "smoke"
    chosen_kb = environment.parsed_options.meshmarket_large_upload_kb if environment.parsed_options else 0
    Uploader.large_bytes = (chosen_kb or (SMOKE_LARGE_UPLOAD_KB if smoke else LARGE_UPLOAD_KB)) * 1024
    if profile is None:
        return
    MarketplaceUser.think_scale = WebsocketListener.think_scale = think_scale(environment)
    MarketplaceUser.fresh_login_share = profile.fresh_login_share
    Uploader.first_after_s = profile.warmup_s
    # Fixed counts so even a 10-user smoke run has a websocket listener and an uploader.
    WebsocketListener.fixed_count = max(1, round(profile.requested_users * 0.05))
    Uploader.fixed_count = max(1, round(profile.requested_users * 0.02))
