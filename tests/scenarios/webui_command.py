"""The Locust command both web-UI tests start: the bundled app's Locust files, the UI on loopback."""

from __future__ import annotations

import sys

from scenarios.scenario import Scenario
from stagekit.description import bundled_description


def locust_web_ui(target_url: str, port: int, *flags: str) -> list[str]:
    """Locust with its web UI on ``port`` against ``target_url``, a 14 s window; ``flags`` go before the harness's."""
    described = bundled_description()
    files = Scenario(described.locustfiles).files_arg
    return [
        *(sys.executable, "-m", "locust", "-f", files, "--host", target_url),
        *("--web-host", "127.0.0.1", "--web-port", str(port), *flags),
        *("--harness-duration-s", "14", "--harness-ready-path", described.ready_path),
    ]
