"""The passive-rule registry: every rule is a pure function of one `httpx.Response`, registered by decorator.

Rules report under ZAP's own plugin ids (https://www.zaproxy.org/docs/alerts/) with the risk,
confidence and CWE that ZAP assigns at its default alert threshold, so a team can switch between
the built-in baseline and a real ZAP daemon without changing rule keys in ``rules.tsv`` or the
known-findings file. Built-in rules register through the same `rule` decorator as user rules.
"""

from __future__ import annotations

import dataclasses
import enum
import importlib
from collections.abc import Callable, Iterable, Iterator

import httpx


class Risk(enum.StrEnum):
    """ZAP's risk levels."""

    HIGH = "High"
    MEDIUM = "Medium"
    LOW = "Low"
    INFO = "Informational"


class Confidence(enum.StrEnum):
    """ZAP's confidence levels (False Positive alerts are never reported)."""

    CONFIRMED = "Confirmed"
    HIGH = "High"
    MEDIUM = "Medium"
    LOW = "Low"


@dataclasses.dataclass(frozen=True)
class Hit:
    """What a rule saw in one response: the evidence, and the parameter (header, cookie) it concerns."""

    evidence: str
    param: str = ""
    other: str = ""
    risk: Risk | None = None
    """Overrides the rule's default risk for this hit (e.g. CORS with credentials is High)."""


@dataclasses.dataclass(frozen=True)
class Alert:
    """One rule hit on one URL, shaped like a ZAP alert."""

    plugin_id: str
    name: str
    risk: Risk
    confidence: Confidence
    cwe: int
    method: str
    url: str
    evidence: str
    param: str = ""
    other: str = ""


Check = Callable[[httpx.Response], Iterable[Hit]]


@dataclasses.dataclass(frozen=True)
class Rule:
    """A registered passive rule and the metadata ZAP gives its alerts."""

    plugin_id: str
    name: str
    risk: Risk
    confidence: Confidence
    cwe: int
    check: Check

    def apply(self, response: httpx.Response) -> Iterator[Alert]:
        """The alerts this rule raises on ``response``."""
        request = response.request
        for hit in self.check(response):
            yield Alert(
                plugin_id=self.plugin_id,
                name=self.name,
                risk=hit.risk or self.risk,
                confidence=self.confidence,
                cwe=self.cwe,
                method=request.method,
                url=str(request.url),
                evidence=hit.evidence,
                param=hit.param,
                other=hit.other,
            )


_REGISTRY: dict[str, Rule] = {}
_BUILTIN_MODULES = ("headers", "csp", "cookies", "cors", "disclosure", "caching")


def rule(plugin_id: str, name: str, risk: Risk, confidence: Confidence, cwe: int) -> Callable[[Check], Check]:
    """Register ``check`` as the passive rule ``plugin_id`` (one id, one function)."""

    def register(check: Check) -> Check:
        if plugin_id in _REGISTRY and _REGISTRY[plugin_id].check is not check:
            raise ValueError(f"passive rule {plugin_id} is registered twice")
        _REGISTRY[plugin_id] = Rule(plugin_id, name, risk, confidence, cwe, check)
        return check

    return register


def registered() -> list[Rule]:
    """Every registered rule (built-ins imported on first use), ordered by id."""
    for module in _BUILTIN_MODULES:
        importlib.import_module(f"{__name__}.{module}")
    return [_REGISTRY[key] for key in sorted(_REGISTRY)]


def scan(response: httpx.Response, rules: Iterable[Rule] | None = None) -> list[Alert]:
    """Run every rule (or the given ones) over one response."""
    return [alert for item in (rules if rules is not None else registered()) for alert in item.apply(response)]
