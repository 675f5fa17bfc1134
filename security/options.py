"""The security stage's options (``[tool.harness.security]``, ``-o security.KEY=VALUE``), declared once with their help.

What the stage fetches (pages, crawl depth, credentials) comes from the target description; the ZAP
API key only from ``HARNESS_ZAP_API_KEY``, never from an option.
"""

from __future__ import annotations

import math
from pathlib import Path

from stagekit.stage_metrics import StageMetric, Unit, family
from stagekit.stage_options import POSITIVE, StageOption

DEFAULT_RULES = Path(__file__).with_name("rules.tsv")
"""The shipped policy: ZAP ``rules.tsv`` format, one rule id and action a line."""

OPTIONS: tuple[StageOption, ...] = (
    StageOption(
        "rules_file",
        None,
        "findings policy in ZAP's rules.tsv format (default: the shipped security/rules.tsv)",
        "path",
    ),
    StageOption("timeout_s", 10.0, "seconds one request of the baseline fetch may take", range=POSITIVE),
    StageOption(
        "zap_url",
        None,
        "a running ZAP daemon to scan with, e.g. http://127.0.0.1:8090 (also --zap-url); "
        "without it the built-in baseline rules judge the fetched responses",
        "str",
    ),
    StageOption(
        "zap_fallback", False, "use the built-in baseline when ZAP is unreachable (recorded), instead of failing"
    ),
    StageOption("active_scan", False, "also run ZAP's active scan (attacks the target) after the passive one"),
    StageOption("zap_connect_timeout_s", 5.0, "seconds ZAP may take to answer the first call", range=POSITIVE),
    StageOption("zap_spider_timeout_s", 120.0, "seconds the ZAP spider may run", range=POSITIVE),
    StageOption(
        "zap_passive_timeout_s", 120.0, "seconds to wait for ZAP's passive-scan queue to drain", range=POSITIVE
    ),
    StageOption("zap_active_timeout_s", 600.0, "seconds ZAP's active scan may run", range=POSITIVE),
    StageOption("zap_poll_s", 1.0, "seconds between two progress polls of ZAP", range=POSITIVE),
)
"""Every option of ``[tool.harness.security]``."""
METRICS: tuple[StageMetric, ...] = (
    *family("security.findings.{}", ("critical", "high", "medium", "low", "info"), Unit.COUNT, "findings by risk"),
    StageMetric(
        "security.grade_score",
        Unit.SCORE,
        "Observatory-style score: 100 is A+, bonuses may lift it above",
        high=math.inf,
    ),
    StageMetric("security.urls.checked", Unit.COUNT, "responses examined"),
    StageMetric("security.api.operations_checked", Unit.COUNT, "API GET operations fetched and examined"),
)
"""Every metric the security stage publishes in ``security.json``."""
