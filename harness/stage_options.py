"""The one shape of a stage option: name, default and help, declared once next to the stage's code.

Each stage declares ``OPTIONS: tuple[StageOption, ...]`` in a module that imports no tool SDK, so the
pipeline can check every ``[tool.harness.<stage>]`` table before any traffic and ``harness options``
can print them all. ``check`` refuses an unknown key: a silently ignored option would measure
something else than the user asked for.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from harness.errors import ErrorKind, HarnessError
from harness.suggest import did_you_mean

_TYPE_NAMES = {bool: "bool", int: "int", float: "float", str: "str", list: "list", tuple: "list"}


@dataclasses.dataclass(frozen=True)
class StageOption:
    """One option of a stage's table: its default (None: decided elsewhere, the help says where) and help."""

    name: str
    default: Any
    help: str
    type: str = ""
    """Shown in the reference; derived from the default when empty (give it when the default is None)."""

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
    """Refuse a key ``declared`` does not name; the tip says where a moved option went, else lists the known ones."""
    known = {option.name: option for option in declared}
    for key, value in given.items():
        if key in known:
            _check_type(stage, known[key], value)
            continue
        tip = (moved or {}).get(key) or f"known {stage} options: {', '.join(known)}"
        raise HarnessError(ErrorKind.CONFIG, f"unknown {stage} option {key!r}.{did_you_mean(key, known)}", tip=tip)


def _check_type(stage: str, option: StageOption, value: Any) -> None:
    """A value of the declared type (a list option also takes one string): ``users = "abc"`` must not
    reach a stage that would crash on it, or run with something else than asked."""
    kind = option.type_name.split("[", 1)[0]
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    fits = {
        "bool": isinstance(value, bool),
        "int": is_number and float(value).is_integer(),
        "float": is_number,
        "str": isinstance(value, str),
        "path": isinstance(value, str),
        "list": isinstance(value, list | tuple | str),
    }.get(kind, True)
    if not fits:
        raise HarnessError(
            ErrorKind.CONFIG,
            f"{stage} option {option.name!r} expects {option.type_name}, got {value!r}",
            tip=f"{option.name}: {option.help}",
        )


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
    """The options of a dataclass whose fields carry ``metadata["help"]`` (and ``metadata["type"]`` if needed)."""
    return tuple(
        StageOption(field.name, field.default, field.metadata["help"], field.metadata.get("type", ""))
        for field in dataclasses.fields(cls)
    )
