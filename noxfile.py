"""The front door: one session per stage, plus gate, tests, lint, ui, bench and target.

`./noxw -s gate` runs every stage on the bundled app and exits with the gate's code.
Arguments after `--` go to `harness run` (e.g. `./noxw -s load -- --profile peak`).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import threading
from pathlib import Path
from types import FrameType

import nox

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_venv = "yes"
nox.options.sessions = ["lint", "tests"]

PYPROJECT = nox.project.load_toml("pyproject.toml")
PYTHON = "3.11"
PROJECT = ".[bundled-app]"
"""The harness with the bundled demo app's stack (an extra): the sessions' default target and the tests' app."""
STOP = {"interrupt_timeout": 30.0, "terminate_timeout": 5.0}
"""On Ctrl-C the command gets the signal too and needs time to stop its target and write the verdict and
reports; nox's defaults (SIGTERM after 0.3 s, SIGKILL 0.2 s later) would leave a half-written run."""


def _forward_sigterm(signum: int, frame: FrameType | None) -> None:
    """nox has no SIGTERM handler: it would die at once and leave its command running (a CI runner cancels
    a job with SIGTERM). Hand the signal to nox's children (the harness and the UI take it like Ctrl-C),
    then unwind like Ctrl-C, so nox waits for them as long as `STOP` allows."""
    for child in _children(os.getpid()):
        with contextlib.suppress(ProcessLookupError):
            os.kill(child, signal.SIGTERM)
    raise KeyboardInterrupt


def _children(pid: int) -> list[int]:
    """The direct children of ``pid``, from /proc; none without it (not Linux): nox's own SIGTERM follows
    after `STOP`'s interrupt timeout."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            if int(stat.read_text().rpartition(")")[2].split()[1]) == pid:  # field 4, after the "(name)"
                found.append(int(stat.parent.name))
    return found


if threading.current_thread() is threading.main_thread():
    signal.signal(signal.SIGTERM, _forward_sigterm)


def _install(session: nox.Session, *groups: str) -> None:
    requirements = [req for group in groups for req in nox.project.dependency_groups(PYPROJECT, group)]
    # uv, unlike pip, installs without bytecode: every process of a run (the harness, Locust, pytest,
    # Schemathesis, the audits) would compile its imports again, seconds each, where the environment
    # sets PYTHONDONTWRITEBYTECODE (as CI machines often do).
    session.install("-e", PROJECT, *requirements, env={"UV_COMPILE_BYTECODE": "1"})


def _node_tools(session: nox.Session) -> None:
    """Lighthouse (the e2e stage's performance score): `npm ci` from package-lock.json, again only when the
    lock changed. Without npm the e2e stage reports the score as unavailable and says why."""
    installed = Path("node_modules", ".package-lock.json")
    if installed.is_file() and installed.stat().st_mtime >= Path("package-lock.json").stat().st_mtime:
        return
    if shutil.which("npm") is None:
        session.warn("npm not found, Lighthouse not installed: apt-get install -y nodejs npm, then npm ci")
        return
    session.run("npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund", external=True)


def _harness_run(session: nox.Session, *args: str) -> None:
    _install(session)
    session.run("harness", "run", *args, *session.posargs, **STOP)


PARALLEL = ("-n", "auto", "--dist", "loadfile", "--no-loadscope-reorder")
"""One pytest-xdist worker per core, each taking a whole test file at a time, the files with the most slow
tests first (tests/fixtures/workers.py). `-- -n 0` runs the tests serially."""


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """The harness's own tests (real app, real Locust, real Chromium, real Schemathesis)."""
    _install(session, "test")
    _node_tools(session)
    # Hundreds of harness, Locust and pytest processes import the checkout's own modules: let them keep
    # its bytecode (in the ignored __pycache__ folders) even where PYTHONDONTWRITEBYTECODE is set.
    session.run("pytest", *PARALLEL, *session.posargs, env={"PYTHONDONTWRITEBYTECODE": ""}, **STOP)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff, strict mypy and the import contracts of ARCHITECTURE.md's layers on the harness packages."""
    _install(session, "lint")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("mypy")
    session.run("lint-imports", "--no-cache")


@nox.session(python=PYTHON, default=False)
def gate(session: nox.Session) -> None:
    """Every stage on the bundled target (or --target-url), then the budget gate; CI exit code."""
    _node_tools(session)
    _harness_run(session)


@nox.session(python=PYTHON, default=False)
def load(session: nox.Session) -> None:
    """Locust load stage alone (e.g. `-- --profile peak`)."""
    _harness_run(session, "--stages", "load")


@nox.session(python=PYTHON, default=False)
def e2e(session: nox.Session) -> None:
    """Playwright workflow tests, Web Vitals and Lighthouse's performance score."""
    _node_tools(session)
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
    session.run("python", "-m", "scenarios.ui", *session.posargs, **STOP)


@nox.session(python=PYTHON, default=False)
def bench(session: nox.Session) -> None:
    """Every figure of issue 21's table with its goal, as ratios to references in the same run (bench/run.py;
    `-- --only scale,peak` picks rows, `-- --suite` also times the test suite); table in the run folder."""
    search = f"{os.environ.get('PATH', '')}:/usr/sbin"
    missing = [tool for tool in ("wrk", "nginx", "taskset") if shutil.which(tool, path=search) is None]
    if missing:
        session.error(f"missing {', '.join(missing)}: sudo apt-get install -y wrk nginx-light util-linux")
    _install(session, "test")
    _node_tools(session)
    session.run("python", "bench/run.py", f"--pytest-args={' '.join(PARALLEL)}", *session.posargs, **STOP)


@nox.session(python=PYTHON, default=False)
def trust(session: nox.Session) -> None:
    """Trust benchmark: 10 clean smoke gates and every fault switch once; false alarms, misses, wrong
    catches, inconclusive runs (`-- --clean 1 --faults slow-catalogue,error-rate` for a short one)."""
    _install(session)
    _node_tools(session)
    session.run("python", "bench/trust.py", *session.posargs, **STOP)


@nox.session(python=PYTHON, default=False)
def coverage(session: nox.Session) -> None:
    """Target code and API-operation coverage; without load, since coverage.py doubles server latency."""
    _node_tools(session)
    _harness_run(session, "--coverage", "--stages", "e2e,contracts,security,accessibility")


@nox.session(python=PYTHON, default=False)
def target(session: nox.Session) -> None:
    """Serve the bundled app in the foreground on 127.0.0.1:8000 (QA, debugging)."""
    _install(session)
    session.run("harness", "target", *session.posargs, **STOP)
