"""The steps of each marketplace workflow test, declared once (keyed by the test's name).

Step names end up in failure messages ("failed at step 'submit upload'"), in known-failure entries
and in the locations of the accessibility audits after each step, so a typo must fail the test
rather than invent a new name: the ``step`` fixture of ``conftest.py`` checks every step here.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from contextlib import AbstractContextManager

StepFn = Callable[[str], AbstractContextManager[None]]
"""The harness's optional ``step`` fixture: ``with step("submit upload"): ...``."""

STEPS: dict[str, tuple[str, ...]] = {
    "test_register": ("open register page", "fill form", "submit", "see signed in"),
    "test_login": ("open login page", "fill credentials", "submit", "see signed in"),
    "test_logout": ("log in", "log out", "see signed out"),
    "test_browse": ("open catalogue", "see models", "next page"),
    "test_search": ("open catalogue", "search", "see matching models"),
    "test_filter": ("open catalogue", "choose category", "see filtered models"),
    "test_sort": ("open catalogue", "choose sort", "see sorted models"),
    "test_open_model": ("open catalogue", "open first model", "see model details"),
    "test_rate": ("log in", "open model", "rate", "see rating saved"),
    "test_comment": ("log in", "open model", "write comment", "see comment"),
    "test_share": ("open model", "share", "see share link"),
    "test_upload": (
        "log in",
        "open watcher tab",
        "open upload form",
        "fill upload form",
        "submit upload",
        "see model page",
        "see it listed",
        "see notification in second tab",
    ),
    "test_download": ("open model", "download", "check file"),
    "test_feedback": ("open feedback page", "fill feedback", "submit", "see thanks"),
    "test_wiki_create": ("log in", "open new wiki page", "fill page", "save", "see page"),
    "test_wiki_edit": ("log in", "create page", "edit page", "save", "see new text"),
    "test_wiki_history": ("log in", "create and edit page", "open history", "see revisions"),
    "test_beta_signup": ("open beta page", "fill form", "submit", "see confirmation"),
    "test_dashboard": ("open dashboard", "see figures"),
}


class UndeclaredStepError(AssertionError):
    """A test used a step (or is a test) this table does not declare."""


def check_step(test: str, step: str) -> None:
    """Raise unless ``step`` is one of the declared steps of ``test``."""
    declared = STEPS.get(test)
    if declared is None:
        raise UndeclaredStepError(f"{test} declares no steps: add it to STEPS in {__file__}")
    if step not in declared:
        close = difflib.get_close_matches(step, declared, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise UndeclaredStepError(f"step {step!r} is not declared for {test}.{hint} Declared: {', '.join(declared)}")
