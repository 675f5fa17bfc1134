"""The load profile names, declared once: the CLI's ``--profile``, the budget file's ``profiles`` and
``[profiles.<name>]`` tables, and the load stage's shapes (`scenarios.profiles`) all use this list."""

from __future__ import annotations

PROFILES = ("smoke", "load", "peak", "stress", "spike", "soak", "resilience", "arrival-rate")
"""Every profile, in the order help texts list them (lightest first)."""
