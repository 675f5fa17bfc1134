"""How a stage observes the steps of the e2e stage's workflow tests without either stage importing the other.

A stage that wants to see the browser after every ``step()`` of the team's tests (the accessibility
stage audits it with axe) declares a `StepObserver` in the stage registry (`stagekit.stages`). The e2e
stage loads the observer's pytest plugin into its test run, hands it a folder of the e2e artifacts,
and lists that folder in its result under the observer's artifact name; the observing stage, running
later, finds it there in the run folder. Inside the test run the ``step`` fixture calls the hook
``pytest_harness_step`` (`e2e.hooks`), which the observer's plugin implements.
"""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class StepObserver:
    """What the e2e stage needs to run a stage's observer of workflow steps, and to hand its output on."""

    plugin: str
    """The pytest plugin module the e2e stage loads into its test run (``-p``)."""
    option: str
    """The plugin's command-line option that takes its output folder (``--a11y-steps``)."""
    folder: str
    """The output folder's name under the e2e stage's artifacts."""
    artifact: str
    """The name the e2e stage lists that folder under in its result's artifacts."""
