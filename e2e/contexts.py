"""Browser contexts as the harness prepares them: the vitals probe, signing in, and a watch.

The vitals probe is Google's web-vitals library (``web-vitals.iife.js``, vendored) with the harness's
glue (``vitals_probe.js``). `PageWatch` is attached to the browser contexts of a team's tests: it
installs the probe with a relay, so every document of the target that a test opens hands its Web
Vitals over when it is left, and it reads the documents still open when the test ends. Requests
are watched with `stagekit.traffic.Traffic` (same-origin ``"METHOD /path"``). The page
journeys (`e2e.vitals`) use the probe without the relay and read each load themselves.
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import BrowserContext, Page
from playwright.sync_api import Error as PlaywrightError

from stagekit.auth import Credentials
from stagekit.crawl import origin
from stagekit.traffic import Traffic

METRICS = ("ttfb_ms", "fcp_ms", "lcp_ms", "cls", "load_ms", "inp_ms")
"""What the probe measures per document, in milliseconds (CLS has no unit)."""
LIBRARY = "web-vitals.iife.js"
"""Google's web-vitals library, vendored unmodified (its version and licence in its header)."""
RELAY = "__harnessRelay"
READ_JS = "() => window.__harnessVitals.read()"
_DRAIN_JS = "() => (window.__harnessVitals && window.__harnessVitals.drain) ? window.__harnessVitals.drain() : []"

Reading = dict[str, Any]
"""One document's vitals as the probe reports them: ``{"url": ..., "ttfb_ms": ..., ...}``."""


@functools.cache
def probe_script() -> str:
    """The vitals probe, for ``context.add_init_script``: the library and the glue in one function scope,
    so the library's ``var webVitals`` is no global of the page (nor clashes with the app's own copy)."""
    files = resources.files(__package__ or "e2e")
    library, glue = (files.joinpath(name).read_text(encoding="utf-8") for name in (LIBRARY, "vitals_probe.js"))
    return f"(() => {{\n{library}\n{glue}\n}})();\n"


def sample(reading: Reading) -> dict[str, Any]:
    """``{"path": "/cart", "ttfb_ms": 12.3, ...}``: the reading with its URL reduced to the path."""
    values = {metric: reading.get(metric) for metric in METRICS}
    rounded = {metric: None if value is None else round(float(value), 3) for metric, value in values.items()}
    return {"path": urlsplit(str(reading["url"])).path or "/", **rounded}


def sign_in(context: BrowserContext, credentials: Credentials, base_url: str) -> None:
    """Give the context the credentials of the target's auth recipe (cookies and headers)."""
    if credentials.cookies:
        cookies = credentials.cookies.items()
        context.add_cookies([{"name": name, "value": value, "url": base_url} for name, value in cookies])
    if credentials.headers:
        # Every request of the context carries them; the confined browser reaches only the target.
        context.set_extra_http_headers(credentials.headers)


class PageWatch:
    """The Web Vitals of every target document some browser contexts show, and the requests they send."""

    def __init__(self, base_url: str) -> None:
        self.traffic = Traffic(base_url)
        self.samples: list[dict[str, Any]] = []
        self._origin = origin(base_url)
        self._contexts: list[BrowserContext] = []

    def watch(self, context: BrowserContext) -> None:
        """Start watching ``context`` (before it opens pages, or at least before they navigate)."""
        self.traffic.watch(context)
        context.expose_binding(RELAY, self._relayed)
        context.add_init_script(probe_script())
        self._contexts.append(context)

    def finish(self) -> None:
        """Read the documents still open; call before the contexts close.

        A page the test closed itself took its last document's reading with it (its earlier
        documents were relayed as they were left).
        """
        for context in self._contexts:
            for page in context.pages:
                self._keep(_drain(page))

    def _relayed(self, source: dict[str, Any], readings: list[Reading]) -> None:
        self._keep(readings)

    def _keep(self, readings: list[Reading]) -> None:
        for reading in readings:
            if origin(str(reading["url"])) == self._origin:
                self.samples.append(sample(reading))


def _drain(page: Page) -> list[Reading]:
    """The page's parked and current readings; none from a page that closed or crashed meanwhile."""
    if page.is_closed():
        return []
    try:
        readings: list[Reading] = page.evaluate(_DRAIN_JS)
    except PlaywrightError:
        return []
    return readings
