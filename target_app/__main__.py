"""``python -m target_app``: run the marketplace, or list its fault switches."""

from __future__ import annotations

import argparse
import os
import sys

from target_app.faults import UnknownFaultError, describe_faults, parse_faults


def build_parser() -> argparse.ArgumentParser:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m target_app", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="TCP port, e.g. 8000")
    parser.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("WEB_CONCURRENCY", "1")),
        help="uvicorn worker processes (default: $WEB_CONCURRENCY or 1)",
    )
    parser.add_argument(
        "--faults",
        default=None,
        help="comma-separated fault switches, e.g. slow-catalogue,error-rate (default: $TARGET_FAULTS)",
    )
    parser.add_argument(
        "--data-dir",
        default=None,
        help="database and uploads folder (default: $TARGET_DATA_DIR or ~/.cache/harness-target-app)",
    )
    parser.add_argument("--log-level", default="info", help="uvicorn log level")
    parser.add_argument(
        "--access-log", action="store_true", help="log every request (off by default: it costs ~2 %% CPU under load)"
    )
    parser.add_argument(
        "--list-faults", action="store_true", help="print one fault per line (name<TAB>description) and exit"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit code."""
    args = build_parser().parse_args(argv)
    if args.list_faults:
        print(describe_faults())
        return 0
    try:
        if args.faults is not None:
            parse_faults(args.faults)
    except UnknownFaultError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from target_app.server import serve

    serve(
        host=args.host,
        port=args.port,
        workers=args.workers,
        faults=args.faults,
        data_dir=args.data_dir,
        log_level=args.log_level,
        access_log=args.access_log,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
