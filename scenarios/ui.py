"""`nox -s ui`: Locust's web UI (with the Budgets tab) against the bundled target or a URL.

    python -m scenarios.ui [--target-url URL] [--web-port 8089] [--locustfile openapi]

The bundled app is started on a free loopback port and always stopped; Locust runs in its own
process group and is stopped with it (Ctrl-C ends both).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from harness.target import AppProcess, bundled_app
from scenarios import process
from scenarios.stage import LOCUSTFILES, ROOT


@contextlib.contextmanager
def target(url: str | None, log_dir: Path) -> Iterator[str]:
    """The given URL, or the bundled app for the duration of the block."""
    if url:
        yield url
        return
    with bundled_app(log_dir / "target.log", data_dir=log_dir / "data") as app:
        yield app.url


def main(argv: list[str] | None = None) -> int:
    """Run the UI until Ctrl-C; returns Locust's exit code."""
    parser = argparse.ArgumentParser(prog="python -m scenarios.ui", description=__doc__.splitlines()[0])
    parser.add_argument("--target-url", help="an external target (default: start the bundled app)")
    parser.add_argument("--web-port", type=int, default=8089, help="UI port on 127.0.0.1, e.g. 8089")
    parser.add_argument("--locustfile", default="marketplace", choices=sorted(LOCUSTFILES))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="harness-ui-") as tmp, target(args.target_url, Path(tmp)) as url:
        cmd = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILES[args.locustfile]), "--host", url,
               "--web-host", "127.0.0.1", "--web-port", str(args.web_port), "--class-picker"]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)
        print(f"Locust UI on http://127.0.0.1:{args.web_port} against {url} (Ctrl-C to stop)")  # noqa: T201
        try:
            return proc.wait()
        except KeyboardInterrupt:
            return process.stop(proc) or 0
        finally:
            process.stop(proc)


if __name__ == "__main__":
    sys.exit(main())
