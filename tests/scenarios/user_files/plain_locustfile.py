"""A Locust file as a team writes it: plain HttpUser, request names of its own, no harness import."""

from locust import HttpUser, between, task


class Reader(HttpUser):
    wait_time = between(0.2, 0.6)

    @task(3)
    def list_books(self) -> None:
        self.client.get("/books?limit=5", name="list books")

    @task(2)
    def one_book(self) -> None:
        self.client.get("/books/2", name="GET one book")

    @task(1)
    def stats(self) -> None:
        self.client.get("/stats")
