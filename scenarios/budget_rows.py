"""The Budgets tab's rows (`scenarios.webui`), kept free of Locust so they can be judged anywhere.

Each load budget of the profile is judged against the live metrics that match it with the gate's own
budget file and judging function, and shown in the report's words and units (``≤ 0.1 %``,
``breached``; `perf_budgets.words`, `vocabulary.units`), failing rows first. Locust renders the cells
as plain text; the small script in `PAGE_ADDITION`, added to its page, colours each status cell by its
word (the word stays, so colour is never the only signal).
"""

from __future__ import annotations

import json
from typing import Any

from perf_budgets.evaluator import budget_pattern, judge_value
from perf_budgets.loader import load_budgets
from perf_budgets.words import STATUS_ORDER, STATUS_WORDS, condition
from vocabulary.units import value

COLUMNS = (
    ("budget", "Budget"),
    ("metric", "Metric"),
    ("observed", "Observed"),
    ("limit", "Limit"),
    ("status", "Status"),
)
RANK = {STATUS_WORDS[status]: i for i, status in enumerate(STATUS_ORDER)}
_COLOURS = {"breached": "#a4161a", "warning": "#8a5a00", "met": "#1e6b3a"}
_STYLE = "".join(
    f'td[data-harness-status="{word}"]{{background:{colour};color:#fff;font-weight:700}}'
    for word, colour in _COLOURS.items()
)
PAGE_ADDITION = f"""<style>{_STYLE}</style>
<script>
// Colour the Budgets tab's status cells (Locust renders them as plain text).
new MutationObserver(function () {{
  var words = {json.dumps(sorted(_COLOURS))};
  document.querySelectorAll("td").forEach(function (cell) {{
    var word = cell.textContent.trim();
    if (words.indexOf(word) >= 0) {{ cell.dataset.harnessStatus = word; }}
    else if (cell.dataset.harnessStatus) {{ delete cell.dataset.harnessStatus; }}
  }});
}}).observe(document.body, {{childList: true, subtree: true, characterData: true}});
</script>
"""


def judge(metrics: dict[str, float], profile: str) -> list[dict[str, Any]]:
    """Each load budget of ``profile`` against the metrics that match it."""
    if not metrics.get("load.http.requests"):
        # Before the warm-up ends nothing is measured; an empty histogram must not read as a pass.
        return [{"budget": "-", "metric": "-", "observed": "-", "limit": "-", "status": "warming up"}]
    rows = []
    for budget in load_budgets().for_profile(profile):
        if not budget.metric.startswith("load.") or budget.comparison == "max_regression_pct":
            continue
        pattern = budget_pattern(budget.metric)
        for metric in sorted(m for m in metrics if pattern.match(m)):
            observed = metrics[metric]
            rows.append(
                {
                    "budget": budget.id,
                    "metric": metric,
                    "observed": value(metric, observed),
                    "limit": condition(metric, budget.comparison, budget.limit),
                    "status": STATUS_WORDS[judge_value(budget, observed)],
                }
            )
    # Failing rows first, so a breach is at the top without sorting.
    return sorted(rows, key=lambda r: RANK[r["status"]])
