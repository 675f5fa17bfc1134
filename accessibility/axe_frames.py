"""Run axe-core over a page and every iframe in it, the way ``@axe-core/playwright`` does.

axe-playwright-python's ``Axe.run`` audits only the main frame. axe-core's own answer for
browser drivers is ``axe.runPartial`` in every frame (recursively, following
``axe.utils.getFrameContexts``) and one ``axe.finishRun`` over the partial results in a blank
page: targets inside frames then come back as selector chains (``["iframe", "#field"]``),
and document-level rules (``html-has-lang``, ``document-title``) apply only to the top page,
as they would with axe's in-page frame messaging.
"""

from __future__ import annotations

from typing import Any

from axe_playwright_python.base import AXE_FILE_PATH, AXE_SCRIPT
from playwright.sync_api import BrowserContext, Error, Frame, Page

_RUN_PARTIAL = "([context, options]) => window.axe.runPartial(context, options)"
_FRAME_CONTEXTS = "([context, options]) => window.axe.utils.getFrameContexts(context, options)"
_SHADOW_SELECT = "selector => window.axe.utils.shadowSelect(selector)"
_HAS_AXE = "() => typeof window.axe?.run === 'function'"
_RUN = "options => window.axe.run(document, options)"
_FINISH_RUN = "([partials, options]) => window.axe.finishRun(partials, options)"


def axe_options(tags: tuple[str, ...] | list[str]) -> dict[str, Any]:
    """axe run options: only rules with ``tags``; passes trimmed to one node (we count rules)."""
    return {
        "runOnly": {"type": "tag", "values": list(tags)},
        "resultTypes": ["violations", "incomplete"],
    }


class FrameAuditor:
    """Audits pages of one browser context; keeps one blank page for ``finishRun``."""

    def __init__(self, context: BrowserContext, options: dict[str, Any]) -> None:
        self._context = context
        self._options = options
        self._blank: Page | None = None
        # Loaded with every document (iframes too): one transfer of the 500 kB script, not one per page.
        context.add_init_script(path=AXE_FILE_PATH)

    def audit(self, page: Page) -> dict[str, Any]:
        """The axe results for ``page`` including its iframes (the native axe-core JSON)."""
        results: dict[str, Any]
        if page.main_frame.child_frames:
            partials = self._run_partial(page.main_frame, {"include": [["html"]]})
            results = self._finish_page().evaluate(_FINISH_RUN, [partials, self._options])
            _add_frame_urls(page, results)
        else:
            # One frame: a plain axe.run gives the same results and saves the partial round trips
            # (the partial results carry every passing node, hundreds of kB per page).
            _ensure_axe(page.main_frame)
            results = page.evaluate(_RUN, self._options)
        results["url"] = page.url
        return results

    def _finish_page(self) -> Page:
        if self._blank is None or self._blank.is_closed():
            self._blank = self._context.new_page()
            _ensure_axe(self._blank.main_frame)
        return self._blank

    def _run_partial(self, frame: Frame, context: Any) -> list[Any]:
        """Partial results of ``frame`` then of its child frames, depth first, in axe's order."""
        _ensure_axe(frame)
        children = frame.evaluate(_FRAME_CONTEXTS, [context, self._options])
        partials: list[Any] = [frame.evaluate(_RUN_PARTIAL, [context, self._options])]
        for child in children:
            partials.extend(self._child_partials(frame, child))
        return partials

    def _child_partials(self, frame: Frame, child: dict[str, Any]) -> list[Any]:
        """A child frame's partial results; ``[None]`` if it cannot be audited."""
        child_frame = _child_frame(frame, child["frameSelector"])
        if child_frame is None:
            # axe turns a missing partial into a "frame-tested" needs-review item.
            return [None]
        try:
            return self._run_partial(child_frame, child["frameContext"])
        except Error:
            # The frame navigated or detached mid-audit: untested, not a crash of the audit.
            return [None]


def _ensure_axe(frame: Frame) -> None:
    """Inject axe where the init script did not run (``about:blank``, frames that predate it)."""
    if not frame.evaluate(_HAS_AXE):
        frame.evaluate(AXE_SCRIPT)


def _child_frame(frame: Frame, selector: Any) -> Frame | None:
    """The frame behind the iframe that axe's ``selector`` names in ``frame``, if still there."""
    try:
        element = frame.evaluate_handle(_SHADOW_SELECT, selector).as_element()
        return element.content_frame() if element is not None else None
    except Error:
        # A frame that navigated away or detached mid-audit: recorded as untested by axe.
        return None


def _add_frame_urls(page: Page, results: dict[str, Any]) -> None:
    """Give every node inside an iframe a ``frameUrl`` (not an axe field): the document it is in."""
    urls: dict[str, str | None] = {}
    for group in ("violations", "incomplete"):
        for rule in results[group]:
            for node in rule["nodes"]:
                chain = node["target"][:-1]
                if not chain:
                    continue
                key = repr(chain)
                if key not in urls:
                    urls[key] = _frame_url(page.main_frame, chain)
                node["frameUrl"] = urls[key]


def _frame_url(frame: Frame | None, chain: list[Any]) -> str | None:
    """Follow axe's iframe selector chain from ``frame`` to the inner document's URL."""
    for selector in chain:
        if frame is None:
            return None
        frame = _child_frame(frame, selector)
    return frame.url if frame is not None else None
