"""The budget loader: the shipped file loads, and every kind of mistake gets a precise message."""

from __future__ import annotations

from pathlib import Path

import pytest
from syrupy.assertion import SnapshotAssertion

from perf_budgets.loader import SHIPPED, load_budgets
from perf_budgets.model import Action, Comparison, Level
from tests.perf_budgets.conftest import BUDGETS, write
from vocabulary.errors import ErrorKind, HarnessError
from vocabulary.exit_codes import ExitCode

MISTAKES = [
    "bad_key",
    "wrong_type",
    "both_limits",
    "no_limit",
    "bad_level",
    "unknown_profile",
    "syntax_error",
    "bad_action",
]


def _error(path: Path) -> HarnessError:
    with pytest.raises(HarnessError) as caught:
        load_budgets(path)
    return caught.value


def _rendered(path: Path) -> str:
    """The error as the CLI shows it, with the machine-specific folder removed."""
    return _error(path).render().replace(str(path.parent), "<budgets>")


@pytest.mark.parametrize("name", MISTAKES)
def test_each_mistake_has_a_precise_message(name: str, snapshot: SnapshotAssertion) -> None:
    error = _error(BUDGETS / f"{name}.toml")
    assert error.kind is ErrorKind.BUDGETS
    assert error.exit_code is ExitCode.USAGE_ERROR
    assert _rendered(BUDGETS / f"{name}.toml") == snapshot


@pytest.mark.parametrize(
    ("name", "line", "fragments"),
    [
        ("bad_key", 5, ["budgets.api_p95.maxx", "Did you mean 'max'?"]),
        ("wrong_type", 5, ["budgets.api_p95.max", "expected a number, got str '100ms'"]),
        ("both_limits", 6, ["budgets.cache.max", "min and max are both set"]),
        ("no_limit", 3, ["budgets.api_p95", "no limit"]),
        ("bad_level", 6, ["'warning'", "Did you mean 'warn'?"]),
        ("unknown_profile", 7, ["profiles.peek", "Did you mean 'peak'?"]),
        ("bad_action", 8, ["findings.rules.10038", "Did you mean 'FAIL'?"]),
    ],
)
def test_message_names_the_line_key_and_suggestion(name: str, line: int, fragments: list[str]) -> None:
    message = _error(BUDGETS / f"{name}.toml").message
    assert message.startswith(f"{BUDGETS / name}.toml:{line}: ")
    for fragment in fragments:
        assert fragment in message


def test_syntax_error_names_line_and_column() -> None:
    message = _error(BUDGETS / "syntax_error.toml").message
    assert message.startswith(f"{BUDGETS}/syntax_error.toml:5:")
    assert "TOML syntax error" in message


def test_the_shipped_budget_file_loads_and_encodes_every_target() -> None:
    budgets = load_budgets(SHIPPED)
    by_metric = {(b.metric, b.comparison): b for b in budgets.budgets}
    expected = {
        ("load.http.p95_ms", Comparison.MAX): 100,
        ('load.endpoint["*"].p95_ms', Comparison.MAX): 100,
        ("load.http.error_ratio", Comparison.MAX): 0.001,
        ("load.ws.p95_ms", Comparison.MAX): 50,
        ("load.db.query_p95_ms", Comparison.MAX): 10,
        ("load.cache.hit_ratio", Comparison.MIN): 0.8,
        ('load.upload["*"].p95_s', Comparison.MAX): 5,
        ("load.users.peak", Comparison.MIN): 1000,
        ("load.availability.ratio", Comparison.MIN): 0.999,
        ("load.recovery_s", Comparison.MAX): 300,
        ("coverage.line_ratio", Comparison.MIN): 0.85,
        ("e2e.workflows.pass_ratio", Comparison.MIN): 1.0,
        ('e2e.page["*"].load_ms', Comparison.MAX): 3000,
        ('e2e.page["*"].lcp_ms', Comparison.MAX): 2500,
        ('e2e.page["*"].cls', Comparison.MAX): 0.1,
        ('e2e.page["*"].inp_ms', Comparison.MAX): 200,
        ("e2e.performance.score", Comparison.MIN): 90,
        ("contracts.findings.blocking", Comparison.MAX): 0,
        ("contracts.operations.tested_ratio", Comparison.MIN): 0.95,
        ("security.findings.blocking", Comparison.MAX): 0,
        ("security.grade_score", Comparison.MIN): 100,
        ("a11y.findings.blocking", Comparison.MAX): 0,
        ('a11y.page["*"].audited', Comparison.MIN): 1,
    }
    assert {key: by_metric[key].limit for key in expected} == expected
    assert budgets.known is not None and budgets.known.entries == ()


def test_shipped_profiles_select_the_right_budgets() -> None:
    budgets = load_budgets(SHIPPED)
    smoke = {b.id for b in budgets.for_profile("smoke")}
    assert "users_peak" in {b.id for b in budgets.for_profile("peak")} and "users_peak" not in smoke
    assert "recovery" in {b.id for b in budgets.for_profile("resilience")} and "recovery" not in smoke
    stress = {b.id: b for b in budgets.for_profile("stress")}
    assert stress["api_p95"].level is Level.WARN
    assert {b.id: b for b in budgets.for_profile("smoke")}["api_p95"].level is Level.FAIL


def test_override_replaces_the_limit_kind_and_keeps_the_rest(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """schema_version = 1
[budgets.p95]
metric = "load.http.p95_ms"
max = 100
warn_max = 80
tip = "look at the histograms"
[profiles.soak.budgets.p95]
max = 150
""",
    )
    soak = load_budgets(path).for_profile("soak")[0]
    assert (soak.limit, soak.warn_limit, soak.tip) == (150.0, None, "look at the histograms")
    assert load_budgets(path).for_profile("smoke")[0].limit == 100.0


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('[budgets.x]\nmetric = "load.a_ms"\nmax = 1\n', "schema_version = 1"),
        ("schema_version = 1\n", "at least one [budgets.<id>]"),
        ('schema_version = 1\n[budgets.x]\nmetric = "load.a_ms"\nmax = 1\nwarn_max = 2\n', "warn only after"),
        ('schema_version = 1\n[budgets.x]\nmetric = "load.a_ms"\nmin = 1\nwarn_max = 2\n', "use warn_min"),
        ('schema_version = 1\n[budgets.x]\nmetric = "load.a_ms"\nmax = 1\nprofiles = ["smok"]\n', "'smoke'"),
        ('schema_version = 1\n[budgets.x]\nmetric = "load.a_ms"\nmax = 1\n[profiles.peak.budgets.y]\n', "budget 'y'"),
        ('schema_version = 1\n[budgets.x]\nmetric = "load.a_ms"\nmax = true\n', "expected a number"),
        ('schema_version = 1\n[budgets.x]\nmetric = "load.a_ms"\nmax = 1\nbetter = "lower"\n', "max_regression_pct"),
        ('schema_version = 1\nbudget = 1\n[budgets.x]\nmetric = "load.a_ms"\nmax = 1\n', "'budgets'"),
        (
            'schema_version = 1\n[budgets.x]\nmetric = "load.a_ms"\nmax = 1\n[findings]\ndefault = {hihg = "FAIL"}\n',
            "'high'",
        ),
    ],
)
def test_other_mistakes_are_reported(tmp_path: Path, text: str, fragment: str) -> None:
    assert fragment in _error(write(tmp_path, text)).render()


def test_inline_table_key_gets_its_line(tmp_path: Path) -> None:
    text = 'schema_version = 1\n\n[budgets.x]\nmetric = "load.a_ms"\nmax = 1\n\n[findings]\ndefault = {low = "NOPE"}\n'
    assert _error(write(tmp_path, text)).message.startswith(f"{tmp_path}/budgets.toml:8: findings.default.low:")


def test_rules_file_is_read_and_toml_rules_win(tmp_path: Path) -> None:
    write(tmp_path, "# ZAP baseline rules\n10038\tIGNORE\t(CSP)\n10021\tINFO\t(x)\n10020\tWARN\n", "rules.tsv")
    path = write(
        tmp_path,
        'schema_version = 1\n[budgets.x]\nmetric = "security.findings.blocking"\nmax = 0\n'
        '[findings]\nrules_file = "rules.tsv"\n[findings.rules]\n"10020" = "fail"\n',
    )
    rules = load_budgets(path).findings.rules
    assert rules == {"10038": Action.IGNORE, "10021": Action.IGNORE, "10020": Action.FAIL}


def test_bad_rules_file_line_is_named(tmp_path: Path) -> None:
    write(tmp_path, "10038\tIGNORE\n10020\tWRAN\t(x)\n", "rules.tsv")
    path = write(
        tmp_path, 'schema_version = 1\n[budgets.x]\nmetric = "a11y.x"\nmax = 0\n[findings]\nrules_file = "rules.tsv"\n'
    )
    message = _error(path).render()
    assert f"{tmp_path}/rules.tsv:2:" in message and "Did you mean 'WARN'?" in message


def test_required_keeps_unset_true_and_false_apart(tmp_path: Path) -> None:
    # Unset lets a stage say "not applicable"; true insists on a measurement; false only notes a gap.
    path = write(
        tmp_path,
        """schema_version = 1
[budgets.unset]
metric = "load.ws.p95_ms"
max = 50
[budgets.insist]
metric = "load.ws.p95_ms"
max = 50
required = true
[budgets.optional]
metric = "load.ws.p95_ms"
max = 50
required = false
[profiles.peak.budgets.unset]
required = true
[profiles.peak.budgets.insist]
max = 40
""",
    )
    budgets = load_budgets(path)
    assert {b.id: b.required for b in budgets.for_profile("smoke")} == {
        "unset": None,
        "insist": True,
        "optional": False,
    }
    assert {b.id: b.required for b in budgets.for_profile("peak")} == {"unset": True, "insist": True, "optional": False}
