"""A security grade modelled on Mozilla HTTP Observatory's published scoring.

Method (https://github.com/mozilla/http-observatory/blob/main/httpobs/docs/scoring.md and the
MDN "HTTP Observatory scoring methodology"): start at 100; each test below contributes one
modifier for its outcome; penalties are applied first (floor 0) and bonuses only when that
score is still at least 90, so a site can exceed 100. Letters: A+ >= 100, A >= 90, A- >= 85,
B+ >= 80, B >= 70, B- >= 65, C+ >= 60, C >= 50, C- >= 45, D+ >= 40, D >= 30, D- >= 25, else F.

Tests and modifiers (Observatory result names): CSP (default-src 'none' without unsafe +10,
no unsafe 0, unsafe-inline only in style-src 0, insecure passive content -10, unsafe-eval -10,
unsafe-inline or no script restriction -20, insecure script scheme -20, invalid -25, missing -25);
cookies (all Secure+HttpOnly sessions+SameSite +5, none 0, no Secure but HSTS -5/-10 session,
no Secure -20, invalid SameSite -20, session without HttpOnly -30, session without Secure -40);
CORS (reflects a foreign origin with credentials -50, else 0); redirection (to https 0, no http 0,
not to https -20, missing -20); Referrer-Policy (private +5, no-referrer-when-downgrade or none 0,
unsafe or invalid -5); HSTS (>= 6 months 0, shorter -10, missing or invalid -20); SRI (all external
scripts with integrity over https +5, none external 0, external over https without integrity -5,
integrity but http -20, neither -50); X-Content-Type-Options (nosniff 0, missing or invalid -5);
X-Frame-Options (CSP frame-ancestors +5, DENY/SAMEORIGIN 0, missing or invalid -20).

Deviation, on purpose: for a plain-http target on loopback (the bundled app in CI) the
transport tests (HSTS, http->https redirection, cookie Secure flag) are "not applicable" and
score 0, because no TLS terminator exists there; any other plain-http target takes the full
penalties. Observatory grades the home page; cookies here are those set anywhere during the scan.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

import httpx

from security import cookies, csp
from stagekit.html_links import parse as parse_html

GRADES = (
    (100, "A+"),
    (90, "A"),
    (85, "A-"),
    (80, "B+"),
    (70, "B"),
    (65, "B-"),
    (60, "C+"),
    (50, "C"),
    (45, "C-"),
    (40, "D+"),
    (30, "D"),
    (25, "D-"),
    (0, "F"),
)
BONUS_THRESHOLD = 90
SIX_MONTHS_S = 15_768_000
_PRIVATE_REFERRER = {
    "no-referrer",
    "same-origin",
    "strict-origin",
    "strict-origin-when-cross-origin",
}
_UNSAFE_REFERRER = {"origin", "origin-when-cross-origin", "unsafe-url"}
NOT_APPLICABLE = "not-applicable-plain-http-loopback"


@dataclasses.dataclass(frozen=True)
class TestResult:
    """One Observatory test: its outcome name and score modifier."""

    test: str
    result: str
    modifier: int


@dataclasses.dataclass(frozen=True)
class Grade:
    """The score, its letter and the tests that produced it."""

    score: int
    letter: str
    tests: tuple[TestResult, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form for the stage details and the grade artifact."""
        return {
            "score": self.score,
            "letter": self.letter,
            "tests": [dataclasses.asdict(t) for t in self.tests],
        }


@dataclasses.dataclass(frozen=True)
class Inputs:
    """What the grade looks at: the home page, every cookie seen, the home page's CORS probe."""

    home: httpx.Response
    set_cookies: Sequence[cookies.SetCookie] = ()
    cors_probe: httpx.Response | None = None
    redirection: str = "redirection-to-https"
    """Observatory redirection outcome, measured by the caller (the only test needing extra traffic)."""


def letter(score: int) -> str:
    """The letter for a score."""
    return next(grade for floor, grade in GRADES if score >= floor)


def score(tests: Sequence[TestResult]) -> int:
    """Penalties first (floor 0), bonuses only at or above the bonus threshold."""
    base = max(0, 100 + sum(t.modifier for t in tests if t.modifier < 0))
    bonus = sum(t.modifier for t in tests if t.modifier > 0)
    return base + bonus if base >= BONUS_THRESHOLD else base


def grade(inputs: Inputs) -> Grade:
    """Run every test on the inputs and score them."""
    exempt = plain_http_loopback(str(inputs.home.request.url))
    hsts_ok = _hsts(inputs.home, exempt).modifier >= 0
    tests = (
        _csp(inputs.home),
        _cookies(inputs.set_cookies, hsts_ok, exempt),
        _cors(inputs.cors_probe),
        TestResult(
            "redirection",
            NOT_APPLICABLE if exempt else inputs.redirection,
            _REDIRECTION.get(inputs.redirection, 0) if not exempt else 0,
        ),
        _referrer(inputs.home),
        _hsts(inputs.home, exempt),
        _sri(inputs.home),
        _nosniff(inputs.home),
        _frame_options(inputs.home),
    )
    total = score(tests)
    return Grade(total, letter(total), tests)


def plain_http_loopback(url: str) -> bool:
    """A plain-http URL on a loopback host, where the transport tests do not apply."""
    parts = urlsplit(url)
    return parts.scheme == "http" and (parts.hostname or "") in {"127.0.0.1", "localhost", "::1"}


_REDIRECTION = {
    "redirection-to-https": 0,
    "redirection-not-needed-no-http": 0,
    "redirection-off-host-from-http": -5,
    "redirection-not-to-https-on-initial-redirection": -10,
    "redirection-not-to-https": -20,
    "redirection-missing": -20,
}


def _csp(home: httpx.Response) -> TestResult:
    policy = csp.of_response(home)
    if policy is None:
        return TestResult("content-security-policy", "csp-not-implemented", -25)
    if not policy.valid:
        return TestResult("content-security-policy", "csp-header-invalid", -25)
    script = policy.sources("script-src")
    if csp.insecure_scheme(script) or csp.insecure_scheme(policy.sources("object-src")):
        return TestResult("content-security-policy", "csp-implemented-with-insecure-scheme", -20)
    if csp.allows_inline_script(policy) or csp.is_wide_open(script) or csp.is_wide_open(policy.sources("object-src")):
        return TestResult("content-security-policy", "csp-implemented-with-unsafe-inline", -20)
    if "'unsafe-eval'" in (script or ()):
        return TestResult("content-security-policy", "csp-implemented-with-unsafe-eval", -10)
    if any(csp.insecure_scheme(policy.sources(d)) for d in ("img-src", "media-src", "style-src", "font-src")):
        return TestResult(
            "content-security-policy",
            "csp-implemented-with-insecure-scheme-in-passive-content-only",
            -10,
        )
    if "'unsafe-inline'" in (policy.sources("style-src") or ()):
        return TestResult("content-security-policy", "csp-implemented-with-unsafe-inline-in-style-src-only", 0)
    if policy.directives.get("default-src") == ("'none'",):
        return TestResult("content-security-policy", "csp-implemented-with-no-unsafe-default-src-none", 10)
    return TestResult("content-security-policy", "csp-implemented-with-no-unsafe", 0)


def _cookies(seen: Sequence[cookies.SetCookie], hsts_ok: bool, exempt: bool) -> TestResult:
    live = [c for c in seen if not c.is_deletion]
    if not live:
        return TestResult("cookies", "cookies-not-found", 0)
    worst = ("cookies-secure-with-httponly-sessions-and-samesite", 5)
    for cookie in live:
        for outcome in _cookie_outcomes(cookie, hsts_ok, exempt):
            worst = min(worst, outcome, key=lambda o: o[1])
    if worst[1] == 5 and not all(c.same_site in {"strict", "lax"} for c in live):
        worst = ("cookies-secure-with-httponly-sessions", 0)
    return TestResult("cookies", *worst)


def _cookie_outcomes(cookie: cookies.SetCookie, hsts_ok: bool, exempt: bool) -> list[tuple[str, int]]:
    outcomes: list[tuple[str, int]] = []
    if cookie.same_site is not None and cookie.same_site not in {"strict", "lax", "none"}:
        outcomes.append(("cookies-samesite-flag-invalid", -20))
    if cookie.is_session and not cookie.http_only:
        outcomes.append(("cookies-session-without-httponly-flag", -30))
    if not cookie.secure and not exempt:
        if hsts_ok:
            outcomes.append(
                ("cookies-session-without-secure-flag-but-protected-by-hsts", -10)
                if cookie.is_session
                else ("cookies-without-secure-flag-but-protected-by-hsts", -5)
            )
        else:
            outcomes.append(
                ("cookies-session-without-secure-flag", -40)
                if cookie.is_session
                else ("cookies-without-secure-flag", -20)
            )
    return outcomes


def _cors(probe: httpx.Response | None) -> TestResult:
    if probe is None or "access-control-allow-origin" not in probe.headers:
        return TestResult("cross-origin-resource-sharing", "cross-origin-resource-sharing-not-implemented", 0)
    origin = probe.headers["access-control-allow-origin"].strip()
    credentials = probe.headers.get("access-control-allow-credentials", "").lower() == "true"
    if origin == probe.request.headers.get("origin") and credentials:
        return TestResult(
            "cross-origin-resource-sharing",
            "cross-origin-resource-sharing-implemented-with-universal-access",
            -50,
        )
    if origin == "*":
        return TestResult(
            "cross-origin-resource-sharing",
            "cross-origin-resource-sharing-implemented-with-public-access",
            0,
        )
    return TestResult(
        "cross-origin-resource-sharing",
        "cross-origin-resource-sharing-implemented-with-restricted-access",
        0,
    )


def _referrer(home: httpx.Response) -> TestResult:
    raw = home.headers.get("referrer-policy")
    if raw is None:
        return TestResult("referrer-policy", "referrer-policy-not-implemented", 0)
    # Browsers use the last value they understand in a comma-separated list.
    known = [
        v.strip().lower()
        for v in raw.split(",")
        if v.strip().lower() in _PRIVATE_REFERRER | _UNSAFE_REFERRER | {"no-referrer-when-downgrade"}
    ]
    if not known:
        return TestResult("referrer-policy", "referrer-policy-header-invalid", -5)
    value = known[-1]
    if value in _PRIVATE_REFERRER:
        return TestResult("referrer-policy", "referrer-policy-private", 5)
    if value in _UNSAFE_REFERRER:
        return TestResult("referrer-policy", "referrer-policy-unsafe", -5)
    return TestResult("referrer-policy", "referrer-policy-no-referrer-when-downgrade", 0)


def _hsts(home: httpx.Response, exempt: bool) -> TestResult:
    if exempt:
        return TestResult("strict-transport-security", NOT_APPLICABLE, 0)
    if home.request.url.scheme != "https":
        return TestResult("strict-transport-security", "hsts-not-implemented-no-https", -20)
    raw = home.headers.get("strict-transport-security")
    if raw is None:
        return TestResult("strict-transport-security", "hsts-not-implemented", -20)
    directives = {k.strip().lower(): v.strip() for k, _, v in (p.partition("=") for p in raw.split(";"))}
    max_age = directives.get("max-age", "").strip('"')
    if not max_age.isdigit():
        return TestResult("strict-transport-security", "hsts-header-invalid", -20)
    if int(max_age) < SIX_MONTHS_S:
        return TestResult("strict-transport-security", "hsts-implemented-max-age-less-than-six-months", -10)
    return TestResult("strict-transport-security", "hsts-implemented-max-age-at-least-six-months", 0)


def _sri(home: httpx.Response) -> TestResult:
    if "html" not in home.headers.get("content-type", ""):
        return TestResult("subresource-integrity", "sri-not-implemented-response-not-html", 0)
    origin = urlsplit(str(home.request.url)).netloc
    scripts = parse_html(home.text).scripts
    external = [s for s in scripts if urlsplit(s["src"]).netloc not in {"", origin}]
    if not scripts:
        return TestResult("subresource-integrity", "sri-not-implemented-but-no-scripts-loaded", 0)
    if not external:
        return TestResult("subresource-integrity", "sri-not-implemented-but-all-scripts-loaded-from-secure-origin", 0)
    secure = all(s["src"].startswith(("https://", "//")) for s in external)
    with_integrity = all(s.get("integrity") for s in external)
    if with_integrity:
        return TestResult(
            "subresource-integrity",
            *(
                ("sri-implemented-and-all-scripts-loaded-securely", 5)
                if secure
                else ("sri-implemented-but-external-scripts-not-loaded-securely", -20)
            ),
        )
    return TestResult(
        "subresource-integrity",
        *(
            ("sri-not-implemented-but-external-scripts-loaded-securely", -5)
            if secure
            else ("sri-not-implemented-and-external-scripts-not-loaded-securely", -50)
        ),
    )


def _nosniff(home: httpx.Response) -> TestResult:
    value = home.headers.get("x-content-type-options")
    if value is None:
        return TestResult("x-content-type-options", "x-content-type-options-not-implemented", -5)
    if value.strip().lower() != "nosniff":
        return TestResult("x-content-type-options", "x-content-type-options-header-invalid", -5)
    return TestResult("x-content-type-options", "x-content-type-options-nosniff", 0)


def _frame_options(home: httpx.Response) -> TestResult:
    policy = csp.of_response(home)
    if policy is not None and policy.has("frame-ancestors"):
        return TestResult("x-frame-options", "x-frame-options-implemented-via-csp", 5)
    value = home.headers.get("x-frame-options")
    if value is None:
        return TestResult("x-frame-options", "x-frame-options-not-implemented", -20)
    if value.strip().upper() in {"DENY", "SAMEORIGIN"}:
        return TestResult("x-frame-options", "x-frame-options-sameorigin-or-deny", 0)
    if value.strip().upper().startswith("ALLOW-FROM"):
        return TestResult("x-frame-options", "x-frame-options-allow-from-origin", 0)
    return TestResult("x-frame-options", "x-frame-options-header-invalid", -20)
