"""Uploaders: small model files often, a large one rarely; durations by size class.

FastHttpUser has no multipart helper, so the body is built here (once per size, per process:
a large upload must not cost the generator a fresh 50 MB buffer each time).
"""

from __future__ import annotations

import functools
import random
import uuid

import gevent
from locust import task

from target_app.load.users import MarketplaceUser

SMALL_BYTES = 64 * 1024
BOUNDARY = "harness-load-boundary"


@functools.lru_cache(maxsize=4)
def multipart_body(size: int) -> bytes:
    """A ``multipart/form-data`` upload of an ASCII STL padded to ``size`` bytes."""
    solid = b"solid load\nendsolid load\n"
    payload = solid + b" " * max(0, size - len(solid))
    fields = {
        "title": "Load test upload",
        "description": "Uploaded by the harness.",
        "category": "tools",
        "license": "CC0-1.0",
    }
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode() for k, v in fields.items()
    ]
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="part.stl"\r\n'
        "Content-Type: model/stl\r\n\r\n"
    ).encode()
    return b"".join([*parts, head, payload, f"\r\n--{BOUNDARY}--\r\n".encode()])


class Uploader(MarketplaceUser):
    """Signed in: uploads a model now and then and checks it was published.

    Uploads are rare next to page views (each one also invalidates the target's catalogue
    cache), so an uploader thinks 30-90 s between them. Its first upload lands just after the
    warm-up and is a small one, so even a short smoke run (one upload per uploader) measures the
    common size class every time instead of, one run in twenty, only the rare large one.
    """

    weight = 1
    think_s = (30.0, 90.0)
    first_after_s = 0.0
    """Set to the profile's warm-up on init."""
    large_bytes = 50 * 1024 * 1024
    large_share = 0.05

    def on_start(self) -> None:
        """Sign in, then wait for the end of the warm-up."""
        self.uploaded = False
        self.sign_in()
        # About one uploader starting per second: 20 starting together is a burst no shop sees.
        spread_s = max(2.0, float(self.fixed_count or 0))
        gevent.sleep(self.first_after_s + random.uniform(0.0, spread_s) * self.think_scale)

    @task
    def upload(self) -> None:
        """One upload: the first small, later ones large with probability ``large_share``."""
        size_class = "large" if self.uploaded and random.random() < self.large_share else "small"
        self.uploaded = True
        size = self.large_bytes if size_class == "large" else SMALL_BYTES
        body = self.call_json(
            "POST",
            "/api/models",
            f"/api/models [{size_class} upload]",
            status=201,
            expect=("id",),
            data=multipart_body(size),
            headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}", "X-Request-Id": uuid.uuid4().hex},
            context={"upload_class": size_class},
        )
        if body is not None and size_class == "large":
            # Keep the target's disk flat across long runs (small files are left: deleting
            # would only double the cache invalidations).
            self.client.delete(f"/api/models/{body['id']}", name="/api/models/[id]")
