"""The stage registry and the context every stage runner receives.

A stage is a callable ``run(ctx: StageContext) -> StageResult`` named by
``"module:function"`` so the gate never imports a tool SDK. Built-ins register
here through the same path as plugins (entry-point group ``harness.stages``).
Its options are declared as ``"module:OPTIONS"`` (a tuple of `StageOption`, in a
module that imports no tool SDK); a ``MOVED`` dict next to them (old key -> where
its job went) gives the tip for a retired key.
"""

from __future__ import annotations

import dataclasses
import importlib
import threading
from collections.abc import Callable, Mapping, Sequence
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, Protocol

from harness.description import TargetDescription
from harness.errors import ErrorKind, HarnessError
from harness.records import StageResult
from harness.stage_options import StageOption, check


class Progress(Protocol):
    """How a stage tells the user what it is doing (a progress bar in the terminal)."""

    def start(self, description: str, total: float | None = None) -> None:
        """Begin a step; ``total`` in arbitrary units (seconds, operations) when known."""

    def advance(self, amount: float = 1.0) -> None:
        """Move the current step forward."""

    def log(self, message: str) -> None:
        """A line worth showing above the progress bar."""


class SilentProgress:
    """A `Progress` that shows nothing (tests, `--quiet`)."""

    def start(self, description: str, total: float | None = None) -> None:
        """Ignore the step."""

    def advance(self, amount: float = 1.0) -> None:
        """Ignore progress."""

    def log(self, message: str) -> None:
        """Ignore the message."""


@dataclasses.dataclass(frozen=True)
class TargetInfo:
    """What a stage may know about the target: its URL and its description, nothing else."""

    url: str
    description: TargetDescription = dataclasses.field(default_factory=TargetDescription)
    started: bool = False
    """The harness started the app (from the description's command) and stops it afterwards."""
    faults: tuple[str, ...] = ()
    log_path: Path | None = None
    restart: Callable[[], None] | None = None
    """Kill and restart the started app (resilience measurements); None for an app the harness did not start."""


@dataclasses.dataclass(frozen=True)
class StageContext:
    """Everything a stage runner needs; it writes nothing outside ``artifacts``."""

    stage: str
    profile: str
    target: TargetInfo
    openapi: str | None
    """URL or file path of the target's OpenAPI document; None when the target has none."""
    run_dir: Path
    artifacts: Path
    options: Mapping[str, Any]
    """This stage's table from the config (``[tool.harness.<stage>]``), secrets substituted."""
    progress: Progress = dataclasses.field(default_factory=SilentProgress)
    cancel: threading.Event = dataclasses.field(default_factory=threading.Event)

    def result(self, **fields: Any) -> StageResult:
        """A new result for this stage, pre-filled with target and profile."""
        from harness.records import Status

        fields.setdefault("status", Status.PASSED)
        return StageResult(stage=self.stage, target_url=self.target.url, profile=self.profile, **fields)


StageRunner = Callable[[StageContext], StageResult]

_BUILTIN: dict[str, str] = {
    "load": "scenarios.stage:run",
    "e2e": "e2e.stage:run",
    "contracts": "contracts.stage:run",
    "security": "security.stage:run",
    "accessibility": "accessibility.stage:run",
}
_registry: dict[str, str | StageRunner] = dict(_BUILTIN)
_BUILTIN_OPTIONS: dict[str, str] = {
    "load": "scenarios.stage_options:OPTIONS",
    "e2e": "e2e.plan:OPTIONS",
    "contracts": "contracts.settings:OPTIONS",
    "security": "security.options:OPTIONS",
    "accessibility": "accessibility.plan:OPTIONS",
    "coverage": "harness.coverage_stage:OPTIONS",
}
"""Where each built-in stage declares its options (coverage too: it runs around the others, not as a runner)."""
_options: dict[str, str | Sequence[StageOption]] = dict(_BUILTIN_OPTIONS)


def register(name: str, runner: str | StageRunner, options: str | Sequence[StageOption] | None = None) -> None:
    """Add or replace a stage: a ``"module:function"`` reference or the callable itself, and its
    options (``"module:OPTIONS"`` or the options themselves; None: the stage declares none and its
    table is not checked)."""
    _registry[name] = runner
    if options is not None:
        _options[name] = options


def names() -> list[str]:
    """Every known stage name, built-ins first, then plugins."""
    _load_plugins()
    return list(_registry)


def resolve(name: str) -> StageRunner:
    """The runner for ``name``, importing its module only now."""
    _load_plugins()
    try:
        ref = _registry[name]
    except KeyError:
        raise HarnessError(
            ErrorKind.USAGE,
            f"unknown stage {name!r}",
            tip=f"known stages: {', '.join(_registry)}",
        ) from None
    if callable(ref):
        return ref
    module_name, _, attr = ref.partition(":")
    runner: StageRunner = getattr(importlib.import_module(module_name), attr)
    return runner


def option_stages() -> list[str]:
    """Every stage that declares options, in registry order."""
    return list(_options)


def options_of(stage: str) -> tuple[StageOption, ...]:
    """The options ``stage`` declares (empty when it declares none)."""
    declared, _ = _declaration(stage)
    return declared


def check_options(stage: str, given: Mapping[str, Any]) -> None:
    """Refuse a key ``stage`` does not declare; a stage that declares no options is not checked."""
    if stage not in _options:
        return
    declared, moved = _declaration(stage)
    check(stage, given, declared, moved)


def _declaration(stage: str) -> tuple[tuple[StageOption, ...], Mapping[str, str]]:
    """The declared options and the module's ``MOVED`` tips, importing the declaring module only now."""
    ref = _options.get(stage, ())
    if not isinstance(ref, str):
        return tuple(ref), {}
    module_name, _, attr = ref.partition(":")
    module = importlib.import_module(module_name)
    declared: tuple[StageOption, ...] = tuple(getattr(module, attr))
    moved: Mapping[str, str] = getattr(module, "MOVED", {})
    return declared, moved


_plugins_loaded = False


def _load_plugins() -> None:
    global _plugins_loaded
    if _plugins_loaded:
        return
    _plugins_loaded = True
    for ep in entry_points(group="harness.stages"):
        _registry.setdefault(ep.name, ep.value)
