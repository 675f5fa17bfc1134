"""Load test for the Shelf API: readers browsing the catalogue.

Run: locust -f locustfile.py --host http://127.0.0.1:8000
"""

import random

from locust import HttpUser, between, task


class ShelfReader(HttpUser):
    """Someone browsing the shelf: mostly single books, now and then the list and the counts."""

    wait_time = between(0.5, 1.5)

    @task(3)
    def list_books(self) -> None:
        self.client.get("/books", name="list books")

    @task(5)
    def open_book(self) -> None:
        book_id = random.randint(1, 20)
        self.client.get(f"/books/{book_id}", name="/books/[id]")

    @task(1)
    def stats(self) -> None:
        self.client.get("/stats")
