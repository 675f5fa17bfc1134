"""A generator that starves itself: every task computes 150 ms on the CPU without yielding before
its request, so five users paced at 200 ms ask for almost four cores of one gevent process."""

import time

from locust import HttpUser, constant_pacing, task

BUSY_S = 0.15


class Cruncher(HttpUser):
    wait_time = constant_pacing(0.2)

    @task
    def crunch_then_get(self) -> None:
        until = time.perf_counter() + BUSY_S
        while time.perf_counter() < until:
            pass
        self.client.get("/", name="front")
