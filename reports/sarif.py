"""``security.sarif``: SARIF 2.1.0 from the security, contract and accessibility findings (one SARIF run
each), built by ``security/sarif.py``.

The SARIF builder belongs to the security stage's engineer (it knows the rule metadata); reports
only call it, lazily, as ``security.sarif.build(results) -> dict`` with the run's security, contract
and accessibility stage results. Without that module (or when none of these stages ran) no file is written. A stage
that did not apply to the target is left out: an empty SARIF run for it would tell code scanning
that every earlier alert of that tool was fixed.
"""

from __future__ import annotations

import importlib
import logging
from pathlib import Path

from reports.registry import RunView, handler
from vocabulary import atomic
from vocabulary.records import Status

FILE = "security.sarif"
BUILDER = "security.sarif"
_STAGES = ("security", "contracts", "accessibility")

log = logging.getLogger(__name__)


@handler("sarif")
def render(run: RunView) -> list[Path]:
    """Write ``security.sarif`` when the security, contract or accessibility stage ran and the builder exists."""
    results = {s: r for s, r in run.results.items() if s in _STAGES and r.status is not Status.NOT_APPLICABLE}
    if not results:
        return []
    try:
        module = importlib.import_module(BUILDER)
    except ModuleNotFoundError as exc:
        if exc.name != BUILDER:
            raise
        log.warning("%s is not available; %s not written", BUILDER, FILE)
        return []
    target = run.path / FILE
    atomic.write_json(target, module.build(results.values()))
    return [target]
