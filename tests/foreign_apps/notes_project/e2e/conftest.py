import os

import pytest


@pytest.fixture
def credentials() -> tuple[str, str]:
    """The test account; the password comes from the environment like in CI."""
    return "alice", os.environ.get("NOTES_PASSWORD", "alice-secret-pw")
