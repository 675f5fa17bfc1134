"""`harness --version` and the help a user reads: the stages, the profiles, how to list faults, where
the options and metrics are, and no developer notes."""

from __future__ import annotations

from importlib.metadata import version

import pytest

from harness import cli
from stagekit import stages
from vocabulary.profiles import PROFILES


def _output(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as ended:
        cli.main(argv)
    assert ended.value.code == 0
    return capsys.readouterr().out


def test_version_is_the_installed_distributions(capsys: pytest.CaptureFixture[str]) -> None:
    assert _output(["--version"], capsys) == f"harness {version('release-harness')}\n"


@pytest.mark.parametrize("argv", [["--help"], ["run", "--help"]])
def test_help_lists_stages_profiles_faults_and_where_to_look(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    text = _output(argv, capsys)
    default = "load, e2e, contracts, security, accessibility"
    assert default == ", ".join(stages.default_stages())
    assert f"stages (--stages, default all): {default}; coverage with --coverage" in text
    assert f"profiles (--profile, default smoke): {', '.join(PROFILES)}" in text
    assert "python -m target_app --list-faults" in text
    assert "harness options" in text and "harness metrics" in text
    assert "exit codes: 0 every applicable budget met" in text


def test_help_has_no_developer_notes(capsys: pytest.CaptureFixture[str]) -> None:
    commands = ["run", "gate", "report", "target", "init", "options", "metrics", "trends"]
    text = "".join(_output([*command, "--help"], capsys) for command in [[], *([c] for c in commands)])
    for note in ("HarnessError", "rendered once", "Errors are typed", "`harness.", "TODO"):
        assert note not in text
