"""The target description: everything the stages may know about the app under test, declared once.

It is read from ``[tool.harness.target]`` in the project's ``pyproject.toml`` (or ``[target]`` in a
standalone ``harness.toml``); flags override single keys. With no description and no URL, the
bundled marketplace's own description (``target_app/harness.toml``) is used, through the same code
as any user's app. Each option is declared once, as a dataclass field whose metadata carries its
help text; ``harness options`` prints them from here.

Secrets never live in the file: a string ``"${VAR}"`` (or ``"${VAR:-default}"``) is replaced by the
environment variable's value, and the value is registered for redaction.
"""

from __future__ import annotations

import dataclasses
import importlib.resources
import importlib.util
import os
import re
import types
from collections.abc import Mapping
from pathlib import Path
from typing import Any, get_args, get_type_hints

from stagekit.imports import own_module
from vocabulary import secrets
from vocabulary.errors import ErrorKind, HarnessError
from vocabulary.source import KeyPath, Source

_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
AUTH_KINDS = ("none", "bearer", "login", "cookie")


def _opt(default: Any, help: str, **extra: Any) -> Any:
    """A dataclass field carrying its help text (the one place an option is documented)."""
    if isinstance(default, list | dict):
        return dataclasses.field(default_factory=lambda: type(default)(default), metadata={"help": help, **extra})
    return dataclasses.field(default=default, metadata={"help": help, **extra})


@dataclasses.dataclass(frozen=True)
class AuthRecipe:
    """How every stage authenticates: one recipe, shared (``[tool.harness.target.auth]``)."""

    kind: str = _opt("none", "none | bearer (token from an env var) | login (a login request) | cookie (env var)")
    token_env: str = _opt("", "bearer: the environment variable holding the token")
    cookie_env: str = _opt("", "cookie: the environment variable holding the Cookie header value, e.g. sid=...")
    path: str = _opt("", "login: the path of the login request, e.g. /api/auth/login")
    method: str = _opt("POST", "login: the HTTP method of the login request")
    body: dict[str, str] = _opt({}, 'login: the request fields, values "${VAR}" from the environment')
    body_format: str = _opt("json", "login: json or form")
    token_pointer: str = _opt(
        "", "login: JSON pointer to a bearer token in the response (e.g. /access_token); empty: the cookies it sets"
    )
    session_cookie: str = _opt("", "a cookie the app's pages read the token from (browser stages set it), e.g. session")
    probe_path: str = _opt("", "a GET that must answer 2xx once authenticated (proves the credentials)")
    logout_pattern: str = _opt(
        r"/logout$", "regex of paths no generic stage calls while authenticated (they end the session)"
    )

    @property
    def enabled(self) -> bool:
        """True unless the kind is ``none``."""
        return self.kind != "none"


@dataclasses.dataclass(frozen=True)
class MetricsMapping:
    """The app's Prometheus metrics, and which series feed the server-side budgets."""

    path: str = _opt("", "path of the Prometheus text endpoint, e.g. /metrics (empty: no metrics)")
    db_query_histogram: str = _opt(
        "", "histogram (seconds) of database query time, e.g. db_query_duration_seconds: load.db.query_p95_ms"
    )
    cache_hits: str = _opt("", "counter of cache hits, e.g. cache_hits_total: load.cache.hit_ratio")
    cache_misses: str = _opt("", "counter of cache misses, e.g. cache_misses_total")


@dataclasses.dataclass(frozen=True)
class AppCommand:
    """How to start the app when the harness should (``command`` in the description)."""

    argv: tuple[str, ...] = _opt((), 'command line; "{port}" and "{host}" are filled in, e.g. ["python", "-m", "app"]')
    env: dict[str, str] = _opt({}, "extra environment for the app (PORT and HOST are always set)")
    cwd: Path | None = _opt(None, "working folder of the app (default: the harness's own)")
    startup_timeout_s: float = _opt(60.0, "seconds to wait for ready_path to answer")
    faults_env: str = _opt("", "environment variable that receives --faults (fault switches of the app)")
    faults: tuple[str, ...] = _opt(
        (), "the app's fault switches; --faults is checked against them before the app starts (empty: ask list_faults)"
    )
    list_faults: tuple[str, ...] = _opt(
        (),
        'command printing the app\'s fault switches, one a line, name first, e.g. ["{python}", "-m", "app", '
        '"--list-faults"]; run only when --faults is given (neither set: the names are not checked)',
    )
    data_dir_env: str = _opt("", "environment variable that receives --target-data-dir (the app's data folder)")
    coverage_source: tuple[str, ...] = _opt(
        (), "packages to measure when --coverage runs a Python app under coverage.py"
    )


@dataclasses.dataclass(frozen=True)
class TargetDescription:
    """What the stages know about the target; nothing else about it exists in a stage."""

    name: str = _opt("", "a name for reports (default: the host and port)")
    url: str = _opt("", "base URL of a running app, e.g. http://127.0.0.1:8000 (or use command)")
    command: AppCommand | None = _opt(None, "start the app: [tool.harness.target.command] (see its keys)")
    ready_path: str = _opt("/", "readiness check and availability probe; any 2xx or 3xx counts")
    openapi: str = _opt(
        "", "OpenAPI 3.x or Swagger 2.0 document: a path on the app, a URL or a file (empty: look at usual paths)"
    )
    metrics: MetricsMapping = _opt(MetricsMapping(), "Prometheus metrics: [tool.harness.target.metrics]")
    auth: AuthRecipe = _opt(AuthRecipe(), "one auth recipe for every stage: [tool.harness.target.auth]")
    pages: tuple[str, ...] = _opt((), "pages to measure and audit (empty: crawl from /)")
    auth_pages: tuple[str, ...] = _opt((), "pages that need the auth recipe (browser stages sign in first)")
    crawl_depth: int = _opt(2, "link depth of the crawl from / (and from pages)")
    max_pages: int = _opt(20, "most pages a crawl visits")
    states: str = _opt(
        "",
        'scripted UI states the accessibility stage audits: "module:attribute" naming a sequence of '
        "accessibility.states.State (a form showing its errors ...), e.g. myapp.a11y:STATES",
    )
    locustfiles: tuple[Path, ...] = _opt((), "your Locust files, run unchanged (empty: a generic user)")
    playwright_tests: Path | None = _opt(None, "your pytest-playwright test folder, run unchanged")
    schemathesis_config: Path | None = _opt(None, "your schemathesis.toml, honoured by the contracts stage")
    coverage_data: Path | None = _opt(None, "a coverage.py data file the app writes (for an app not started here)")
    source: str = dataclasses.field(default="", metadata={"internal": True})
    """Where the description came from, for messages."""

    @property
    def starts_app(self) -> bool:
        """True when the harness starts the app itself."""
        return self.command is not None


SECTIONS: dict[str, type[Any]] = {"command": AppCommand, "metrics": MetricsMapping, "auth": AuthRecipe}


def parse(
    table: Mapping[str, Any], source: Source, at: KeyPath, *, base: Path, environ: Mapping[str, str] | None = None
) -> TargetDescription:
    """Build a description from its TOML table; every mistake names the file, line and key."""
    environ = os.environ if environ is None else environ
    reader = _Reader(source, base, environ)
    values = reader.fields(TargetDescription, table, at)
    description = TargetDescription(**values, source=f"{source.path}")
    _check(description, reader, at)
    return description


def load_file(path: Path, at: KeyPath, environ: Mapping[str, str] | None = None) -> TargetDescription | None:
    """The description in ``path`` at table ``at`` (None when the file has no such table)."""
    source = Source.read(path)
    node: Any = source.data
    for part in at:
        node = node.get(part) if isinstance(node, dict) else None
    if node is None:
        return None
    if not isinstance(node, dict):
        raise source.error(at, "expected a table")
    return parse(node, source, at, base=path.parent, environ=environ)


def with_overrides(description: TargetDescription, **changes: Any) -> TargetDescription:
    """The description with flag values replacing keys (None means not given)."""
    given = {k: v for k, v in changes.items() if v is not None}
    return dataclasses.replace(description, **given) if given else description


class _Reader:
    """Typed reading of a table against a dataclass's fields, with precise errors."""

    def __init__(self, source: Source, base: Path, environ: Mapping[str, str]) -> None:
        self.source = source
        self.base = base
        self.environ = environ

    def fields(self, cls: type[Any], table: Mapping[str, Any], at: KeyPath) -> dict[str, Any]:
        known = {f.name: f for f in dataclasses.fields(cls) if not f.metadata.get("internal")}
        hints = get_type_hints(cls)
        values: dict[str, Any] = {}
        for key, raw in table.items():
            if key not in known:
                raise self.source.unknown((*at, key), key, known, "target option")
            values[key] = self.value(hints[key], raw, (*at, key))
        return values

    def value(self, hint: Any, raw: Any, at: KeyPath) -> Any:
        name = at[-1]
        if isinstance(name, str) and name in SECTIONS and hint is not str:
            if name == "command" and isinstance(raw, list | str):
                raw = {"argv": raw}
            if not isinstance(raw, dict):
                raise self.source.error(at, f"expected a table, got {type(raw).__name__}")
            return SECTIONS[name](**self.fields(SECTIONS[name], raw, at))
        kind = hint
        if isinstance(hint, types.UnionType):  # ``X | None``: read as X
            kind = next(k for k in get_args(hint) if k is not type(None))
        if kind is str:
            return self._string(raw, at)
        if kind in (int, float):
            return self._number(kind, raw, at)
        if kind is Path:
            return self._path(raw, at)
        origin = getattr(kind, "__origin__", kind)
        if origin is tuple:
            items = raw.split() if isinstance(raw, str) and name == "argv" else raw
            if not isinstance(items, list):
                raise self.source.error(at, f"expected a list, got {type(raw).__name__}")
            item_kind = get_args(kind)[0]
            return tuple(self.value(item_kind, item, at) for item in items)
        if origin is dict:
            if not isinstance(raw, dict):
                raise self.source.error(at, f"expected a table, got {type(raw).__name__}")
            return {str(k): self._string(v, (*at, k)) for k, v in raw.items()}
        raise self.source.error(at, f"unsupported option type {hint}")  # a bug in the field table

    def _string(self, raw: Any, at: KeyPath) -> str:
        if not isinstance(raw, str | int | float) or isinstance(raw, bool):
            raise self.source.error(at, f"expected a string, got {type(raw).__name__}")
        return substitute(str(raw), self.environ, lambda problem, tip: self.source.error(at, problem, tip))

    def _number(self, kind: type[Any], raw: Any, at: KeyPath) -> Any:
        if isinstance(raw, bool) or not isinstance(raw, int | float) or (kind is int and not isinstance(raw, int)):
            raise self.source.error(at, f"expected {'an integer' if kind is int else 'a number'}, got {raw!r}")
        if raw < 0:
            raise self.source.error(at, f"must not be negative, got {raw!r}")
        return kind(raw)

    def _path(self, raw: Any, at: KeyPath) -> Path:
        path = Path(self._string(raw, at)).expanduser()
        return path if path.is_absolute() else self.base / path

    def error(self, at: KeyPath, problem: str, tip: str | None = None) -> HarnessError:
        return self.source.error(at, problem, tip)


def substitute(text: str, environ: Mapping[str, str], error: Any) -> str:
    """Replace ``${VAR}`` / ``${VAR:-default}`` with environment values; registers them as secrets."""

    def replace(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        if name in environ:
            value = environ[name]
        elif default is not None:
            value = default
        else:
            raise error(
                f"refers to ${{{name}}}, but the environment variable {name} is not set",
                f"export {name}=... before running",
            )
        secrets.register(value)
        return value

    return _VAR.sub(replace, text)


def _check(description: TargetDescription, reader: _Reader, at: KeyPath) -> None:
    """Cross-key rules: one way to reach the app, a complete auth recipe, paths that are paths."""
    if description.url and description.command is not None:
        raise reader.error((*at, "command"), "give either url or command, not both")
    for key in ("ready_path",):
        if not getattr(description, key).startswith("/"):
            raise reader.error((*at, key), f"must be a path starting with /, got {getattr(description, key)!r}")
    for page in (*description.pages, *description.auth_pages):
        if not page.startswith("/"):
            raise reader.error((*at, "pages"), f"pages are paths starting with /, got {page!r}")
    if description.command is not None and not description.command.argv:
        raise reader.error((*at, "command", "argv"), "the command is empty")
    _check_auth(description.auth, reader, (*at, "auth"))


def _check_auth(auth: AuthRecipe, reader: _Reader, at: KeyPath) -> None:
    if auth.kind not in AUTH_KINDS:
        raise reader.source.unknown((*at, "kind"), auth.kind, AUTH_KINDS, "auth kind")
    required = {"bearer": "token_env", "cookie": "cookie_env", "login": "path"}.get(auth.kind)
    if required and not getattr(auth, required):
        raise reader.error((*at, required), f"auth kind {auth.kind!r} needs {required}")
    if auth.body_format not in ("json", "form"):
        raise reader.error((*at, "body_format"), f"expected json or form, got {auth.body_format!r}")
    try:
        re.compile(auth.logout_pattern)
    except re.error as exc:
        raise reader.error((*at, "logout_pattern"), f"not a regular expression: {exc}") from None


def option_reference() -> list[tuple[str, str, str, str]]:
    """(key, type, default, meaning) of every description option, for ``harness options``."""
    rows: list[tuple[str, str, str, str]] = []
    _reference(TargetDescription, "target", rows)
    return rows


def _reference(cls: type[Any], prefix: str, rows: list[tuple[str, str, str, str]]) -> None:
    hints = get_type_hints(cls)
    for field in dataclasses.fields(cls):
        if field.metadata.get("internal"):
            continue
        key = f"{prefix}.{field.name}"
        if field.name in SECTIONS:
            rows.append((key, "table", "", field.metadata["help"]))
            _reference(SECTIONS[field.name], key, rows)
            continue
        default = field.default_factory() if field.default_factory is not dataclasses.MISSING else field.default
        shown = "" if default in (None, "", (), {}) else repr(default)
        rows.append((key, _type_name(hints[field.name]), shown, field.metadata["help"]))


def _type_name(hint: Any) -> str:
    text = str(hint).replace("pathlib.", "").replace("typing.", "")
    return re.sub(r"<class '(\w+)'>", r"\1", text).replace("Path", "path")


BUNDLED_APP_EXTRA = "release-harness[bundled-app]"
BUNDLED_APP_MODULES = ("fastapi", "uvicorn", "sqlalchemy", "python_multipart")
"""What the bundled marketplace imports beyond the harness's own dependencies: the extra installs them."""


def require_bundled_app() -> None:
    """Refuse to use the bundled marketplace when its extra is not installed: a team gating its own app
    installs no web framework, and the app would otherwise die at start-up with an ImportError in its log."""
    missing = [name for name in BUNDLED_APP_MODULES if importlib.util.find_spec(name) is None]
    if missing:
        raise HarnessError(
            ErrorKind.USAGE,
            f"the bundled demo app (the target when none is configured) is not installed: "
            f"{', '.join(missing)} missing, they come with the extra {BUNDLED_APP_EXTRA}",
            tip=f"pip install '{BUNDLED_APP_EXTRA}'; to gate your own app instead set [tool.harness.target] url "
            "or command (`harness init URL` writes one), or pass --target-url URL",
        )


def bundled_description() -> TargetDescription:
    """The bundled marketplace's own description (``target_app/harness.toml``), the embedded default;
    a usage error when its extra is not installed (`require_bundled_app`)."""
    require_bundled_app()
    path = Path(str(importlib.resources.files(own_module("target_app")) / "harness.toml"))
    described = load_file(path, ("target",))
    assert described is not None, f"{path} has no [target] table"
    return described
