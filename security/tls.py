"""TLS checks for https targets: certificate validity and legacy protocol versions.

ZAP's passive rules do not cover TLS, so these findings use the harness's own ids
(``harness-tls-certificate``, ``harness-tls-protocol``); `rules.tsv` can still set their policy.
"""

from __future__ import annotations

import socket
import ssl
import time
from urllib.parse import urlsplit

from security.rules import Alert, Confidence, Risk

CERT_RULE = "harness-tls-certificate"
PROTOCOL_RULE = "harness-tls-protocol"
EXPIRY_WARN_DAYS = 30
_LEGACY = (ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1)


def check(url: str, timeout_s: float = 5.0) -> list[Alert]:
    """Certificate and protocol findings for an https URL; nothing for plain http."""
    parts = urlsplit(url)
    if parts.scheme != "https" or parts.hostname is None:
        return []
    host, port = parts.hostname, parts.port or 443
    alerts = _certificate(url, host, port, timeout_s)
    alerts += [_legacy_alert(url, version) for version in _LEGACY if _accepts(host, port, version, timeout_s)]
    return alerts


def _alert(rule_id: str, name: str, risk: Risk, cwe: int, url: str, evidence: str) -> Alert:
    return Alert(rule_id, name, risk, Confidence.HIGH, cwe, "GET", url, evidence)


def _certificate(url: str, host: str, port: int, timeout_s: float) -> list[Alert]:
    context = ssl.create_default_context()
    try:
        with (
            socket.create_connection((host, port), timeout=timeout_s) as raw,
            context.wrap_socket(raw, server_hostname=host) as tls,
        ):
            cert = tls.getpeercert() or {}
    except ssl.SSLCertVerificationError as exc:
        return [_alert(CERT_RULE, "TLS Certificate Invalid", Risk.HIGH, 295, url, exc.verify_message or str(exc))]
    not_after = cert.get("notAfter")
    if isinstance(not_after, str):
        days = (ssl.cert_time_to_seconds(not_after) - time.time()) / 86400
        if days < EXPIRY_WARN_DAYS:
            evidence = f"certificate expires {not_after} ({days:.0f} days)"
            return [_alert(CERT_RULE, "TLS Certificate Expires Soon", Risk.LOW, 298, url, evidence)]
    return []


def _accepts(host: str, port: int, version: ssl.TLSVersion, timeout_s: float) -> bool:
    """Whether the server completes a handshake capped at ``version`` (False if our OpenSSL refuses it)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        context.minimum_version = version
        context.maximum_version = version
        context.set_ciphers("ALL:@SECLEVEL=0")
        with (
            socket.create_connection((host, port), timeout=timeout_s) as raw,
            context.wrap_socket(raw, server_hostname=host),
        ):
            return True
    except (ssl.SSLError, OSError, ValueError):
        return False


def _legacy_alert(url: str, version: ssl.TLSVersion) -> Alert:
    evidence = f"server accepted a {version.name} handshake"
    return _alert(PROTOCOL_RULE, "Legacy TLS Protocol Supported", Risk.MEDIUM, 327, url, evidence)
