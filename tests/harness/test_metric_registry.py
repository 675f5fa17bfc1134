"""Every stage declares the metrics it publishes; a budget on any other name, or with a limit no result can
meet or breach, is refused with its file and line before any traffic."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from harness import gate
from harness.budget_check import check_budgets
from harness.cli import main
from perf_budgets.loader import SHIPPED, load_budgets
from stagekit import stages
from stagekit.stage_metrics import Unit, published_by
from tests.fixtures.runs import DATA, REPO
from vocabulary.errors import HarnessError
from vocabulary.exit_codes import ExitCode

PREFIXES = {
    "load": "load",
    "e2e": "e2e",
    "contracts": "contracts",
    "security": "security",
    "accessibility": "a11y",
    "coverage": "coverage",
}
"""Each built-in stage's metric prefix, as the registry derives it from the metrics the stage declares."""
BUILT_IN = tuple(PREFIXES)


def _budgets(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "budgets.toml"
    path.write_text(f"schema_version = 1\n{body}", encoding="utf-8")
    return path


def _refusal(path: Path) -> HarnessError:
    with pytest.raises(HarnessError) as caught:
        check_budgets(load_budgets(path))
    assert caught.value.exit_code is ExitCode.USAGE_ERROR
    return caught.value


@pytest.mark.parametrize("stage", BUILT_IN)
def test_every_built_in_stage_declares_its_metrics_with_unit_and_help(stage: str) -> None:
    declared = stages.metrics_of(stage)
    assert stage in stages.metric_stages() and len(declared) > 2  # more than the derived findings counts
    names = [metric.name for metric in declared]
    assert len(set(names)) == len(names)
    for metric in declared:
        assert metric.prefix == PREFIXES[stage] and metric.help.strip() and isinstance(metric.unit, Unit)
        assert all(label == '"*"' for label in re.findall(r'"[^"]*"', metric.name)), metric.name
        assert metric.name.endswith(("_ms", "_s")) == (metric.unit in (Unit.MS, Unit.S)), metric.name
        assert metric.name.endswith("_ratio") <= (metric.unit is Unit.RATIO), metric.name


def test_every_stage_prefix_comes_from_the_registry() -> None:
    assert {stage: stages.prefixes()[stage] for stage in BUILT_IN} == PREFIXES


def test_a_metric_prefix_no_stage_has_is_refused_with_the_nearest_one() -> None:
    path = DATA / "budgets" / "bad_prefix.toml"
    error = _refusal(path)
    assert error.message == f"{path}:4: budgets.api_p95.metric: unknown metric prefix 'lod'. Did you mean 'load'?"
    assert error.tip is not None and "a11y, contracts, coverage, e2e, load, security" in error.tip


def test_a_known_failure_of_no_stage_is_refused(tmp_path: Path) -> None:
    known = tmp_path / "known.toml"
    entry = 'stage = "securty"\nrule = "1"\nlocation = "/"\nreason = "r"\nexpires = 2030-01-01\n'
    known.write_text(f"# known failures\n[[known]]\n{entry}", encoding="utf-8")
    budgets = _budgets(tmp_path, '[budgets.sec]\nmetric = "security.findings.blocking"\nmax = 0\n')
    with pytest.raises(HarnessError) as caught:
        check_budgets(load_budgets(budgets, known_failures=known))
    assert caught.value.message.startswith(f"{known}:3: known[0].stage: unknown stage 'securty'. Did you mean")
    assert "'security'" in caught.value.message


def _recorded_metrics() -> set[str]:
    names: set[str] = set()
    for path in DATA.rglob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and isinstance(data.get("metrics"), dict):
            names |= set(data["metrics"])
    return names


def test_every_metric_of_the_recorded_runs_is_declared() -> None:
    recorded = _recorded_metrics()
    assert len(recorded) > 30
    undeclared = sorted(name for name in recorded if not published_by(name, stages.published()))
    assert not undeclared


def _budget_files() -> list[Path]:
    """Every budget file the repository ships (a TOML file with budget tables), the loader's bad examples aside."""
    found = []
    for path in REPO.rglob("*.toml"):
        if {".nox", "node_modules", ".git"} & set(path.parts):
            continue
        if re.search(r"(?m)^\[budgets\.", path.read_text(encoding="utf-8")):
            found.append(path)
    return found


def test_every_shipped_budget_file_passes_the_metric_check() -> None:
    files = _budget_files()
    assert SHIPPED in files and DATA / "budgets" / "small.toml" in files
    checked = 0
    for path in files:
        try:
            check_budgets(load_budgets(path))
        except HarnessError:
            assert path.parent == DATA / "budgets", path  # the loader's and this check's examples of broken files
            continue
        checked += 1
    assert checked >= 2


def test_the_format_page_example_passes(tmp_path: Path) -> None:
    text = (REPO / "perf_budgets" / "FORMAT.md").read_text(encoding="utf-8")
    example = re.search(r"```toml\n(.*?)```", text, re.S)
    assert example is not None
    # Its known-failures and rules files are only named there; the budgets are what is checked.
    body = re.sub(r"(?m)^(known_failures|rules_file) = .*$", "", example.group(1))
    path = tmp_path / "format.toml"
    path.write_text(body, encoding="utf-8")
    check_budgets(load_budgets(path))


def test_a_misspelt_metric_names_file_line_and_the_nearest_published_one(tmp_path: Path) -> None:
    path = _budgets(tmp_path, '[budgets.api]\nmetric = "load.http.p59_ms"\nmax = 100\n')
    error = _refusal(path)
    assert error.message == f"{path}:3: budgets.api.metric: no stage publishes 'load.http.p59_ms'. " + (
        "Did you mean 'load.http.p95_ms'?"
    )
    assert error.tip is not None and "harness metrics" in error.tip


def test_a_labelled_metric_keeps_its_label_in_the_suggestion(tmp_path: Path) -> None:
    path = _budgets(tmp_path, "[budgets.one]\nmetric = 'load.endpoint[\"GET /x\"].p59_ms'\nmax = 100\n")
    assert _refusal(path).message.endswith("Did you mean 'load.endpoint[\"GET /x\"].p95_ms'?")


@pytest.mark.parametrize(
    "metric",
    [
        "load.http.*",
        'load.endpoint["GET /api/models/[id]"].p95_ms',
        'load.endpoint["GET *"].p95_ms',
        "a11y.violations.*",
        'contracts.check["not_a_server_error"].failures',
        "security.findings.blocking",
        "coverage.findings.warning",
    ],
)
def test_wildcards_labels_and_derived_findings_counts_are_published(tmp_path: Path, metric: str) -> None:
    check_budgets(load_budgets(_budgets(tmp_path, f"[budgets.b]\nmetric = '{metric}'\nmax = 100\n")))


@pytest.mark.parametrize(
    ("metric", "limits", "refused"),
    [
        ("load.http.error_ratio", "max = -5", "max = -5 can never be met: load.http.error_ratio is a ratio (0 to 1)"),
        ("load.cache.hit_ratio", "min = 1.5", "min = 1.5 can never be met: load.cache.hit_ratio is a ratio (0 to 1)"),
        ("load.http.error_ratio", "max = 1.5", "max = 1.5 can never be breached"),
        ("load.http.p95_ms", "max = -5", "max = -5 can never be met: load.http.p95_ms is a time in ms (>= 0)"),
        ("load.http.requests", "min = -1", "min = -1 can never be breached: load.http.requests is a count (>= 0)"),
        ("e2e.performance.score", "min = 120", "min = 120 can never be met: e2e.performance.score is a score"),
        ("load.http.p95_ms", "max = 100\nwarn_max = -1", "warn_max = -1 can never be met"),
        ("load.http.*", "max = -1", "max = -1 can never be met"),
    ],
)
def test_a_limit_no_result_can_meet_or_breach_is_refused_at_its_line(
    tmp_path: Path, metric: str, limits: str, refused: str
) -> None:
    path = _budgets(tmp_path, f'[budgets.b]\nmetric = "{metric}"\n{limits}\n')
    key = refused.split(" ", 1)[0]
    line = 4 if key in ("max", "min") else 5
    message = _refusal(path).message
    assert message.startswith(f"{path}:{line}: budgets.b.{key}: {refused}"), message


@pytest.mark.parametrize(
    ("metric", "limits"),
    [
        ("load.http.error_ratio", "max = 0"),
        ("load.cache.hit_ratio", "min = 1"),
        ("security.grade_score", "min = 110"),  # an Observatory score exceeds 100 with bonuses
        ("load.generator.memory_growth_mb", "max = -1"),  # memory may shrink
        ("load.http.*", "max = 100"),  # fits the times, though not the ratio
        ("load.http.error_ratio", "max_regression_pct = 150"),  # a change, whatever the unit
    ],
)
def test_limits_a_result_can_meet_and_breach_pass(tmp_path: Path, metric: str, limits: str) -> None:
    check_budgets(load_budgets(_budgets(tmp_path, f'[budgets.b]\nmetric = "{metric}"\n{limits}\n')))


def test_a_profile_override_is_refused_at_its_own_line(tmp_path: Path) -> None:
    body = '[budgets.b]\nmetric = "load.http.p95_ms"\nmax = 100\n\n[profiles.stress.budgets.b]\nmax = -5\n'
    assert _refusal(_budgets(tmp_path, body)).message.startswith(
        f"{tmp_path / 'budgets.toml'}:7: profiles.stress.budgets.b.max: max = -5 can never be met"
    )


def test_the_gate_checks_the_budget_file_before_anything_is_judged(tmp_path: Path) -> None:
    path = _budgets(tmp_path, '[budgets.api]\nmetric = "load.http.p59_ms"\nmax = 100\n')
    with pytest.raises(HarnessError, match=r"Did you mean 'load\.http\.p95_ms'"):
        gate.load_inputs(path, None, None)


def test_harness_metrics_lists_every_stage_s_metrics_with_unit_and_values(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["metrics"]) == ExitCode.OK
    out = capsys.readouterr().out
    for stage in BUILT_IN:
        assert f"\n{stage} stage\n" in out
        for metric in stages.metrics_of(stage):
            assert f"{metric.name}  ({metric.unit}, {metric.shown_bounds})\n    {metric.help}" in out
    assert "load.http.p95_ms  (ms, >= 0)" in out
    assert "load.http.error_ratio  (ratio, 0 to 1)" in out
    assert 'load.endpoint["*"].p95_ms  (ms, >= 0)' in out
