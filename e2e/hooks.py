"""The hook other stages' pytest plugins implement to observe the workflows' steps (`stagekit.step_observers`).

`e2e.plugin` adds it to pytest (``pytest_addhooks``); the ``step`` fixture (`e2e.steps`) calls it after
each passing step. An observer implements it by name, with ``@pytest.hookimpl(optionalhook=True)``, and
imports nothing of the e2e stage.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page


@pytest.hookspec
def pytest_harness_step(item: pytest.Item, index: int, name: str, pages: list[Page]) -> None:
    """Step ``index`` (1-based) of the workflow test ``item``, called ``name``, passed; ``pages`` are the
    open tabs of the test's browser context (none when the test drives no page). The step's own duration
    is already recorded: what an observer spends here is counted apart (``observers_s``)."""
