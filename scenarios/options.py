"""The locustfile's own command-line options (``--harness-*``) and applying them on init.

They show in ``locust --help`` and in the web UI; environment variables ``HARNESS_LOAD_*``
set them too (the password only that way, so it never appears in a process list).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from locust.env import Environment

from scenarios import metrics, profiles, shapes
from scenarios.upload_user import Uploader
from scenarios.users import MarketplaceUser
from scenarios.ws_user import WebsocketListener

SMOKE_LARGE_UPLOAD_KB = 1024
LARGE_UPLOAD_KB = 50 * 1024


def add_arguments(parser: Any) -> None:
    """`events.init_command_line_parser` listener."""
    # Straight on the parser: Locust's web-UI flags are not accepted by argument groups.
    group = parser
    group.add_argument("--harness-profile", default="smoke", choices=sorted(profiles.PROFILES),
                       env_var="HARNESS_LOAD_PROFILE", include_in_web_ui=True,
                       help="load profile (LoadTestShape), e.g. smoke, peak, stress")
    group.add_argument("--harness-users", type=int, default=0, env_var="HARNESS_LOAD_USERS",
                       include_in_web_ui=True, help="peak users, rescaling the profile (0: profile's own)")
    group.add_argument("--harness-duration-s", type=float, default=0.0, env_var="HARNESS_LOAD_DURATION_S",
                       include_in_web_ui=True, help="total seconds, rescaling the profile (0: profile's own)")
    group.add_argument("--harness-think-scale", type=float, default=0.0, env_var="HARNESS_LOAD_THINK_SCALE",
                       help="multiply every think time and pacing interval, e.g. 0.25 (0: the profile's)")
    group.add_argument("--harness-summary", default="", env_var="HARNESS_LOAD_SUMMARY",
                       help="where the master writes summary.json (histograms, series, validity data)")
    group.add_argument("--harness-username", default="demo", env_var="HARNESS_LOAD_USERNAME",
                       help="account the signed-in users log in as")
    group.add_argument("--harness-password", default="demo-password-123", env_var="HARNESS_LOAD_PASSWORD",
                       is_secret=True, help="its password (set HARNESS_LOAD_PASSWORD rather than the flag)")
    group.add_argument("--harness-openapi", default="", env_var="HARNESS_LOAD_OPENAPI",
                       help="OpenAPI document (URL or path) for the generic user; default <host>/openapi.json")
    group.add_argument("--harness-knee-p95-ms", type=float, default=100.0, env_var="HARNESS_LOAD_KNEE_P95_MS",
                       help="stress: a step whose p95 exceeds this (ms) is past the knee; the run ends there")
    group.add_argument("--harness-knee-error-ratio", type=float, default=0.001,
                       env_var="HARNESS_LOAD_KNEE_ERROR_RATIO",
                       help="stress: a step whose error ratio exceeds this is past the knee")
    group.add_argument("--harness-large-upload-kb", type=int, default=0, env_var="HARNESS_LOAD_LARGE_UPLOAD_KB",
                       help="size of the rare large upload (0: 1 MB for smoke, 50 MB otherwise)")


def parsed(env: Environment) -> argparse.Namespace:
    """Locust's parsed options (always there once `events.init` fires from the command line)."""
    if env.parsed_options is None:
        raise RuntimeError("the harness locustfiles need Locust's command-line options")
    opts: argparse.Namespace = env.parsed_options
    return opts


def profile_of(env: Environment) -> profiles.Profile:
    """The chosen (and rescaled) profile, handed to the shape."""
    opts = parsed(env)
    profile = profiles.build(opts.harness_profile, opts.harness_users or None, opts.harness_duration_s or None)
    if isinstance(env.shape_class, shapes.ProfileShape):
        env.shape_class.profile = profile
    return profile


def think_scale(env: Environment, profile: profiles.Profile) -> float:
    """``--harness-think-scale``, else the profile's own."""
    return float(parsed(env).harness_think_scale or profile.think_scale)


def collector_for(env: Environment, profile: profiles.Profile) -> metrics.Collector:
    """Install the metrics collector, writing the summary where ``--harness-summary`` says."""
    summary = parsed(env).harness_summary
    collector = metrics.install(env, profile, Path(summary) if summary else None)
    # The web UI may change --harness-profile/-users/-duration-s between init and each start.
    collector.refresh_profile = lambda: profile_of(env)
    collector.knee_limits = (parsed(env).harness_knee_p95_ms, parsed(env).harness_knee_error_ratio)
    if isinstance(env.shape_class, shapes.ProfileShape):
        env.shape_class.knee_reached = collector.knee_reached
    return collector


def configure(env: Environment) -> metrics.Collector:
    """`events.init` listener of the marketplace locustfile: profile, user knobs, collector."""
    opts = parsed(env)
    profile = profile_of(env)
    MarketplaceUser.think_scale = WebsocketListener.think_scale = think_scale(env, profile)
    MarketplaceUser.username, MarketplaceUser.password = opts.harness_username, opts.harness_password
    MarketplaceUser.fresh_login_share = profile.fresh_login_share
    default_kb = SMOKE_LARGE_UPLOAD_KB if profile.name == "smoke" else LARGE_UPLOAD_KB
    Uploader.large_bytes = (opts.harness_large_upload_kb or default_kb) * 1024
    Uploader.first_after_s = profile.warmup_s
    # Fixed counts so even a 10-user smoke run has a websocket listener and an uploader.
    WebsocketListener.fixed_count = max(1, round(profile.requested_users * 0.05))
    Uploader.fixed_count = max(1, round(profile.requested_users * 0.02))
    return collector_for(env, profile)
