"""The JSON API under ``/api`` plus the operations endpoints (``/health``, ``/metrics``)."""
