"""The bundled marketplace's load test: its user mix, the profile shape and the harness metrics.

Run by the load stage (``harness run --stages load``) or by hand::

    PYTHONPATH=. locust -f scenarios/locustfile.py --host http://127.0.0.1:8000 \
        --headless --harness-profile smoke --harness-summary out/summary.json

Add ``--processes 4`` (or ``--master`` / ``--worker``) for distributed mode: the HDR histograms
travel from the workers to the master and are merged exactly.
"""

from __future__ import annotations

from typing import Any

from locust import events
from locust.env import Environment

from scenarios import options, webui
from scenarios.shapes import ProfileShape
from scenarios.upload_user import Uploader
from scenarios.users import CatalogueBrowser, FeedbackSender, Member, Searcher, WikiEditor
from scenarios.ws_user import WebsocketListener

__all__ = [
    "CatalogueBrowser",
    "FeedbackSender",
    "Member",
    "ProfileShape",
    "Searcher",
    "Uploader",
    "WebsocketListener",
    "WikiEditor",
]


@events.init_command_line_parser.add_listener  # type: ignore[untyped-decorator]
def _add_arguments(parser: Any) -> None:
    options.add_arguments(parser)


@events.init.add_listener  # type: ignore[untyped-decorator]
def _on_init(environment: Environment, **_: Any) -> None:
    webui.install(environment, options.configure(environment))
