"""The target description: read once from pyproject.toml or harness.toml, precise errors, flags override."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import pytest

from harness.config import load_settings
from harness.pipeline import describe_target
from stagekit.description import AppCommand, TargetDescription, bundled_description, option_reference
from stagekit.target import AppProcess
from vocabulary import secrets
from vocabulary.errors import HarnessError

USER_PROJECT = """\
[project]
name = "shop"

[tool.harness]
profile = "smoke"

[tool.harness.target]
url = "http://127.0.0.1:8123"
ready_path = "/healthz"
openapi = "docs/openapi.yaml"
pages = ["/", "/cart"]
locustfiles = ["perf/locustfile.py"]
playwright_tests = "tests/e2e"

[tool.harness.target.auth]
kind = "login"
path = "/api/login"
body = { user = "qa", password = "${SHOP_PASSWORD}" }
token_pointer = "/token"
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_pyproject_target_table_is_the_description(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", USER_PROJECT)
    settings = load_settings({}, cwd=tmp_path, environ={"SHOP_PASSWORD": "hunter2-shop"})
    described = settings.target
    assert described is not None
    assert (described.url, described.ready_path, described.pages) == (
        "http://127.0.0.1:8123",
        "/healthz",
        ("/", "/cart"),
    )
    assert described.locustfiles == (tmp_path / "perf/locustfile.py",)
    assert described.playwright_tests == tmp_path / "tests/e2e"
    assert described.auth.body == {"user": "qa", "password": "hunter2-shop"}
    assert "hunter2-shop" not in secrets.redact("password hunter2-shop")
    assert "hunter2-shop" not in str(settings.redacted())


def test_standalone_harness_toml(tmp_path: Path) -> None:
    write(tmp_path, "harness.toml", 'stages = ["load"]\n[target]\nurl = "http://localhost:9000"\n[load]\nusers = 3\n')
    settings = load_settings({}, cwd=tmp_path, environ={})
    assert settings.stages == ("load",)
    assert settings.stage_options["load"] == {"users": 3}
    assert settings.target is not None and settings.target.url == "http://localhost:9000"


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        (
            'urll = "http://127.0.0.1:1"',
            "harness.toml:2: target.urll: unknown target option 'urll'. Did you mean 'url'?",
        ),
        ("pages = 3", "harness.toml:2: target.pages: expected a list, got int"),
        ('pages = ["cart"]', "target.pages: pages are paths starting with /, got 'cart'"),
        ("max_pages = -1", "target.max_pages: must not be negative"),
        ('[target.auth]\nkind = "beaer"', "target.auth.kind: unknown auth kind 'beaer'. Did you mean 'bearer'?"),
        ('[target.auth]\nkind = "login"', "target.auth.path: auth kind 'login' needs path"),
        ('[target.auth]\nkind = "bearer"\ntoken_env = "${NOPE_NOT_SET}"', "refers to ${NOPE_NOT_SET}"),
        ('url = "http://127.0.0.1:1"\ncommand = ["app"]', "target.command: give either url or command, not both"),
    ],
)
def test_mistakes_name_the_file_line_and_key(tmp_path: Path, table: str, expected: str) -> None:
    write(tmp_path, "harness.toml", f"[target]\n{table}\n")
    with pytest.raises(HarnessError) as caught:
        load_settings({}, cwd=tmp_path, environ={})
    assert expected in caught.value.message
    assert caught.value.exit_code == 4


def test_default_from_environment_syntax(tmp_path: Path) -> None:
    write(tmp_path, "harness.toml", '[target]\nurl = "http://127.0.0.1:1"\nname = "${SHOP_NAME:-shop}"\n')
    assert load_settings({}, cwd=tmp_path, environ={}).target.name == "shop"  # type: ignore[union-attr]
    assert load_settings({}, cwd=tmp_path, environ={"SHOP_NAME": "x-shop"}).target.name == "x-shop"  # type: ignore[union-attr]


def test_target_url_flag_replaces_url_and_command(tmp_path: Path) -> None:
    write(tmp_path, "harness.toml", '[target]\ncommand = ["python", "-m", "shop"]\nready_path = "/up"\n')
    settings = load_settings({"target_url": "http://127.0.0.1:7000"}, cwd=tmp_path, environ={})
    described = describe_target(settings)
    assert (described.url, described.command, described.ready_path) == ("http://127.0.0.1:7000", None, "/up")


def test_no_configuration_means_the_bundled_app(tmp_path: Path) -> None:
    described = describe_target(load_settings({}, cwd=tmp_path, environ={}))
    assert described == bundled_description()
    assert described.command is not None and described.command.faults_env == "TARGET_FAULTS"


def test_a_description_with_neither_url_nor_command_is_a_config_error(tmp_path: Path) -> None:
    write(tmp_path, "harness.toml", '[target]\npages = ["/"]\n')
    with pytest.raises(HarnessError, match="has neither url nor command"):
        describe_target(load_settings({}, cwd=tmp_path, environ={}))


def test_every_option_is_documented() -> None:
    keys = {row[0] for row in option_reference()}
    for field in dataclasses.fields(TargetDescription):
        if not field.metadata.get("internal"):
            assert f"target.{field.name}" in keys
    assert all(meaning for *_, meaning in option_reference())


def test_started_app_is_ready_on_its_own_ready_path(tmp_path: Path) -> None:
    """Any command: here Python's own http.server, which has no /health (any 2xx/3xx counts)."""
    command = AppCommand(argv=("{python}", "-m", "http.server", "--bind", "{host}", "{port}"), cwd=tmp_path)
    with AppProcess(command, tmp_path / "app.log", ready_path="/") as app:
        assert app.url.startswith("http://127.0.0.1:")
        assert app.process is not None and app.process.poll() is None
    assert app.process is None


def test_faults_need_the_apps_faults_variable(tmp_path: Path) -> None:
    command = AppCommand(argv=(sys.executable, "-m", "http.server", "{port}"))
    with pytest.raises(HarnessError, match="has no faults_env"):
        AppProcess(command, tmp_path / "app.log", faults=("slow",)).start()
