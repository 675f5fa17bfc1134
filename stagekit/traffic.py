"""What the audit's browser asked the target for, and where it tried to leave the target's origin.

The browser is launched confined to the target (`stagekit.browser.confined_to`): a request to any
other origin fails before it leaves the machine. This watcher only observes: the same-origin
requests become the stage's ``details["operations"]`` (for API-operation coverage), and a blocked
top-level navigation tells the audit why a page could not load (a redirect off the origin).
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from stagekit.crawl import origin

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Request


class Traffic:
    """Watches the requests of the browser contexts it is attached to."""

    def __init__(self, base_url: str) -> None:
        self.origin = origin(base_url)
        self.operations: set[str] = set()
        """``"METHOD /path"`` of every same-origin request (query strings dropped)."""
        self._left_for: str | None = None

    def watch(self, context: BrowserContext) -> None:
        """Observe every request ``context`` sends."""
        context.on("request", self._seen)

    def left_origin(self) -> str | None:
        """The off-origin URL a top-level navigation went for since the last call, if any."""
        url, self._left_for = self._left_for, None
        return url

    def _seen(self, request: Request) -> None:
        if origin(request.url) == self.origin:
            self.operations.add(f"{request.method} {urlsplit(request.url).path or '/'}")
        elif request.is_navigation_request() and request.frame.parent_frame is None:
            self._left_for = request.url
