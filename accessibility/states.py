"""Scripted UI states worth auditing: most real violations live in states, not landing pages.

A state drives a fresh page from the target's base URL into one interesting condition (a form
showing its errors, a failed login, the page after an upload) and leaves it there for axe. The
states are target knowledge: the target description names them (``states = "module:attribute"``,
a sequence of `State`), e.g. ``myapp.a11y:STATES``. They are
independent of the e2e tests, so this stage runs without the e2e stage.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from vocabulary.errors import ErrorKind, HarnessError

if TYPE_CHECKING:
    from playwright.sync_api import Page

_TIP = 'set [tool.harness.target] states = "yourpackage.module:STATES" (a sequence of accessibility.states.State)'


@dataclasses.dataclass(frozen=True)
class State:
    """One scripted state: a name (``state:<name>`` in findings) and the steps that reach it."""

    name: str
    description: str
    auth: bool
    """Reached from a browser context carrying the target's auth recipe's credentials."""
    steps: Callable[[Page, str, Path], None]
    """Drive ``page`` from ``base_url`` into the state; the folder holds scratch files (uploads)."""


def submit_without_browser_checks(page: Page, form_selector: str) -> None:
    """Submit a form as-is, skipping HTML5 validation, so the server's error messages render."""
    with page.expect_navigation():
        page.locator(form_selector).evaluate("form => { form.noValidate = true; form.requestSubmit(); }")


def load_states(ref: str, folder: Path | None = None) -> tuple[State, ...]:
    """The states ``ref`` names (``"module:attribute"``), importable from ``folder`` (the description's) too."""
    module_name, _, attribute = ref.partition(":")
    if not module_name or not attribute:
        raise HarnessError(ErrorKind.CONFIG, f"target states {ref!r} is not of the form module:attribute", tip=_TIP)
    try:
        with _importable_from(folder):
            module = importlib.import_module(module_name)
    except ImportError as exc:
        raise HarnessError(ErrorKind.CONFIG, f"cannot import the target states {ref!r}: {exc}", tip=_TIP) from exc
    states = getattr(module, attribute, None)
    if not isinstance(states, list | tuple) or not all(isinstance(state, State) for state in states):
        raise HarnessError(ErrorKind.CONFIG, f"target states {ref!r} is not a sequence of State", tip=_TIP)
    return tuple(states)


@contextlib.contextmanager
def _importable_from(folder: Path | None) -> Iterator[None]:
    """The project's own modules import from its folder, however the harness was started.

    Appended, not prepended: the folder must not shadow the modules the import itself needs.
    """
    if folder is None or str(folder) in sys.path:
        yield
        return
    sys.path.append(str(folder))
    try:
        yield
    finally:
        sys.path.remove(str(folder))
