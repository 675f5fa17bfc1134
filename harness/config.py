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
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from stagekit.description import TargetDescription, load_file
from stagekit.netguard import RemoteHosts
from stagekit.stage_options import from_environment, parse_value
from vocabulary import secrets
from vocabulary.errors import ErrorKind, HarnessError
from vocabulary.records import STAGES
from vocabulary.suggest import did_you_mean

PROFILES = ("smoke", "load", "peak", "stress", "spike", "soak", "resilience", "arrival-rate")
DEFAULT_STAGES = ("load", "e2e", "contracts", "security", "accessibility")
ENV_PREFIX = "HARNESS_"
_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclasses.dataclass(frozen=True)
class Settings:
    """Everything `harness run` needs to know, after all sources are merged."""

    profile: str = "smoke"
    stages: tuple[str, ...] = DEFAULT_STAGES
    target_url: str | None = None
    """A running app's URL; overrides the description's url and command."""
    openapi: str | None = None
    """URL, file or path on the target of the OpenAPI document; overrides the description's."""
    target: TargetDescription | None = None
    """The configured target description; None with no target_url runs the bundled app."""
    budgets: Path | None = None
    """None uses the shipped ``perf_budgets/budgets.toml``."""
    known_failures: Path | None = None
    out: Path = Path("harness-runs")
    baseline: Path | None = None
    allow_remote: RemoteHosts = False
    """``--allow-remote``: True lets the target's own host be remote; hosts (a tuple) are reachable
    besides loopback and must include a remote target's host (`stagekit.netguard.allowed_hosts`)."""
    faults: tuple[str, ...] = ()
    """Fault switches of a started app (its command's faults_env): demonstrations of failing gates."""
    target_port: int = 0
    target_workers: int = 0
    """WEB_CONCURRENCY for a started app (0: the app's own default)."""
    target_data_dir: Path | None = None
    coverage: bool = False
    target_startup_timeout_s: float = 60.0
    external_probe_timeout_s: float = 5.0
    push_metrics: str | None = None
    """A Prometheus Pushgateway the run's ``metrics.prom`` figures are pushed to (loopback, or a host
    listed in ``allow_remote``)."""
    heartbeat_s: float = 10.0
    """Seconds between two progress lines of a stage when stderr is no terminal (a CI log); 0: none."""
    stage_options: Mapping[str, Mapping[str, Any]] = dataclasses.field(default_factory=dict)

    def redacted(self) -> dict[str, Any]:
        """A JSON-ready view for run.json, with secrets replaced."""
        data = json.loads(json.dumps(dataclasses.asdict(self), default=str))
        data["stages"] = list(self.stages)
        data["faults"] = list(self.faults)
        redacted: dict[str, Any] = secrets.redact_obj(data)
        return redacted


_FIELDS = {f.name: f for f in dataclasses.fields(Settings)}
_PATH_FIELDS = {"budgets", "known_failures", "out", "baseline", "target_data_dir"}
_TUPLE_FIELDS = {"stages", "faults"}
_BOOL_FIELDS = {"coverage"}
_INT_FIELDS = {"target_port", "target_workers"}
_FLOAT_FIELDS = {"target_startup_timeout_s", "external_probe_timeout_s", "heartbeat_s"}


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
            if key in STAGES and isinstance(value, dict):
                stage_options[key] = _substitute(value, environ, f"{where}.{key}")
            elif key == "target":
                values[key] = load_file(config, (*at, "target"), environ)
            else:
                values[key] = _coerce(key, value, f"{config}: [{where}]", base=config.parent)
    for name, raw in environ.items():
        if name.startswith(ENV_PREFIX) and name[len(ENV_PREFIX) :].lower() in _FIELDS:
            key = name[len(ENV_PREFIX) :].lower()
            values[key] = _coerce(key, raw, f"environment variable {name}", base=None)
    for stage, options in _stage_environment(environ).items():
        stage_options.setdefault(stage, {}).update(options)
    for key, value in flags.items():
        if key == "stage_options":
            for stage, options in (value or {}).items():
                stage_options.setdefault(stage, {}).update(options)
        elif value is not None:
            values[key] = _coerce(key, value, f"flag --{key.replace('_', '-')}", base=None)
    values["stage_options"] = stage_options
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
    if stage not in STAGES:
        raise HarnessError(ErrorKind.USAGE, f"--option {text!r}: unknown stage {stage!r}.{did_you_mean(stage, STAGES)}")
    return stage, key, parse_value(raw)


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
    if key not in _FIELDS or key in ("stage_options", "target"):
        raise HarnessError(
            ErrorKind.CONFIG,
            f"unknown setting {key!r} in {source}.{did_you_mean(key, [*_FIELDS, *STAGES])}",
        )
    try:
        return _convert(key, value, base)
    except (TypeError, ValueError) as exc:
        raise HarnessError(ErrorKind.CONFIG, f"bad value {value!r} for {key!r} in {source}: {exc}") from exc


def _convert(key: str, value: Any, base: Path | None) -> Any:
    if key in _TUPLE_FIELDS:
        items = value.split(",") if isinstance(value, str) else list(value)
        return tuple(item.strip() for item in items if item.strip())
    if key == "allow_remote":
        return _remote_hosts(value)
    if key in _BOOL_FIELDS:
        return _boolean(value)
    if key in _INT_FIELDS:
        return int(value)
    if key in _FLOAT_FIELDS:
        return float(value)
    if key in _PATH_FIELDS:
        path = Path(str(value)).expanduser()
        # Absolute: stages run tools in subprocesses with other working folders.
        return (base / path if base is not None else path).absolute()
    return str(value)


_BOOL_WORDS = {"1", "true", "yes", "on", "0", "false", "no", "off", ""}


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    lowered = str(value).strip().lower()
    if lowered not in _BOOL_WORDS:
        raise ValueError("expected true or false")
    return lowered in {"1", "true", "yes", "on"}


def _remote_hosts(value: Any) -> RemoteHosts:
    """true/false as before, or hosts: ``--allow-remote a.example b.example``, ``"a.example,b.example"``."""
    if isinstance(value, bool) or (isinstance(value, str) and value.strip().lower() in _BOOL_WORDS):
        return _boolean(value)
    items = value.split(",") if isinstance(value, str) else list(value)
    hosts = tuple(str(item).strip().strip("[]").lower() for item in items if str(item).strip())
    if any("/" in host or " " in host for host in hosts):
        raise ValueError("expected host names (no scheme or path), e.g. api.example.com")
    return hosts or True


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
    for stage in settings.stages:
        if stage not in STAGES:
            raise HarnessError(
                ErrorKind.CONFIG,
                f"unknown stage {stage!r}.{did_you_mean(stage, STAGES)}",
                tip=f"stages: {', '.join(DEFAULT_STAGES)}",
            )
    if not settings.stages:
        raise HarnessError(
            ErrorKind.CONFIG, "no stage to run: stages is empty", tip=f"stages: {', '.join(DEFAULT_STAGES)}"
        )
    if settings.target_workers < 0:
        raise HarnessError(ErrorKind.CONFIG, "target_workers must not be negative")
    if settings.heartbeat_s < 0:
        raise HarnessError(ErrorKind.CONFIG, "heartbeat_s must not be negative", tip="0 turns the heartbeat off")
    if not 0 <= settings.target_port <= 65535:
        raise HarnessError(
            ErrorKind.CONFIG, f"target_port {settings.target_port} is not a TCP port", tip="0 (a free port) to 65535"
        )
