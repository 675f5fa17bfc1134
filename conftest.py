"""An index of fixture modules; the fixtures themselves live in the modules named here."""

pytest_plugins = [
    "tests.fixtures.target",
    "tests.fixtures.runs",
    "tests.fixtures.workers",
]
