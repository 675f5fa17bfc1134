"""Inline SVG line charts rendered with pygal: no script, no external reference, titled for screen readers."""

from __future__ import annotations

import dataclasses
import html
import itertools
import re
import sys
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

import pygal
from pygal.style import Style

# pygal appends a legacy finder (no find_spec) to sys.meta_path for its map plugins; every later
# import that reaches it emits ImportWarning, which warnings-as-errors turns into crashes. We use
# no map plugin, so take it out again.
sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "PluginImportFixer"]

MAX_POINTS = 240
"""Points per series; a one-hour per-second series is bucketed down to this (see `downsample`)."""

_PALETTE = ("#1f4e79", "#b03a2e", "#5b3a8c", "#1e6b3a", "#8a5a00")
_STYLE = dict(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1a1a1a",
    foreground_strong="#000000",
    foreground_subtle="#595959",
    # Light guides, so a dashed limit line stands out from the grid.
    guide_stroke_color="#d9d9d9",
    major_guide_stroke_color="#bfbfbf",
    font_family="system-ui, sans-serif",
    title_font_size=16,
    label_font_size=12,
    major_label_font_size=12,
    legend_font_size=13,
)
_DASHED = {"width": 2, "dasharray": "8, 5"}
_SCRIPT = re.compile(r"<script.*?</script>", re.DOTALL)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_ids = itertools.count(1)

Series = Mapping[str, Sequence[float | None]]


def _aggregate(values: Sequence[float | None], how: Callable[[list[float]], float]) -> float | None:
    present = [v for v in values if v is not None]
    return how(present) if present else None


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def downsample(
    xs: Sequence[float], series: Series, how: Mapping[str, str], max_points: int = MAX_POINTS
) -> tuple[list[float], dict[str, list[float | None]]]:
    """Bucket a long series to at most ``max_points``; per series ``how`` is ``max``, ``mean`` or ``sum``.

    Latency uses ``max`` so a one-second spike still shows after bucketing; throughput and users
    use ``mean``; error counts use ``sum`` so none disappear.
    """
    if len(xs) <= max_points:
        return list(xs), {name: list(values) for name, values in series.items()}
    size = -(-len(xs) // max_points)
    funcs: dict[str, Callable[[list[float]], float]] = {"max": max, "mean": _mean, "sum": sum}
    buckets = range(0, len(xs), size)
    out_x = [xs[start] for start in buckets]
    out = {
        name: [_aggregate(values[start : start + size], funcs[how.get(name, "mean")]) for start in buckets]
        for name, values in series.items()
    }
    return out_x, out


def _accessible(svg: str, title: str, desc: str) -> str:
    """Strip pygal's script and comments; give the chart a role, a title and a description."""
    svg = _COMMENT.sub("", _SCRIPT.sub("", svg))
    ident = f"chart-t{next(_ids)}"
    head = (
        f'<svg role="img" aria-labelledby="{ident} {ident}d" focusable="false" '
        f'width="100%" preserveAspectRatio="xMidYMid meet" '
    )
    labels = f'<title id="{ident}">{html.escape(title)}</title><desc id="{ident}d">{html.escape(desc)}</desc>'
    svg = svg.replace("<svg ", head, 1)
    return re.sub(r"(<svg[^>]*>)", lambda m: m.group(1) + labels, svg, count=1)


@dataclasses.dataclass(frozen=True)
class Look:
    """How some series of a chart are drawn: ``dashed`` (limits, baselines), ``colours``, per-point ``marks``
    (index → colour) on the named series; ``zero`` starts the y axis at 0 (a count or rate plotted
    from 20 hides a line that lies below it)."""

    dashed: Collection[str] = ()
    colours: Mapping[str, str] = dataclasses.field(default_factory=dict)
    """Series name → colour; the others take the palette in turn."""
    marks: Mapping[str, Mapping[int, str]] = dataclasses.field(default_factory=dict)
    zero: bool = False
    formatter: Callable[[float], str] | None = None
    """How y labels and values read (e.g. ratios as percentages); pygal's default without one."""


def _values(values: Sequence[float | None], marks: Mapping[int, str]) -> list[Any]:
    return [{"value": v, "color": marks[i]} if i in marks and v is not None else v for i, v in enumerate(values)]


def _style(series: Series, look: Look) -> Style:
    palette = itertools.cycle(_PALETTE)
    colours = tuple(look.colours.get(name) or next(palette) for name in series)
    return Style(colors=colours, **_STYLE)


def line_chart(
    title: str,
    desc: str,
    xs: Sequence[float],
    series: Series,
    *,
    x_title: str = "",
    y_title: str = "",
    x_labels: Sequence[str] | None = None,
    size: tuple[int, int] = (860, 320),
    look: Look | None = None,
) -> str:
    """A titled multi-series line chart as inline SVG markup."""
    look = look or Look()
    chart = pygal.Line(
        js=[],
        disable_xml_declaration=True,
        style=_style(series, look),
        title=title,
        x_title=x_title,
        y_title=y_title,
        width=size[0],
        height=size[1],
        show_dots=len(xs) <= 30,
        show_minor_x_labels=False,
        x_labels_major_count=8,
        truncate_label=-1,
        legend_at_bottom=True,
        allow_interruptions=True,
        print_values=False,
        include_x_axis=look.zero,
        # Room on the right so the last x label is not cut at the edge.
        margin_right=32,
    )
    if look.formatter is not None:
        chart.value_formatter = look.formatter
    chart.x_labels = list(x_labels) if x_labels is not None else [f"{x:g}" for x in xs]
    for name, values in series.items():
        dashed = {"show_dots": False, "stroke_style": _DASHED} if name in look.dashed else {}
        chart.add(name, _values(values, look.marks.get(name, {})), **dashed)
    return _accessible(chart.render(is_unicode=True), title, desc)
