"""Feedback, beta sign-up and dashboard workflows."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from .data import unique
from .pages.dashboard import DashboardPage
from .pages.forms import BetaPage, FeedbackPage
from .workflows import StepFn


def test_feedback(page: Page, step: StepFn) -> None:
    """Send feedback."""
    feedback = FeedbackPage(page)
    with step("open feedback page"):
        feedback.open()
    with step("fill feedback"):
        feedback.fill("Bug", "The catalogue filters work well; thanks from the e2e stage.", "e2e@example.test")
    with step("submit"):
        feedback.submit()
    with step("see thanks"):
        feedback.expect_notice("your feedback was sent")
        expect(page.get_by_role("alert")).to_have_count(0)


def test_beta_signup(page: Page, step: StepFn) -> None:
    """Sign up for the beta programme."""
    beta = BetaPage(page)
    with step("open beta page"):
        beta.open()
    with step("fill form"):
        beta.fill(f"{unique('beta')}@example.test", "Linux", "I print miniatures every week.")
    with step("submit"):
        beta.submit()
    with step("see confirmation"):
        beta.expect_notice("Welcome to the beta")


def test_dashboard(page: Page, step: StepFn) -> None:
    """Open the analytics dashboard."""
    dashboard = DashboardPage(page)
    with step("open dashboard"):
        dashboard.open()
    with step("see figures"):
        assert dashboard.figure("Models") > 0
        assert dashboard.figure("Registered users") > 0
