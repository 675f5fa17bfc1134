"""The harness's Locust command-line options (``--harness-*``) and reading them inside Locust.

Declared by the harness plugin (`scenarios.harness_locustfile`), so they exist whatever Locust files
run beside it; they show in ``locust --help`` and the web UI, and ``HARNESS_LOAD_*`` environment
variables set them too. A Locust file that wants to follow the chosen profile (think times, fixed
user counts) reads it with `profile_of` and `think_scale`; both work, returning None / 1.0, when
the file runs without the plugin.
"""

from __future__ import annotations

import argparse
from typing import Any

from locust.env import Environment

from scenarios import profiles, shapes


def add_arguments(parser: Any) -> None:
    """`events.init_command_line_parser` listener."""
    # Straight on the parser: Locust's web-UI flags are not accepted by argument groups.
    parser.add_argument(
        "--harness-profile",
        default="smoke",
        choices=sorted(profiles.PROFILES),
        env_var="HARNESS_LOAD_PROFILE",
        include_in_web_ui=True,
        help="load profile (LoadTestShape), e.g. smoke, peak, stress",
    )
    parser.add_argument(
        "--harness-users",
        type=int,
        default=0,
        env_var="HARNESS_LOAD_USERS",
        include_in_web_ui=True,
        help="peak users, rescaling the profile (0: profile's own)",
    )
    parser.add_argument(
        "--harness-duration-s",
        type=float,
        default=0.0,
        env_var="HARNESS_LOAD_DURATION_S",
        include_in_web_ui=True,
        help="total seconds, rescaling the profile (0: profile's own)",
    )
    parser.add_argument(
        "--harness-think-scale",
        type=float,
        default=0.0,
        env_var="HARNESS_LOAD_THINK_SCALE",
        help="multiply every think time and pacing interval, e.g. 0.25 (0: the profile's)",
    )
    parser.add_argument(
        "--harness-summary",
        default="",
        env_var="HARNESS_LOAD_SUMMARY",
        help="where the master writes summary.json (histograms, series, validity data)",
    )
    parser.add_argument(
        "--harness-ready-path",
        default="/",
        env_var="HARNESS_LOAD_READY_PATH",
        help="path the availability probe GETs once a second (any 2xx or 3xx counts), e.g. /health",
    )
    parser.add_argument(
        "--harness-knee-p95-ms",
        type=float,
        default=100.0,
        env_var="HARNESS_LOAD_KNEE_P95_MS",
        help="stress: a step whose p95 exceeds this (ms) is past the knee; the run ends there",
    )
    parser.add_argument(
        "--harness-knee-error-ratio",
        type=float,
        default=0.001,
        env_var="HARNESS_LOAD_KNEE_ERROR_RATIO",
        help="stress: a step whose error ratio exceeds this is past the knee",
    )


def parsed(env: Environment) -> argparse.Namespace:
    """Locust's parsed options (always there once `events.init` fires from the command line)."""
    if env.parsed_options is None:
        raise RuntimeError("the harness plugin needs Locust's command-line options")
    opts: argparse.Namespace = env.parsed_options
    return opts


def profile_of(env: Environment) -> profiles.Profile | None:
    """The chosen (and rescaled) profile, handed to the profile shape; None without the plugin."""
    opts = env.parsed_options
    if opts is None or not hasattr(opts, "harness_profile"):
        return None
    profile = profiles.build(opts.harness_profile, opts.harness_users or None, opts.harness_duration_s or None)
    if isinstance(env.shape_class, shapes.ProfileShape):
        env.shape_class.profile = profile
    return profile


def think_scale(env: Environment) -> float:
    """``--harness-think-scale``, else the profile's own (1.0 without the plugin)."""
    profile = profile_of(env)
    if profile is None:
        return 1.0
    return float(parsed(env).harness_think_scale or profile.think_scale)
