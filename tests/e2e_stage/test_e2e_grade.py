"""The performance score and grade: the documented Lighthouse-style curve and letter bands."""

from __future__ import annotations

import pytest

from e2e import grade


@pytest.mark.parametrize("name", sorted(grade.CURVES))
def test_good_threshold_scores_090_and_poor_scores_050(name: str) -> None:
    curve = grade.CURVES[name]
    assert grade.metric_score(curve.good, curve) == pytest.approx(0.90, abs=1e-9)
    assert grade.metric_score(curve.poor, curve) == pytest.approx(0.50, abs=1e-9)


def test_score_falls_as_the_metric_grows() -> None:
    curve = grade.CURVES["lcp_ms"]
    scores = [grade.metric_score(v, curve) for v in (0, 500, 2500, 4000, 8000, 20000)]
    assert scores == sorted(scores, reverse=True)
    assert scores[0] == 1.0 and scores[-1] < 0.05


def test_a_fast_page_grades_a_and_a_slow_page_fails() -> None:
    fast = {"ttfb_ms": 20, "fcp_ms": 150, "lcp_ms": 150, "cls": 0.0, "load_ms": 120, "inp_ms": 16}
    slow = {"ttfb_ms": 3600, "fcp_ms": 3800, "lcp_ms": 5200, "cls": 0.3, "load_ms": 3900, "inp_ms": 600}
    assert grade.grade(grade.page_score(fast)) == "A"
    assert grade.grade(grade.page_score(slow)) == "F"


def test_page_score_weights_only_the_metrics_present() -> None:
    assert grade.page_score({"cls": 0.1}) == pytest.approx(90.0)
    with pytest.raises(ValueError, match="no scored metric"):
        grade.page_score({"unknown": 1.0})


@pytest.mark.parametrize(
    ("score", "letter"), [(100, "A"), (90, "A"), (89.9, "B"), (80, "B"), (70, "C"), (60, "D"), (59.9, "F")]
)
def test_grade_bands(score: float, letter: str) -> None:
    assert grade.grade(score) == letter
