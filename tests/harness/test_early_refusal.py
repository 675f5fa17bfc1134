"""Every mistake `harness run` can know about is refused with exit 4 before any traffic: no run folder, no
target started, no request sent (a recording server stands in for the target)."""

from __future__ import annotations

import http.server
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import harness.pipeline  # noqa: F401 - imported here, so a test times the checks, not the first import
from harness.cli import main
from stagekit.description import AppCommand, bundled_description
from stagekit.faults import check_faults, listed_faults
from tests.fixtures.runs import harness_cli
from tests.fixtures.servers import serve
from vocabulary.errors import HarnessError
from vocabulary.exit_codes import ExitCode

REFUSED_WITHIN_S = 3.0
"""In-process (modules already imported): the checks themselves, far below the few seconds a run needs."""


class _Recorder(http.server.BaseHTTPRequestHandler):
    """Counts every request; a refused run must send none."""

    requests: list[str] = []

    def do_GET(self) -> None:
        _Recorder.requests.append(self.path)
        self.send_response(200)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def target() -> Iterator[str]:
    """A loopback server standing in for a running target; asserts it was never asked anything."""
    _Recorder.requests = []
    with serve(_Recorder, poll_s=0.05) as url:
        yield url
    assert _Recorder.requests == [], "a refused run sent a request"


def _no_run(out: Path) -> bool:
    """No run folder (preflight may have probed that ``out`` is writable, leaving it empty)."""
    return not out.exists() or not any(out.iterdir())


def _refused(
    argv: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> str:
    """Run ``harness run ARGV`` in ``tmp_path``; assert exit 4, quickly, with no run folder; the error text."""
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "runs"
    started = time.monotonic()
    code = main(["run", "--out", str(out), *argv])
    elapsed = time.monotonic() - started
    err = capsys.readouterr().err
    assert code == ExitCode.USAGE_ERROR, err
    assert elapsed < REFUSED_WITHIN_S, f"refused after {elapsed:.1f} s"
    assert _no_run(out) and not list(tmp_path.rglob("target.log"))
    return err


def _budget(tmp_path: Path, metric: str, limit: str) -> str:
    path = tmp_path / "budgets.toml"
    path.write_text(f'schema_version = 1\n[budgets.b]\nmetric = "{metric}"\n{limit}\n', encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["-o", "load.userz=5"], "unknown load option 'userz'. Did you mean 'users'?"),
        (["-o", "security.nosuchkey=1"], "unknown security option 'nosuchkey'."),
        (["-o", "load.users=abc"], "load option 'users' expects int, got 'abc'"),
        (["-o", "load.users=-5"], "load option 'users' must be >= 1, got -5"),
        (["-o", "load.duration_s=0"], "load option 'duration_s' must be > 0, got 0"),
        (["-o", "load.knee_error_ratio=5"], "load option 'knee_error_ratio' must be 0 to 1, got 5"),
        (["-o", "contracts.phases=fuzz"], "stateful, got 'fuzz'. Did you mean 'fuzzing'?"),
        (["-o", "e2e.vitals_runs=0"], "e2e option 'vitals_runs' must be >= 1, got 0"),
        (["--stages", ""], "no stage to run: stages is empty"),
        (["--target-port", "99999"], "bad value 99999 for 'target_port' in flag --target-port: must be 0 to 65535"),
    ],
)
def test_a_bad_option_or_setting_exits_4_before_any_traffic(
    target: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    expected: str,
) -> None:
    assert expected in _refused(["--target-url", target, *argv], tmp_path, monkeypatch, capsys)


@pytest.mark.parametrize(
    ("metric", "limit", "expected"),
    [
        ("load.http.p59_ms", "max = 100", ":3: budgets.b.metric: no stage publishes 'load.http.p59_ms'. "
         "Did you mean 'load.http.p95_ms'?"),
        ("load.http.error_ratio", "max = -5", ":4: budgets.b.max: max = -5 can never be met"),
        ("load.cache.hit_ratio", "min = 1.5", ":4: budgets.b.min: min = 1.5 can never be met"),
        ("load.http.p95_ms", "max = -5", ":4: budgets.b.max: max = -5 can never be met"),
    ],
)  # fmt: skip
def test_a_budget_no_stage_can_judge_exits_4_before_any_traffic(
    target: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    metric: str,
    limit: str,
    expected: str,
) -> None:
    budgets = _budget(tmp_path, metric, limit)
    err = _refused(["--target-url", target, "--budgets", budgets], tmp_path, monkeypatch, capsys)
    assert f"{budgets}{expected}" in err


def _described_app(tmp_path: Path, command: str) -> None:
    """A project whose app, if it were ever started, would leave a ``started`` file behind."""
    argv = f'["{{python}}", "-c", "open({str(tmp_path / "started")!r}, \'w\')"]'
    (tmp_path / "harness.toml").write_text(
        f'[target]\nready_path = "/"\n[target.command]\nargv = {argv}\n{command}', encoding="utf-8"
    )


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ('faults_env = "APP_FAULTS"\nfaults = ["slow-catalogue", "error-rate"]\n',
         "unknown fault 'slow-catalog'. Did you mean 'slow-catalogue'?"),
        ('faults_env = "APP_FAULTS"\nlist_faults = ["{python}", "-c", "print(\'slow-catalogue\\\\tslow\')"]\n',
         "unknown fault 'slow-catalog'. Did you mean 'slow-catalogue'?"),
        ('faults = ["slow-catalogue"]\n', "the target's command has no faults_env to hand them to the app"),
        ('faults_env = "APP_FAULTS"\nlist_faults = ["{python}", "-c", "raise SystemExit(3)"]\n',
         "list_faults command"),
    ],
)  # fmt: skip
def test_an_unknown_fault_exits_4_before_the_app_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], command: str, expected: str
) -> None:
    _described_app(tmp_path, command)
    assert expected in _refused(["--faults", "slow-catalog"], tmp_path, monkeypatch, capsys)
    assert not (tmp_path / "started").exists()


def test_the_bundled_app_lists_its_faults_and_a_misspelt_one_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    command = bundled_description().command
    assert command is not None
    listed = listed_faults(command)
    assert {"slow-catalogue", "error-rate", "crash"} <= set(listed)
    check_faults(command, ("slow-catalogue", "error-rate"))
    err = _refused(["--faults", "slow-catalog"], tmp_path, monkeypatch, capsys)
    assert "unknown fault 'slow-catalog'. Did you mean 'slow-catalogue'?" in err


def test_faults_of_an_app_that_declares_none_pass_through_to_the_app() -> None:
    check_faults(AppCommand(argv=("app",), faults_env="APP_FAULTS"), ("anything",))
    with pytest.raises(HarnessError, match=r"list_faults command .* failed"):
        check_faults(AppCommand(argv=("app",), faults_env="F", list_faults=("/nonexistent/lister",)), ("x",))


def test_the_command_line_process_exits_4_with_no_run_folder(target: str, tmp_path: Path) -> None:
    out = tmp_path / "runs"
    done = harness_cli("run", "--target-url", target, "--out", str(out), "-o", "load.users=-5", cwd=tmp_path)
    assert done.returncode == ExitCode.USAGE_ERROR, done.stdout + done.stderr
    assert "error: load option 'users' must be >= 1, got -5" in done.stderr
    assert "(set by -o load.users, [tool.harness.load] users or HARNESS_LOAD_USERS)" in done.stderr
    assert _no_run(out)
