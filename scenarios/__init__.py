"""The load stage: the harness's Locust plugin, the generic user, load profiles, HDR collectors and the adapter.

Generic machinery only: an app's own scenario lives with the app (the bundled one in ``target_app/load``).
"""
