"""What the harness attaches to any Locust run, from outside the user's Locust files.

Through Locust's own event hooks only: its ``--harness-*`` options, the profile (handed to
`ProfileShape` when no Locust file brings its own `LoadTestShape`), the HDR collector with its
validity data and availability probe, the web UI's Budgets tab, the process tuned for thousands of
users (`tune_process`), and the egress guard
(`stagekit.egress`: the user's clients reach only the hosts the stage allows). One thing Locust has no
hook for: when a user's next task is due, so each user class's ``wait_time`` is observed in place
(`probes.ScheduleLag`; it returns the user's own value unchanged). `attach` is called by
`scenarios.harness_locustfile`, the file the stage adds last to ``locust -f``; it is idempotent, so
a Locust file importing the harness as well can never record each request twice.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from locust.env import Environment
from locust.event import Events

from scenarios import gcpolicy, keepalive, metrics, options, resolver, webui
from scenarios.shapes import ProfileShape
from stagekit import egress

_attached: set[int] = set()


def attach(events: Events) -> None:
    """Register the option and init listeners on Locust's events (once per events object)."""
    if id(events) in _attached:
        return
    _attached.add(id(events))
    if egress.install_from_env():
        events.request.add_listener(_name_blocked)  # type: ignore[no-untyped-call]
    events.init_command_line_parser.add_listener(options.add_arguments)  # type: ignore[no-untyped-call]
    events.init.add_listener(on_init)  # type: ignore[no-untyped-call]


def _name_blocked(request_type: str, name: str, exception: BaseException | None = None, **kw: Any) -> None:
    """`events.request` listener: a connection the egress guard blocked (a redirect off the target
    followed by the user's client) is reported with the request that led there."""
    if exception is not None:
        egress.attribute(exception, f"{request_type} {name}", kw.get("url") or "")


def tune_process(environment: Environment) -> None:
    """What lets one Locust process carry thousands of users: IP literals resolved without a thread
    hand-off (`scenarios.resolver`), pooled connections kept alive past 1024 open sockets
    (`scenarios.keepalive`), and garbage collection out of the users' way (`scenarios.gcpolicy`)."""
    resolver.install()
    keepalive.install()
    gcpolicy.install(environment.events)


def on_init(environment: Environment, **_: Any) -> metrics.Collector:
    """`events.init` listener: the collector for this process and, with the web UI, the Budgets tab."""
    profile = options.profile_of(environment)
    if profile is None:
        raise RuntimeError("the harness options were not registered (run Locust with scenarios/harness_locustfile.py)")
    opts = options.parsed(environment)
    summary = Path(opts.harness_summary) if opts.harness_summary else None
    tune_process(environment)
    collector = metrics.install(environment, profile, summary, ready_path=opts.harness_ready_path)
    collector.schedule.watch(environment.user_classes)
    # The web UI may change --harness-profile/-users/-duration-s between init and each start.
    collector.refresh_profile = lambda: options.profile_of(environment) or profile
    collector.knee_limits = (opts.harness_knee_p95_ms, opts.harness_knee_error_ratio)
    if isinstance(environment.shape_class, ProfileShape):
        environment.shape_class.knee_reached = collector.knee_reached
    webui.install(environment, collector)
    return collector
