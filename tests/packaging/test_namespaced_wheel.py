"""The built wheel puts one package into site-packages, `release_harness`, and works from there alone.

The wheel is built from a copy of the checkout by the project's own build backend
(build_support/namespaced_backend.py), then unpacked into a folder that stands in for site-packages.
It is imported with ``python -S``: no ``.pth`` file runs, so the editable install of this checkout
(which maps ``harness``, ``reports``, ... to the repository) cannot answer an import the rewrite missed.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
import tomllib
import zipfile
from pathlib import Path

import pytest

from tests.fixtures.runs import REPO, harness_cli

NAMESPACE = "release_harness"
GENERIC = (
    "harness",
    "vocabulary",
    "stagekit",
    "coverage_stage",
    "perf_budgets",
    "reports",
    "scenarios",
    "e2e",
    "contracts",
    "security",
    "accessibility",
    "target_app",
)
SAVED_RUN = REPO / "tests" / "data" / "report_runs" / "pass"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel of this checkout, built by the project's build backend from a copy of its files."""
    root = tmp_path_factory.mktemp("wheel")
    source = root / "source"
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    for name in listed:
        if name.split("/")[0] not in {"tests", "node_modules"} and (REPO / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, source / name)
    build = "import sys; sys.path.insert(0, 'build_support'); import namespaced_backend; "
    build += "print(namespaced_backend.build_wheel(sys.argv[1]))"
    out = root / "dist"
    done = subprocess.run(
        [sys.executable, "-c", build, str(out)], cwd=source, capture_output=True, text=True, timeout=180, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return out / done.stdout.split()[-1]


@pytest.fixture(scope="module")
def site(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel unpacked, as an installer would into site-packages."""
    folder = tmp_path_factory.mktemp("site")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(folder)
    return folder


def alone(site: Path, code: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Run ``code`` with only the unpacked wheel and the dependencies on the path (``-S``: no ``.pth``)."""
    paths = [str(site), sysconfig.get_paths()["purelib"]]
    prelude = f"import sys; sys.path[:0] = {paths!r}\n"
    return subprocess.run(
        [sys.executable, "-S", "-c", prelude + textwrap.dedent(code)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_wheel_holds_one_top_level_package(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        dist_info = next(n.split("/")[0] for n in names if ".dist-info/" in n)
        top = {name.split("/")[0] for name in names}
        entry_points = archive.read(f"{dist_info}/entry_points.txt").decode()
        top_level = archive.read(f"{dist_info}/top_level.txt").decode().split()
        record = list(csv.reader(io.StringIO(archive.read(f"{dist_info}/RECORD").decode())))
        contents = {name: archive.read(name) for name in names}

    assert top == {NAMESPACE, dist_info}
    assert top_level == [NAMESPACE]
    assert "harness = release_harness.harness.cli:main" in entry_points
    assert {f"{NAMESPACE}/{package}/__init__.py" for package in GENERIC} <= set(names)
    hashed = {row[0]: row[1] for row in record if row[1]}
    assert set(hashed) == set(names) - {f"{dist_info}/RECORD"}
    for name, digest in hashed.items():
        expected = base64.urlsafe_b64encode(hashlib.sha256(contents[name]).digest()).rstrip(b"=").decode()
        assert digest == f"sha256={expected}", name


def test_every_module_imports_from_the_namespace_alone(site: Path, tmp_path: Path) -> None:
    probe = f"""
        import importlib, json, pkgutil
        import {NAMESPACE}
        failed = {{}}
        for module in pkgutil.walk_packages({NAMESPACE}.__path__, "{NAMESPACE}."):
            # scripts, and the Locust files / Playwright tests that only their tool imports
            if module.name.endswith(("__main__", "locustfile", "lifeline")) or ".e2e.test_" in module.name:
                continue
            try:
                importlib.import_module(module.name)
            except Exception as error:
                failed[module.name] = repr(error)
        print(json.dumps({{"failed": failed, "modules": sorted(sys.modules)}}))
    """
    done = alone(site, probe, tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.splitlines()[-1])
    assert found["failed"] == {}
    assert {name.split(".")[0] for name in found["modules"]} & set(GENERIC) == set()
    assert len([m for m in found["modules"] if m.startswith(f"{NAMESPACE}.")]) > 150


def test_the_installed_gate_judges_a_saved_run_like_the_checkout(site: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    shutil.copytree(SAVED_RUN, run)
    gate = f"""
        from {NAMESPACE}.harness import cli
        code = cli.main(["gate", {str(run)!r}, "--out", {str(tmp_path / "installed")!r}])
        leaked = {{name.split(".")[0] for name in sys.modules}} & set({GENERIC!r})
        print("LEAKED", sorted(leaked))
        raise SystemExit(code)
    """
    installed = alone(site, gate, tmp_path)
    checkout = harness_cli("gate", str(run), "--out", str(tmp_path / "checkout"))

    assert "LEAKED []" in installed.stdout, installed.stdout[-2000:] + installed.stderr[-2000:]
    assert installed.returncode == checkout.returncode
    verdicts = [json.loads((tmp_path / out / "verdict.json").read_text()) for out in ("installed", "checkout")]
    judged = [[(b["budget"], b["status"], b["observed"]) for b in verdict["budgets"]] for verdict in verdicts]
    assert verdicts[0]["outcome"] == verdicts[1]["outcome"]
    assert judged[0] == judged[1]
    assert len(judged[0]) > 5


def test_the_bundled_apps_own_commands_name_its_namespaced_module(site: Path, tmp_path: Path) -> None:
    target = tomllib.loads((site / NAMESPACE / "target_app" / "harness.toml").read_text())["target"]
    assert target["states"] == f"{NAMESPACE}.target_app.a11y_states:STATES"
    described = target["command"]
    assert described["argv"][1:3] == ["-m", f"{NAMESPACE}.target_app"]
    assert described["coverage_source"] == [f"{NAMESPACE}.target_app"]
    command = [sys.executable if part == "{python}" else part for part in described["list_faults"]]
    env = {**os.environ, "PYTHONPATH": str(site)}
    listed = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert listed.returncode == 0, listed.stderr[-2000:]
    assert "slow-catalogue" in listed.stdout
