"""Settings precedence: pyproject, then HARNESS_* variables, then flags; secrets from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.config import load_settings
from vocabulary import secrets
from vocabulary.errors import ErrorKind, HarnessError


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.harness]\nprofile = "load"\nstages = ["load", "contracts"]\nout = "runs"\n'
        '[tool.harness.contracts]\ntoken = "${TEST_HARNESS_TOKEN}"\nseed = 7\n',
        encoding="utf-8",
    )
    return tmp_path


def test_pyproject_values_and_relative_paths(project: Path) -> None:
    settings = load_settings({}, cwd=project, environ={"TEST_HARNESS_TOKEN": "s3cr3t-token"})
    assert settings.profile == "load"
    assert settings.stages == ("load", "contracts")
    assert settings.out == project / "runs"
    assert settings.stage_options["contracts"] == {"token": "s3cr3t-token", "seed": 7}


def test_environment_beats_pyproject_and_flags_beat_environment(project: Path) -> None:
    environ = {"TEST_HARNESS_TOKEN": "x-token", "HARNESS_PROFILE": "peak", "HARNESS_STAGES": "e2e"}
    assert load_settings({}, cwd=project, environ=environ).profile == "peak"
    settings = load_settings({"profile": "soak", "stages": None}, cwd=project, environ=environ)
    assert settings.profile == "soak"
    assert settings.stages == ("e2e",)


def test_substituted_secret_is_redacted(project: Path) -> None:
    settings = load_settings({}, cwd=project, environ={"TEST_HARNESS_TOKEN": "very-secret-value"})
    assert "very-secret-value" not in str(settings.redacted())
    assert secrets.redact("token=very-secret-value in a log") == "token=[REDACTED] in a log"


def test_missing_secret_variable_is_a_config_error(project: Path) -> None:
    with pytest.raises(HarnessError) as info:
        load_settings({}, cwd=project, environ={})
    assert info.value.kind is ErrorKind.CONFIG
    assert "TEST_HARNESS_TOKEN" in info.value.message


def test_unknown_key_suggests_the_nearest(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.harness]\nprofle = "load"\n', encoding="utf-8")
    with pytest.raises(HarnessError) as info:
        load_settings({}, cwd=tmp_path, environ={})
    assert info.value.kind is ErrorKind.CONFIG
    assert "unknown setting 'profle'" in info.value.message
    assert "Did you mean 'profile'?" in info.value.message


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        ({"profile": "smok"}, "Did you mean 'smoke'?"),
        ({"stages": "load,contract"}, "Did you mean 'contracts'?"),
        ({"target_workers": "many"}, "bad value 'many' for 'target_workers'"),
    ],
)
def test_bad_values_are_config_errors(tmp_path: Path, flags: dict[str, str], expected: str) -> None:
    with pytest.raises(HarnessError) as info:
        load_settings(flags, cwd=tmp_path, environ={})
    assert expected in info.value.message
    assert info.value.exit_code == 4


@pytest.mark.parametrize(
    ("flags", "expected"),
    [({"stages": ""}, "no stage to run"), ({"target_port": 99999}, "bad value 99999 for 'target_port'")],
)
def test_an_empty_stage_list_or_an_impossible_port_is_refused_before_anything_starts(
    tmp_path: Path, flags: dict[str, object], expected: str
) -> None:
    with pytest.raises(HarnessError, match=expected) as caught:
        load_settings(flags, cwd=tmp_path, environ={})
    assert caught.value.exit_code == 4
