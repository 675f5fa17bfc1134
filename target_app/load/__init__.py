"""The marketplace's load scenario: its Locust file and users (named in ``target_app/harness.toml``)."""
