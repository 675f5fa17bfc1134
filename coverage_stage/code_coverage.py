"""Target code coverage: the rc file a started Python target runs under, then combine and measure.

Named ``code_coverage`` because a module called ``coverage`` would shadow coverage.py. The target
runs as ``python -m coverage run --rcfile=<run>/coverage/coveragerc`` in parallel mode; the rc
file's ``patch = subprocess`` (coverage >= 7.10) makes every Python child it spawns (uvicorn's
worker processes) measure itself too, and ``sigterm``/``_exit`` make the data survive a hard stop.
For a target the harness does not launch, the data file the app writes itself (the description's
``coverage_data``) is combined the same way, or `read_report` takes a Cobertura XML or coverage JSON file.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import json
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import coverage
from coverage.exceptions import CoverageException, CoverageWarning

from vocabulary import atomic
from vocabulary.errors import ErrorKind, HarnessError

RCFILE = "coveragerc"
DATA_FILE = ".coverage"
JSON_REPORT = "coverage-report.json"


@dataclasses.dataclass(frozen=True)
class ModuleCoverage:
    """One source file's line and branch counts."""

    path: str
    statements: int
    covered_lines: int
    branches: int
    covered_branches: int

    @property
    def line_ratio(self) -> float:
        """Covered / executable lines (1.0 for a file without statements)."""
        return self.covered_lines / self.statements if self.statements else 1.0

    def row(self) -> dict[str, Any]:
        """The JSON row of the per-module table."""
        return {**dataclasses.asdict(self), "line_ratio": round(self.line_ratio, 4)}


@dataclasses.dataclass(frozen=True)
class CoverageSummary:
    """Totals and the per-module table of one measurement."""

    modules: tuple[ModuleCoverage, ...]
    source: str
    """Where the figures came from: the combined data file or the report path."""
    warnings: tuple[str, ...] = ()
    """What coverage.py warned about while combining (e.g. a data file it could not read)."""

    @property
    def statements(self) -> int:
        """Executable lines over every module."""
        return sum(m.statements for m in self.modules)

    @property
    def line_ratio(self) -> float | None:
        """Covered / executable lines; None when nothing was measurable."""
        covered = sum(m.covered_lines for m in self.modules)
        return covered / self.statements if self.statements else None

    @property
    def branch_ratio(self) -> float | None:
        """Covered / possible branch destinations; None without branch data."""
        branches = sum(m.branches for m in self.modules)
        return sum(m.covered_branches for m in self.modules) / branches if branches else None


def write_rcfile(folder: Path, source: Sequence[str]) -> Path:
    """Write the target's coverage rc file into ``folder`` (the run's coverage artifacts)."""
    # The project's own [tool.coverage] measures the harness; the target needs its own config,
    # so the rc file is always passed explicitly (--rcfile) and never discovered.
    text = "\n".join(
        [
            "[run]",
            "branch = True",
            "parallel = True",
            f"data_file = {folder / DATA_FILE}",
            "source =",
            *(f"    {name}" for name in source),
            "patch =",
            "    subprocess",
            "    _exit",
            "sigterm = True",
            "",
        ]
    )
    path = folder / RCFILE
    atomic.write_text(path, text)
    return path


def source_digests(packages: Sequence[str]) -> dict[str, str]:
    """SHA-256 of every ``.py`` file of the measured packages, to detect edits during a run."""
    digests: dict[str, str] = {}
    for name in packages:
        spec = importlib.util.find_spec(name)
        for folder in (spec.submodule_search_locations or []) if spec else []:
            for file in sorted(Path(folder).rglob("*.py")):
                digests[str(file)] = hashlib.sha256(file.read_bytes()).hexdigest()
    return digests


def changed_sources(before: dict[str, str], packages: Sequence[str]) -> list[str]:
    """Files whose content differs from ``before`` (coverage.py maps line numbers onto the file as it is now)."""
    after = source_digests(packages)
    return sorted(path for path in before.keys() | after.keys() if before.get(path) != after.get(path))


def data_files(folder: Path) -> list[Path]:
    """The parallel-mode data files the target's processes wrote into ``folder``."""
    return sorted(p for p in folder.glob(f"{DATA_FILE}.*") if p.is_file())


def described_data_files(path: Path) -> list[Path]:
    """The data file an app writes itself (``target.coverage_data``) and its parallel-mode siblings."""
    siblings = sorted(p for p in path.parent.glob(f"{path.name}.*") if p.is_file())
    return [path, *siblings] if path.is_file() else siblings


def combine_and_measure(folder: Path, rcfile: Path | None, sources: Sequence[Path] | None = None) -> CoverageSummary:
    """Combine coverage data into ``folder`` and measure it (also writes a JSON report there).

    The data is the started target's parallel files in ``folder``, or ``sources`` (files an app
    wrote elsewhere: read, never changed or deleted).
    """
    files = data_files(folder) if sources is None else list(sources)
    if not files:
        raise HarnessError(
            ErrorKind.STAGE,
            f"no coverage data in {folder if sources is None else 'the described coverage_data'}: "
            "the target wrote none (was it stopped before it saved?)",
            tip="see target.log; the target must be stopped with SIGINT/SIGTERM, not SIGKILL",
        )
    cov = coverage.Coverage(data_file=str(folder / DATA_FILE), config_file=str(rcfile) if rcfile else False)
    report = folder / JSON_REPORT
    # A process killed while saving leaves an unreadable file: coverage warns and skips it;
    # the warnings are kept with the figures instead of vanishing (or failing the whole stage).
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", CoverageWarning)
        try:
            cov.combine(data_paths=[str(file) for file in files], keep=True)
            cov.save()
            cov.json_report(outfile=str(report))
        except CoverageException as exc:
            raise HarnessError(ErrorKind.STAGE, f"cannot measure the coverage data {files[0]}: {exc}") from exc
    summary = from_coverage_json(report)
    return dataclasses.replace(summary, warnings=tuple(str(w.message) for w in caught))


def read_report(path: Path) -> CoverageSummary:
    """A report file made elsewhere: coverage JSON (``coverage json``) or Cobertura XML."""
    if not path.is_file():
        raise HarnessError(
            ErrorKind.CONFIG,
            f"coverage report {path} does not exist",
            tip="set [tool.harness.coverage] report to a file written by `coverage json` or `coverage xml`",
        )
    if path.suffix.lower() == ".xml":
        return from_cobertura(path)
    return from_coverage_json(path)


def from_coverage_json(path: Path) -> CoverageSummary:
    """Parse a coverage.py JSON report."""
    try:
        files: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError) as exc:
        raise HarnessError(ErrorKind.STAGE, f"{path} is not a coverage.py JSON report: {exc!r}") from exc
    modules = tuple(
        ModuleCoverage(
            path=name,
            statements=int(entry["summary"]["num_statements"]),
            covered_lines=int(entry["summary"]["covered_lines"]),
            branches=int(entry["summary"].get("num_branches", 0)),
            covered_branches=int(entry["summary"].get("covered_branches", 0)),
        )
        for name, entry in sorted(files.items())
    )
    return CoverageSummary(modules, str(path))


def from_cobertura(path: Path) -> CoverageSummary:
    """Parse a Cobertura XML report (coverage.py, gcovr, JaCoCo converters, Istanbul ...)."""
    try:
        root = ElementTree.parse(path).getroot()
    except (OSError, ElementTree.ParseError) as exc:
        raise HarnessError(ErrorKind.STAGE, f"{path} is not a Cobertura XML report: {exc}") from exc
    return CoverageSummary(tuple(_cobertura_class(c) for c in root.iter("class")), str(path))


def _cobertura_class(element: ElementTree.Element) -> ModuleCoverage:
    """One ``<class>``: its ``<line hits=.. condition-coverage="50% (1/2)">`` elements counted."""
    lines = element.findall("./lines/line")
    branches = covered = 0
    for line in lines:
        text = line.get("condition-coverage", "")
        if "(" in text:
            hit, _, total = text[text.index("(") + 1 : text.index(")")].partition("/")
            covered, branches = covered + int(hit), branches + int(total)
    return ModuleCoverage(
        path=element.get("filename", element.get("name", "?")),
        statements=len(lines),
        covered_lines=sum(1 for line in lines if int(line.get("hits", "0")) > 0),
        branches=branches,
        covered_branches=covered,
    )
