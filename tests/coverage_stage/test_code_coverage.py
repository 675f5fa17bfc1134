"""Code coverage figures: a real coverage.py measurement, its rc file, and reports made elsewhere."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from coverage_stage import code_coverage
from vocabulary.errors import HarnessError

PROGRAM = """\
import subprocess
import sys


def child(flag):
    if flag:
        return "child-yes"
    return "child-no"


def main():
    if len(sys.argv) > 5:
        print("never")
    code = "from demo_pkg.main import child; child(True)"
    subprocess.run([sys.executable, "-c", code], check=True)


if __name__ == "__main__":
    main()
"""


def _write_package(tmp_path: Path) -> Path:
    """The demo package under ``tmp_path/src``; returns that folder."""
    package = tmp_path / "src" / "demo_pkg"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "main.py").write_text(PROGRAM, encoding="utf-8")
    return package.parent


def _measure(tmp_path: Path) -> code_coverage.CoverageSummary:
    """Run a small package under coverage with the harness's rc file: a child process included."""
    _write_package(tmp_path)
    folder = tmp_path / "coverage"
    folder.mkdir()
    rcfile = code_coverage.write_rcfile(folder, ("demo_pkg",))
    command = [sys.executable, "-m", "coverage", "run", f"--rcfile={rcfile}", "-m", "demo_pkg.main"]
    subprocess.run(command, cwd=tmp_path / "src", check=True, timeout=60)
    return code_coverage.combine_and_measure(folder, rcfile)


def test_a_child_process_is_measured_too(tmp_path: Path) -> None:
    summary = _measure(tmp_path)
    main = next(m for m in summary.modules if m.path.endswith("main.py"))
    assert main.statements == 13
    # Only `print("never")` and `return "child-no"` never ran; `child` ran only in the child process.
    assert main.covered_lines == 11
    assert summary.branch_ratio is not None and 0 < summary.branch_ratio < 1
    assert (tmp_path / "coverage" / code_coverage.JSON_REPORT).is_file()


def test_the_data_file_an_app_writes_itself_is_measured_and_left_as_it_was(tmp_path: Path) -> None:
    src = _write_package(tmp_path)
    data = src / ".coverage"
    command = [sys.executable, "-m", "coverage", "run", "--branch", f"--data-file={data}", "-m", "demo_pkg.main"]
    subprocess.run(command, cwd=src, check=True, timeout=60)
    written = data.read_bytes()
    folder = tmp_path / "run-coverage"
    folder.mkdir()
    summary = code_coverage.combine_and_measure(folder, None, code_coverage.described_data_files(data))
    main = next(m for m in summary.modules if m.path.endswith("main.py"))
    assert main.covered_lines == 9  # the child process ran without coverage: its lines of `child` are not measured
    assert summary.branch_ratio is not None
    assert data.read_bytes() == written and (folder / code_coverage.JSON_REPORT).is_file()


def test_a_coverage_json_report_reads_back_the_same_figures(tmp_path: Path) -> None:
    summary = _measure(tmp_path)
    again = code_coverage.read_report(tmp_path / "coverage" / code_coverage.JSON_REPORT)
    assert (again.line_ratio, again.branch_ratio) == (summary.line_ratio, summary.branch_ratio)


def test_a_cobertura_report_gives_lines_and_branches(tmp_path: Path) -> None:
    report = tmp_path / "coverage.xml"
    report.write_text(
        """<?xml version="1.0" ?>
<coverage line-rate="0.75" branch-rate="0.5"><packages><package name="app"><classes>
<class name="a.py" filename="app/a.py"><lines>
  <line number="1" hits="3"/>
  <line number="2" hits="1" branch="true" condition-coverage="50% (1/2)"/>
  <line number="3" hits="0"/>
  <line number="4" hits="2"/>
</lines></class></classes></package></packages></coverage>""",
        encoding="utf-8",
    )
    summary = code_coverage.read_report(report)
    assert [m.path for m in summary.modules] == ["app/a.py"]
    assert (summary.line_ratio, summary.branch_ratio) == (0.75, 0.5)


def test_no_data_is_an_error_not_a_zero(tmp_path: Path) -> None:
    rcfile = code_coverage.write_rcfile(tmp_path, ("demo_pkg",))
    with pytest.raises(HarnessError, match="no coverage data"):
        code_coverage.combine_and_measure(tmp_path, rcfile)


def test_a_missing_report_names_the_option(tmp_path: Path) -> None:
    with pytest.raises(HarnessError, match="does not exist") as caught:
        code_coverage.read_report(tmp_path / "nope.json")
    assert caught.value.tip is not None and "[tool.harness.coverage] report" in caught.value.tip


def test_a_source_edit_during_the_run_is_detected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "edited_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "a.py").write_text("x = 1\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    before = code_coverage.source_digests(("edited_pkg",))
    assert code_coverage.changed_sources(before, ("edited_pkg",)) == []
    (package / "a.py").write_text("\nx = 1\n", encoding="utf-8")
    assert code_coverage.changed_sources(before, ("edited_pkg",)) == [str(package / "a.py")]
