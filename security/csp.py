"""A Content-Security-Policy parser shared by the CSP rules and the grade (CSP Level 3 syntax)."""

from __future__ import annotations

import dataclasses

import httpx

_FETCH_FALLBACK = "default-src"


@dataclasses.dataclass(frozen=True)
class Policy:
    """One parsed policy: directive name → source list (names lower-cased, first occurrence wins)."""

    directives: dict[str, tuple[str, ...]]
    valid: bool = True

    def sources(self, directive: str) -> tuple[str, ...] | None:
        """The effective source list of a fetch directive (falls back to default-src), None if unset."""
        if directive in self.directives:
            return self.directives[directive]
        return self.directives.get(_FETCH_FALLBACK)

    def has(self, directive: str) -> bool:
        """Whether the directive itself is present (no fallback)."""
        return directive in self.directives


def parse(header: str) -> Policy:
    """Parse a header value; several policies separated by commas are merged, the first wins."""
    directives: dict[str, tuple[str, ...]] = {}
    valid = True
    for part in header.replace(",", ";").split(";"):
        tokens = part.split()
        if not tokens:
            continue
        name = tokens[0].lower()
        if not all(ch.isalnum() or ch == "-" for ch in name):
            valid = False
            continue
        directives.setdefault(name, tuple(token.lower() for token in tokens[1:]))
    return Policy(directives, valid=valid and bool(directives))


def of_response(response: httpx.Response) -> Policy | None:
    """The enforced policy of a response (report-only policies do not protect), None when absent."""
    values = response.headers.get_list("content-security-policy")
    return parse(", ".join(values)) if values else None


def allows_inline_script(policy: Policy) -> bool:
    """'unsafe-inline' counts only when no nonce or hash disables it (CSP Level 2+ semantics)."""
    sources = policy.sources("script-src")
    if sources is None:
        return True
    if "'unsafe-inline'" not in sources:
        return False
    return not any(s.startswith(("'nonce-", "'sha256-", "'sha384-", "'sha512-")) for s in sources)


def is_wide_open(sources: tuple[str, ...] | None) -> bool:
    """No restriction: unset, a bare wildcard, or any scheme-only source like https: or data:."""
    if sources is None:
        return True
    return any(s in {"*", "http:", "https:", "data:", "blob:"} for s in sources)


def insecure_scheme(sources: tuple[str, ...] | None) -> bool:
    """Loads over plain http are allowed."""
    return bool(sources) and any(s == "http:" or s.startswith("http://") for s in sources or ())
