"""Same-origin page discovery for external targets: breadth first, bounded by depth and count."""

from __future__ import annotations

import collections
import dataclasses
from urllib.parse import urldefrag, urlsplit

_NOT_PAGES = ("/api/", "/static/", "/download", "/logout", "/metrics", "/health")
"""Path parts of links that are not pages to audit (downloads, JSON, or they end the session)."""


@dataclasses.dataclass
class Frontier:
    """The pages still to audit, in breadth-first order, never more than ``max_pages`` in all."""

    base_url: str
    max_depth: int
    max_pages: int
    _queue: collections.deque[tuple[str, int]] = dataclasses.field(default_factory=collections.deque)
    _seen: set[str] = dataclasses.field(default_factory=set)

    def add(self, path: str, depth: int) -> None:
        """Queue ``path`` (a page name such as ``/models?page=2``) unless seen or over the limit."""
        if path in self._seen or len(self._seen) >= self.max_pages:
            return
        self._seen.add(path)
        self._queue.append((path, depth))

    def pop(self) -> tuple[str, int] | None:
        """The next page and its depth, or None when done."""
        return self._queue.popleft() if self._queue else None

    def add_links(self, hrefs: list[str], depth: int) -> None:
        """Queue the same-origin page links found on a page at ``depth``."""
        if depth >= self.max_depth:
            return
        for href in hrefs:
            path = page_name(self.base_url, href)
            if path is not None:
                self.add(path, depth + 1)


def page_name(base_url: str, href: str) -> str | None:
    """``href`` as a page name (path and query) if it is a same-origin page worth auditing."""
    url, _fragment = urldefrag(href)
    base, link = urlsplit(base_url), urlsplit(url)
    if (link.scheme, link.netloc) != (base.scheme, base.netloc):
        return None
    path = link.path or "/"
    if any(part in path for part in _NOT_PAGES):
        return None
    return f"{path}?{link.query}" if link.query else path
