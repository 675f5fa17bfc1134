"""The Observatory-style grade: modifiers per test, penalties before bonuses, the letter table."""

from __future__ import annotations

import httpx
import pytest

from security import cookies, grade

STRONG = {
    "content-type": "text/html",
    "content-security-policy": "default-src 'none'; script-src 'self'; style-src 'self'; frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "strict-transport-security": "max-age=63072000",
}


def home(headers: dict[str, str], url: str = "https://shop.example/", body: str = "<p>x</p>") -> httpx.Response:
    return httpx.Response(200, headers=headers, text=body, request=httpx.Request("GET", url))


def results(scored: grade.Grade) -> dict[str, str]:
    return {t.test: t.result for t in scored.tests}


def test_strong_headers_score_above_100_with_bonuses() -> None:
    scored = grade.grade(grade.Inputs(home(STRONG)))
    # default-src 'none' +10, referrer private +5, frame-ancestors +5.
    assert (scored.score, scored.letter) == (120, "A+")


def test_missing_headers_lose_the_published_penalties() -> None:
    scored = grade.grade(grade.Inputs(home({"content-type": "text/html"})))
    # CSP -25, XFO -20, nosniff -5, HSTS -20 (https target).
    assert (scored.score, scored.letter) == (30, "D")
    assert results(scored)["content-security-policy"] == "csp-not-implemented"


def test_bonuses_only_count_from_90() -> None:
    weak = {**STRONG, "x-frame-options": "nonsense", "content-security-policy": "default-src 'none'"}
    scored = grade.grade(grade.Inputs(home(weak)))
    # default-src 'none' alone: no frame-ancestors, XFO invalid -20 -> 80 before bonuses, so no +10/+5.
    assert scored.score == 80 and scored.letter == "B+"


# Each published threshold and the score just below it (Observatory's table, docstring of security/grade.py).
BOUNDARIES = {
    "A+": (135, 100),
    "A": (99, 90),
    "A-": (89, 85),
    "B+": (84, 80),
    "B": (79, 70),
    "B-": (69, 65),
    "C+": (64, 60),
    "C": (59, 50),
    "C-": (49, 45),
    "D+": (44, 40),
    "D": (39, 30),
    "D-": (29, 25),
    "F": (24, 0),
}


@pytest.mark.parametrize(
    ("score", "letter"), [(score, letter) for letter, scores in BOUNDARIES.items() for score in scores]
)
def test_letter_table(score: int, letter: str) -> None:
    assert grade.letter(score) == letter


def test_unsafe_inline_script_costs_20() -> None:
    headers = {**STRONG, "content-security-policy": "default-src 'self'; script-src 'self' 'unsafe-inline'"}
    assert results(grade.grade(grade.Inputs(home(headers))))["content-security-policy"] == (
        "csp-implemented-with-unsafe-inline"
    )


def test_session_cookie_without_httponly_costs_30() -> None:
    jar = [cookies.parse("sessionid=1; Secure; SameSite=Lax")]
    scored = grade.grade(grade.Inputs(home(STRONG), jar))
    assert results(scored)["cookies"] == "cookies-session-without-httponly-flag"
    assert scored.score == 70


def test_plain_http_loopback_exempts_transport_tests_only() -> None:
    headers = {k: v for k, v in STRONG.items() if k != "strict-transport-security"}
    local = grade.grade(
        grade.Inputs(home(headers, "http://127.0.0.1:8000/"), [cookies.parse("s=1; HttpOnly; SameSite=Lax")])
    )
    remote = grade.grade(grade.Inputs(home(headers, "http://shop.example/"), redirection="redirection-missing"))
    assert local.score == 125
    assert results(remote)["strict-transport-security"] == "hsts-not-implemented-no-https"
    assert remote.score == 60


def test_reflected_origin_with_credentials_costs_50() -> None:
    probe_request = httpx.Request("GET", "https://shop.example/", headers={"origin": "https://evil.example"})
    probe = httpx.Response(
        200,
        request=probe_request,
        headers={"access-control-allow-origin": "https://evil.example", "access-control-allow-credentials": "true"},
    )
    assert grade.grade(grade.Inputs(home(STRONG), cors_probe=probe)).score == 50


def test_external_script_without_integrity() -> None:
    page = '<script src="https://cdn.example/lib.js"></script>'
    scored = grade.grade(grade.Inputs(home(STRONG, body=page)))
    assert results(scored)["subresource-integrity"] == "sri-not-implemented-but-external-scripts-loaded-securely"
