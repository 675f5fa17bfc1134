"""The stage registry and the context every stage runner receives.

A stage is a callable ``run(ctx: StageContext) -> StageResult`` named by
``"module:function"`` so the gate never imports a tool SDK. Built-ins register
here through the same path as plugins (entry-point group ``harness.stages``).
Its options are declared as ``"module:OPTIONS"`` (a tuple of `StageOption`, in a
module that imports no tool SDK); a ``MOVED`` dict next to them (old key -> where
its job went) gives the tip for a retired key. The metrics it publishes are declared
the same way, as ``"module:METRICS"`` (a tuple of `StageMetric`). A plugin names them
in the entry-point groups ``harness.stage_options`` and ``harness.stage_metrics``
(entry-point name: the stage).
"""

from __future__ import annotations

import dataclasses
import importlib
import threading
from collections.abc import Callable, Mapping, Sequence
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, Protocol

from stagekit.description import TargetDescription
from stagekit.stage_metrics import StageMetric, findings_counts
from stagekit.stage_options import StageOption, check
from vocabulary.errors import ErrorKind, HarnessError
from vocabulary.records import METRIC_PREFIXES, StageResult


class Progress(Protocol):
    """How a stage tells the user what it is doing (a progress bar in the terminal)."""

    def start(self, description: str, total: float | None = None) -> None:
        """Begin a step; ``total`` in arbitrary units (seconds, operations) when known."""

    def advance(self, amount: float = 1.0) -> None:
        """Move the current step forward."""

    def figures(self, text: str) -> None:
        """The step's live figures ("20 users, 46 req/s, p95 12.8 ms"), shown until the next ones."""

    def log(self, message: str) -> None:
        """A line worth showing above the progress bar."""


class SilentProgress:
    """A `Progress` that shows nothing (tests, `--quiet`)."""

    def start(self, description: str, total: float | None = None) -> None:
        """Ignore the step."""

    def advance(self, amount: float = 1.0) -> None:
        """Ignore progress."""

    def figures(self, text: str) -> None:
        """Ignore the figures."""

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
        from vocabulary.records import Status

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
    "coverage": "coverage_stage.stage:OPTIONS",
}
"""Where each built-in stage declares its options (coverage too: it runs around the others, not as a runner)."""
_options: dict[str, str | Sequence[StageOption]] = dict(_BUILTIN_OPTIONS)
_metrics: dict[str, str | Sequence[StageMetric]] = {
    stage: ref.replace(":OPTIONS", ":METRICS") for stage, ref in _BUILTIN_OPTIONS.items()
}
"""Where each stage declares the metrics it publishes (the built-ins: beside their options)."""


def register(
    name: str,
    runner: str | StageRunner,
    options: str | Sequence[StageOption] | None = None,
    metrics: str | Sequence[StageMetric] | None = None,
) -> None:
    """Add or replace a stage: a ``"module:function"`` reference or the callable itself, its options
    (``"module:OPTIONS"`` or the options themselves; None: the stage declares none and its table is
    not checked) and its metrics (``"module:METRICS"`` or the metrics; None: budgets on them are not
    checked before the run)."""
    _registry[name] = runner
    if options is not None:
        _options[name] = options
    if metrics is not None:
        _metrics[name] = metrics


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
    _load_plugins()
    return list(_options)


def options_of(stage: str) -> tuple[StageOption, ...]:
    """The options ``stage`` declares (empty when it declares none)."""
    declared, _ = _declaration(stage)
    return declared


def check_options(stage: str, given: Mapping[str, Any]) -> None:
    """Refuse a key ``stage`` does not declare, a wrong type or a value out of range; a stage that
    declares no options is not checked."""
    _load_plugins()
    if stage not in _options:
        return
    declared, moved = _declaration(stage)
    check(stage, given, declared, moved)


def metric_stages() -> list[str]:
    """Every stage that declares the metrics it publishes, in registry order."""
    _load_plugins()
    return list(_metrics)


def metrics_of(stage: str) -> tuple[StageMetric, ...]:
    """The metrics ``stage`` publishes, the findings counts the gate derives for it included (empty when
    it declares none)."""
    _load_plugins()
    ref = _metrics.get(stage)
    if ref is None:
        return ()
    declared = tuple(_imported(ref) if isinstance(ref, str) else ref)
    return (*declared, *findings_counts(METRIC_PREFIXES.get(stage, stage)))


def published() -> tuple[StageMetric, ...]:
    """Every metric every stage declares: the registry budgets are checked against."""
    return tuple(metric for stage in metric_stages() for metric in metrics_of(stage))


def _declaration(stage: str) -> tuple[tuple[StageOption, ...], Mapping[str, str]]:
    """The declared options and the module's ``MOVED`` tips, importing the declaring module only now."""
    _load_plugins()
    ref = _options.get(stage, ())
    if not isinstance(ref, str):
        return tuple(ref), {}
    declared: tuple[StageOption, ...] = tuple(_imported(ref))
    moved: Mapping[str, str] = getattr(importlib.import_module(ref.partition(":")[0]), "MOVED", {})
    return declared, moved


def _imported(ref: str) -> Any:
    """The attribute a ``"module:attribute"`` reference names."""
    module_name, _, attr = ref.partition(":")
    return getattr(importlib.import_module(module_name), attr)


_plugins_loaded = False


def _load_plugins() -> None:
    global _plugins_loaded
    if _plugins_loaded:
        return
    _plugins_loaded = True
    # A plugin's runner, options and metrics are ``"module:attribute"`` references, imported when used.
    tables: tuple[dict[str, Any], ...] = (_registry, _options, _metrics)
    for group, table in zip(("harness.stages", "harness.stage_options", "harness.stage_metrics"), tables, strict=True):
        for ep in entry_points(group=group):
            table.setdefault(ep.name, ep.value)
