"""The Schemathesis config of one run: the user's ``schemathesis.toml``, plus only what the harness must add.

Schemathesis ranks command-line options above everything in a config file, per-operation settings
included, so the harness puts on the command line only what no config may change (the URL, its two
reports, its operation filters) and writes its other settings as global defaults, the lowest level,
into a copy of the user's file. A key the user set is never overwritten; `Written.notes` lists
exactly what the harness set. Secrets stay ``${VAR}`` references resolved by Schemathesis.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime
import json
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from contracts.auth import AuthPlan, KeyPath
from contracts.settings import PHASES, RunSettings
from vocabulary.errors import ErrorKind, HarnessError

_AUTH_HEADERS = frozenset({"authorization", "cookie"})


@dataclasses.dataclass(frozen=True)
class UserConfig:
    """The user's ``schemathesis.toml`` as data (empty when the description names none)."""

    path: Path | None = None
    data: dict[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def folder(self) -> Path | None:
        """Where the user runs Schemathesis: relative paths in the file (hooks, certificates) start here."""
        return self.path.parent if self.path is not None else None

    def sets(self, key: KeyPath) -> bool:
        """True when the file sets ``key`` (or a value above it) at the top level or in a ``[[project]]``."""
        return any(_lookup(table, key) for table in self._tables())

    def has_auth(self) -> bool:
        """True when the file authenticates by itself (an ``[auth]`` method or an auth header)."""
        for table in self._tables():
            auth = table.get("auth")
            if isinstance(auth, dict) and any(k in auth for k in ("basic", "openapi", "dynamic", "wfc")):
                return True
            headers = table.get("headers")
            if isinstance(headers, dict) and any(str(k).lower() in _AUTH_HEADERS for k in headers):
                return True
        return False

    def seed(self) -> int | None:
        """The seed the file sets, if any."""
        value = self.data.get("seed")
        return value if isinstance(value, int) else None

    def _tables(self) -> Iterable[dict[str, Any]]:
        yield self.data
        projects = self.data.get("project")
        if isinstance(projects, list):
            yield from (p for p in projects if isinstance(p, dict))


def read(path: Path | None) -> UserConfig:
    """Parse the description's ``schemathesis_config`` (none: an empty config)."""
    if path is None:
        return UserConfig()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise HarnessError(
            ErrorKind.CONFIG,
            f"cannot read the target's schemathesis_config {path}: {exc}",
            tip="fix the file, or the schemathesis_config key of the target description",
        ) from exc
    return UserConfig(path=path, data=data)


@dataclasses.dataclass(frozen=True)
class Default:
    """One setting the harness adds unless the user set it (or, with ``owner``, anything under it)."""

    key: KeyPath
    value: Any
    owner: KeyPath | None = None
    why: str = ""


def defaults(settings: RunSettings, folder: Path, auth: AuthPlan) -> list[Default]:
    """What the harness needs from every run: reproducible, bounded, redirects kept on the target."""
    found = [
        Default(("seed",), settings.seed, why="replayable"),
        Default(("workers",), settings.workers),
        Default(("generation", "max-examples"), settings.max_examples),
        Default(("generation", "database"), "none", why="a run never depends on an earlier one"),
        Default(("request-timeout",), settings.request_timeout_s),
        Default(("continue-on-failure",), settings.continue_on_failure),
        Default(("max-redirects",), 0, why="a redirect may lead off the target"),
        Default(("cache", "directory"), str(folder / "schemathesis-cache"), why="kept in the run folder"),
        Default(("reports", "directory"), str(folder), why="reports your file enables land in the run folder"),
        Default(("auth", "auto-signup"), False, why="no auth unless the target description has it"),
    ]
    if settings.max_time_s is not None:
        found.append(Default(("max-time",), settings.max_time_s))
    found += [Default(("phases", p, "enabled"), False) for p in PHASES if p not in settings.phases]
    if settings.checks != "all":
        found.append(Default(("checks", "enabled"), False, owner=("checks",)))
        names = (name.strip() for name in settings.checks.split(","))
        found += [Default(("checks", name, "enabled"), True, owner=("checks",)) for name in names if name]
    recipe = "the target description's auth recipe"
    return found + [Default(key, value, why=recipe) for key, value in auth.entries.items()]


@dataclasses.dataclass(frozen=True)
class Written:
    """The config file Schemathesis reads, and what the harness put into it."""

    path: Path
    notes: list[str]


def write(path: Path, user: UserConfig, wanted: list[Default]) -> Written:
    """The user's settings plus each default the user did not set, as TOML at ``path``."""
    data = copy.deepcopy(user.data)
    notes = [f"your schemathesis.toml: {user.path}"] if user.path else []
    for item in wanted:
        if user.sets(item.owner or item.key):
            continue
        _store(data, item.key, item.value)
        notes.append(f"{'.'.join(item.key)} = {_inline(item.value)}" + (f" ({item.why})" if item.why else ""))
    notes += _absolute_dictionaries(data, user.folder)
    path.write_text(dumps(data), encoding="utf-8")
    return Written(path, notes)


def _lookup(table: dict[str, Any], key: KeyPath) -> bool:
    node: Any = table
    for part in key:
        if not isinstance(node, dict):
            return True  # a value above the key (e.g. ``checks = ...``) decides it already
        if part not in node:
            return False
        node = node[part]
    return True


def _store(data: dict[str, Any], key: KeyPath, value: Any) -> None:
    node = data
    for part in key[:-1]:
        node = node.setdefault(part, {})
    node[key[-1]] = value


def _absolute_dictionaries(data: dict[str, Any], folder: Path | None) -> list[str]:
    """Schemathesis reads dictionary files relative to the config file, which now lives elsewhere."""
    notes = []
    for name, entry in (data.get("dictionaries") or {}).items():
        given = entry.get("path") if isinstance(entry, dict) else None
        if folder is not None and isinstance(given, str) and "${" not in given and not Path(given).is_absolute():
            entry["path"] = str(folder / given)
            notes.append(f"dictionaries.{name}.path made absolute: {entry['path']}")
    return notes


def dumps(data: dict[str, Any]) -> str:
    """TOML for plain config data: one ``key = inline value`` line per top-level key."""
    return "".join(f"{_key(key)} = {_inline(value)}\n" for key, value in data.items())


def _key(key: str) -> str:
    return json.dumps(key, ensure_ascii=False)


def _inline(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_inline(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_inline(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")  # tomllib yields no other type
