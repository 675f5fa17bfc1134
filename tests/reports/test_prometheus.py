"""``metrics.prom`` and ``--push-metrics``: parsed with prometheus_client's own parser, the shipped Grafana
dashboard's queries checked against the series the file holds, and a real push over loopback HTTP.

The Pushgateway is a Go binary that is not installable here: a stdlib server on 127.0.0.1 stands in for
it and records what it was sent (method, path, body), which is all the gateway itself would see.
"""

from __future__ import annotations

import base64
import http.server
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

from reports import prometheus, write_all
from reports.registry import RunView
from tests.fixtures.runs import REPO, RunCli
from tests.fixtures.servers import serve
from vocabulary.errors import ErrorKind, HarnessError

DASHBOARD = REPO / "dashboards" / "release-gate.json"
_SELECTOR = re.compile(r"\b(harness_[a-z_]+)\b(?:\{([^}]*)\})?")
_MATCHER = re.compile(r'(\w+)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"')
_BY = re.compile(r"\bby\s*\(([^)]*)\)")
PAGE_VITALS = ("load_ms", "ttfb_ms", "fcp_ms", "lcp_ms", "cls", "inp_ms")


def samples_of(text: str) -> dict[str, list[Sample]]:
    """Sample name -> samples, through prometheus_client's parser (it raises on a malformed file)."""
    found: dict[str, list[Sample]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found.setdefault(sample.name, []).append(sample)
    return found


def one(samples: list[Sample], **labels: str) -> float:
    [match] = [s for s in samples if all(s.labels.get(k) == v for k, v in labels.items())]
    return float(match.value)


@pytest.fixture
def full_run(report_run: Callable[[str], Path]) -> RunView:
    """The all-stages sample with every Web Vital of a page (the checked-in run records only LCP)."""
    run = RunView.load(report_run("all_stages"))
    run.results["e2e"].metrics.update({f'e2e.page["/models"].{name}': 1.0 for name in PAGE_VITALS})
    return run


def test_metrics_prom_holds_verdict_budgets_and_stage_figures(report_run: Callable[[str], Path]) -> None:
    path = report_run("breach")
    write_all(path)
    found = samples_of((path / prometheus.FILE).read_text(encoding="utf-8"))
    verdict = json.loads((path / "verdict.json").read_text(encoding="utf-8"))
    assert one(found["harness_verdict_exit_code"]) == verdict["exit_code"] == 1
    assert one(found["harness_verdict_outcome"], outcome="breached") == 1
    assert one(found["harness_verdict_outcome"], outcome="pass") == 0
    assert found["harness_run_info"][0].labels["profile"] == "smoke"
    assert one(found["harness_run_timestamp_seconds"]) == 1772359500.0  # 2026-03-01T10:05:00Z
    for budget in verdict["budgets"]:
        key = {"budget": budget["budget"], "metric": budget["metric"], "stage": budget["stage"]}
        assert one(found["harness_budget_limit"], **key) == budget["limit"]
        assert one(found["harness_budget_status"], **key, status=budget["status"]) == 1
        assert sum(s.value for s in found["harness_budget_status"] if s.labels["budget"] == budget["budget"]) == 1
        if budget["observed"] is not None:
            assert one(found["harness_budget_observed"], **key) == budget["observed"]
    assert {s.labels["status"]: s.value for s in found["harness_budgets"]}.items() >= verdict["counts"].items()
    # Label values with quotes and brackets survive escaping: the parser gives back the metric name.
    load = json.loads((path / "load.json").read_text(encoding="utf-8"))["metrics"]
    assert {s.labels["name"]: s.value for s in found["harness_metric"]} == load


def test_unmeasured_budgets_get_no_observed_value(report_run: Callable[[str], Path]) -> None:
    run = RunView.load(report_run("inconclusive"))
    found = samples_of(prometheus.exposition(run))
    unmeasured = {b.budget for b in run.verdict.budgets if b.observed is None}
    assert unmeasured, "the sample run should hold an unmeasured budget"
    assert not unmeasured & {s.labels["budget"] for s in found.get("harness_budget_observed", [])}
    assert one(found["harness_verdict_outcome"], outcome="inconclusive") == 1


def test_voided_metrics_are_marked_and_not_applicable_stages_publish_nothing(
    report_run: Callable[[str], Path],
) -> None:
    run = RunView.load(report_run("not_applicable"))
    found = samples_of(prometheus.exposition(run))
    skipped = [name for name, result in run.results.items() if result.status.value == "not_applicable"]
    assert skipped
    assert not {s.labels["stage"] for s in found["harness_metric"]} & set(skipped)
    assert all(one(found["harness_stage_status"], stage=s, status="not_applicable") == 1 for s in skipped)
    run = RunView.load(report_run("inconclusive"))
    voided = {check.name for check in run.results["load"].validity if not check.ok}
    assert voided, "the sample run should hold a failed validity check"
    assert {s.labels["valid"] for s in samples_of(prometheus.exposition(run))["harness_metric"]} >= {"false"}


def _queries() -> Iterator[str]:
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    for panel in dashboard["panels"]:
        yield from (target["expr"] for target in panel["targets"])


def _unquote(value: str) -> str:
    return re.sub(r"\\(.)", r"\1", value)


def _selects(sample: Sample, matchers: list[tuple[str, str, str]]) -> bool:
    for label, op, value in matchers:
        actual = sample.labels.get(label, "")
        hit = re.fullmatch(_unquote(value), actual) is not None if "~" in op else actual == _unquote(value)
        if hit is op.startswith("!"):
            return False
    return True


def test_dashboard_queries_name_only_series_the_file_holds(full_run: RunView) -> None:
    found = samples_of(prometheus.exposition(full_run))
    queries = list(_queries())
    assert len(queries) >= 10
    for expr in queries:
        selectors = _SELECTOR.findall(expr)
        assert selectors, f"{expr!r} names no harness series"
        grouped = {label.strip() for by in _BY.findall(expr) for label in by.split(",")}
        for name, body in selectors:
            assert name in found, f"{expr!r}: metrics.prom has no {name}"
            labels = set().union(*(s.labels for s in found[name]))
            matchers = _MATCHER.findall(body)
            assert {m[0] for m in matchers} | grouped <= labels, f"{expr!r}: {name} has only {sorted(labels)}"
            assert any(_selects(s, matchers) for s in found[name]), f"{expr!r} selects nothing of {name}"


def test_dashboard_covers_what_the_release_manager_asks(full_run: RunView) -> None:
    text = " ".join(_queries())
    for wanted in ("harness_verdict_exit_code", "harness_budget_limit", "load.http.error_ratio", "lcp", "findings"):
        assert wanted in text


class _Gateway(http.server.BaseHTTPRequestHandler):
    """Records every push it receives (a Pushgateway answers 200 to a good PUT)."""

    received: list[tuple[str, str, str]] = []
    authorization: list[str | None] = []

    def do_PUT(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode("utf-8")
        self.received.append((self.command, self.path, body))
        self.authorization.append(self.headers.get("Authorization"))
        self.send_response(200)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the test reads ``received``."""


def test_push_sends_the_file_to_a_gateway_over_loopback(report_run: Callable[[str], Path], run_cli: RunCli) -> None:
    """Through the CLI: `harness gate RUN --push-metrics URL` re-gates, writes metrics.prom and PUTs it."""
    run = report_run("breach")
    _Gateway.received = []
    with serve(_Gateway) as url:
        done = run_cli("gate", str(run), "--out", str(run.with_name("regate")), "--push-metrics", url)
    assert done.returncode == 1, done.stderr
    [(method, path, body)] = _Gateway.received
    assert method == "PUT"
    assert path == "/metrics/job/release_harness/profile/smoke/target/sample"
    assert one(samples_of(body)["harness_verdict_exit_code"]) == 1
    assert body == (run.with_name("regate") / prometheus.FILE).read_text(encoding="utf-8")
    assert f"metrics pushed to {url}/metrics/job/release_harness" in done.stdout


def test_push_sends_the_urls_userinfo_as_basic_auth(report_run: Callable[[str], Path]) -> None:
    path = report_run("pass")
    write_all(path)
    _Gateway.authorization = []
    with serve(_Gateway) as url:
        pushed = prometheus.push(path, url.replace("http://", "http://ci:s3cret@"))
    assert _Gateway.authorization == ["Basic " + base64.b64encode(b"ci:s3cret").decode()]
    assert "s3cret" not in pushed


def test_push_url_follows_the_allowed_host_policy() -> None:
    assert prometheus.check_push_url("http://127.0.0.1:9091", False)
    assert prometheus.check_push_url("https://push.example.invalid", ("push.example.invalid",))
    for url, allow in (("http://push.example.invalid:9091", False), ("http://push.example.invalid", True)):
        with pytest.raises(HarnessError) as refused:
            prometheus.check_push_url(url, allow)
        assert refused.value.kind is ErrorKind.REMOTE_REFUSED and "--allow-remote push.example.invalid" in (
            refused.value.tip or ""
        )
    with pytest.raises(HarnessError, match="not an http"):
        prometheus.check_push_url("ftp://127.0.0.1/", False)


def test_refused_push_host_is_a_usage_error_before_the_gate(report_run: Callable[[str], Path], run_cli: RunCli) -> None:
    run = report_run("breach")
    out = run.with_name("regate")
    done = run_cli("gate", str(run), "--out", str(out), "--push-metrics", "http://push.example.invalid:9091")
    assert done.returncode == 4 and "push.example.invalid" in done.stderr
    assert not out.exists()


def test_an_unreachable_gateway_is_an_error_naming_the_file(report_run: Callable[[str], Path]) -> None:
    path = report_run("pass")
    write_all(path)
    with serve(_Gateway) as url:
        pass  # the port is closed again: nothing answers there now
    with pytest.raises(HarnessError) as failed:
        prometheus.push(path, url)
    assert failed.value.kind is ErrorKind.OUTPUT and str(path / prometheus.FILE) in (failed.value.tip or "")
