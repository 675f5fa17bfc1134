"""Every stage declares its options once (name, default, help); a typo is refused before any traffic."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from harness import pipeline, stages
from harness.cli import main
from harness.config import load_settings, parse_stage_option
from harness.errors import ErrorKind, HarnessError
from harness.exit_codes import ExitCode
from harness.stage_options import StageOption, check
from harness.stages import StageContext, TargetInfo

BUILT_IN = ("load", "e2e", "contracts", "security", "accessibility", "coverage")


def _security(options: Mapping[str, Any]) -> None:
    from security import stage

    # Port 9 answers nothing: the options are checked before the stage sends a request.
    target = TargetInfo(url="http://127.0.0.1:9")
    run_dir = Path("/nonexistent-run")
    ctx = StageContext("security", "smoke", target, None, run_dir, run_dir / "security", options)
    stage.run(ctx)


def _readers() -> dict[str, Callable[[Mapping[str, Any]], object]]:
    """Each stage's own reading of its options (what its runner calls first)."""
    from accessibility.plan import options_with_defaults
    from contracts.settings import from_options
    from e2e.plan import Options
    from harness.coverage_stage import check_options
    from scenarios import stage_options

    return {
        "load": stage_options.check,
        "e2e": Options.from_mapping,
        "contracts": lambda options: from_options("smoke", options),
        "security": _security,
        "accessibility": options_with_defaults,
        "coverage": check_options,
    }


def _typo(stage: str) -> tuple[str, str]:
    """A misspelt key of ``stage`` (its first option, doubled last letter) and the option it misspells."""
    name = stages.options_of(stage)[0].name
    return name + name[-1], name


@pytest.mark.parametrize("stage", BUILT_IN)
def test_every_built_in_stage_declares_its_options_with_type_and_help(stage: str) -> None:
    declared = stages.options_of(stage)
    assert declared and stage in stages.option_stages()
    for option in declared:
        assert isinstance(option, StageOption) and option.help.strip() and option.type_name, option
    assert len({option.name for option in declared}) == len(declared)


@pytest.mark.parametrize("stage", BUILT_IN)
def test_a_typo_is_a_config_error_with_a_suggestion_in_the_stage_and_before_the_run(stage: str) -> None:
    typo, meant = _typo(stage)
    expected = f"unknown {stage} option {typo!r}. Did you mean {meant!r}?"
    for refuse in (lambda options: stages.check_options(stage, options), _readers()[stage]):
        with pytest.raises(HarnessError) as caught:
            refuse({typo: 1})
        assert caught.value.kind is ErrorKind.CONFIG and caught.value.exit_code is ExitCode.USAGE_ERROR
        assert caught.value.message == expected


def test_a_moved_option_says_where_it_went_else_the_tip_lists_the_known_ones() -> None:
    with pytest.raises(HarnessError) as moved:
        stages.check_options("e2e", {"workflows": ["upload"]})
    assert moved.value.tip is not None and "pytest -k expression" in moved.value.tip
    with pytest.raises(HarnessError) as unknown:
        check("demo", {"zzz": 1}, (StageOption("depth", 2, "how deep"), StageOption("width", 1, "how wide")))
    assert unknown.value.message == "unknown demo option 'zzz'."
    assert unknown.value.tip == "known demo options: depth, width"


def test_a_plugin_registers_its_options_alongside_its_runner(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stages, "_registry", dict(stages._registry))
    monkeypatch.setattr(stages, "_options", dict(stages._options))
    stages.register("lighthouse", "lighthouse_stage:run", options=(StageOption("runs", 3, "audits per page"),))
    stages.check_options("lighthouse", {"runs": 5})
    with pytest.raises(HarnessError, match="Did you mean 'runs'"):
        stages.check_options("lighthouse", {"run": 5})
    stages.register("undeclared", "undeclared_stage:run")
    stages.check_options("undeclared", {"anything": 1})  # declares nothing: not checked


def test_harness_options_prints_every_stage_option_with_type_default_and_help(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["options"]) == ExitCode.OK
    out = capsys.readouterr().out
    assert out.index("target.url") < out.index("--profile") < out.index("[tool.harness.load]")
    for stage in BUILT_IN:
        assert f"[tool.harness.{stage}]" in out and f"-o {stage}.KEY=VALUE" in out
        for option in stages.options_of(stage):
            assert f"{stage}.{option.name}  ({option.type_name}" in out and option.help in out
    assert "load.knee_p95_ms  (float, default 100.0)" in out
    assert "security.zap_fallback  (bool, default false)" in out
    assert 'contracts.checks  (str, default "all")' in out


def _settings(tmp_path: Path, pyproject: str = "", *options: str) -> pipeline.RunState:
    (tmp_path / "pyproject.toml").write_text(f'[tool.harness]\nout = "runs"\n{pyproject}', encoding="utf-8")
    given: dict[str, dict[str, Any]] = {}
    for text in options:
        stage, key, value = parse_stage_option(text)
        given.setdefault(stage, {})[key] = value
    return pipeline.RunState(load_settings({"stage_options": given}, cwd=tmp_path, environ={}))


def test_preflight_refuses_an_unknown_option_given_on_the_command_line(tmp_path: Path) -> None:
    state = _settings(tmp_path, "", "security.nosuchkey=1", "load.users=5")
    with pytest.raises(HarnessError) as caught:
        pipeline.preflight(state)
    assert caught.value.exit_code is ExitCode.USAGE_ERROR
    assert caught.value.message == "unknown security option 'nosuchkey'."
    assert not (tmp_path / "runs").exists(), "refused before the run folder exists"


def test_preflight_checks_the_table_of_a_stage_this_run_leaves_out(tmp_path: Path) -> None:
    state = _settings(tmp_path, 'stages = ["load"]\n[tool.harness.accessibility]\npage = ["/"]\n')
    with pytest.raises(HarnessError) as caught:
        pipeline.preflight(state)
    assert caught.value.message == "unknown accessibility option 'page'. Did you mean 'pages'?"


def test_preflight_accepts_declared_options(tmp_path: Path) -> None:
    state = _settings(tmp_path, "[tool.harness.contracts]\nmax_examples = 3\n", "load.users=5", "e2e.vitals_runs=1")
    pipeline.preflight(state)
    assert state.inputs is not None


def test_harness_run_with_a_misspelt_option_exits_4_before_any_traffic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    code = main(["run", "--out", str(tmp_path / "runs"), "-o", "load.userz=5"])
    assert code == ExitCode.USAGE_ERROR
    assert "unknown load option 'userz'. Did you mean 'users'?" in capsys.readouterr().err
    assert not (tmp_path / "runs").exists()
