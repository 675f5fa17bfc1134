"""Find a Chromium for the browser stages (Playwright's own, then ``CHROMIUM_PATH``, then Debian's headless
shell or full browser) and keep it on the target (`confined_to`)."""

from __future__ import annotations

import contextlib
import dataclasses
import io
import os
import socketserver
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

from stagekit import egress
from vocabulary.errors import ErrorKind, HarnessError

SYSTEM_CHROMIUM = Path("/usr/bin/chromium")
SYSTEM_HEADLESS_SHELL = Path("/usr/bin/chromium-headless-shell")
"""Debian's ``chromium-headless-shell`` (the old headless mode, as Playwright launches its own build's
shell for headless runs): a new context's first page costs about a third of the full browser's CPU,
whose every page is a browser window (375 vs 950 ms of CPU per cold page load, Chromium 156, 2 cores)."""

LAUNCH_ARGS = (
    # Root in a container has no user namespace for the sandbox.
    "--no-sandbox",
    "--disable-gpu",
    # The machine's network is closed: background fetches only produce refused connections.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
"""Flags every browser launch uses (headless servers, closed network)."""
_CHROMIUM_SERVICES = (".googleapis.com", ".google.com", ".gvt1.com")
"""Where Chromium itself calls home (updates, sign-in) despite the flags above; such a request without
a Referer is the browser's, not the page's: blocked and counted, but no finding."""
_PROXY_READ_S = 5.0
_MAX_LINE = 8192
_MAX_HEADERS = 100


@dataclasses.dataclass(frozen=True)
class Browser:
    """A browser to launch: ``executable`` is None when Playwright's own build is used."""

    executable: Path | None
    source: str

    def launch_kwargs(self) -> dict[str, object]:
        """Keyword arguments for Playwright's ``chromium.launch``."""
        kwargs: dict[str, object] = {"args": list(LAUNCH_ARGS)}
        if self.executable is not None:
            kwargs["executable_path"] = str(self.executable)
        return kwargs


def _playwright_cache() -> Path:
    configured = os.environ.get("PLAYWRIGHT_BROWSERS_PATH")
    if configured and configured != "0":
        return Path(configured)
    return Path.home() / ".cache" / "ms-playwright"


def _playwright_installed() -> bool:
    cache = _playwright_cache()
    patterns = ("chromium-*/chrome-linux*/chrome", "chromium_headless_shell-*/chrome-*/chrome-headless-shell")
    return any(any(cache.glob(pattern)) for pattern in patterns)


def find_browser(*, headless_shell: bool = True) -> Browser:
    """The browser to use, in the documented order, or a `HarnessError` saying how to get one.

    ``headless_shell``: a headless shell will do (False for a headed window, and for Lighthouse, which
    measures with the full browser's new headless mode).
    """
    if _playwright_installed():
        return Browser(None, "playwright")  # Playwright picks its headless shell for a headless launch itself
    env_path = os.environ.get("CHROMIUM_PATH")
    if env_path:
        path = Path(env_path)
        if not (path.is_file() and os.access(path, os.X_OK)):
            raise HarnessError(
                ErrorKind.BROWSER_MISSING,
                f"CHROMIUM_PATH={env_path} is not an executable file",
                tip="point CHROMIUM_PATH at a Chromium or Chrome binary, or unset it",
            )
        return Browser(path, "CHROMIUM_PATH")
    if headless_shell and SYSTEM_HEADLESS_SHELL.is_file():
        return Browser(SYSTEM_HEADLESS_SHELL, "system headless shell")
    if SYSTEM_CHROMIUM.is_file():
        return Browser(SYSTEM_CHROMIUM, "system")
    raise HarnessError(
        ErrorKind.BROWSER_MISSING,
        f"no Chromium found (looked for Playwright's browsers, CHROMIUM_PATH, {SYSTEM_HEADLESS_SHELL}, "
        f"{SYSTEM_CHROMIUM})",
        tip="install one: `sudo apt-get install -y chromium chromium-headless-shell` (Debian/Ubuntu) or "
        "`python -m playwright install chromium`, or set CHROMIUM_PATH",
    )


@dataclasses.dataclass(frozen=True)
class Confinement:
    """How a browser is kept on the target: Chromium flags (iterate it) and Playwright's ``proxy``
    launch option, which Playwright's API requests (``context.request``) honour as well."""

    flags: tuple[str, ...]
    proxy: dict[str, str]

    def __iter__(self) -> Iterator[str]:
        return iter(self.flags)


@contextlib.contextmanager
def confined_to(base_url: str) -> Iterator[Confinement]:
    """Launch settings that let the browser reach ``base_url``'s host and port and nothing else.

    Every other host and port (other loopback ports too: ``<-loopback>``) goes to a proxy that
    answers 403 and reports the request (`stagekit.egress`, with its Referer: the page that asked).
    Chromium sends a proxied request's host name to the proxy unresolved, so a blocked sub-resource,
    iframe, websocket or redirect costs no DNS query. Unlike request interception this also stops
    redirects, whose hops Playwright's routes never see.
    """
    parts = urlsplit(base_url)
    host = f"[{parts.hostname}]" if ":" in (parts.hostname or "") else parts.hostname
    port = parts.port or (443 if parts.scheme == "https" else 80)
    with _RefusingProxy() as proxy:
        flags = (f"--proxy-server={proxy}", f"--proxy-bypass-list=<-loopback>;{host}:{port}")
        yield Confinement(flags, {"server": proxy, "bypass": parts.hostname or ""})


class _Refuse(socketserver.StreamRequestHandler):
    """One proxied request: record it as a blocked attempt and answer 403."""

    def handle(self) -> None:
        self.connection.settimeout(_PROXY_READ_S)
        with contextlib.suppress(OSError, ValueError):
            method, target, headers = _read_head(self.rfile)
            egress.recorder().add(_attempt(method, target, headers.get("referer", "")))
            self.wfile.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")


def _read_head(stream: io.BufferedIOBase) -> tuple[str, str, dict[str, str]]:
    """The request line and headers (bounded: a proxy for refusals reads no body)."""
    method, target, _ = stream.readline(_MAX_LINE).decode("latin-1").split(" ", 2)
    headers: dict[str, str] = {}
    for _ in range(_MAX_HEADERS):
        line = stream.readline(_MAX_LINE).decode("latin-1").strip()
        if not line:
            break
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return method, target, headers


def _attempt(method: str, target: str, referer: str) -> egress.Attempt:
    """``CONNECT host:port`` (https, websockets, API requests) or ``GET http://host/path`` (plain http)."""
    if method.upper() == "CONNECT":
        name, _, port = target.rpartition(":")
        host, where, url = name.strip("[]").lower(), int(port), ""
    else:
        parts = urlsplit(target)
        host, where, url = (parts.hostname or "").lower(), parts.port or 80, target
    if referer:
        asked_by = f"page {referer}"
    elif host.endswith(_CHROMIUM_SERVICES):
        asked_by = egress.BACKGROUND  # no page asked: the browser's own update and sign-in services
    else:
        asked_by = ""  # a navigation, a redirect, an API request or a tunnel carries no Referer
    return egress.Attempt(host, where, url, asked_by)


class _RefusingProxy(socketserver.ThreadingTCPServer):
    """A loopback proxy that forwards nothing: every request it gets is off the allowed hosts."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Refuse)
        # The poll interval is how long `shutdown` waits: every browser run of a stage closes one.
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> str:  # type: ignore[override]
        self._thread.start()
        return f"http://127.0.0.1:{self.server_address[1]}"

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()
        self._thread.join(timeout=5)
