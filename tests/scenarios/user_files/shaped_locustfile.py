"""A Locust file with its own LoadTestShape: three users for a few seconds, then one more, then stop."""

from locust import FastHttpUser, LoadTestShape, constant, task


class Counter(FastHttpUser):
    wait_time = constant(0.3)

    @task
    def stats(self) -> None:
        self.client.get("/stats", name="counts")


class ThreeThenFour(LoadTestShape):
    def tick(self) -> tuple[int, float] | None:
        run_time = self.get_run_time()
        if run_time < 6:
            return 3, 10.0
        return (4, 10.0) if run_time < 12 else None
