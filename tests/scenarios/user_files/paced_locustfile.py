"""Paced users as a team writes them: a task every 200 ms whatever it took (plain Locust, no harness import)."""

from locust import HttpUser, constant_pacing, task


class Pacer(HttpUser):
    wait_time = constant_pacing(0.2)

    @task
    def front(self) -> None:
        self.client.get("/", name="front")
