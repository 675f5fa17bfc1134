"""The Schemathesis config of a run: the user's file wins, the harness adds defaults, secrets stay variables."""

from __future__ import annotations

import datetime
import tomllib
from pathlib import Path

import pytest

from contracts import auth, config
from contracts.settings import from_options
from stagekit.auth import Credentials
from stagekit.description import AuthRecipe

SECRET = "s3cret-Passw0rd"


def _written(
    tmp_path: Path, user_toml: str, plan: auth.AuthPlan = auth.NO_AUTH, **options: object
) -> tuple[dict, list[str]]:
    user_file = tmp_path / "user" / "schemathesis.toml"
    user_file.parent.mkdir()
    user_file.write_text(user_toml, encoding="utf-8")
    settings = from_options("smoke", options)
    written = config.write(tmp_path / "out.toml", config.read(user_file), config.defaults(settings, tmp_path, plan))
    return tomllib.loads(written.path.read_text(encoding="utf-8")), written.notes


def test_dumps_round_trips_what_tomllib_reads() -> None:
    data = {
        "headers": {"X-Quote": 'a "b" \\ c\n', "X-Unicode": "naïve ☃ \U0001f600", "a.b": "dotted key"},
        "operations": [{"include-name": "GET /x", "enabled": False}, {"include-path-regex": "^/y", "workers": 2}],
        "seed": 7,
        "request-timeout": 2.5,
        "parameters": {"day": datetime.date(2024, 1, 2), "at": datetime.datetime(2024, 1, 2, 3, 4, 5)},
        "empty": {},
    }
    assert tomllib.loads(config.dumps(data)) == data


def test_the_users_settings_win_at_every_level(tmp_path: Path) -> None:
    user = """
seed = 99
[generation]
mode = "positive"
[checks]
not_a_server_error.enabled = false
[[project]]
title = "Shelf"
workers = 3
"""
    data, notes = _written(tmp_path, user, checks="not_a_server_error", max_examples=7)
    assert data["seed"] == 99 and "workers" not in data
    assert data["generation"] == {"mode": "positive", "max-examples": 7, "database": "none"}
    assert data["checks"] == {"not_a_server_error": {"enabled": False}}, "the user's [checks] table is theirs"
    assert "generation.max-examples = 7" in notes
    assert not any(note.startswith(("seed", "workers", "checks")) for note in notes)


def test_harness_checks_and_phases_when_the_user_left_them_open(tmp_path: Path) -> None:
    data, notes = _written(tmp_path, "", checks="not_a_server_error,status_code_conformance", phases=["fuzzing"])
    assert data["checks"] == {
        "enabled": False,
        "not_a_server_error": {"enabled": True},
        "status_code_conformance": {"enabled": True},
    }
    assert {name for name, phase in data["phases"].items() if phase == {"enabled": False}} == {
        "examples",
        "coverage",
        "stateful",
    }
    assert "phases.stateful.enabled = false" in notes


def test_relative_dictionary_paths_follow_the_users_file(tmp_path: Path) -> None:
    data, notes = _written(tmp_path, '[dictionaries.words]\npath = "words.txt"\n')
    assert data["dictionaries"]["words"]["path"] == str(tmp_path / "user" / "words.txt")
    assert any(note.startswith("dictionaries.words.path made absolute") for note in notes)


@pytest.mark.parametrize(
    ("user_toml", "expected"),
    [
        ("", False),
        ("[auth]\nauto-signup = true\n", False),
        ('[auth.openapi.bearerAuth]\nbearer = "${TOKEN}"\n', True),
        ('headers = { authorization = "Bearer ${TOKEN}" }\n', True),
        ('[[project]]\ntitle = "x"\n[project.auth]\nbasic = { username = "u", password = "p" }\n', True),
    ],
)
def test_the_users_own_auth_is_recognised(tmp_path: Path, user_toml: str, expected: bool) -> None:
    path = tmp_path / "schemathesis.toml"
    path.write_text(user_toml, encoding="utf-8")
    assert config.read(path).has_auth() is expected


def test_a_login_recipe_with_a_token_becomes_dynamic_auth_with_secrets_in_the_environment(tmp_path: Path) -> None:
    recipe = AuthRecipe(kind="login", path="/login", body={"user": "ann", "pass": SECRET}, token_pointer="/token")
    plan = auth.plan(recipe, Credentials(headers={"Authorization": "Bearer t0k"}, token="t0k"), "bearerAuth")
    data, notes = _written(tmp_path, "", plan)
    table = data["auth"]["dynamic"]["openapi"]["bearerAuth"]
    assert table["payload"] == {"user": "${HARNESS_CONTRACTS_LOGIN_0}", "pass": "${HARNESS_CONTRACTS_LOGIN_1}"}
    assert (table["path"], table["extract_selector"], table["retry_on"]) == ("/login", "/token", [401])
    assert plan.env == {"HARNESS_CONTRACTS_LOGIN_0": "ann", "HARNESS_CONTRACTS_LOGIN_1": SECRET}
    assert plan.exclude == () and plan.method == "login"
    assert SECRET not in (tmp_path / "out.toml").read_text(encoding="utf-8") and SECRET not in str(notes)


def test_fixed_credentials_are_headers_from_the_environment_and_logout_is_excluded(tmp_path: Path) -> None:
    recipe = AuthRecipe(kind="cookie", cookie_env="APP_COOKIE", logout_pattern="^/session/end$")
    plan = auth.plan(recipe, Credentials(cookies={"sid": SECRET}), None)
    data, _ = _written(tmp_path, 'headers = { X-Tenant = "blue" }\n', plan)
    assert data["headers"] == {"X-Tenant": "blue", "Cookie": "${HARNESS_CONTRACTS_HEADER_0}"}
    assert plan.env == {"HARNESS_CONTRACTS_HEADER_0": f"sid={SECRET}"}
    assert plan.exclude == ("^[A-Z]+ /session/end$",) and plan.method == "fixed"


def test_no_credentials_means_no_auth() -> None:
    assert auth.plan(AuthRecipe(), Credentials(), "bearerAuth") is auth.NO_AUTH
