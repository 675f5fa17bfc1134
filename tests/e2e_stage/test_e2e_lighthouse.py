"""The performance score is Lighthouse's: the real tool on a loopback page, its recorded reports, and
no score at all where Node is missing; the Web Vitals are Google's web-vitals library's."""

from __future__ import annotations

import http.server
import json
import threading
from pathlib import Path
from typing import Any

import pytest

from e2e import contexts, lighthouse, results, stage
from perf_budgets.evaluator import evaluate
from perf_budgets.loader import load_budgets
from perf_budgets.verdict import BudgetStatus
from stagekit import egress
from stagekit.auth import Credentials
from stagekit.description import TargetDescription
from stagekit.stages import StageContext, TargetInfo
from tests.fixtures.servers import serve
from vocabulary.records import StageResult, Status
from vocabulary.rundir import RunDir

RECORDED = Path(__file__).resolve().parents[1] / "data" / "recorded" / "lighthouse"
"""Real Lighthouse 12.2.3 reports of the bundled app, trimmed to what the harness reads."""
PAGE = b"""<!doctype html><html lang="en"><head><title>Tiny</title></head><body>
<h1>A tiny page</h1><p>Some text to paint.</p><img src="http://cdn.invalid/pixel.png" alt="" width="1" height="1">
</body></html>"""


class _Tiny(http.server.BaseHTTPRequestHandler):
    """``/``: one small HTML page that asks for an image off the target."""

    def do_GET(self) -> None:
        found = self.path == "/"
        self.send_response(200 if found else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(PAGE) if found else 0))
        self.end_headers()
        if found:
            self.wfile.write(PAGE)

    def log_message(self, *args: Any) -> None:
        pass


def _tool() -> lighthouse.Tool:
    try:
        return lighthouse.find(stage.HARNESS_ROOT)
    except lighthouse.Unavailable as missing:  # .ci/run installs it: this skips only on a bare checkout
        pytest.skip(f"Lighthouse cannot run here: {missing}")


def _result(*pages: str) -> StageResult:
    result = StageResult("e2e", Status.PASSED, "http://127.0.0.1:9", "smoke")
    result.details["pages"] = [{"name": page, "median": {"lcp_ms": 100.0}} for page in pages]
    return result


def _budget(result: StageResult) -> BudgetStatus:
    verdict = evaluate(load_budgets(), "smoke", {"e2e": result}, stages=["e2e"])
    return {b.budget: b.status for b in verdict.budgets}["performance_score"]


@pytest.mark.slow
def test_lighthouse_scores_a_loopback_page_and_its_browser_stays_on_the_target(tmp_path: Path) -> None:
    tool = _tool()
    with serve(_Tiny) as url:
        run = lighthouse.Run(tool, url, tmp_path, "desktop", Credentials(), 120.0, threading.Event())
        (audit,) = lighthouse.audit_pages(run, [lighthouse.Page("/", "/")], lambda _: None)
    assert audit.error is None and audit.score is not None and 90 <= audit.score <= 100, audit
    assert set(audit.lab) == {"fcp_ms", "lcp_ms", "tbt_ms", "cls", "speed_index_ms"}
    assert audit.report is not None and "Lighthouse" in Path(audit.report).read_text(encoding="utf-8")[:20000]
    report = json.loads((tmp_path / "01-home.report.json").read_text(encoding="utf-8"))
    assert report["lighthouseVersion"] == lighthouse.VERSION == tool.version
    assert "cdn.invalid" in {attempt.host for attempt in egress.recorder().counts}, "blocked by the harness's proxy"


def test_a_recorded_report_gives_lighthouses_score_and_lab_metrics() -> None:
    audit = lighthouse.read_report(RECORDED / "home-mobile.report.json", lighthouse.Page("/", "/"))
    assert (audit.score, audit.error) == (85.0, None)
    assert audit.lab["tbt_ms"] == 586.5 and audit.lab["cls"] == 0.0


def test_a_failed_trace_or_a_redirect_gives_no_score(tmp_path: Path) -> None:
    failed = lighthouse.read_report(
        RECORDED / "wiki-new-no-navstart.report.json", lighthouse.Page("/wiki/new", "/wiki/new")
    )
    assert failed.score is None and failed.code == "NO_NAVSTART" and "run Lighthouse again" in str(failed.error)
    report = json.loads((RECORDED / "home-mobile.report.json").read_text(encoding="utf-8"))
    redirected = tmp_path / "x.report.json"
    redirected.write_text(json.dumps({**report, "finalDisplayedUrl": "http://127.0.0.1:8741/login"}), encoding="utf-8")
    audit = lighthouse.read_report(redirected, lighthouse.Page("/dashboard", "/dashboard", signed_in=True))
    assert audit.score is None and audit.error == "Lighthouse was sent from /dashboard to /login: not the page to score"


def test_the_run_score_is_the_mean_of_the_page_scores_when_every_page_has_one() -> None:
    result = _result("/", "/models")
    results.add_scores(result, [lighthouse.Audit("/", 85.0), lighthouse.Audit("/models", 96.0)], asked=2)
    assert result.metrics["e2e.performance.score"] == 90.5
    assert result.metrics['e2e.page["/models"].score'] == 96.0
    assert result.details["performance"] == {"score": 90.5, "grade": "A"}
    assert _budget(result) is BudgetStatus.PASS


def test_a_page_lighthouse_could_not_score_leaves_the_run_score_unmeasured() -> None:
    result = _result("/", "/wiki/new")
    audits = [lighthouse.Audit("/", 100.0), lighthouse.Audit("/wiki/new", error="Lighthouse: NO_NAVSTART")]
    results.add_scores(result, audits, asked=2)
    assert "e2e.performance.score" not in result.metrics and result.metrics['e2e.page["/"].score'] == 100.0
    (check,) = result.validity
    assert not check.ok and check.detail == "Lighthouse scored 1 of 2 page(s); /wiki/new: Lighthouse: NO_NAVSTART"
    assert _budget(result) is BudgetStatus.INCONCLUSIVE


def test_without_node_there_is_no_score_the_harness_says_why_and_the_budget_does_not_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no node on it
    with pytest.raises(lighthouse.Unavailable, match=r"Node.js is not installed \(no `node` on PATH\)"):
        lighthouse.find(stage.HARNESS_ROOT)


@pytest.mark.slow
def test_the_stage_measures_web_vitals_with_the_library_and_marks_the_score_unavailable_without_node(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One real stage run on a tiny page, Node hidden: vitals from web-vitals, no score, an honest gap."""
    monkeypatch.setenv("PATH", str(tmp_path))
    run = RunDir.create(tmp_path / "runs", "smoke")
    with serve(_Tiny) as url:
        ctx = StageContext(
            stage="e2e",
            profile="smoke",
            target=TargetInfo(url=url, description=TargetDescription(pages=("/",))),
            openapi=None,
            run_dir=run.path,
            artifacts=run.artifacts("e2e"),
            options={"vitals_runs": 1},
        )
        result = stage.run(ctx)
    run.write_result(result)
    assert ctx.measured.is_set(), "the journeys were its last timing measurement: other stages may start"
    for metric in ("ttfb_ms", "fcp_ms", "lcp_ms", "load_ms"):
        assert result.metrics[f'e2e.page["/"].{metric}'] > 0, metric
    assert result.metrics['e2e.page["/"].cls'] == 0.0 and 'e2e.page["/"].inp_ms' in result.metrics
    assert not [metric for metric in result.metrics if metric.endswith("score")]
    check = next(check for check in result.validity if check.name == "lighthouse-scored")
    assert not check.ok and "Node.js is not installed" in check.detail
    assert any("no performance score: Node.js is not installed" in note for note in result.details["notes"])
    assert _budget(result) is BudgetStatus.INCONCLUSIVE


def test_the_vendored_web_vitals_is_the_npm_builds_unmodified_under_its_licence() -> None:
    vendored = (Path(contexts.__file__).with_name(contexts.LIBRARY)).read_text(encoding="utf-8")
    header, _, body = vendored.partition("*/\n")
    pinned = json.loads((stage.HARNESS_ROOT / "package.json").read_text(encoding="utf-8"))["dependencies"]
    assert f"web-vitals {pinned['web-vitals']} " in header and "Apache License, Version 2.0" in header
    assert pinned["lighthouse"] == lighthouse.VERSION
    assert "webVitals.onINP(" in contexts.probe_script() and contexts.probe_script().startswith("(() => {")
    built = stage.HARNESS_ROOT / "node_modules" / "web-vitals" / "dist" / contexts.LIBRARY
    if built.is_file():  # after `npm ci`: the vendored copy is byte for byte the package's build
        assert body == built.read_text(encoding="utf-8")


FAKE_BIN = """import fs from 'node:fs';
export async function begin() {
  const [url, ...flags] = process.argv.slice(2);
  const flag = (name) => flags.find((f) => f.startsWith(`--${name}=`)).split('=')[1];
  fs.appendFileSync(process.env.FAKE_LOG, `${process.pid} ${flag('port')} ${url}\\n`);
  const tried = fs.readFileSync(process.env.FAKE_LOG, 'utf8').split('\\n').filter((l) => l.endsWith(url)).length;
  const failed = url.endsWith('/flaky') && tried === 1;
  const recorded = failed ? 'wiki-new-no-navstart' : 'home-mobile';
  const report = JSON.parse(fs.readFileSync(`${process.env.FAKE_REPORTS}/${recorded}.report.json`));
  fs.writeFileSync(flag('output-path') + '.report.json', JSON.stringify({...report, finalDisplayedUrl: url}));
  fs.writeFileSync(flag('output-path') + '.report.html', '<html>Lighthouse</html>');
  if (failed) process.exit(1);  // as Lighthouse's CLI ends a run with a runtime error
}
"""
FAKE_LAUNCHER = """import fs from 'node:fs';
export async function launch({chromePath, chromeFlags}) {
  const port = 9000 + fs.readFileSync(process.env.FAKE_LOG, 'utf8').split('launch').length;
  fs.appendFileSync(process.env.FAKE_LOG, `launch ${port} ${chromePath} ${chromeFlags.includes('--headless=new')}\\n`);
  return {port, kill: () => fs.appendFileSync(process.env.FAKE_LOG, `kill ${port}\\n`)};
}
"""


def test_one_node_process_and_one_chrome_audit_every_page_and_a_failed_trace_once_more(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Lighthouse's command line (here a stand-in for its ``cli/bin.js``) runs page after page in one Node
    process, each run given the port of the one Chrome the batch started (a stand-in for the
    chrome-launcher Lighthouse depends on); a page's run ending in an exit does not end the others' but
    gets the next page a fresh Chrome, and a failed trace is audited again by a new process."""
    node = _tool().node
    package = tmp_path / "lighthouse"
    (package / "cli").mkdir(parents=True)
    (package / "cli" / "package.json").write_text('{"type": "module"}', encoding="utf-8")
    (package / "cli" / "bin.js").write_text(FAKE_BIN, encoding="utf-8")
    launcher = package / "node_modules" / "chrome-launcher"
    launcher.mkdir(parents=True)
    (launcher / "package.json").write_text('{"type": "module", "main": "index.js"}', encoding="utf-8")
    (launcher / "index.js").write_text(FAKE_LAUNCHER, encoding="utf-8")
    log = tmp_path / "runs.log"
    log.touch()
    monkeypatch.setenv("FAKE_LOG", str(log))
    monkeypatch.setenv("FAKE_REPORTS", str(RECORDED))
    run = lighthouse.Run(
        lighthouse.Tool(node, package / "cli" / "index.js"),
        "http://127.0.0.1:9",
        tmp_path / "out",
        "mobile",
        Credentials(),
        60.0,
        threading.Event(),
    )
    announced: list[str] = []
    pages = [lighthouse.Page(path, path) for path in ("/", "/flaky", "/models")]
    audits = lighthouse.audit_pages(run, pages, lambda audit: announced.append(audit.name))
    assert [(audit.name, audit.score, audit.error) for audit in audits] == [
        ("/", 85.0, None),
        ("/flaky", 85.0, None),
        ("/models", 85.0, None),
    ]
    assert announced == ["/", "/flaky", "/models"]
    lines = [line.split() for line in log.read_text(encoding="utf-8").splitlines()]
    events = [(words[0], words[1]) if words[0] in ("launch", "kill") else (words[1], words[2]) for words in lines]
    assert events == [
        ("launch", "9001"),
        ("9001", f"{run.base_url}/"),
        ("9001", f"{run.base_url}/flaky"),
        ("kill", "9001"),
        ("launch", "9002"),
        ("9002", f"{run.base_url}/models"),
        ("kill", "9002"),
        ("launch", "9003"),
        ("9003", f"{run.base_url}/flaky"),
        ("kill", "9003"),
    ]
    chrome = {tuple(words[2:]) for words in lines if words[0] == "launch"}
    assert chrome == {(lighthouse._chrome(), "true")}, "the harness's Chromium, headless, with the batch's flags"
    processes = [words[0] for words in lines if words[0] not in ("launch", "kill")]
    assert processes[0] == processes[1] == processes[2] != processes[3], "the first batch ran in one process"
