"""A generic user for any target: sends the OpenAPI document's GET operations by weight.

A wrong status or an undecodable JSON body is a failure, exactly as in the hand-written users.
"""

from __future__ import annotations

import random

from locust import FastHttpUser, task

from scenarios.openapi_ops import Operation


class OpenApiUser(FastHttpUser):
    """Sends the document's GET operations in proportion to their weights."""

    operations: list[Operation] = []
    think_s = (0.5, 2.0)
    think_scale = 1.0

    def wait_time(self) -> float:
        """Random think time, scaled."""
        return random.uniform(*self.think_s) * self.think_scale

    @task
    def call(self) -> None:
        """One weighted-random operation with a status and body check."""
        op = random.choices(self.operations, weights=[o.weight for o in self.operations])[0]
        with self.client.get(op.url(), name=op.template, catch_response=True) as resp:
            if not 200 <= resp.status_code < 300:
                resp.failure(f"expected 2xx, got {resp.status_code}")
            elif op.json_body:
                try:
                    resp.json()
                except ValueError:
                    resp.failure("declared JSON, body is not JSON")
