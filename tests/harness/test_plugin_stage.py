"""A stage installed through entry points is a stage like the built-ins: `harness run --stages` runs it,
``-o`` checks its options, the budget file judges its metrics, and every report shows it.

The plugin is installed for real: a folder on the ``PYTHONPATH`` of the `harness` subprocess holding its
module and a ``.dist-info`` whose ``entry_points.txt`` declares the three groups.
"""

from __future__ import annotations

import http.server
import json
import os
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.runs import harness_cli
from tests.fixtures.servers import serve
from vocabulary.exit_codes import ExitCode

MODULE = '''"""tiny: every path of its ``paths`` option must answer 200."""

import urllib.error
import urllib.request

from stagekit.stage_metrics import StageMetric, Unit
from stagekit.stage_options import StageOption
from vocabulary.records import Finding, Severity

OPTIONS = (StageOption("paths", ["/"], "paths of the target that must answer 200"),)
METRICS = (
    StageMetric("tiny.checks.failed", Unit.COUNT, "paths that did not answer 200"),
    StageMetric("tiny.checks.total", Unit.COUNT, "paths checked"),
)


def _status(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def run(ctx):
    paths = ctx.options.get("paths", ["/"])
    failed = [path for path in paths if _status(ctx.target.url + path) != 200]
    findings = [Finding("not-200", Severity.MEDIUM, "does not answer 200", path, f"tiny:{path}") for path in failed]
    metrics = {"tiny.checks.failed": float(len(failed)), "tiny.checks.total": float(len(paths))}
    return ctx.result(metrics=metrics, findings=findings)
'''
ENTRY_POINTS = """[harness.stages]
tiny = tinystage:run

[harness.stage_options]
tiny = tinystage:OPTIONS

[harness.stage_metrics]
tiny = tinystage:METRICS
"""
BUDGETS = """schema_version = 1

[budgets.tiny_checks]
metric = "tiny.checks.failed"
max = 0
"""


class _Site(http.server.BaseHTTPRequestHandler):
    """``/`` answers 200, every other path 404."""

    def do_GET(self) -> None:
        self.send_response(200 if self.path == "/" else 404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


@pytest.fixture
def site() -> Iterator[str]:
    with serve(_Site, poll_s=0.05) as url:
        yield url


@pytest.fixture
def plugin(tmp_path: Path) -> dict[str, str]:
    """The environment of a `harness` subprocess with the tiny stage installed."""
    folder = tmp_path / "site-packages"
    info = folder / "tinystage-0.1.dist-info"
    info.mkdir(parents=True)
    (folder / "tinystage.py").write_text(MODULE, encoding="utf-8")
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: tinystage\nVersion: 0.1\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(ENTRY_POINTS, encoding="utf-8")
    (tmp_path / "budgets.toml").write_text(BUDGETS, encoding="utf-8")
    return {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(folder), os.environ.get("PYTHONPATH")]))}


def _runs(tmp_path: Path, env: dict[str, str], site: str, *paths: str) -> list[tuple[int, Path, str]]:
    """One `harness run --stages tiny` per ``paths`` option, side by side (each mostly waits on imports)."""

    def run(index: int) -> tuple[int, Path, str]:
        out = tmp_path / f"runs-{index}"
        args = ["run", "--stages", "tiny", "--target-url", site, "--budgets", str(tmp_path / "budgets.toml")]
        option = f"tiny.paths={paths[index]}"
        done = harness_cli(*args, "--out", str(out), "-o", option, cwd=tmp_path, env=env, timeout=60)
        return done.returncode, (out / "latest").resolve(), done.stderr

    with ThreadPoolExecutor(len(paths)) as pool:
        return list(pool.map(run, range(len(paths))))


def test_a_plugin_stage_runs_is_judged_and_appears_in_every_report(
    tmp_path: Path, plugin: dict[str, str], site: str
) -> None:
    breached, met = _runs(tmp_path, plugin, site, '["/", "/missing"]', '["/"]')
    code, run, stderr = breached
    assert code == ExitCode.BREACHED, stderr
    assert json.loads((run / "run.json").read_text(encoding="utf-8"))["stages"] == ["tiny"]
    result = json.loads((run / "tiny.json").read_text(encoding="utf-8"))
    assert result["metrics"] == {"tiny.checks.failed": 1.0, "tiny.checks.total": 2.0}
    verdict = json.loads((run / "verdict.json").read_text(encoding="utf-8"))
    assert verdict["stages"] == ["tiny"] and verdict["judged_stages"] == ["tiny"]
    assert [(b["stage"], b["metric"], b["status"]) for b in verdict["budgets"]] == [
        ("tiny", "tiny.checks.failed", "fail")
    ]
    summary = (run / "summary.md").read_text(encoding="utf-8")
    assert "judged by: tiny" in summary and "| `tiny_checks` | tiny |" in summary
    assert "- **tiny** · `not-200` (medium): 1 place: `/missing`" in summary
    page = (run / "report.html").read_text(encoding="utf-8")
    # The generic view: the stage's findings and every metric it published.
    assert 'id="stage-tiny"' in page and "tiny: findings (1)" in page and "tiny.checks.total" in page
    suites = ET.parse(run / "junit.xml").getroot().findall("testsuite")
    assert [(s.get("name"), s.get("failures")) for s in suites] == [("tiny", "1")]

    code, run, stderr = met
    assert code == ExitCode.OK, stderr
    assert json.loads((run / "verdict.json").read_text(encoding="utf-8"))["outcome"] == "pass"


def test_a_plugin_stage_option_typo_is_refused_before_any_traffic(
    tmp_path: Path, plugin: dict[str, str], site: str
) -> None:
    args = ["run", "--stages", "tiny", "--target-url", site, "--out", str(tmp_path / "runs"), "-o", "tiny.pathz=[]"]
    done = harness_cli(*args, cwd=tmp_path, env=plugin, timeout=60)
    assert done.returncode == ExitCode.USAGE_ERROR, done.stderr
    assert "tiny option 'pathz'" in done.stderr and "Did you mean 'paths'?" in done.stderr
    assert not (tmp_path / "runs").exists()
