"""The catalogue of the target's user workflows: the denominator of workflow coverage.

Every test in ``e2e/`` carries ``@pytest.mark.workflow("<id>")`` with an id declared here and
walks through the declared steps in order with ``step("<name>")``; a failing test is reported as
its workflow and the step it was in. Coverage = declared workflows with a passing test / declared
workflows, so a workflow without a test counts as not covered.
"""

from __future__ import annotations

import dataclasses

from harness.suggest import did_you_mean


@dataclasses.dataclass(frozen=True)
class Workflow:
    """One user journey through the target's pages."""

    id: str
    name: str
    steps: tuple[str, ...]


WORKFLOWS: tuple[Workflow, ...] = (
    Workflow("register", "Register a new account", ("open register page", "fill form", "submit", "see signed in")),
    Workflow("login", "Log in as the demo user", ("open login page", "fill credentials", "submit", "see signed in")),
    Workflow("logout", "Log out", ("log in", "log out", "see signed out")),
    Workflow("browse", "Browse the catalogue", ("open catalogue", "see models", "next page")),
    Workflow("search", "Search the catalogue", ("open catalogue", "search", "see matching models")),
    Workflow(
        "filter", "Filter the catalogue by category", ("open catalogue", "choose category", "see filtered models")
    ),
    Workflow("sort", "Sort the catalogue", ("open catalogue", "choose sort", "see sorted models")),
    Workflow("open-model", "Open a model's page", ("open catalogue", "open first model", "see model details")),
    Workflow("rate", "Rate a model", ("log in", "open model", "rate", "see rating saved")),
    Workflow("comment", "Comment on a model", ("log in", "open model", "write comment", "see comment")),
    Workflow("share", "Share a model", ("open model", "share", "see share link")),
    Workflow(
        "upload",
        "Upload a model, see it listed and notified live",
        (
            "log in",
            "open watcher tab",
            "open upload form",
            "fill upload form",
            "submit upload",
            "see model page",
            "see it listed",
            "see notification in second tab",
        ),
    ),
    Workflow("download", "Download a model file", ("open model", "download", "check file")),
    Workflow("feedback", "Send feedback", ("open feedback page", "fill feedback", "submit", "see thanks")),
    Workflow("wiki-create", "Create a wiki page", ("log in", "open new wiki page", "fill page", "save", "see page")),
    Workflow("wiki-edit", "Edit a wiki page", ("log in", "create page", "edit page", "save", "see new text")),
    Workflow(
        "wiki-history",
        "View a wiki page's history",
        ("log in", "create and edit page", "open history", "see revisions"),
    ),
    Workflow(
        "beta-signup", "Sign up for the beta programme", ("open beta page", "fill form", "submit", "see confirmation")
    ),
    Workflow("dashboard", "Open the analytics dashboard", ("open dashboard", "see figures")),
)
"""Every declared workflow, in the order reports list them."""

BY_ID: dict[str, Workflow] = {w.id: w for w in WORKFLOWS}


class UnknownWorkflowError(ValueError):
    """A workflow id or step name that the catalogue does not declare."""


def get(workflow_id: str) -> Workflow:
    """The declared workflow with this id."""
    try:
        return BY_ID[workflow_id]
    except KeyError:
        raise UnknownWorkflowError(
            f"unknown workflow {workflow_id!r}.{did_you_mean(workflow_id, BY_ID)} Declared: {', '.join(BY_ID)}"
        ) from None


def select(ids: list[str] | tuple[str, ...] | None) -> tuple[Workflow, ...]:
    """The workflows to run: all of them for None/empty, else the named ones (validated)."""
    if not ids:
        return WORKFLOWS
    return tuple(get(workflow_id) for workflow_id in dict.fromkeys(ids))


def check_step(workflow: Workflow, name: str) -> None:
    """Raise if ``name`` is not one of the workflow's declared steps."""
    if name not in workflow.steps:
        raise UnknownWorkflowError(
            f"step {name!r} is not declared for workflow {workflow.id!r}."
            f"{did_you_mean(name, workflow.steps)} Declared: {', '.join(workflow.steps)}"
        )
