"""Every stage declares its options once (name, type, range, default, help, environment variable); a typo or an
impossible value is refused before any traffic."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from harness import pipeline
from harness.cli import main
from harness.config import Settings, load_settings, parse_stage_option
from stagekit import stages
from stagekit.stage_metrics import StageMetric, Unit
from stagekit.stage_options import StageOption, at_least, check
from stagekit.stages import StageContext, TargetInfo
from vocabulary.errors import ErrorKind, HarnessError
from vocabulary.exit_codes import ExitCode

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
    from coverage_stage.stage import check_options
    from e2e.plan import Options
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
    assert "load.knee_p95_ms  (float, default 100.0, range > 0, env HARNESS_LOAD_KNEE_P95_MS)" in out
    assert "load.users  (int, range >= 1, env HARNESS_LOAD_USERS)" in out
    assert "load.knee_error_ratio  (float, default 0.001, range 0 to 1, env HARNESS_LOAD_KNEE_ERROR_RATIO)" in out
    assert "security.zap_fallback  (bool, default false)" in out
    assert 'contracts.checks  (str, default "all")' in out
    assert "contracts.phases  (list[str], " in out and "one of examples, coverage, fuzzing, stateful)" in out


def _ranged() -> list[tuple[str, StageOption]]:
    return [(stage, o) for stage in BUILT_IN for o in stages.options_of(stage) if o.range is not None]


def _outside(option: StageOption) -> float:
    """The nearest value the option's range refuses (just below its low end, else just above its high end)."""
    assert option.range is not None
    if option.range.low is not None:
        return option.range.low if option.range.low_open else option.range.low - 1
    assert option.range.high is not None
    return option.range.high + 1


def test_numbers_counts_durations_and_ratios_declare_a_range() -> None:
    ranged = {f"{stage}.{option.name}" for stage, option in _ranged()}
    for stage in BUILT_IN:
        for option in stages.options_of(stage):
            numeric = option.type_name.split("[")[-1].rstrip("]") in ("int", "float")
            assert not numeric or f"{stage}.{option.name}" in ranged, f"{stage}.{option.name} declares no range"


@pytest.mark.parametrize(("stage", "option"), _ranged(), ids=lambda value: getattr(value, "name", value))
def test_a_value_outside_the_range_is_refused_and_its_default_and_end_accepted(stage: str, option: StageOption) -> None:
    assert option.range is not None
    bad = _outside(option)
    value: Any = [int(bad)] if option.type_name.startswith("list") else bad
    if option.type_name.endswith("int") and not option.type_name.startswith("list"):
        value = int(bad)
    with pytest.raises(HarnessError) as caught:
        stages.check_options(stage, {option.name: value})
    assert caught.value.exit_code is ExitCode.USAGE_ERROR
    assert caught.value.message == f"{stage} option {option.name!r} must be {option.range}, got {value!r}"
    low, high = option.range.low, option.range.high
    end = (low + 1 if option.range.low_open else low) if low is not None else high
    assert end is not None
    kind = int if "int" in option.type_name else float
    good: Any = [kind(end)] if option.type_name.startswith("list") else kind(end)
    stages.check_options(stage, {option.name: good})
    if option.default is not None:
        stages.check_options(stage, {option.name: option.default})


def test_infinite_and_not_a_number_are_out_of_every_range() -> None:
    for value in (float("inf"), float("nan")):
        with pytest.raises(HarnessError, match="must be > 0"):
            stages.check_options("load", {"duration_s": value})


def test_choices_refuse_an_unknown_item_with_a_suggestion_also_in_a_comma_separated_string() -> None:
    stages.check_options("contracts", {"phases": "examples,fuzzing"})
    with pytest.raises(HarnessError) as caught:
        stages.check_options("contracts", {"phases": ["examples", "fuzz"]})
    assert caught.value.message == (
        "contracts option 'phases' must be one of examples, coverage, fuzzing, stateful, "
        "got ['examples', 'fuzz']. Did you mean 'fuzzing'?"
    )
    with pytest.raises(HarnessError, match="must be one of"):
        stages.check_options("contracts", {"phases": "examples,stateful,chaos"})


def test_a_list_of_numbers_must_hold_numbers() -> None:
    stages.check_options("load", {"cpus": [0, 1]})
    for bad in (["a"], "1,2", [True]):
        with pytest.raises(HarnessError, match=r"expects list\[int\]"):
            stages.check_options("load", {"cpus": bad})


def test_the_refusal_tip_names_every_way_to_set_the_option() -> None:
    with pytest.raises(HarnessError) as caught:
        stages.check_options("load", {"users": 0})
    assert caught.value.tip is not None
    assert "(set by -o load.users, [tool.harness.load] users or HARNESS_LOAD_USERS)" in caught.value.tip


def test_an_option_s_environment_variable_sets_it_below_the_command_line(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.harness.load]\nusers = 7\n", encoding="utf-8")
    environ = {"HARNESS_LOAD_USERS": "12", "HARNESS_LOAD_KNEE_P95_MS": "250.5"}
    settings = load_settings({}, cwd=tmp_path, environ=environ)
    assert settings.stage_options["load"] == {"users": 12, "knee_p95_ms": 250.5}
    flagged = load_settings({"stage_options": {"load": {"users": 3}}}, cwd=tmp_path, environ=environ)
    assert flagged.stage_options["load"]["users"] == 3
    settings = load_settings({}, cwd=tmp_path, environ={"HARNESS_LOAD_USERS": "-5"})
    with pytest.raises(HarnessError, match="load option 'users' must be >= 1, got -5"):
        pipeline.preflight(settings)


def test_a_plugin_declares_its_options_and_metrics_through_entry_points(monkeypatch: pytest.MonkeyPatch) -> None:
    from importlib.metadata import EntryPoint

    plugin = {
        "harness.stages": [EntryPoint("lighthouse", f"{__name__}:_security", "harness.stages")],
        "harness.stage_options": [EntryPoint("lighthouse", f"{__name__}:PLUGIN_OPTIONS", "harness.stage_options")],
        "harness.stage_metrics": [EntryPoint("lighthouse", f"{__name__}:PLUGIN_METRICS", "harness.stage_metrics")],
    }
    for table in ("_registry", "_options", "_metrics"):
        monkeypatch.setattr(stages, table, dict(getattr(stages, table)))
    monkeypatch.setattr(stages, "_plugins_loaded", False)
    monkeypatch.setattr(stages, "entry_points", lambda group: plugin.get(group, []))
    assert "lighthouse" in stages.option_stages() and "lighthouse" in stages.metric_stages()
    with pytest.raises(HarnessError, match="lighthouse option 'runs' must be >= 1, got 0"):
        stages.check_options("lighthouse", {"runs": 0})
    names = [metric.name for metric in stages.metrics_of("lighthouse")]
    assert names == ["lighthouse.score", "lighthouse.findings.blocking", "lighthouse.findings.warning"]


PLUGIN_OPTIONS = (StageOption("runs", 3, "audits per page", range=at_least(1)),)
PLUGIN_METRICS = (StageMetric("lighthouse.score", Unit.SCORE, "Lighthouse performance score"),)


def _settings(tmp_path: Path, pyproject: str = "", *options: str) -> Settings:
    (tmp_path / "pyproject.toml").write_text(f'[tool.harness]\nout = "runs"\n{pyproject}', encoding="utf-8")
    given: dict[str, dict[str, Any]] = {}
    for text in options:
        stage, key, value = parse_stage_option(text)
        given.setdefault(stage, {})[key] = value
    return load_settings({"stage_options": given}, cwd=tmp_path, environ={})


def test_preflight_refuses_an_unknown_option_given_on_the_command_line(tmp_path: Path) -> None:
    settings = _settings(tmp_path, "", "security.nosuchkey=1", "load.users=5")
    with pytest.raises(HarnessError) as caught:
        pipeline.preflight(settings)
    assert caught.value.exit_code is ExitCode.USAGE_ERROR
    assert caught.value.message == "unknown security option 'nosuchkey'."
    assert not (tmp_path / "runs").exists(), "refused before the run folder exists"


def test_preflight_checks_the_table_of_a_stage_this_run_leaves_out(tmp_path: Path) -> None:
    settings = _settings(tmp_path, 'stages = ["load"]\n[tool.harness.accessibility]\npage = ["/"]\n')
    with pytest.raises(HarnessError) as caught:
        pipeline.preflight(settings)
    assert caught.value.message == "unknown accessibility option 'page'. Did you mean 'pages'?"


def test_preflight_accepts_declared_options(tmp_path: Path) -> None:
    settings = _settings(tmp_path, "[tool.harness.contracts]\nmax_examples = 3\n", "load.users=5", "e2e.vitals_runs=1")
    assert pipeline.preflight(settings).inputs.budgets is not None


def test_harness_run_with_a_misspelt_option_exits_4_before_any_traffic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    code = main(["run", "--out", str(tmp_path / "runs"), "-o", "load.userz=5"])
    assert code == ExitCode.USAGE_ERROR
    assert "unknown load option 'userz'. Did you mean 'users'?" in capsys.readouterr().err
    assert not (tmp_path / "runs").exists()
