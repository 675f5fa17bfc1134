"""Load test for Notes: logged-in readers of the notes API and the notes page.

Run: NOTES_PASSWORD=... locust -f locustfile.py --host http://127.0.0.1:8000
"""

import os
import random

from locust import FastHttpUser, between, task


class NotesReader(FastHttpUser):
    """Logs in once through the API, then reads notes as JSON and as the HTML list."""

    wait_time = between(0.5, 1.5)
    auth_headers: dict[str, str] = {}

    def on_start(self) -> None:
        credentials = {"username": "alice", "password": os.environ.get("NOTES_PASSWORD", "alice-secret-pw")}
        with self.client.post("/api/login", json=credentials, name="log in", catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"login refused with {response.status_code}")
                return
            self.auth_headers = {"Authorization": f"Bearer {response.json()['token']}"}

    @task(4)
    def list_notes(self) -> None:
        self.client.get("/api/notes", headers=self.auth_headers, name="/api/notes")

    @task(2)
    def read_note(self) -> None:
        note_id = random.randint(1, 8)
        self.client.get(f"/api/notes/{note_id}", headers=self.auth_headers, name="/api/notes/[id]")

    @task(1)
    def notes_page(self) -> None:
        self.client.get("/notes", name="/notes")
