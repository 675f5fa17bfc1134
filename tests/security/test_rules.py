"""Each passive rule against real, tiny `httpx.Response` objects: it fires when it should, and only then."""

from __future__ import annotations

import httpx
import pytest

from security.rules import Risk, registered, scan
from security.rules.cors import FOREIGN_ORIGIN

GOOD_HTML = {
    "content-type": "text/html; charset=utf-8",
    "content-security-policy": "default-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "permissions-policy": "camera=()",
}


def response(
    headers: dict[str, str] | list[tuple[str, str]],
    body: str = "<p>hi</p>",
    *,
    status: int = 200,
    url: str = "http://127.0.0.1:8000/page",
    request_headers: dict[str, str] | None = None,
) -> httpx.Response:
    """A settled response to a GET of ``url``."""
    request = httpx.Request("GET", url, headers=request_headers or {})
    return httpx.Response(status, headers=headers, text=body, request=request)


def rule_ids(resp: httpx.Response) -> set[str]:
    return {alert.plugin_id for alert in scan(resp)}


def without(name: str) -> dict[str, str]:
    return {k: v for k, v in GOOD_HTML.items() if k != name}


def test_a_well_protected_page_raises_nothing() -> None:
    assert rule_ids(response(GOOD_HTML)) == set()


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (without("content-security-policy"), {"10038"}),
        (without("x-content-type-options"), {"10021"}),
        (without("permissions-policy"), {"10063"}),
        (
            {
                **GOOD_HTML,
                "x-frame-options": "ALLOWALL",
                "content-security-policy": "default-src 'self'; script-src 'self'; object-src 'none'",
            },
            {"10020", "10055"},
        ),
        ({**GOOD_HTML, "server": "nginx/1.25.3"}, {"10036"}),
        ({**GOOD_HTML, "x-powered-by": "PHP/8.2"}, {"10037"}),
        ({**GOOD_HTML, "access-control-allow-origin": "*"}, {"10098"}),
    ],
)
def test_header_rules_fire_on_their_defect(headers: dict[str, str], expected: set[str]) -> None:
    assert rule_ids(response(headers)) == expected


def test_missing_frame_protection_is_medium_anti_clickjacking() -> None:
    headers = {**without("x-frame-options"), "content-security-policy": "default-src 'self'"}
    alerts = [a for a in scan(response(headers)) if a.plugin_id == "10020"]
    assert [(a.risk, a.cwe, a.param) for a in alerts] == [(Risk.MEDIUM, 1021, "x-frame-options")]


def test_frame_ancestors_counts_as_anti_clickjacking() -> None:
    assert "10020" not in rule_ids(response(without("x-frame-options")))


def test_html_only_rules_skip_json_and_redirects() -> None:
    json_api = response({"content-type": "application/json", "x-content-type-options": "nosniff"}, "{}")
    redirect = response(
        {"content-type": "text/html", "location": "/", "x-content-type-options": "nosniff"}, "x", status=303
    )
    assert rule_ids(json_api) == set()
    assert rule_ids(redirect) == set()


def test_server_header_without_version_is_not_a_leak() -> None:
    assert "10036" not in rule_ids(response({**GOOD_HTML, "server": "uvicorn"}))


@pytest.mark.parametrize(
    ("csp", "weakness"),
    [
        ("default-src 'self'; script-src 'self' 'unsafe-inline'; frame-ancestors 'none'", "unsafe-inline"),
        ("default-src 'self'; script-src 'self' 'unsafe-eval'; frame-ancestors 'none'", "unsafe-eval"),
        ("default-src *; frame-ancestors 'none'", "Wildcard Directive (script-src)"),
    ],
)
def test_weak_csp_is_10055(csp: str, weakness: str) -> None:
    alerts = [a for a in scan(response({**GOOD_HTML, "content-security-policy": csp})) if a.plugin_id == "10055"]
    assert any(weakness in a.other for a in alerts), alerts


def test_nonce_disables_unsafe_inline() -> None:
    csp = "default-src 'self'; script-src 'nonce-abc' 'unsafe-inline'; object-src 'none'; frame-ancestors 'none'"
    assert rule_ids(response({**GOOD_HTML, "content-security-policy": csp})) == set()


def test_cookie_rules_name_each_missing_flag() -> None:
    headers = [
        ("content-type", "application/json"),
        ("x-content-type-options", "nosniff"),
        ("set-cookie", "session=abc; Path=/"),
        ("set-cookie", "ok=1; Path=/; HttpOnly; Secure; SameSite=Lax"),
        ("set-cookie", "gone=; Max-Age=0; Path=/"),
    ]
    alerts = scan(response(headers, "{}", url="https://shop.example/api"))
    by_rule = {(a.plugin_id, a.param) for a in alerts if a.plugin_id in {"10010", "10011", "10054"}}
    assert by_rule == {("10010", "session"), ("10011", "session"), ("10054", "session")}


def test_secure_flag_is_only_checked_over_https() -> None:
    headers = [("content-type", "application/json"), ("set-cookie", "s=1; HttpOnly; SameSite=Strict")]
    assert "10011" not in rule_ids(response(headers, "{}"))


@pytest.mark.parametrize(("credentials", "risk"), [("true", Risk.HIGH), ("false", Risk.MEDIUM)])
def test_reflected_origin_is_40040_high_with_credentials(credentials: str, risk: Risk) -> None:
    headers = {
        "content-type": "application/json",
        "x-content-type-options": "nosniff",
        "access-control-allow-origin": FOREIGN_ORIGIN,
        "access-control-allow-credentials": credentials,
    }
    alerts = scan(response(headers, "{}", request_headers={"origin": FOREIGN_ORIGIN}))
    assert [(a.plugin_id, a.risk) for a in alerts] == [("40040", risk)]


def test_stack_trace_in_an_error_page_is_90022_medium() -> None:
    body = 'Traceback (most recent call last):\n  File "app.py", line 3, in view\nZeroDivisionError'
    alerts = scan(response({"content-type": "text/plain"}, body, status=500))
    assert [(a.plugin_id, a.risk, a.evidence) for a in alerts] == [
        ("90022", Risk.MEDIUM, "Traceback (most recent call last)")
    ]


def test_debug_error_page_is_10023() -> None:
    page = response({**GOOD_HTML}, "<h1>Internal Server Error</h1>", status=500)
    assert rule_ids(page) == {"10023"}


def test_sensitive_cacheable_response_is_flagged_informational() -> None:
    headers = {
        "content-type": "application/json",
        "x-content-type-options": "nosniff",
        "cache-control": "public, max-age=600",
    }
    alerts = scan(response(headers, "{}", request_headers={"authorization": "Bearer t"}))
    assert {(a.plugin_id, a.risk) for a in alerts} == {("10015", Risk.INFO), ("10049", Risk.INFO)}
    private = {**headers, "cache-control": "no-store"}
    assert rule_ids(response(private, "{}", request_headers={"authorization": "Bearer t"})) == set()


def test_hsts_is_required_over_https_only() -> None:
    assert "10035" in rule_ids(response(GOOD_HTML, url="https://shop.example/"))
    assert "10035" not in rule_ids(
        response({**GOOD_HTML, "strict-transport-security": "max-age=63072000"}, url="https://shop.example/")
    )


def test_every_rule_uses_a_zap_id_and_a_cwe() -> None:
    rules = registered()
    assert {r.plugin_id for r in rules} >= {
        "10010",
        "10011",
        "10020",
        "10021",
        "10035",
        "10036",
        "10037",
        "10038",
        "10054",
        "10055",
        "10098",
        "40040",
        "90022",
        "10023",
    }
    assert all(r.plugin_id.isdigit() and r.cwe > 0 for r in rules)
