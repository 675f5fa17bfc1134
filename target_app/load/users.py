"""The marketplace's traffic mix as Locust users (weights are shares of the simulated users).

| class             | weight | does                                                        |
|-------------------|--------|-------------------------------------------------------------|
| CatalogueBrowser  | 6      | lists the catalogue, opens models, categories (paced, 2 s: CO-corrected) |
| Searcher          | 3      | searches, filters and sorts the catalogue                   |
| Member            | 2      | signed in: reads models, sometimes rates or comments        |
| WikiEditor        | 1      | signed in: reads wiki pages, rarely edits one               |
| FeedbackSender    | 1      | sends feedback and beta sign-ups                            |
| Uploader          | fixed  | signed in: a small file every minute or so, rarely a large one |
| WebsocketListener | fixed  | websocket ping/pong round trips (see `ws_user`)             |

Every request has a stable name (``/api/models/[id]``) and a semantic check: a fast wrong
answer is a failure. A login that fails stops the user loudly and is counted (``context={"auth":
True}``, which the harness's collector reads), so a run can never quietly measure unauthenticated
traffic.
"""

from __future__ import annotations

import functools
import logging
import random
import time
import uuid
from typing import Any, ClassVar

from locust import FastHttpUser, task
from locust.exception import StopUser

from target_app import DEMO_PASSWORD, DEMO_USERNAME
from target_app.load.catalogue import CATEGORIES, SEARCH_TERMS, SORTS, ModelIds, catalogue_query, popular

log = logging.getLogger(__name__)


# Writes invalidate the target's caches; a marketplace sees far fewer of them than reads
# (roughly one write per hundred requests here), so the task weights keep them rare.


class MarketplaceUser(FastHttpUser):
    """Shared knobs and checks; the think-time scale and credentials are set on init."""

    abstract = True
    think_scale = 1.0
    think_s: tuple[float, float] = (1.0, 3.0)
    username = DEMO_USERNAME
    password = DEMO_PASSWORD
    model_ids = ModelIds()
    fresh_login_share = 1.0
    """Share of signed-in users who log in when they start; the others resume a session of the
    same account (a remembered token), as returning visitors do. Large profiles lower it: 1000
    users all logging in during a 40 s ramp would turn the peak into a password-hashing test."""
    sessions: ClassVar[dict[str, str]] = {}
    """The latest bearer header per account, shared by this process's users."""

    def wait_time(self) -> float:
        """Random think time, scaled (short test profiles shrink it)."""
        return random.uniform(*self.think_s) * self.think_scale

    def get_json(self, path: str, name: str, expect: tuple[str, ...] = (), **kw: Any) -> Any:
        """GET a JSON document; a wrong status, a non-JSON body or missing keys fail it."""
        return self.call_json("GET", path, name, expect=expect, **kw)

    def call_json(
        self, method: str, path: str, name: str, *, expect: tuple[str, ...] = (), status: int = 200, **kw: Any
    ) -> Any:
        """Send a request and check its status and JSON shape; returns the body or None."""
        with self.client.request(method, path, name=name, catch_response=True, **kw) as resp:
            if resp.status_code != status:
                resp.failure(f"expected HTTP {status}, got {resp.status_code}")
                return None
            try:
                body = resp.json()
            except ValueError:
                resp.failure("response is not JSON")
                return None
            missing = [k for k in expect if not isinstance(body, dict) or k not in body]
            if missing:
                resp.failure(f"JSON lacks {', '.join(missing)}")
                return None
            return body

    def login(self) -> None:
        """Sign in as the configured user; on failure stop this user loudly."""
        body = self.call_json(
            "POST",
            "/api/auth/login",
            "/api/auth/login",
            expect=("access_token",),
            json={"username": self.username, "password": self.password},
            context={"auth": True},
        )
        if body is None:
            log.error("login as %r failed: this user stops (the run's auth check fails)", self.username)
            raise StopUser()
        self.client.auth_header = self.sessions[self.username] = f"Bearer {body['access_token']}"

    def sign_in(self) -> None:
        """Log in, or resume a session of the same account (see ``fresh_login_share``)."""
        remembered = self.sessions.get(self.username)
        if remembered is None or random.random() < self.fresh_login_share:
            self.login()
        else:
            self.client.auth_header = remembered

    def any_model_id(self) -> int:
        """A model id seen in a catalogue listing (lists the catalogue first if none yet)."""
        if not self.model_ids:
            page = self.get_json("/api/models?per_page=50", "/api/models", expect=("items",))
            self.model_ids.add_page(page)
        return self.model_ids.pick()


class CatalogueBrowser(MarketplaceUser):
    """Anonymous browsing, paced at one page every 2 s (the other users' mean think time) so
    stalls are corrected for."""

    weight = 6
    pacing_s = 2.0

    @functools.cached_property
    def _pacing(self) -> float:
        return self.pacing_s * self.think_scale

    def wait_time(self) -> float:
        """Constant pacing: start a task every ``pacing_s`` seconds whatever it took."""
        last = getattr(self, "_last_start", None)
        now = time.perf_counter()
        wait = self._pacing if last is None else max(0.0, self._pacing - (now - last))
        self._last_start = now + wait
        return wait

    def context(self) -> dict[str, Any]:
        """Every request carries its pacing so the recorder can correct for coordinated omission."""
        return {"pacing_ms": self._pacing * 1000}

    @task(2)
    def list_models(self) -> None:
        """A catalogue page, sorted a random way."""
        page = self.get_json(f"/api/models?{catalogue_query()}", "/api/models", expect=("items", "total"))
        self.model_ids.add_page(page)

    @task(5)
    def model_detail(self) -> None:
        """One model's detail."""
        self.get_json(f"/api/models/{self.any_model_id()}", "/api/models/[id]", expect=("id", "title"))

    @task(1)
    def categories(self) -> None:
        """The category list."""
        self.get_json("/api/categories", "/api/categories")


class Searcher(MarketplaceUser):
    """Searches and filters the catalogue."""

    weight = 3

    @task(3)
    def search(self) -> None:
        """A free-text search."""
        self.get_json(f"/api/models?q={popular(SEARCH_TERMS)}", "/api/models?q", expect=("items",))

    @task(2)
    def filter_category(self) -> None:
        """A category filter with a minimum rating (first page; most keep the default order)."""
        self.get_json(
            f"/api/models?category={popular(CATEGORIES)}&min_rating=3&sort={popular(SORTS)}",
            "/api/models?category",
            expect=("items",),
        )


class Member(MarketplaceUser):
    """Signed in: mostly reads models and their comments, now and then rates or comments."""

    weight = 2

    def on_start(self) -> None:
        """Sign in first."""
        self.sign_in()

    @task(40)
    def read(self) -> None:
        """A model and its ratings."""
        model = self.any_model_id()
        self.get_json(f"/api/models/{model}", "/api/models/[id]", expect=("id", "title"))
        self.get_json(f"/api/models/{model}/ratings", "/api/models/[id]/ratings")

    @task(1)
    def rate(self) -> None:
        """Rate a model 1 to 5."""
        model = self.any_model_id()
        self.call_json(
            "POST",
            f"/api/models/{model}/ratings",
            "/api/models/[id]/ratings",
            status=201,
            json={"score": random.randint(1, 5)},
        )

    @task(1)
    def comment(self) -> None:
        """Comment on a model, then read the comments."""
        model = self.any_model_id()
        self.call_json(
            "POST",
            f"/api/models/{model}/comments",
            "/api/models/[id]/comments",
            status=201,
            json={"body": "Printed fine at 0.2 mm layers."},
        )
        self.get_json(f"/api/models/{model}/comments", "/api/models/[id]/comments")


class WikiEditor(MarketplaceUser):
    """Reads the wiki; signed in, revises a page now and then."""

    weight = 1

    def on_start(self) -> None:
        """Sign in first."""
        self.sign_in()

    def _any_slug(self) -> str | None:
        pages = self.get_json("/api/wiki", "/api/wiki")
        return random.choice(pages)["slug"] if isinstance(pages, list) and pages else None

    @task(8)
    def read(self) -> None:
        """The index and one page."""
        slug = self._any_slug()
        if slug:
            self.get_json(f"/api/wiki/{slug}", "/api/wiki/[slug]", expect=("slug", "body"))

    @task(1)
    def edit(self) -> None:
        """A new revision of a page."""
        slug = self._any_slug()
        if slug:
            body = {"title": f"Notes {uuid.uuid4().hex[:6]}", "body": "Updated by the load test."}
            self.call_json("PUT", f"/api/wiki/{slug}", "/api/wiki/[slug]", json=body)


class FeedbackSender(MarketplaceUser):
    """Sends product feedback and beta sign-ups."""

    weight = 1

    @task(3)
    def feedback(self) -> None:
        """A feedback message."""
        self.call_json(
            "POST",
            "/api/feedback",
            "/api/feedback",
            status=201,
            json={"message": "Search could rank by downloads.", "category": "feature"},
        )

    @task(1)
    def beta(self) -> None:
        """A beta sign-up with a fresh address (a duplicate would rightly answer 409)."""
        email = f"load-{uuid.uuid4().hex[:12]}@example.com"
        self.call_json(
            "POST", "/api/beta/signup", "/api/beta/signup", status=201, json={"email": email, "platform": "linux"}
        )
