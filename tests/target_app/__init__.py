"""Tests of the bundled target app (``target_app/``)."""
