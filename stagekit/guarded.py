"""``python -m stagekit.guarded MODULE ARG...``: run a tool's ``python -m MODULE`` with the egress guard
(`stagekit.egress`) installed first, for a tool the harness cannot hook from inside (Schemathesis)."""

from __future__ import annotations

import runpy
import sys

from stagekit import egress


def main() -> None:
    """Install the guard from the environment, then run the module as ``__main__`` with its arguments."""
    egress.install_from_env()
    module = sys.argv[1]
    sys.argv = [module, *sys.argv[2:]]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
