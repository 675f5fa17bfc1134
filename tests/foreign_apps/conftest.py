"""Keep the user-style projects out of this repository's own test run.

``*_project/`` folders hold what a product team would write for the foreign apps (Locust files,
pytest-playwright tests, a Schemathesis config). Their e2e tests need pytest-playwright's ``page``
fixture, which the repository's pytest run disables; the harness runs them in a subprocess instead.
"""

collect_ignore_glob = ["*_project"]
