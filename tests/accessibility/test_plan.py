"""The audit plan from stage options, and same-origin crawling for external targets."""

from __future__ import annotations

from pathlib import Path

import pytest

from accessibility.crawl import Frontier, page_name
from accessibility.plan import (
    BUNDLED_AUTH_PAGES,
    BUNDLED_PAGES,
    GATED_TAGS,
    PASSWORD_ENV,
    USERNAME_ENV,
    AuditPlan,
    build_plan,
    credentials,
)
from accessibility.states import STATE_NAMES
from harness.errors import ErrorKind, HarnessError

BASE = "http://127.0.0.1:8000"


def test_bundled_target_audits_its_page_list_and_every_state_without_crawling() -> None:
    plan = build_plan(BASE + "/", bundled=True, options={})
    assert plan.base_url == BASE
    assert (plan.pages, plan.auth_pages, plan.states) == (BUNDLED_PAGES, BUNDLED_AUTH_PAGES, STATE_NAMES)
    assert plan.crawl_depth == 0
    assert plan.tags == (*GATED_TAGS, "best-practice")


def test_external_target_is_crawled_from_home_and_states_are_opt_in() -> None:
    plan = build_plan(BASE, bundled=False, options={"crawl_depth": 2, "max_pages": 5, "best_practice": False})
    assert (plan.pages, plan.auth_pages, plan.states) == (("/",), (), ())
    assert (plan.crawl_depth, plan.max_pages, plan.tags) == (2, 5, GATED_TAGS)


def test_crawling_is_opt_in_for_the_bundled_app_and_one_hop_by_default_elsewhere() -> None:
    assert build_plan(BASE, bundled=True, options={"pages": ["/models"]}).crawl_depth == 0
    assert build_plan(BASE, bundled=True, options={"crawl_depth": 1}).crawl_depth == 1
    assert build_plan(BASE, bundled=False, options={}).crawl_depth == 1


def test_plan_survives_the_trip_to_the_subprocess(tmp_path: Path) -> None:
    plan = build_plan(BASE, bundled=True, options={"pages": ["/models"], "states": ["login-failed"]})
    plan.write(tmp_path / "plan.json")
    assert AuditPlan.read(tmp_path / "plan.json") == plan


@pytest.mark.parametrize(
    ("options", "expected"),
    [({"page": ["/"]}, "Did you mean 'pages'?"), ({"states": ["login-fail"]}, "Did you mean 'login-failed'?")],
)
def test_option_mistakes_are_config_errors_with_a_suggestion(options: dict[str, object], expected: str) -> None:
    with pytest.raises(HarnessError) as caught:
        build_plan(BASE, bundled=True, options=options)
    assert caught.value.kind is ErrorKind.CONFIG
    assert expected in caught.value.message


def test_credentials_travel_by_environment_demo_user_for_the_bundled_app() -> None:
    assert credentials(True, {})[USERNAME_ENV] == "demo"
    assert credentials(False, {}) == {}
    assert credentials(False, {"username": "u", "password": "p"}) == {USERNAME_ENV: "u", PASSWORD_ENV: "p"}


def test_only_same_origin_pages_are_crawled() -> None:
    assert page_name(BASE, BASE + "/models?page=2#top") == "/models?page=2"
    assert page_name(BASE, BASE) == "/"
    assert page_name(BASE, "http://127.0.0.1:9999/models") is None
    assert page_name(BASE, "mailto:a@b.c") is None
    assert page_name(BASE, BASE + "/api/models/1/download") is None


def test_crawl_stops_at_its_depth_and_page_count() -> None:
    frontier = Frontier(BASE, max_depth=1, max_pages=3)
    frontier.add("/", 0)
    assert frontier.pop() == ("/", 0)
    frontier.add_links([BASE + "/a", BASE + "/b", BASE + "/", BASE + "/c"], depth=0)
    assert [frontier.pop(), frontier.pop(), frontier.pop()] == [("/a", 1), ("/b", 1), None]
    frontier.add_links([BASE + "/deeper"], depth=1)
    assert frontier.pop() is None
