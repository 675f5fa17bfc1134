"""``harness init [URL]``: look at a running app, write a starter configuration, say what each stage will do.

The probe asks the app only what a user would check by hand: an OpenAPI document at the usual
paths, a health endpoint, Prometheus metrics, the pages linked from ``/`` and a login form. It
writes ``[tool.harness]`` into the project's ``pyproject.toml`` (or a ``harness.toml`` when there
is none) and a copy of the shipped budget file, never overwriting either.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from perf_budgets.loader import SHIPPED
from stagekit import bounded, html_links
from stagekit.discovery import find_openapi
from stagekit.netguard import check_target_url
from vocabulary.errors import ErrorKind, HarnessError

HEALTH_PATHS = ("/health", "/healthz", "/ready", "/readyz", "/status", "/ping")
BUDGETS_FILE = "harness-budgets.toml"
_TIMEOUT_S = 5.0
_MAX_PAGES = 20
_DB_SERIES = re.compile(r"^# TYPE (\S*(?:db|database|query|sql)\S*_seconds) histogram$", re.M)
_HIT_SERIES = re.compile(r"^# TYPE (\S*cache_hits?(?:_total)?) counter$", re.M)
_MISS_SERIES = re.compile(r"^# TYPE (\S*cache_miss(?:es)?(?:_total)?) counter$", re.M)


@dataclasses.dataclass
class Probe:
    """What the running app offers."""

    url: str
    openapi: str | None = None
    ready_path: str = "/"
    metrics: dict[str, str] = dataclasses.field(default_factory=dict)
    pages: list[str] = dataclasses.field(default_factory=list)
    login_form: html_links.Form | None = None
    login_page: str = ""


def probe(url: str, *, allow_remote: bool = False) -> Probe:
    """Ask the app at ``url`` what it offers; it must answer ``/`` within seconds."""
    url = check_target_url(url, allow_remote=allow_remote)
    found = Probe(url)
    with httpx.Client(base_url=url, timeout=_TIMEOUT_S, follow_redirects=False) as client:
        try:
            with client.stream("GET", "/"):
                pass  # reachable is all it needs: the body is never read
        except httpx.HTTPError as exc:
            raise HarnessError(
                ErrorKind.TARGET_UNREACHABLE, f"{url} is not reachable: {exc}", tip="start your app first"
            ) from exc
        found.ready_path = _first_ok(client, HEALTH_PATHS) or "/"
        found.metrics = _metrics(client)
        _pages(client, found)
    openapi = find_openapi(url)
    found.openapi = urlsplit(openapi).path if openapi else None
    return found


def _first_ok(client: httpx.Client, paths: tuple[str, ...]) -> str | None:
    for path in paths:
        # The status is all it needs: the body is never read.
        with contextlib.suppress(httpx.HTTPError), client.stream("GET", path) as response:
            if response.is_success:
                return path
    return None


def _metrics(client: httpx.Client) -> dict[str, str]:
    """The Prometheus endpoint and the series that look like database time and cache counters."""
    with contextlib.suppress(httpx.HTTPError):
        response = bounded.request(client, "GET", "/metrics", bounded.METRICS_MAX_BYTES)
        if response.is_success and "# TYPE" in response.text:
            text = response.text
            series = {"path": "/metrics"}
            for key, pattern in (("db_query_histogram", _DB_SERIES), ("cache_hits", _HIT_SERIES)):
                if match := pattern.search(text):
                    series[key] = match.group(1)
            if (match := _MISS_SERIES.search(text)) and "cache_hits" in series:
                series["cache_misses"] = match.group(1)
            return series
    return {}


def _pages(client: httpx.Client, found: Probe) -> None:
    """HTML pages linked from ``/`` (one hop, same origin), and the first form with a password field."""
    queue = ["/"]
    while queue and len(found.pages) < _MAX_PAGES:
        path = queue.pop(0)
        try:
            response = bounded.request(client, "GET", path, bounded.PAGE_MAX_BYTES)
        except httpx.HTTPError:
            continue
        if not response.is_success or "html" not in response.headers.get("content-type", ""):
            continue
        found.pages.append(path)
        links = html_links.parse(response.text)
        for form in links.forms:
            if found.login_form is None and "password" in form.types.values():
                found.login_form, found.login_page = form, path
        if path == "/":
            for href in links.links:
                absolute = html_links.same_origin(found.url + path, href)
                page = urlsplit(absolute).path if absolute else None
                if page and page not in found.pages and page not in queue:
                    queue.append(page)


def write(found: Probe, folder: Path) -> list[Path]:
    """Write the starter configuration and budget file into ``folder``; returns what was written."""
    pyproject = folder / "pyproject.toml"
    budgets = folder / BUDGETS_FILE
    if pyproject.is_file():
        if re.search(r"^\[tool\.harness", pyproject.read_text(encoding="utf-8"), re.M):
            raise HarnessError(
                ErrorKind.USAGE,
                f"{pyproject} already has a [tool.harness] table; nothing was written",
                tip="edit it by hand (`harness options` lists every key), or remove it and run init again",
            )
        target, prefix = pyproject, "tool.harness"
    else:
        target, prefix = folder / "harness.toml", ""
        if target.exists():
            raise HarnessError(ErrorKind.USAGE, f"{target} exists; nothing was written", tip="edit it by hand")
    written = [target]
    with target.open("a", encoding="utf-8") as out:
        out.write(render(found, prefix, budgets.name))
    if not budgets.exists():
        # The shipped file's known failures are the bundled app's; a new project starts with none.
        text = SHIPPED.read_text(encoding="utf-8")
        budgets.write_text(re.sub(r"(?m)^known_failures = ", "# known_failures = ", text), encoding="utf-8")
        written.append(budgets)
    return written


def render(found: Probe, prefix: str, budgets: str) -> str:
    """The commented starter configuration, tables under ``prefix`` (``tool.harness`` or none)."""

    def table(name: str) -> str:
        return f"[{'.'.join(filter(None, (prefix, name)))}]"

    lines = [
        "",
        "# Written by `harness init`; `harness options` explains every key.",
        *([table("")] if prefix else []),  # harness.toml's settings are its top level
        f'budgets = "{budgets}"',
        "",
        table("target"),
        f'url = "{found.url}"',
        '# command = ["python", "-m", "yourapp", "--port", "{port}"]  # or let the harness start the app',
        f'ready_path = "{found.ready_path}"',
    ]
    lines.append(f'openapi = "{found.openapi}"' if found.openapi else '# openapi = "/openapi.json"  # none found')
    lines.append("pages = [" + ", ".join(f'"{page}"' for page in found.pages) + "]")
    lines += [
        '# locustfiles = ["locustfile.py"]',
        '# playwright_tests = "tests/e2e"',
        '# schemathesis_config = "schemathesis.toml"',
    ]
    if found.metrics:
        lines += ["", table("target.metrics"), *(f'{key} = "{value}"' for key, value in found.metrics.items())]
    lines += ["", *_auth_lines(found, table("target.auth"))]
    return "\n".join(lines) + "\n"


def _auth_lines(found: Probe, header: str) -> list[str]:
    """A commented auth recipe: the found login form, or the bearer-token shape."""
    lines = [f"# {header}  # one recipe for every stage; secrets only from the environment"]
    form = found.login_form
    if form is None:
        return [*lines, '# kind = "bearer"', '# token_env = "APP_TOKEN"']
    fields = ", ".join(
        f'{name} = "${{APP_{name.upper()}}}"'
        for name, kind in form.types.items()
        if kind in ("text", "email", "password")
    )
    action = urlsplit(html_links.same_origin(found.url + found.login_page, form.action or found.login_page) or "").path
    return [
        *lines,
        f"# found a login form on {found.login_page}",
        '# kind = "login"',
        f'# path = "{action}"',
        '# body_format = "form"',
        f"# body = {{ {fields} }}",
    ]


def plan(found: Probe) -> list[str]:
    """One line per stage: what it will do on this app, or why it will not apply."""
    api = f"the OpenAPI document at {found.openapi}" if found.openapi else None
    pages = f"{len(found.pages)} pages found from /"
    return [
        f"load: {'a generic API user on ' + api if api else 'a browsing user over ' + pages}"
        + (
            ""
            if found.metrics.get("db_query_histogram")
            else "; database and cache budgets: not applicable (no such metrics)"
        ),
        f"e2e: page journeys over {pages} (Web Vitals); workflows not applicable until playwright_tests is set",
        f"contracts: Schemathesis on {api}" if api else "contracts: not applicable (no OpenAPI document found)",
        f"security: passive baseline over {pages}" + ("" if api else "; API-operation checks not applicable"),
        f"accessibility: axe over {pages}",
        f"coverage: API operations of {api}" if api else "coverage: not applicable (no OpenAPI document)",
    ]
