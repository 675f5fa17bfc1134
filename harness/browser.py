"""Find a Chromium for the browser stages: Playwright's own, then ``CHROMIUM_PATH``, then Debian's."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import socket
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

from harness.errors import ErrorKind, HarnessError

SYSTEM_CHROMIUM = Path("/usr/bin/chromium")

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


def find_browser() -> Browser:
    """The browser to use, in the documented order, or a `HarnessError` saying how to get one."""
    if _playwright_installed():
        return Browser(None, "playwright")
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
    if SYSTEM_CHROMIUM.is_file():
        return Browser(SYSTEM_CHROMIUM, "system")
    raise HarnessError(
        ErrorKind.BROWSER_MISSING,
        "no Chromium found (looked for Playwright's browsers, CHROMIUM_PATH, /usr/bin/chromium)",
        tip="install one: `sudo apt-get install -y chromium` (Debian/Ubuntu) or "
        "`python -m playwright install chromium`, or set CHROMIUM_PATH",
    )


@contextlib.contextmanager
def confined_to(base_url: str) -> Iterator[list[str]]:
    """Launch flags that let the browser reach ``base_url``'s host and port and nothing else.

    Every other host and port (other loopback ports too: ``<-loopback>``) goes to a proxy that
    refuses connections: a socket bound here and never listening, held while the browser runs.
    Unlike request interception this also stops redirects, whose hops Playwright's routes never see.
    """
    parts = urlsplit(base_url)
    host = f"[{parts.hostname}]" if ":" in (parts.hostname or "") else parts.hostname
    port = parts.port or (443 if parts.scheme == "https" else 80)
    with socket.socket() as refusing:
        refusing.bind(("127.0.0.1", 0))
        proxy = f"http://127.0.0.1:{refusing.getsockname()[1]}"
        yield [f"--proxy-server={proxy}", f"--proxy-bypass-list=<-loopback>;{host}:{port}"]
