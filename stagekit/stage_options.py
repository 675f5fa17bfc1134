"""The one shape of a stage option: name, type, range, default, help and environment variable, declared
once next to the stage's code.

Each stage declares ``OPTIONS: tuple[StageOption, ...]`` in a module that imports no tool SDK, so the
pipeline can check every ``[tool.harness.<stage>]`` table before any traffic and ``harness options``
can print them all. ``check`` refuses an unknown key, a value of the wrong type and one outside the
option's range or choices: a silently ignored or impossible option would measure something else than
the user asked for (``users = -5`` once ran 31 s with 2 requests).
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
import tomllib
from collections.abc import Mapping, Sequence
from typing import Any

from vocabulary.errors import ErrorKind, HarnessError
from vocabulary.suggest import did_you_mean

_TYPE_NAMES = {bool: "bool", int: "int", float: "float", str: "str", list: "list", tuple: "list"}


@dataclasses.dataclass(frozen=True)
class Range:
    """The numbers an option (or each item of a list option) may take; None: unbounded on that side."""

    low: float | None = None
    high: float | None = None
    low_open: bool = False
    """True: ``low`` itself is refused (``> 0`` for durations)."""

    def __contains__(self, value: float) -> bool:
        if not math.isfinite(value):
            return False
        if self.low is not None and (value <= self.low if self.low_open else value < self.low):
            return False
        return self.high is None or value <= self.high

    def __str__(self) -> str:
        if self.low is not None and self.high is not None:
            return f"{self.low:g} to {self.high:g}"
        if self.low is not None:
            return f"{'>' if self.low_open else '>='} {self.low:g}"
        return f"<= {self.high:g}" if self.high is not None else "any number"


def at_least(low: float) -> Range:
    """``>= low``: counts (``users >= 1``), depths (``>= 0``)."""
    return Range(low)


POSITIVE = Range(0, low_open=True)
"""``> 0``: durations, timeouts, scales and limits that zero would turn into nonsense."""
RATIO = Range(0, 1)
"""``0 to 1``: a share of something (1 % is 0.01)."""


@dataclasses.dataclass(frozen=True)
class StageOption:
    """One option of a stage's table: its default (None: decided elsewhere, the help says where), help, and
    what a value may be."""

    name: str
    default: Any
    help: str
    type: str = ""
    """Shown in the reference; derived from the default when empty (give it when the default is None)."""
    range: Range | None = None
    """The numbers a value (or each item of a list) may take."""
    choices: tuple[str, ...] = ()
    """The only values a string (or each item of a list) may take."""
    env: str = ""
    """An environment variable that sets it too (below ``-o``, above the config file)."""

    @property
    def constraint(self) -> str:
        """``range >= 1`` or ``one of a, b`` for the reference and messages; empty when anything goes."""
        if self.choices:
            return f"one of {', '.join(self.choices)}"
        return f"range {self.range}" if self.range is not None else ""

    @property
    def type_name(self) -> str:
        """The declared type, else the default's (``bool``, ``int``, ``float``, ``str``, ``list``)."""
        return self.type or _TYPE_NAMES.get(type(self.default), "")

    @property
    def shown_default(self) -> str:
        """The default as it would be written in TOML; empty for None (the help says what decides)."""
        return "" if self.default is None else _toml(self.default)


def check(
    stage: str, given: Mapping[str, Any], declared: Sequence[StageOption], moved: Mapping[str, str] | None = None
) -> None:
    """Refuse a key ``declared`` does not name (the tip says where a moved option went, else lists the known
    ones), a value of another type, and one outside the option's range or choices."""
    known = {option.name: option for option in declared}
    for key, value in given.items():
        if key in known:
            _check_type(stage, known[key], value)
            _check_value(stage, known[key], value)
            continue
        tip = (moved or {}).get(key) or f"known {stage} options: {', '.join(known)}"
        raise HarnessError(ErrorKind.CONFIG, f"unknown {stage} option {key!r}.{did_you_mean(key, known)}", tip=tip)


def _check_type(stage: str, option: StageOption, value: Any) -> None:
    """A value of the declared type (a list option also takes one string): ``users = "abc"`` must not
    reach a stage that would crash on it, or run with something else than asked."""
    kind, _, item_kind = option.type_name.rstrip("]").partition("[")
    fits = _fits(kind, value)
    if kind == "list" and item_kind in ("int", "float"):  # the stage reads the items as numbers
        fits = isinstance(value, list | tuple) and all(_fits(item_kind, item) for item in value)
    if not fits:
        raise HarnessError(
            ErrorKind.CONFIG,
            f"{stage} option {option.name!r} expects {option.type_name}, got {value!r}",
            tip=f"{option.name}: {option.help}",
        )


def _fits(kind: str, value: Any) -> bool:
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    return {
        "bool": isinstance(value, bool),
        "int": is_number and float(value).is_integer(),
        "float": is_number,
        "str": isinstance(value, str),
        "path": isinstance(value, str),
        "list": isinstance(value, list | tuple | str),
    }.get(kind, True)


def _check_value(stage: str, option: StageOption, value: Any) -> None:
    """Every item within the range and among the choices: ``users = -5`` or ``phases = ["fuzz"]``
    is refused before any traffic, not discovered by the tool after the target started."""
    items = _items(option, value)
    # `_check_type` ran: an option with a range holds numbers (or a list of them).
    if option.range is not None and any(item not in option.range for item in items):
        raise _refused(stage, option, value, f"must be {option.range}")
    for item in items if option.choices else ():
        if item not in option.choices:
            hint = did_you_mean(str(item), option.choices) if isinstance(item, str) else ""
            raise _refused(stage, option, value, f"must be one of {', '.join(option.choices)}", hint)


def _items(option: StageOption, value: Any) -> tuple[Any, ...]:
    """A list's items; a string given for a list option is comma-separated (as ``-o`` gives it)."""
    if isinstance(value, list | tuple):
        return tuple(value)
    if isinstance(value, str) and option.type_name.startswith("list"):
        return tuple(item.strip() for item in value.split(",") if item.strip())
    return (value,)


def _refused(stage: str, option: StageOption, value: Any, problem: str, hint: str = "") -> HarnessError:
    """``load option 'users' must be >= 1, got -5``; the tip gives its meaning and every way to set it."""
    set_by = f"-o {stage}.{option.name}, [tool.harness.{stage}] {option.name}"
    set_by += f" or {option.env}" if option.env else ""
    return HarnessError(
        ErrorKind.CONFIG,
        f"{stage} option {option.name!r} {problem}, got {value!r}.{hint}".removesuffix("."),
        tip=f"{option.name}: {option.help} (set by {set_by})",
    )


def from_environment(declared: Sequence[StageOption], environ: Mapping[str, str]) -> dict[str, Any]:
    """The options their declared environment variables set, each read as ``-o`` reads a value."""
    return {option.name: parse_value(environ[option.env]) for option in declared if option.env in environ}


def parse_value(raw: str) -> Any:
    """A value as ``-o KEY=VALUE`` gives it: TOML when it parses (numbers, booleans, lists), else the string."""
    try:
        return tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        return raw


def regexes(stage: str, options: Mapping[str, Any], key: str) -> tuple[str, ...]:
    """A filter option: one regular expression or a list of them, each a string that compiles."""
    raw = options.get(key) or ()
    values = (raw,) if isinstance(raw, str) else tuple(raw)
    for value in values:
        try:
            re.compile(value)
        except (re.error, TypeError) as exc:
            raise HarnessError(
                ErrorKind.CONFIG,
                f"{stage} option {key}: {value!r} is not a regular expression: {exc}",
                tip='patterns match "METHOD /path", e.g. "^GET /books"',
            ) from None
    return values


def with_defaults(given: Mapping[str, Any], declared: Sequence[StageOption]) -> dict[str, Any]:
    """Every declared option: the given value, else its default (``check`` first: extra keys pass through)."""
    return {**{option.name: option.default for option in declared}, **given}


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return f"[{', '.join(_toml(item) for item in value)}]"
    if isinstance(value, str):
        return json.dumps(value)
    return str(value)


def from_dataclass(cls: type[Any]) -> tuple[StageOption, ...]:
    """The options of a dataclass whose fields carry ``metadata["help"]`` (and ``type``, ``range``,
    ``choices``, ``env`` where needed)."""
    extras = ("range", "choices", "env")
    return tuple(
        StageOption(
            field.name,
            field.default,
            field.metadata["help"],
            field.metadata.get("type", ""),
            **{key: field.metadata[key] for key in extras if key in field.metadata},
        )
        for field in dataclasses.fields(cls)
    )
