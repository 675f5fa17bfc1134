"""Server-side figures from the target's Prometheus text endpoint, scraped before and after a run.

Quantiles come from bucket deltas with linear interpolation inside the bucket, exactly like
PromQL's ``histogram_quantile``; ratios come from counter deltas. Runs in the harness process.
"""

from __future__ import annotations

import math
from collections import defaultdict

import httpx
from prometheus_client.parser import text_string_to_metric_families

from stagekit import bounded

Samples = dict[str, float]
"""``name{label="v",...}`` → value, for every sample in one scrape."""

SCRAPE_TIMEOUT_S = 10.0


def scrape(base_url: str, path: str) -> Samples:
    """Fetch and parse ``<base_url><path>`` (no redirect followed, at most `METRICS_MAX_BYTES` read);
    raises httpx.HTTPError on failure."""
    with httpx.Client(timeout=SCRAPE_TIMEOUT_S, follow_redirects=False) as client:
        resp = bounded.request(client, "GET", base_url.rstrip("/") + path, bounded.METRICS_MAX_BYTES)
    resp.raise_for_status()
    return parse(resp.text)


def parse(text: str) -> Samples:
    """Every sample of an exposition text, keyed by name and sorted labels."""
    out: Samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            labels = ",".join(f'{k}="{v}"' for k, v in sorted(sample.labels.items()))
            out[f"{sample.name}{{{labels}}}"] = float(sample.value)
    return out


def delta(before: Samples, after: Samples, name: str) -> float:
    """Increase of a counter (summed over its label sets) between two scrapes."""
    return sum(v - before.get(k, 0.0) for k, v in after.items() if k.startswith(name + "{"))


def delta_by(before: Samples, after: Samples, name: str, label: str) -> dict[str, float]:
    """Increase of a counter per value of one label (values like ``model:42`` grouped as ``model``)."""
    out: dict[str, float] = defaultdict(float)
    for key, value in after.items():
        if key.startswith(name + "{"):
            group = (_label(key, label) or "").split(":", 1)[0]
            out[group] += value - before.get(key, 0.0)
    return dict(out)


def bucket_deltas(before: Samples, after: Samples, histogram: str) -> list[tuple[float, float]]:
    """Cumulative ``(le, count)`` increases of a histogram, summed over other labels, sorted by le."""
    sums: dict[float, float] = defaultdict(float)
    prefix = histogram + "_bucket{"
    for key, value in after.items():
        if not key.startswith(prefix):
            continue
        le = _label(key, "le")
        if le is not None:
            sums[float(le)] += value - before.get(key, 0.0)
    return sorted(sums.items())


def histogram_quantile(q: float, buckets: list[tuple[float, float]]) -> float | None:
    """PromQL's ``histogram_quantile`` over cumulative buckets; None when nothing was observed."""
    if not buckets or buckets[-1][1] <= 0:
        return None
    total = buckets[-1][1]
    rank = q * total
    lower, below = 0.0, 0.0
    for le, count in buckets:
        if count >= rank:
            if math.isinf(le):
                # Like Prometheus: a quantile in the +Inf bucket is the highest finite bound.
                return lower
            if count == below:
                return le
            return lower + (le - lower) * (rank - below) / (count - below)
        lower, below = le, count
    return lower


def _label(key: str, name: str) -> str | None:
    marker = f'{name}="'
    start = key.find(marker)
    if start < 0:
        return None
    start += len(marker)
    return key[start : key.index('"', start)]
