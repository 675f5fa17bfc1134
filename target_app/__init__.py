"""The bundled target: a small but real 3D-model marketplace (FastAPI + SQLAlchemy 2).

Run it with ``python -m target_app --port 8000``. The first start creates and seeds a SQLite
database in the data folder (``TARGET_DATA_DIR``, default ``~/.cache/harness-target-app``);
later starts reuse it.

Seeded demo account, already registered so harness stages can log in:

* username ``demo``, password ``demo-password-123``

Environment:

* ``TARGET_FAULTS=name,name`` turns on fault switches (``python -m target_app --list-faults``).
* ``TARGET_DATA_DIR`` data folder (database, uploads).
* ``TARGET_DATABASE_URL`` a SQLAlchemy URL, e.g. ``postgresql+psycopg://u:p@127.0.0.1/db``.
* ``TARGET_REDIS_URL`` e.g. ``redis://127.0.0.1:6379/0``; an in-process cache otherwise.
* ``TARGET_CRASH_AFTER_S`` seconds before the ``crash`` fault exits the process (default 10).
* ``TARGET_RESTART_DELAY_S`` seconds the ``slow-restart`` fault recovers after a kill (default 30).
"""

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo-password-123"
