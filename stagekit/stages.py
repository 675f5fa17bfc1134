"""The stage registry and the context every stage runner receives.

A stage is a callable ``run(ctx: StageContext) -> StageResult`` named by
``"module:function"`` so the gate never imports a tool SDK. Built-ins register
here through the same path as plugins (entry-point group ``harness.stages``).
Its options are declared as ``"module:OPTIONS"`` (a tuple of `StageOption`, in a
module that imports no tool SDK); a ``MOVED`` dict next to them (old key -> where
its job went) gives the tip for a retired key. The metrics it publishes are declared
the same way, as ``"module:METRICS"`` (a tuple of `StageMetric`). A plugin names them
in the entry-point groups ``harness.stage_options`` and ``harness.stage_metrics``
(entry-point name: the stage). A stage that observes the e2e workflows' steps declares its
`StepObserver` the same way (``"module:STEP_OBSERVER"``, group ``harness.step_observers``).

Every list of stages is read here: the names ``--stages``, ``-o STAGE.KEY`` and ``[tool.harness.<stage>]``
accept, the default run, each stage's metric prefix (the first segment of the metrics it declares, else
its name). The gate and the reports receive them from the front door, or read a saved run's own list.
"""

from __future__ import annotations

import dataclasses
import importlib
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, Protocol

from stagekit.description import TargetDescription
from stagekit.stage_metrics import StageMetric, findings_counts
from stagekit.stage_options import StageOption, check
from stagekit.step_observers import StepObserver
from vocabulary.errors import ErrorKind, HarnessError
from vocabulary.records import StageResult


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
    measured: threading.Event = dataclasses.field(default_factory=threading.Event)
    """A timing stage sets it once what needs the machine to itself is measured; the run may then start
    correctness stages beside the rest of it (a stage that never sets it keeps the machine to the end)."""

    def result(self, **fields: Any) -> StageResult:
        """A new result for this stage, pre-filled with target and profile."""
        from vocabulary.records import Status

        fields.setdefault("status", Status.PASSED)
        return StageResult(stage=self.stage, target_url=self.target.url, profile=self.profile, **fields)


@dataclasses.dataclass(frozen=True)
class Scheduling:
    """When a stage may run beside other stages of the run."""

    timing: bool = True
    """It measures timing (latency, Web Vitals, a performance score), so it runs with the machine to itself;
    False: it judges correctness only and may run at once with other such stages."""
    after: tuple[str, ...] = ()
    """Stages whose artifacts it reads: when they are part of the run, it starts once they have ended."""


StageRunner = Callable[[StageContext], StageResult]

_BUILTIN: dict[str, str] = {
    "load": "scenarios.stage:run",
    "e2e": "e2e.stage:run",
    "contracts": "contracts.stage:run",
    "security": "security.stage:run",
    "accessibility": "accessibility.stage:run",
}
_registry: dict[str, str | StageRunner] = dict(_BUILTIN)
_AROUND = ("coverage",)
"""Stages the pipeline runs around the others rather than through a runner (coverage is measured after
the target stopped): named like any stage, never run by `resolve`."""
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
_step_observers: dict[str, str | StepObserver] = {"accessibility": "accessibility.step_results:STEP_OBSERVER"}
"""Stages that observe the e2e workflows' steps (the e2e stage loads their pytest plugins), and where they say how."""
_scheduling: dict[str, Scheduling] = {
    "contracts": Scheduling(timing=False),
    "security": Scheduling(timing=False),
    "accessibility": Scheduling(timing=False, after=("e2e",)),  # it reads the step audits of e2e's workflows
}
"""How each stage may share the run; one not listed (load, e2e, a plugin that says nothing) runs alone."""


def register(
    name: str,
    runner: str | StageRunner,
    options: str | Sequence[StageOption] | None = None,
    metrics: str | Sequence[StageMetric] | None = None,
    step_observer: str | StepObserver | None = None,
    scheduling: Scheduling | None = None,
) -> None:
    """Add or replace a stage: a ``"module:function"`` reference or the callable itself, its options
    (``"module:OPTIONS"`` or the options themselves; None: the stage declares none and its table is
    not checked) and its metrics (``"module:METRICS"`` or the metrics; None: budgets on them are not
    checked before the run), and its observer of the e2e workflows' steps (``"module:STEP_OBSERVER"``
    or the `StepObserver`; None: it observes none) and when it may run beside others (None: alone)."""
    _registry[name] = runner
    if options is not None:
        _options[name] = options
    if metrics is not None:
        _metrics[name] = metrics
    if step_observer is not None:
        _step_observers[name] = step_observer
    if scheduling is not None:
        _scheduling[name] = scheduling


def names() -> list[str]:
    """Every stage a run can name, in run order: the runners (built-ins first, then plugins), then coverage."""
    _load_plugins()
    return [*_registry, *(stage for stage in _AROUND if stage not in _registry)]


def default_stages() -> list[str]:
    """The stages a run without ``--stages`` runs: every runner, plugins included (coverage: ``--coverage``)."""
    _load_plugins()
    return list(_registry)


def prefix_of(stage: str) -> str:
    """The first segment of every metric ``stage`` publishes: that of its declared metrics, else its name."""
    declared = _declared_metrics(stage)
    return declared[0].prefix if declared else stage


def prefixes() -> dict[str, str]:
    """Stage -> metric prefix, for every stage (the gate maps a budget's metric to its stage with it)."""
    return {stage: prefix_of(stage) for stage in names()}


def scheduling_of(stage: str) -> Scheduling:
    """When ``stage`` may run beside others (alone, unless it declared otherwise)."""
    return _scheduling.get(stage, Scheduling())


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
    declared = _declared_metrics(stage)
    if stage not in _metrics:
        return ()
    return (*declared, *findings_counts(prefix_of(stage)))


def published() -> tuple[StageMetric, ...]:
    """Every metric every stage declares: the registry budgets are checked against."""
    return tuple(metric for stage in metric_stages() for metric in metrics_of(stage))


def step_observers() -> dict[str, StepObserver]:
    """Every stage that observes the e2e workflows' steps, and how, in registry order (imports the declaring
    modules now)."""
    _load_plugins()
    return {stage: _imported(ref) if isinstance(ref, str) else ref for stage, ref in _step_observers.items()}


def _declared_metrics(stage: str) -> tuple[StageMetric, ...]:
    """The metrics ``stage`` declares itself, importing the declaring module only now."""
    _load_plugins()
    ref = _metrics.get(stage, ())
    return tuple(_imported(ref) if isinstance(ref, str) else ref)


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
    tables: tuple[dict[str, Any], ...] = (_registry, _options, _metrics, _step_observers)
    groups = ("harness.stages", "harness.stage_options", "harness.stage_metrics", "harness.step_observers")
    for group, table in zip(groups, tables, strict=True):
        for ep in entry_points(group=group):
            _check_name(ep.name, ep.value)
            table.setdefault(ep.name, ep.value)


_NAME = re.compile(r"[a-z][a-z0-9_-]*")
"""A stage name (the stage-result schema's): ``<stage>.json``, ``-o <stage>.KEY``, ``[tool.harness.<stage>]``."""


def _check_name(name: str, ref: str) -> None:
    """A plugin's stage name is one `-o STAGE.KEY` can spell, and its ``<name>.json`` is none of the run's own files."""
    from vocabulary.rundir import RUN_FILES  # only with a plugin installed: it imports jsonschema

    if _NAME.fullmatch(name) is None or f"{name}.json" in RUN_FILES:
        raise HarnessError(
            ErrorKind.CONFIG,
            f"a plugin ({ref}) registers a stage named {name!r}: a stage is named in lower-case letters, digits,"
            f" '-' and '_', and not {', '.join(RUN_FILES)} (the run's own files)",
            tip="rename the stage in the plugin's entry points",
        )
