"""The audit plan from the target description (and stage options), states it names, same-origin crawling."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from accessibility.plan import GATED_TAGS, AuditPlan, build_plan
from accessibility.states import load_states
from stagekit.crawl import Frontier, page_name
from stagekit.description import TargetDescription, bundled_description
from target_app.a11y_states import STATES
from vocabulary.errors import ErrorKind, HarnessError

BASE = "http://127.0.0.1:8000"
USER_STATES = """from accessibility.states import State


def _nothing(page, base_url, scratch):
    page.goto(base_url)


STATES = [State("home", "the home page", False, _nothing), State("mine", "my page", True, _nothing)]
NOT_STATES = ["home"]
"""


def test_the_bundled_description_plans_its_pages_signed_in_pages_and_states_without_crawling() -> None:
    described = bundled_description()
    plan = build_plan(BASE + "/", described, options={})
    assert plan.base_url == BASE
    assert (plan.pages, plan.auth_pages) == (described.pages, described.auth_pages)
    assert plan.states == tuple(s.name for s in STATES if not s.auth)
    assert plan.auth_states == tuple(s.name for s in STATES if s.auth) and plan.needs_auth
    assert (plan.crawl_depth, plan.states_ref) == (0, "target_app.a11y_states:STATES")
    assert plan.tags == (*GATED_TAGS, "best-practice")


def test_an_app_described_by_its_url_only_is_crawled_from_home() -> None:
    plan = build_plan(BASE, TargetDescription(), options={"best_practice": False})
    assert (plan.pages, plan.auth_pages, plan.states, plan.auth_states) == (("/",), (), (), ())
    assert (plan.crawl_depth, plan.max_pages, plan.tags) == (2, 20, GATED_TAGS)
    assert not plan.needs_auth


def test_stage_options_narrow_the_description_for_this_stage() -> None:
    described = dataclasses.replace(bundled_description(), max_pages=7)
    plan = build_plan(BASE, described, options={"pages": ["/models"], "auth_pages": [], "states": ["login-failed"]})
    assert (plan.pages, plan.auth_pages, plan.states, plan.auth_states) == (("/models",), (), ("login-failed",), ())
    assert (plan.crawl_depth, plan.max_pages) == (0, 7)
    assert build_plan(BASE, described, options={"crawl_depth": 1, "max_pages": 3}).crawl_depth == 1


def test_plan_survives_the_trip_to_the_subprocess(tmp_path: Path) -> None:
    plan = build_plan(BASE, bundled_description(), options={"pages": ["/models"], "states": ["login-failed"]})
    plan.write(tmp_path / "plan.json")
    assert AuditPlan.read(tmp_path / "plan.json") == plan
    assert plan.load_states()["login-failed"].description == "the login page after a wrong password"


def test_states_of_the_users_project_import_from_the_description_folder(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("", encoding="utf-8")
    (tmp_path / "my_a11y_states.py").write_text(USER_STATES, encoding="utf-8")
    described = TargetDescription(states="my_a11y_states:STATES", source=str(tmp_path / "pyproject.toml"))
    plan = build_plan(BASE, described, options={})
    assert (plan.states, plan.auth_states, plan.states_folder) == (("home",), ("mine",), str(tmp_path))
    with pytest.raises(HarnessError, match="is not a sequence of State"):
        load_states("my_a11y_states:NOT_STATES", tmp_path)


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("target_app.a11y_states", "is not of the form module:attribute"),
        ("no_such_module_here:STATES", "cannot import the target states"),
        ("target_app.a11y_states:MISSING", "is not a sequence of State"),
    ],
)
def test_a_wrong_states_reference_is_a_config_error(ref: str, expected: str) -> None:
    with pytest.raises(HarnessError) as caught:
        build_plan(BASE, TargetDescription(states=ref), options={})
    assert caught.value.kind is ErrorKind.CONFIG and expected in caught.value.message


@pytest.mark.parametrize(
    ("described", "options", "expected"),
    [
        (bundled_description(), {"page": ["/"]}, "Did you mean 'pages'?"),
        (bundled_description(), {"states": ["login-fail"]}, "Did you mean 'login-failed'?"),
        (TargetDescription(), {"states": ["login-failed"]}, "the target describes no states"),
    ],
)
def test_option_mistakes_are_config_errors_with_a_suggestion(
    described: TargetDescription, options: dict[str, object], expected: str
) -> None:
    with pytest.raises(HarnessError) as caught:
        build_plan(BASE, described, options=options)
    assert caught.value.kind is ErrorKind.CONFIG
    assert expected in caught.value.message


def test_only_pages_of_the_targets_origin_are_crawled() -> None:
    assert page_name(BASE, BASE + "/models?page=2#top") == "/models?page=2"
    assert page_name(BASE, BASE) == "/"
    assert page_name("http://127.0.0.1", "http://127.0.0.1:80/a") == "/a"
    assert page_name(BASE, "http://127.0.0.1:9999/models") is None
    assert page_name(BASE, "http://localhost:8000/models") is None
    assert page_name(BASE, "https://127.0.0.1:8000/models") is None
    assert page_name(BASE, "mailto:a@b.c") is None


def test_crawl_stops_at_its_depth_and_page_count() -> None:
    frontier = Frontier(BASE, max_depth=1, max_pages=3)
    frontier.add("/", 0)
    assert frontier.pop() == ("/", 0)
    frontier.add_links([BASE + "/a", BASE + "/b", BASE + "/", BASE + "/c"], depth=0)
    assert [frontier.pop(), frontier.pop(), frontier.pop()] == [("/a", 1), ("/b", 1), None]
    frontier.add_links([BASE + "/deeper"], depth=1)
    assert frontier.pop() is None


def test_the_removed_credential_options_say_where_credentials_come_from_now() -> None:
    with pytest.raises(HarnessError) as caught:
        build_plan(BASE, TargetDescription(), options={"username": "demo"})
    assert caught.value.tip is not None and "[tool.harness.target.auth]" in caught.value.tip


def test_an_empty_page_option_audits_no_page_where_an_empty_description_crawls_from_home() -> None:
    assert build_plan(BASE, TargetDescription(), options={"pages": []}).pages == ()
    assert build_plan(BASE, TargetDescription(), options={}).pages == ("/",)
