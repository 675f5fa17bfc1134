"""The ``[findings]`` policy of a budget file, and ZAP-style ``rules.tsv`` files it may import."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from perf_budgets.model import DEFAULT_SEVERITY_ACTIONS, Action, FindingsPolicy
from vocabulary.errors import ErrorKind, HarnessError
from vocabulary.records import Severity
from vocabulary.source import KeyPath, Source
from vocabulary.suggest import did_you_mean

_POLICY_KEYS = ("default", "rules", "rules_file")
_ACTIONS = tuple(a.value for a in Action)
# ZAP's INFO level reports an alert without warning about it, which is what IGNORE means here:
# findings are always listed in the stage result; the action only decides what they count towards.
_TSV_ALIASES = {"INFO": Action.IGNORE}


def parse_policy(source: Source, raw: Any) -> FindingsPolicy:
    """Validate the ``[findings]`` table (absent means the default policy)."""
    if raw is None:
        return FindingsPolicy()
    path: KeyPath = ("findings",)
    if not isinstance(raw, dict):
        raise source.error(path, "expected a table: [findings]")
    for key in raw:
        if key not in _POLICY_KEYS:
            raise source.unknown((*path, key), key, _POLICY_KEYS, "key")
    default = dict(DEFAULT_SEVERITY_ACTIONS)
    for severity, value in _table(source, (*path, "default"), raw.get("default", {})).items():
        if severity not in Severity.__members__.values():
            raise source.unknown((*path, "default", severity), severity, [v.value for v in Severity], "severity")
        default[Severity(severity)] = _action(source, (*path, "default", severity), value)
    rules: dict[str, Action] = {}
    if "rules_file" in raw:
        rules.update(_rules_file(source, raw["rules_file"]))
    for rule, value in _table(source, (*path, "rules"), raw.get("rules", {})).items():
        rules[rule] = _action(source, (*path, "rules", rule), value)
    return FindingsPolicy(default=default, rules=rules)


def _table(source: Source, path: KeyPath, value: Any) -> dict[str, Any]:
    """A sub-table, or a precise error."""
    if not isinstance(value, dict):
        raise source.error(path, f"expected a table, got {type(value).__name__} {value!r}")
    return value


def _action(source: Source, path: KeyPath, value: Any) -> Action:
    """One of IGNORE, WARN, FAIL (any letter case)."""
    if not isinstance(value, str):
        raise source.error(path, f"expected one of {', '.join(_ACTIONS)}, got {value!r}")
    if value.upper() not in _ACTIONS:
        raise source.unknown(path, value, _ACTIONS, "action")
    return Action(value.upper())


def _rules_file(source: Source, value: Any) -> dict[str, Action]:
    """Load the ``rules_file`` named in the budget file (relative to it)."""
    path: KeyPath = ("findings", "rules_file")
    if not isinstance(value, str) or not value:
        raise source.error(path, f"expected a file path string, got {value!r}")
    file = source.path.parent / value
    if not file.is_file():
        raise source.error(path, f"rules file {file} does not exist")
    return load_rules_tsv(file)


def load_rules_tsv(file: Path) -> dict[str, Action]:
    """Parse a ZAP baseline rules file: ``rule-id<TAB>IGNORE|WARN|FAIL|INFO<TAB>(name)`` per line."""
    rules: dict[str, Action] = {}
    for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        columns = line.split("\t")
        word = columns[1].strip().upper() if len(columns) > 1 else ""
        action = _TSV_ALIASES.get(word) or (Action(word) if word in _ACTIONS else None)
        if action is not None:
            rules[columns[0].strip()] = action
            continue
        raise HarnessError(
            ErrorKind.BUDGETS,
            f"{file}:{number}: expected 'rule-id<TAB>action', got {line!r}.{did_you_mean(word, _ACTIONS)}",
            tip=f"actions: {', '.join(_ACTIONS)} (ZAP's INFO counts as IGNORE; "
            "use the known-failures file instead of OUTOFSCOPE)",
        )
    return rules
