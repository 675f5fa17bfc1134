"""Settings for a run: ``[tool.harness]`` in pyproject.toml (or a standalone ``harness.toml``), then
``HARNESS_*`` variables, then flags. The target description is its ``target`` table
(`stagekit.description`).

Secrets come only from the environment: a string value ``"${NAME}"`` in the config is replaced by
the variable's value and the value is registered with `vocabulary.secrets` so it is redacted from
every artifact. Nothing here runs at import time.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from stagekit.description import TargetDescription, load_file
from stagekit.netguard import RemoteHosts
from stagekit.stage_options import POSITIVE, Range, at_least, from_environment, parse_value
from vocabulary import secrets
from vocabulary.errors import ErrorKind, HarnessError
from vocabulary.profiles import PROFILES
from vocabulary.suggest import did_you_mean

ENV_PREFIX = "HARNESS_"
_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


PUSH_HELP = (
    "a Prometheus Pushgateway, e.g. http://127.0.0.1:9091: the figures of metrics.prom are PUT under "
    "job release_harness (loopback, or a host listed in --allow-remote)"
)


def _setting(default: Any, help: str, kind: str = "str", **extra: Any) -> Any:
    """A `Settings` field declared once: its default, help and kind (how a value is read: str, path, int,
    float, bool, list, hosts), and where they apply ``choices``, ``range``, ``metavar`` and ``flag=False``
    (set by the config file and the environment only). Config key, ``HARNESS_*`` variable, flag,
    argparse and `harness options` all derive from it (`RunOption`)."""
    return dataclasses.field(default=default, metadata={"help": help, "kind": kind, **extra})


@dataclasses.dataclass(frozen=True)
class Settings:
    """Everything `harness run` needs to know, after all sources are merged."""

    profile: str = _setting("smoke", "load profile and budget set (default: smoke)", choices=PROFILES)
    stages: tuple[str, ...] = _setting((), "comma-separated stages, e.g. load,contracts (default: all)", "list")
    """Empty in a bare `Settings`: `load_settings` fills in the registry's default stages, plugins included."""
    target_url: str | None = _setting(
        None, "a running app, e.g. http://127.0.0.1:8000 (default: the configured target, else the bundled app)"
    )
    """A running app's URL; overrides the description's url and command."""
    openapi: str | None = _setting(
        None, "OpenAPI document: a path on the app, a URL or a file (default: the usual paths)"
    )
    """Overrides the description's ``openapi``."""
    target: TargetDescription | None = None
    """The configured target description (its own table); None with no target_url runs the bundled app."""
    budgets: Path | None = _setting(None, "budget file (default: the shipped perf_budgets/budgets.toml)", "path")
    known_failures: Path | None = _setting(None, "accepted findings with reason and expiry (TOML)", "path")
    out: Path = _setting(Path("harness-runs"), "folder for run directories (default: harness-runs)", "path")
    baseline: Path | None = _setting(None, "an earlier run to compare with", "path", metavar="RUN_DIR")
    allow_remote: RemoteHosts = _setting(
        False,
        "alone: allow a non-loopback target host; with hosts: reach exactly these besides loopback "
        "(the target's host must be one of them)",
        "hosts",
    )
    """True lets the target's own host be remote; hosts (a tuple) are reachable besides loopback and
    must include a remote target's host (`stagekit.netguard.allowed_hosts`)."""
    faults: tuple[str, ...] = _setting(
        (), "fault switches of a started app (its faults_env), e.g. slow-catalogue,error-rate", "list"
    )
    target_port: int = _setting(0, "port for a started app (default: a free one)", "int", range=Range(0, 65535))
    target_workers: int = _setting(0, "WEB_CONCURRENCY for a started app (default: its own)", "int", range=at_least(0))
    target_data_dir: Path | None = _setting(
        None, "where a started app keeps its data (its data_dir_env; default: its own)", "path", flag=False
    )
    coverage: bool = _setting(False, "run a started Python app under coverage.py", "bool")
    target_startup_timeout_s: float = _setting(
        60.0, "seconds a started app may take to answer its ready_path", "float", range=POSITIVE, flag=False
    )
    external_probe_timeout_s: float = _setting(
        5.0, "seconds a running app may take to answer the first probe", "float", range=POSITIVE, flag=False
    )
    push_metrics: str | None = _setting(None, PUSH_HELP, metavar="URL")
    heartbeat_s: float = _setting(
        10.0,
        "without a terminal (a CI log): one progress line per stage every SECONDS (default: 10; 0: none)",
        "float",
        range=at_least(0),
        metavar="SECONDS",
    )
    stage_options: Mapping[str, Mapping[str, Any]] = dataclasses.field(default_factory=dict)
    """Each stage's table (``[tool.harness.<stage>]``, its variables, ``-o``)."""

    def redacted(self) -> dict[str, Any]:
        """A JSON-ready view for run.json, with secrets replaced."""
        data = json.loads(json.dumps(dataclasses.asdict(self), default=str))
        data["stages"] = list(self.stages)
        data["faults"] = list(self.faults)
        redacted: dict[str, Any] = secrets.redact_obj(data)
        return redacted


@dataclasses.dataclass(frozen=True)
class RunOption:
    """One setting of `harness run` as its declaration in `Settings` gives it."""

    name: str
    """Its `Settings` field and ``[tool.harness]`` key."""
    default: Any
    help: str
    kind: str
    choices: tuple[str, ...] = ()
    range: Range | None = None
    metavar: str | None = None
    flag: bool = True
    """It has a command-line flag (else: config file and environment only)."""

    @property
    def env(self) -> str:
        """``HARNESS_TARGET_URL``."""
        return f"{ENV_PREFIX}{self.name.upper()}"

    @property
    def flag_name(self) -> str:
        """``--target-url``."""
        return f"--{self.name.replace('_', '-')}"

    def facts(self) -> str:
        """``int, default 0, range 0 to 65535, flag --target-port, env HARNESS_TARGET_PORT`` for the reference."""
        shown = _shown(self.default)
        constraint = f"one of {', '.join(self.choices)}" if self.choices else ""
        constraint = f"range {self.range}" if self.range is not None else constraint
        flag = f"flag {self.flag_name}" if self.flag else ""
        return ", ".join(filter(None, (self.kind, shown and f"default {shown}", constraint, flag, f"env {self.env}")))


OPTIONS: tuple[RunOption, ...] = tuple(
    RunOption(field.name, field.default, **field.metadata)
    for field in dataclasses.fields(Settings)
    if "help" in field.metadata
)
"""Every setting of `harness run`, in declaration order."""
_BY_NAME = {option.name: option for option in OPTIONS}


def _shown(value: Any) -> str:
    if value is None or value == () or value is False:
        return ""
    if isinstance(value, tuple):
        return ",".join(value)
    return str(value)


STANDALONE = "harness.toml"


def find_config(start: Path) -> tuple[Path, tuple[str, ...]] | None:
    """The nearest ``harness.toml``, or pyproject.toml with a ``[tool.harness]`` table, at or above
    ``start``; with the table path the settings live under."""
    start = start.resolve()
    for folder in (start, *start.parents):
        standalone = folder / STANDALONE
        if standalone.is_file():
            return standalone, ()
        candidate = folder / "pyproject.toml"
        if candidate.is_file() and "[tool.harness" in candidate.read_text(encoding="utf-8"):
            return candidate, ("tool", "harness")
    return None


def load_settings(
    flags: Mapping[str, Any], *, cwd: Path | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Merge pyproject, environment and flags (flags given as None are ignored)."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    stage_options: dict[str, dict[str, Any]] = {}
    found = find_config(cwd or Path.cwd())
    if found is not None:
        config, at = found
        where = ".".join(at) or config.name
        for key, value in _read_tool_table(config, at).items():
            if key in stage_names() and isinstance(value, dict):
                stage_options[key] = _substitute(value, environ, f"{where}.{key}")
            elif key == "target":
                values[key] = load_file(config, (*at, "target"), environ)
            else:
                values[key] = _coerce(key, value, f"{config}: [{where}]", base=config.parent)
    for option in OPTIONS:
        if option.env in environ:
            where = f"environment variable {option.env}"
            values[option.name] = _coerce(option.name, environ[option.env], where, base=None)
    for stage, options in _stage_environment(environ).items():
        stage_options.setdefault(stage, {}).update(options)
    for key, value in flags.items():
        if key == "stage_options":
            for stage, options in (value or {}).items():
                stage_options.setdefault(stage, {}).update(options)
        elif value is not None:
            values[key] = _coerce(key, value, f"flag --{key.replace('_', '-')}", base=None)
    values["stage_options"] = stage_options
    values.setdefault("stages", _default_stages())
    settings = Settings(**values)
    _validate(settings)
    # Userinfo of any URL given (target, OpenAPI, ZAP) is a secret, however it was given.
    secrets.register_url_credentials(json.dumps(dataclasses.asdict(settings), default=str))
    return settings


def parse_stage_option(text: str) -> tuple[str, str, Any]:
    """``STAGE.KEY=VALUE`` from ``--option``; the value is parsed as TOML when it can be (numbers, booleans)."""
    name, sep, raw = text.partition("=")
    stage, dot, key = name.strip().partition(".")
    if not sep or not dot or not key:
        raise HarnessError(
            ErrorKind.USAGE, f"--option {text!r} is not STAGE.KEY=VALUE", tip="e.g. --option load.users=50"
        )
    if stage not in (known := stage_names()):
        raise HarnessError(ErrorKind.USAGE, f"--option {text!r}: unknown stage {stage!r}.{did_you_mean(stage, known)}")
    return stage, key, parse_value(raw)


def stage_names() -> list[str]:
    """Every stage a run can name (the stage registry's: built-ins, plugins, coverage)."""
    from stagekit import stages  # the registry reads the plugins' entry points: only once settings are read

    return stages.names()


def _default_stages() -> tuple[str, ...]:
    """The stages a run without ``stages`` runs: every runner of the registry, plugins included."""
    from stagekit import stages

    return tuple(stages.default_stages())


def _stage_environment(environ: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """Stage options the environment variables the stages declare set (``HARNESS_LOAD_USERS=50``)."""
    from stagekit import stages  # the registry imports each stage's declarations: only once settings are read

    found = {stage: from_environment(stages.options_of(stage), environ) for stage in stages.option_stages()}
    return {stage: options for stage, options in found.items() if options}


def _read_tool_table(config: Path, at: tuple[str, ...]) -> dict[str, Any]:
    try:
        table: Any = tomllib.loads(config.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise HarnessError(ErrorKind.CONFIG, f"{config}: {exc}") from exc
    for part in at:
        table = table.get(part, {})
    return dict(table)


def _coerce(key: str, value: Any, source: str, *, base: Path | None) -> Any:
    option = _BY_NAME.get(key)
    if option is None:
        raise HarnessError(
            ErrorKind.CONFIG,
            f"unknown setting {key!r} in {source}.{did_you_mean(key, [*_BY_NAME, *stage_names()])}",
        )
    try:
        converted = _READERS[option.kind](value, base)
        if option.range is not None and converted not in option.range:
            raise ValueError(f"must be {option.range}")
    except (TypeError, ValueError) as exc:
        raise HarnessError(
            ErrorKind.CONFIG, f"bad value {value!r} for {key!r} in {source}: {exc}", tip=f"{key}: {option.help}"
        ) from exc
    return converted


def _items(value: Any, base: Path | None) -> tuple[str, ...]:
    items = value.split(",") if isinstance(value, str) else list(value)
    return tuple(str(item).strip() for item in items if str(item).strip())


def _path(value: Any, base: Path | None) -> Path:
    path = Path(str(value)).expanduser()
    # Absolute: stages run tools in subprocesses with other working folders.
    return (base / path if base is not None else path).absolute()


_BOOL_WORDS = {"1", "true", "yes", "on", "0", "false", "no", "off", ""}


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    lowered = str(value).strip().lower()
    if lowered not in _BOOL_WORDS:
        raise ValueError("expected true or false")
    return lowered in {"1", "true", "yes", "on"}


def _remote_hosts(value: Any, base: Path | None = None) -> RemoteHosts:
    """true/false as before, or hosts: ``--allow-remote a.example b.example``, ``"a.example,b.example"``."""
    if isinstance(value, bool) or (isinstance(value, str) and value.strip().lower() in _BOOL_WORDS):
        return _boolean(value)
    hosts = tuple(host.strip("[]").lower() for host in _items(value, base))
    if any("/" in host or " " in host for host in hosts):
        raise ValueError("expected host names (no scheme or path), e.g. api.example.com")
    return hosts or True


_READERS: dict[str, Callable[[Any, Path | None], Any]] = {
    "str": lambda value, base: str(value),
    "path": _path,
    "int": lambda value, base: int(value),
    "float": lambda value, base: float(value),
    "bool": lambda value, base: _boolean(value),
    "list": _items,
    "hosts": _remote_hosts,
}
"""How a value of each kind of setting is read, from TOML, a variable or a flag (``base``: the config
file's folder, for relative paths)."""


def _substitute(value: Any, environ: Mapping[str, str], where: str) -> Any:
    """Replace ``${VAR}`` in strings with environment values and register them as secrets."""
    if isinstance(value, dict):
        return {k: _substitute(v, environ, f"{where}.{k}") for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, environ, where) for v in value]
    if not isinstance(value, str):
        return value

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in environ:
            raise HarnessError(
                ErrorKind.CONFIG,
                f"{where} refers to ${{{name}}}, but the environment variable {name} is not set",
                tip=f"export {name}=... before running, or remove the reference",
            )
        secrets.register(environ[name])
        return environ[name]

    return _VAR.sub(replace, value)


def _validate(settings: Settings) -> None:
    if settings.profile not in PROFILES:
        raise HarnessError(
            ErrorKind.CONFIG,
            f"unknown profile {settings.profile!r}.{did_you_mean(settings.profile, PROFILES)}",
            tip=f"profiles: {', '.join(PROFILES)}",
        )
    known = stage_names()
    for stage in settings.stages:
        if stage not in known:
            message = f"unknown stage {stage!r}.{did_you_mean(stage, known)}"
            raise HarnessError(ErrorKind.CONFIG, message, tip=f"stages: {', '.join(known)}")
    if not settings.stages:
        raise HarnessError(ErrorKind.CONFIG, "no stage to run: stages is empty", tip=f"stages: {', '.join(known)}")
