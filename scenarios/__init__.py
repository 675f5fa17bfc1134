"""The load stage: Locust users, load profiles, HDR metric collectors and the stage adapter."""
