"""`nox -s ui`: Locust's web UI (with the Budgets tab) against the bundled target or a URL.

    python -m scenarios.ui [--target-url URL] [--web-port 8089]

The bundled app is started on a free loopback port and always stopped, and runs the Locust file
its description names; a URL gets the generic user (its OpenAPI operations, else its crawled
pages), exactly as the load stage would choose. Locust runs in its own process group and is
stopped with it (Ctrl-C or SIGTERM ends both).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from scenarios import process, scenario
from stagekit import supervisor
from stagekit.auth import authenticate
from stagekit.description import TargetDescription, bundled_description
from stagekit.discovery import openapi_location
from stagekit.netguard import check_target_url
from stagekit.target import bundled_app


@contextlib.contextmanager
def target(url: str | None, log_dir: Path) -> Iterator[tuple[str, TargetDescription]]:
    """The given URL (described by nothing but itself), or the bundled app for the duration of the block."""
    if url:
        yield check_target_url(url, allow_remote=False), TargetDescription(url=url, source="--target-url")
        return
    with bundled_app(log_dir / "target.log", data_dir=log_dir / "data") as app:
        yield app.url, bundled_description()


def main(argv: list[str] | None = None) -> int:
    """Run the UI until Ctrl-C or SIGTERM; returns Locust's exit code."""
    parser = argparse.ArgumentParser(prog="python -m scenarios.ui", description=__doc__.splitlines()[0])
    parser.add_argument("--target-url", help="a running app on loopback (default: start the bundled app)")
    parser.add_argument("--web-port", type=int, default=8089, help="UI port on 127.0.0.1, e.g. 8089")
    args = parser.parse_args(argv)
    with supervisor.interruptible():
        return _serve(args)


def _serve(args: argparse.Namespace) -> int:
    """Start the target (unless given) and Locust's UI; both are stopped on the way out, also on SIGTERM."""
    with tempfile.TemporaryDirectory(prefix="harness-ui-") as tmp, target(args.target_url, Path(tmp)) as found:
        url, description = found
        credentials = authenticate(description.auth, url)
        openapi = openapi_location(description, url, allow_remote=False)
        chosen = scenario.choose(description, url, openapi, {}, credentials, Path(tmp))
        cmd = [sys.executable, "-m", "locust", "-f", chosen.files_arg, "--host", url,
               "--web-host", "127.0.0.1", "--web-port", str(args.web_port), "--class-picker",
               "--harness-ready-path", description.ready_path, *chosen.args]  # fmt: skip
        env = {**os.environ, "PYTHONPATH": str(scenario.ROOT), **credentials.to_env()}
        with process.start(cmd, env=env, cwd=Path.cwd(), log_path=None) as locust:
            print(f"Locust UI on http://127.0.0.1:{args.web_port} against {url}: {chosen.summary} (Ctrl-C to stop)")  # noqa: T201
            try:
                return locust.wait()
            except KeyboardInterrupt:
                return locust.stop() or 0


if __name__ == "__main__":
    sys.exit(main())
