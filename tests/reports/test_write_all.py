"""`reports.write_all` and `harness report`: every artifact from a saved run, failures never hidden."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from reports import registry, write_all
from reports.registry import RunView
from tests.fixtures.runs import RunCli
from vocabulary.errors import ErrorKind, HarnessError


def test_write_all_renders_every_artifact_and_trends(report_run: Callable[[str], Path]) -> None:
    write_all(report_run("breach"))
    path = report_run("all_stages")
    names = {p.name for p in write_all(path)}
    page = (path / "report.html").read_text(encoding="utf-8")
    assert "load.http.p95_ms over the last 2 runs, oldest first; latest 72.5 ms; 2 breached runs marked red." in page
    assert names == {"summary.md", "report.html", "junit.xml", "security.sarif", "history.jsonl", "metrics.prom"}
    sarif = json.loads((path / "security.sarif").read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0" and {r["tool"]["driver"]["name"] for r in sarif["runs"]} == {
        "release-harness security",
        "release-harness contracts",
        "release-harness accessibility",
    }


def test_no_sarif_without_security_or_contracts(report_run: Callable[[str], Path]) -> None:
    assert "security.sarif" not in {p.name for p in write_all(report_run("pass"))}


def test_missing_verdict_is_a_usage_error(report_run: Callable[[str], Path]) -> None:
    path = report_run("pass")
    (path / "verdict.json").unlink()
    with pytest.raises(HarnessError) as caught:
        write_all(path)
    assert caught.value.kind is ErrorKind.USAGE and "harness gate" in (caught.value.tip or "")


@pytest.fixture
def broken_handler() -> Iterator[None]:
    """Register a handler that crashes, and remove it afterwards."""

    @registry.handler("broken-for-test")
    def broken(run: RunView) -> Path:
        raise RuntimeError("chart exploded")

    yield
    del registry._HANDLERS["broken-for-test"]


@pytest.mark.usefixtures("broken_handler")
def test_failing_handler_is_raised_after_the_others_wrote(report_run: Callable[[str], Path]) -> None:
    path = report_run("pass")
    with pytest.raises(HarnessError) as caught:
        write_all(path)
    assert caught.value.kind is ErrorKind.INTERNAL
    assert "broken-for-test: RuntimeError: chart exploded" in caught.value.message
    assert (path / "summary.md").is_file() and (path / "report.html").is_file()


def test_duplicate_handler_name_is_refused() -> None:
    with pytest.raises(ValueError, match="already registered"):
        registry.handler("markdown")(lambda run: [])


def test_harness_report_cli_rerenders_a_saved_run(report_run: Callable[[str], Path], run_cli: RunCli) -> None:
    path = report_run("breach")
    done = run_cli("report", str(path))
    assert done.returncode == 0, done.stderr
    assert {Path(line).name for line in done.stdout.splitlines()} == {
        "summary.md",
        "report.html",
        "junit.xml",
        "history.jsonl",
        "metrics.prom",
    }
    assert (path / "summary.md").read_text(encoding="utf-8").startswith("## Release budgets: breached")
