"""pytest plugin that attaches the harness to a team's own pytest-playwright tests (``-p e2e.plugin``).

The tests need no harness import; pytest-playwright's fixtures are extended, not replaced:

- ``browser_type_launch_args``: Chromium is the one the harness found (`stagekit.browser`);
  ``launch_browser``: every launch is confined to the target's origin (``--base-url``), so a request
  anywhere else fails inside the browser, whatever launch options the tests' conftest sets; the
  browser's API requests (``page.request``) and the test's own (``playwright.request``) take the same
  reporting proxy, and the process's sockets are guarded (`stagekit.egress`).
- ``new_context`` (behind ``context`` and ``page``): each context is watched (`e2e.contexts.PageWatch`)
  for the Web Vitals of every target page it shows and the requests it sends to the target.
  Contexts a test creates with ``browser.new_context()`` directly are not watched.
- ``--e2e-report PATH``: a JSON record per test (`e2e.recorder`): each test is a workflow.
- Optional fixtures: ``step`` (named steps and the failing one, each passing one shown to the step
  observers loaded with their own ``-p``, see `e2e.steps` and `e2e.hooks`) and ``harness_auth`` (signs
  the test's context in with the target description's auth recipe; nothing signs a test in unless it asks).

Traces and screenshots of failures come from pytest-playwright's own ``--tracing``,
``--screenshot`` and ``--output`` (the e2e stage traces the re-run of a failed test, see its ``trace`` option).
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Playwright

from e2e import hooks
from e2e.contexts import PageWatch, sign_in
from e2e.recorder import OBSERVED, Recorder
from e2e.steps import STEPS, StepFn, step_function
from stagekit import egress
from stagekit.auth import Credentials
from stagekit.browser import Confinement, confined_to, find_browser
from vocabulary.errors import HarnessError

WATCH = pytest.StashKey[PageWatch]()
NewContext = Callable[..., BrowserContext]
Launch = Callable[..., Browser]


def pytest_addoption(parser: pytest.Parser) -> None:
    """The sidecar path."""
    group = parser.getgroup("harness", "release harness (e2e stage)")
    group.addoption("--e2e-report", default=None, help="write a JSON record per test (a workflow) here")


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    """The hook the step observers implement (``pytest_harness_step``)."""
    pluginmanager.add_hookspecs(hooks)


def pytest_configure(config: pytest.Config) -> None:
    """Guard the process's own connections (`stagekit.egress`); start the sidecar recorder when asked for."""
    egress.install_from_env()
    report = config.getoption("--e2e-report")
    # Under pytest-xdist only the controller sees every report, so only it writes the sidecar.
    if report and not hasattr(config, "workerinput"):
        config.pluginmanager.register(Recorder(Path(report)), "harness-e2e-recorder")


def _target(config: pytest.Config) -> str | None:
    """The harness's target: the ``--base-url`` it passed (a conftest's own ``base_url`` may differ)."""
    url = config.getoption("--base-url", default=None)
    return str(url).rstrip("/") if url else None


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any], browser_name: str) -> dict[str, Any]:
    """Chromium as the harness found it (Playwright's own build, CHROMIUM_PATH or the system's)."""
    if browser_name != "chromium":
        return browser_type_launch_args
    try:
        # pytest-playwright's --headed asks for a window, which only the full browser has.
        found = find_browser(headless_shell=browser_type_launch_args.get("headless", True)).launch_kwargs()
    except HarnessError as exc:
        pytest.exit(exc.render(), returncode=3)
    own = list(browser_type_launch_args.get("args", []))
    return {**browser_type_launch_args, **found, "args": [*found["args"], *own]}  # type: ignore[misc]


@pytest.fixture(scope="session")
def harness_confinement(pytestconfig: pytest.Config, browser_name: str) -> Iterator[Confinement | None]:
    """The target-only proxy of this session (None without a target or for another browser)."""
    target = _target(pytestconfig)
    if browser_name != "chromium" or target is None:
        # The confinement flags are Chromium's; another browser runs as the tests launch it.
        yield None
        return
    with confined_to(target) as confinement:
        yield confinement


@pytest.fixture(scope="session")
def launch_browser(
    launch_browser: Launch, browser_type_launch_args: dict[str, Any], harness_confinement: Confinement | None
) -> Launch:
    """Every Chromium launch confined to the target's origin, whatever launch options the tests set."""
    if harness_confinement is None:
        return launch_browser
    confinement = harness_confinement

    def launch(**kwargs: Any) -> Browser:
        # Last: Chromium keeps the last of repeated switches (a test's own --proxy-server).
        args = [*kwargs.pop("args", browser_type_launch_args.get("args", [])), *confinement]
        # Playwright's API requests of the browser's contexts (page.request) take the same proxy.
        return launch_browser(**{**kwargs, "proxy": confinement.proxy}, args=args)

    return launch


@pytest.fixture(scope="session")
def playwright(playwright: Playwright, harness_confinement: Confinement | None) -> Playwright:
    """API request contexts a test makes itself (``playwright.request.new_context()``) are confined too."""
    if harness_confinement is not None:
        proxy = harness_confinement.proxy
        request = playwright.request
        make = request.new_context
        request.new_context = lambda **kwargs: make(**{**kwargs, "proxy": proxy})  # type: ignore[method-assign]
    return playwright


@pytest.fixture
def new_context(new_context: NewContext, request: pytest.FixtureRequest) -> Iterator[NewContext]:
    """pytest-playwright's context factory, with every context watched."""
    target = _target(request.config)
    if target is None:
        yield new_context
        return
    watch = PageWatch(target)

    def create(**kwargs: Any) -> BrowserContext:
        context = new_context(**kwargs)
        watch.watch(context)
        return context

    yield create
    # Before pytest-playwright's own teardown closes the contexts: the open pages are read now.
    watch.finish()
    request.node.stash[WATCH] = watch


@pytest.fixture
def step(request: pytest.FixtureRequest) -> StepFn:
    """``with step("pay"):`` names the part of the test the browser is in."""
    return step_function(request)


@pytest.fixture
def harness_auth(request: pytest.FixtureRequest) -> Credentials:
    """Sign the test's browser context in with the target description's auth recipe (opt-in)."""
    credentials = Credentials.from_env()
    target = _target(request.config)
    if credentials.empty or target is None:
        pytest.fail(
            "harness_auth: the harness handed over no credentials (the target description has no auth "
            "recipe, or it failed: see the e2e stage's notes)",
            pytrace=False,
        )
    # Only now: a test that cannot be signed in fails without starting a browser.
    sign_in(request.getfixturevalue("context"), credentials, target)
    return credentials


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    """Carry the test's name, steps and observations on its teardown report (to the recorder)."""
    report = yield
    if report.when == "teardown":
        watch = item.stash.get(WATCH, None)
        observed = {
            "name": _name(item),
            "steps": item.stash.get(STEPS, []),
            "pages": watch.samples if watch else [],
            "operations": sorted(watch.traffic.operations) if watch else [],
        }
        setattr(report, OBSERVED, observed)
    return report


def _name(item: pytest.Item) -> str:
    """The first line of the test's docstring, else its name (``test_checkout[chromium]``)."""
    doc = getattr(getattr(item, "obj", None), "__doc__", None)
    return doc.strip().splitlines()[0] if doc and doc.strip() else item.name
