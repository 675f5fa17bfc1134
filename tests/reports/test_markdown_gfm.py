"""summary.md rendered by cmark-gfm, the renderer GitHub runs: what a reader sees in a step summary or comment."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from pathlib import Path

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options

from perf_budgets.verdict import BudgetStatus
from reports import markdown
from reports.registry import RunView
from vocabulary.records import Finding, Severity, StageResult, Status


def gfm(text: str) -> str:
    """HTML as GitHub renders it (raw HTML kept: GitHub's sanitizer allows ``<details>``/``<summary>``)."""
    return str(cmarkgfm.github_flavored_markdown_to_html(text, options=Options.CMARK_OPT_UNSAFE))


def _with(run: RunView, *, notes: tuple[str, ...] = (), message: str = "") -> RunView:
    budgets = tuple(
        dataclasses.replace(b, message=message) if message and b.status is BudgetStatus.FAIL else b
        for b in run.verdict.budgets
    )
    return dataclasses.replace(run, verdict=dataclasses.replace(run.verdict, notes=notes, budgets=budgets))


def test_each_note_is_its_own_paragraph(report_run: Callable[[str], Path]) -> None:
    notes = ("not evaluated: db_p95 (no metrics)", "not evaluated: ws_p95 (no websocket)", "- starts like a list")
    page = gfm(markdown.render_text(_with(RunView.load(report_run("breach")), notes=notes)))
    quote = re.search(r"<blockquote>(.*?)</blockquote>", page, re.S)
    assert quote is not None
    assert re.findall(r"<p>(.*?)</p>", quote.group(1), re.S) == list(notes)


def test_a_long_message_is_cut_at_a_word_and_keeps_its_tip(report_run: Callable[[str], Path]) -> None:
    body = "load.http.p95_ms is above its maximum. Counted: " + ", ".join(f"finding{i} at /page{i}" for i in range(80))
    text = f"{body}. Tip: profile the slowest endpoint first"
    page = gfm(markdown.render_text(_with(RunView.load(report_run("breach")), message=text)))
    item = re.search(r"<li>❌ breached (.*?)</li>", page, re.S)
    assert item is not None
    shown = item.group(1)
    assert "<br />\n<strong>Tip:</strong> profile the slowest endpoint first" in shown
    cut = re.search(r"(\S+)…", shown)
    assert cut is not None and cut.group(1).rstrip(",") in body.split()  # a whole word before the ellipsis


def test_markup_in_messages_is_shown_as_written(report_run: Callable[[str], Path]) -> None:
    text = 'load.endpoint["*"].p95_ms for *GET* /a_b <script>x</script> | __init__ [link](http://x.invalid)'
    page = gfm(markdown.render_text(_with(RunView.load(report_run("breach")), message=text)))
    assert "<em>" not in page and "<strong>GET" not in page and "<script>" not in page and ">link</a>" not in page
    assert (
        "load.endpoint[&quot;*&quot;].p95_ms for *GET* /a_b &lt;script&gt;x&lt;/script&gt; | __init__ [link](" in page
    )


def test_attention_rows_come_first_and_the_full_table_is_folded(report_run: Callable[[str], Path]) -> None:
    page = gfm(markdown.render_text(RunView.load(report_run("breach"))))
    details = page.index("<details>")
    first_table = page.index("<table>")
    assert first_table < details  # the rows that need attention are visible
    assert "endpoint_p95[GET /api/models]" in page[first_table : page.index("</table>")]
    folded = page[details : page.index("</details>")]
    assert "<summary>11 budgets: 1 breached, 1 warning, 9 met</summary>" in folded
    assert folded.count("<tr>") == 12  # header and all 11 budgets, as a table, not as text
    assert "|---|" not in page


def test_findings_are_named_by_their_rule(report_run: Callable[[str], Path]) -> None:
    run = RunView.load(report_run("all_stages"))
    alerts = [
        Finding("10038", Severity.MEDIUM, "CSP", f"GET /p{i}", f"f{i}", extra={"name": "CSP Header Not Set"})
        for i in range(5)
    ]
    security = StageResult("security", Status.PASSED, run.meta["target_url"], "smoke", findings=alerts)
    page = gfm(markdown.render_text(dataclasses.replace(run, results={**run.results, "security": security})))
    findings = page[page.index("<h3>Findings</h3>") : page.index("<h3>All budgets</h3>")]
    assert "CSP Header Not Set (<code>10038</code>, medium): 5 places:" in findings
    assert "<code>GET /p0</code>, <code>GET /p1</code>, <code>GET /p2</code> and 2 more" in findings


def test_a_cut_summary_closes_its_details(
    many_endpoints: Callable[..., RunView], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(markdown, "MAX_CHARS", 8_000)  # the cut falls inside the folded table
    text = markdown.render_text(many_endpoints(200, failing=2))
    assert len(text) <= markdown.MAX_CHARS
    page = gfm(text)
    assert page.count("<details>") == page.count("</details>") == 1
    assert page.rindex("Summary truncated") > page.rindex("</details>")
