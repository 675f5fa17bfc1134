"""The harness as a Locust file: put it LAST in ``locust -f``, after your own files, unchanged.

    PYTHONPATH=. locust -f locustfile.py,scenarios/harness_locustfile.py --host http://127.0.0.1:8000 \\
        --headless --harness-profile smoke --harness-summary out/summary.json

It defines no users. Locust runs the first `LoadTestShape` among its files: the user's own when
they bring one, else this file's `ProfileShape`, which drives the chosen ``--harness-profile``.
Everything else (HDR recording, validity data, availability probe, Budgets tab) comes from
`scenarios.plugin` through Locust's event hooks.
"""

from __future__ import annotations

from locust import events

from scenarios import plugin
from scenarios.shapes import ProfileShape

__all__ = ["ProfileShape"]

plugin.attach(events)
