"""Same-origin page discovery: breadth first, bounded by depth and count; nothing off the target's origin."""

from __future__ import annotations

import collections
import dataclasses
from urllib.parse import urldefrag, urlsplit


@dataclasses.dataclass
class Frontier:
    """The pages still to audit, in breadth-first order, never more than ``max_pages`` in all."""

    base_url: str
    max_depth: int
    max_pages: int
    _queue: collections.deque[tuple[str, int]] = dataclasses.field(default_factory=collections.deque)
    _seen: set[str] = dataclasses.field(default_factory=set)

    def add(self, path: str, depth: int) -> None:
        """Queue ``path`` (a page name such as ``/products?page=2``) unless seen or over the limit."""
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


def origin(url: str) -> tuple[str, str, int]:
    """Scheme, host and port (the default one filled in), so ``http://h`` and ``http://h:80`` agree."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return parts.scheme, (parts.hostname or "").lower(), port


def page_name(base_url: str, href: str) -> str | None:
    """``href`` as a page name (path and query) if it is on the target's origin; None otherwise."""
    url, _fragment = urldefrag(href)
    link = urlsplit(url)
    if link.scheme not in ("http", "https") or origin(url) != origin(base_url):
        return None
    path = link.path or "/"
    return f"{path}?{link.query}" if link.query else path
