"""The simple forms: feedback, beta programme sign-up."""

from __future__ import annotations

from .base import BasePage


class FeedbackPage(BasePage):
    """``/feedback``: topic, message, optional email."""

    path = "/feedback"

    def send(self, topic: str, message: str, email: str) -> None:
        """Fill the form and press send."""
        self.fill(topic, message, email)
        self.submit()

    def fill(self, topic: str, message: str, email: str) -> None:
        """Fill the form."""
        self.main.get_by_label("Topic").select_option(label=topic)
        self.main.get_by_label("Message").fill(message)
        self.main.get_by_label("Email for a reply").fill(email)

    def submit(self) -> None:
        """Press send."""
        self.main.get_by_role("button", name="Send feedback").click()


class BetaPage(BasePage):
    """``/beta``: email, platform, optional reason."""

    path = "/beta"

    def fill(self, email: str, platform: str, reason: str) -> None:
        """Fill the sign-up form."""
        self.main.get_by_label("Email").fill(email)
        self.main.get_by_label("Platform").select_option(label=platform)
        self.main.get_by_label("Why do you want to join?").fill(reason)

    def submit(self) -> None:
        """Press sign up."""
        self.main.get_by_role("button", name="Sign up").click()
