"""Audit the browser after each step of the e2e workflows: the pytest plugin the e2e stage loads into
its test run (``-p accessibility.steps --a11y-steps DIR``, as `accessibility.step_results.STEP_OBSERVER`
declares it), observing each step through the e2e stage's hook ``pytest_harness_step``.

Most real violations live in states (an open dialog, a form showing errors, the page after an
upload), and the e2e workflows already drive the target through them. After each passing step,
every open tab of the test's browser context is audited with `FrameAuditor` (iframes included),
and one JSON file per tab is written to ``<out>/<workflow>/<nn>-<step>.json`` (the workflow, a
pytest node id, as a slug). A tab whose DOM has the same shape (`_SKELETON`) as an earlier audit
of this session is not audited again: its file names the earlier one (``same_as``), so the
accessibility stage counts that state once. An audit that fails is written as an ``error`` record
and never fails the workflow test.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Error, Page

from accessibility.axe_frames import FrameAuditor, axe_options
from accessibility.plan import GATED_TAGS
from accessibility.step_results import STEP_OBSERVER
from vocabulary import atomic

STEP_TAGS = GATED_TAGS
"""Step audits run the gated WCAG 2.1 A/AA rules only: best practice (reported, never gated) costs a
third more axe time per audit and is covered by the page list and the scripted states."""
_SKELETON = """() => {
  const urlLike = new Set(["href", "src", "srcset", "action", "poster"]);
  const prose = new Set(["value", "alt", "title", "aria-label", "placeholder", "content", "label", "datetime"]);
  const value = a => prose.has(a.name) || a.name.startsWith("data-") ? (a.value.trim() ? "T" : "")
    : urlLike.has(a.name) && !a.value.startsWith("#") ? "url" : a.value.replace(/[0-9]+/g, "N");
  const walk = node => {
    const parts = [];
    for (const child of [...node.childNodes, ...(node.shadowRoot ? [node.shadowRoot] : [])]) {
      const part = child.nodeType === 3 ? (child.nodeValue.trim() ? "T" : "")
        : child.nodeType === 1 ? "<" + child.localName + " "
          + Array.from(child.attributes, a => a.name + "=" + value(a)).sort().join(" ") + walk(child) + ">"
        : child.nodeType === 11 ? "#shadow" + walk(child) : "";
      if (part && part !== parts[parts.length - 1]) parts.push(part);
    }
    return parts.join("");
  };
  return walk(document);
}"""
"""The page's shape for axe: elements, attributes, whether there is text (prose attributes too),
numbers and URLs blanked, runs of identical siblings folded. Data (user names, CSRF tokens, model
ids, list lengths) changes between steps without changing what axe reports: no new audit for it."""
_SLUG = re.compile(r"[^a-z0-9]+")
_SETTLE_MS = 5_000


def pytest_addoption(parser: pytest.Parser) -> None:
    """The folder the audits go to (the e2e stage passes one of its artifacts)."""
    group = parser.getgroup("harness", "release harness")
    group.addoption(STEP_OBSERVER.option, default=None, help="audit the open tabs with axe after each step, into here")


def pytest_configure(config: pytest.Config) -> None:
    """Observe the steps only when given a folder: without an observer the tests open no extra page."""
    out = config.getoption(STEP_OBSERVER.option)
    if out:
        config.pluginmanager.register(StepAuditor(Path(out)), "harness-a11y-steps")


def step_name(workflow: str, step: str, tab: int) -> str:
    """The location of a step audit in findings: ``upload/submit upload`` (``... (tab 2)`` for a second tab)."""
    name = f"{workflow}/{step}"
    return name if tab == 1 else f"{name} (tab {tab})"


def folder_name(workflow: str) -> str:
    """A workflow's folder: its id (a pytest node id such as ``e2e/test_x.py::test_y[chromium]``) as a slug."""
    return _SLUG.sub("-", workflow.lower()).strip("-")[:100]


def _file_name(index: int, step: str, tab: int) -> str:
    slug = _SLUG.sub("-", step.lower()).strip("-")
    return f"{index:02d}-{slug}" + ("" if tab == 1 else f"-tab{tab}") + ".json"


class StepAuditor:
    """Audits the tabs of a workflow test after each of its steps; one per pytest session."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self._seen: dict[str, str] = {}
        """Digest of a tab's state -> the file (relative to ``out``) of the audit that covered it."""
        self._auditors: dict[int, FrameAuditor] = {}

    @pytest.hookimpl(optionalhook=True)
    def pytest_harness_step(self, item: pytest.Item, index: int, name: str, pages: list[Page]) -> None:
        """Step ``index`` (1-based) of a workflow test passed (the e2e stage's hook): audit every open tab."""
        workflow = item.nodeid
        for tab, page in enumerate(pages, start=1):
            if page.is_closed():
                continue
            file = self.out / folder_name(workflow) / _file_name(index, name, tab)
            base = {"name": step_name(workflow, name, tab), "kind": "step", "workflow": workflow, "step": name}
            outcome = self._audit_tab(page, file)
            # The URL after the audit: a step's navigation may have landed while it waited.
            atomic.write_json(file, {**base, "test": workflow, "url": page.url, "status": None, **outcome})

    def _audit_tab(self, page: Page, file: Path) -> dict[str, Any]:
        """``{"axe": ...}``, ``{"same_as": ...}`` for an already audited state, or ``{"error": ...}``."""
        try:
            return self._audit_once(page, file)
        except Error:
            # Most often the step left a navigation running: let it land, then try once more.
            try:
                page.wait_for_load_state("load", timeout=_SETTLE_MS)
                return self._audit_once(page, file)
            except Error as exc:
                return {"error": (exc.message or str(exc)).strip().splitlines()[0]}

    def _audit_once(self, page: Page, file: Path) -> dict[str, Any]:
        key = _digest(page)
        earlier = self._seen.get(key)
        if earlier is not None:
            return {"same_as": earlier}
        axe = self._auditor(page).audit(page)
        self._seen[key] = str(file.relative_to(self.out))
        return {"axe": axe}

    def _auditor(self, page: Page) -> FrameAuditor:
        """One auditor per browser, in a context of its own: its blank page must not join the test's tabs."""
        browser: Browser | None = page.context.browser
        key = id(browser)
        if key not in self._auditors:
            # The context closes with pytest-playwright's session browser.
            context = browser.new_context() if browser is not None else page.context
            self._auditors[key] = FrameAuditor(context, axe_options(STEP_TAGS))
        return self._auditors[key]


def _digest(page: Page) -> str:
    """A fingerprint of the tab's state: the skeletons of its main document and of every frame."""
    skeletons = [frame.evaluate(_SKELETON) for frame in page.frames]
    return hashlib.sha256(json.dumps(skeletons).encode("utf-8")).hexdigest()
