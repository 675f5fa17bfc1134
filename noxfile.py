"""The front door: one session per stage, plus gate, tests, lint, ui, bench and target.

`./noxw -s gate` runs every stage on the bundled app and exits with the gate's code.
Arguments after `--` go to `harness run` (e.g. `./noxw -s load -- --profile peak`).
"""

from __future__ import annotations

import os
import shutil

import nox

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_venv = "yes"
nox.options.sessions = ["lint", "tests"]

PYPROJECT = nox.project.load_toml("pyproject.toml")
PYTHON = "3.11"


def _install(session: nox.Session, *groups: str) -> None:
    requirements = [req for group in groups for req in nox.project.dependency_groups(PYPROJECT, group)]
    session.install("-e", ".", *requirements)


def _harness_run(session: nox.Session, *args: str) -> None:
    _install(session)
    session.run("harness", "run", *args, *session.posargs)


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """The harness's own tests (real app, real Locust, real Chromium, real Schemathesis)."""
    _install(session, "test")
    session.run("pytest", *session.posargs)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff and strict mypy on the harness packages."""
    _install(session, "lint")
    session.run("ruff", "check", ".")
    session.run("mypy")


@nox.session(python=PYTHON, default=False)
def gate(session: nox.Session) -> None:
    """Every stage on the bundled target (or --target-url), then the budget gate; CI exit code."""
    _harness_run(session)


@nox.session(python=PYTHON, default=False)
def load(session: nox.Session) -> None:
    """Locust load stage alone (e.g. `-- --profile peak`)."""
    _harness_run(session, "--stages", "load")


@nox.session(python=PYTHON, default=False)
def e2e(session: nox.Session) -> None:
    """Playwright workflow tests and Web Vitals."""
    _harness_run(session, "--stages", "e2e")


@nox.session(python=PYTHON, default=False)
def contracts(session: nox.Session) -> None:
    """Schemathesis contract tests of the OpenAPI document."""
    _harness_run(session, "--stages", "contracts")


@nox.session(python=PYTHON, default=False)
def security(session: nox.Session) -> None:
    """Passive security baseline (or ZAP with `-- --zap-url`), grade and SARIF."""
    _harness_run(session, "--stages", "security")


@nox.session(python=PYTHON, default=False)
def accessibility(session: nox.Session) -> None:
    """axe audits of every page and workflow state (WCAG 2.1 AA)."""
    _harness_run(session, "--stages", "accessibility")


@nox.session(python=PYTHON, default=False)
def ui(session: nox.Session) -> None:
    """Locust's web UI with a Budgets tab against the bundled target (or `-- --target-url URL`)."""
    _install(session)
    session.run("python", "-m", "scenarios.ui", *session.posargs)


@nox.session(python=PYTHON, default=False)
def bench(session: nox.Session) -> None:
    """Benchmarks that print figures (ratios to a reference in the same run): load generator vs
    plain Locust and wrk, the bundled app's throughput, report rendering."""
    search = f"{os.environ.get('PATH', '')}:/usr/sbin"
    missing = [tool for tool in ("wrk", "nginx", "taskset") if shutil.which(tool, path=search) is None]
    if missing:
        session.error(f"missing {', '.join(missing)}: sudo apt-get install -y wrk nginx-light util-linux")
    _install(session)
    session.run("python", "bench/load_bench.py", *session.posargs)
    session.run("python", "bench/target_app_bench.py")
    session.run("python", "bench/report_bench.py")


@nox.session(python=PYTHON, default=False)
def coverage(session: nox.Session) -> None:
    """Target code and API-operation coverage; without load, since coverage.py doubles server latency."""
    _harness_run(session, "--coverage", "--stages", "e2e,contracts,security,accessibility")


@nox.session(python=PYTHON, default=False)
def target(session: nox.Session) -> None:
    """Serve the bundled app in the foreground on 127.0.0.1:8000 (QA, debugging)."""
    _install(session)
    session.run("harness", "target", *session.posargs)
