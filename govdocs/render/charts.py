"""Render step, charts: plain series in, SVG text out, drawn on a matplotlib Figure.

No pyplot: each chart owns its Figure. One house style (`_STYLE`) and pinned SVG
metadata and hash salt make the output byte-stable for the same data. Status is
carried by marker shape as well as colour, so charts read in greyscale.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from io import BytesIO

from markupsafe import Markup
from matplotlib import font_manager, rc_context
from matplotlib.axes import Axes
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from govdocs.render.environment import builtin_templates_dir

INK = "#1f2a37"
MUTED = "#6b7280"
GRID = "#e5e7eb"
ACCENT = "#1d3a5f"
STATUS_COLOURS = {
    "green": "#1e7a46",
    "amber": "#c27c0e",
    "red": "#b42318",
    "insufficient_sample": "#6b7280",
    "not_clear": "#6b7280",
    "no_data": "#9ca3af",
}
# Shape per status, matching the badges in the tables: circle, triangle, square.
STATUS_MARKERS = {"green": "o", "amber": "^", "red": "s", "insufficient_sample": "o", "not_clear": "D"}
FONT_FAMILY = "IBM Plex Sans"


# Alt text: each chart says in words what it shows in numbers (PDF/UA: a figure's alternate
# description); status words are direction-neutral, true for a KPI where lower is better too.
STATUS_WORDS = {
    "green": "on target",
    "amber": "short of target",
    "red": "worse than the floor",
    "insufficient_sample": "low sample",
    "not_clear": "not statistically clear",
    "no_data": "no data",
}


def _value(value: float, decimals: int, suffix: str) -> str:
    return f"{value:,.{decimals}f}{suffix}"


def _month_text(label: str, value: float | None, status: str, decimals: int, suffix: str) -> str:
    """'Oct 73.9% (worse than the floor)'; 'Nov no data'."""
    if value is None:
        return f"{label} no data"
    return f"{label} {_value(value, decimals, suffix)} ({STATUS_WORDS.get(status, status)})"


def _terms(target: float, floor: float | None, decimals: int, suffix: str) -> str:
    text = f"target {_value(target, decimals, suffix)}"
    return text + (f", floor {_value(floor, decimals, suffix)}" if floor is not None else "")


@dataclass(frozen=True)
class TrendPoint:
    label: str  # month label, e.g. "Jul"
    value: float | None
    status: str


@dataclass(frozen=True)
class TrendChart:
    title: str
    unit_suffix: str
    points: tuple[TrendPoint, ...]
    target: float
    floor: float | None
    higher_is_better: bool
    decimals: int = 1
    highlight_last: int = 0  # shade the last N points (the review quarter)
    highlight_label: str = ""
    span: str = ""  # the months shown, for the alt text: "Oct 2025 to Sep 2026"


@cache
def _register_fonts() -> None:
    """Make the shipped font known to matplotlib (once per process)."""
    for path in sorted((builtin_templates_dir() / "assets" / "fonts").glob("*.ttf")):
        font_manager.fontManager.addfont(str(path))


_STYLE = {
    "font.family": FONT_FAMILY,
    "font.size": 7.5,
    "axes.edgecolor": GRID,
    "axes.labelcolor": MUTED,
    "axes.linewidth": 0.6,
    "xtick.color": MUTED,
    "ytick.color": MUTED,
    "xtick.major.size": 0,
    "ytick.major.size": 0,
    # Tick, grid and spine styling lives here rather than in per-axes calls: matplotlib then
    # builds each tick already styled instead of re-styling every tick afterwards (the
    # largest cost of a chart).
    "xtick.labelsize": 6.5,
    "ytick.labelsize": 6.5,
    "xtick.major.pad": 2,
    "ytick.major.pad": 2,
    "axes.grid": False,
    "grid.color": GRID,
    "grid.linewidth": 0.5,
    "axes.axisbelow": True,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.spines.left": False,
    "svg.fonttype": "none",
    "svg.hashsalt": "govdocs",
    "path.simplify": False,
}
# Trend and glide charts read values off a horizontal grid; the score columns carry labels.
_GRID = {**_STYLE, "axes.grid": True, "axes.grid.axis": "y"}


@cache
def _frame(size: tuple[float, float], rect: tuple[float, float, float, float], grid: bool) -> tuple[Figure, Axes]:
    """One Figure and Axes per chart shape, kept for the life of the process.

    Building axes and their ticks is most of what a small chart costs; a document has a
    dozen charts of the same shape. Each use removes what the previous one drew and sets
    every limit, tick and formatter afresh, so a chart's SVG does not depend on what was
    drawn before it (a test renders a chart before and after others and compares bytes).
    Not shared between threads: each render worker is its own process."""
    with rc_context(_GRID if grid else _STYLE):
        figure = Figure(figsize=size, dpi=72)
        FigureCanvasSVG(figure)
        return figure, figure.add_axes(rect)


@contextmanager
def _chart(size: tuple[float, float], rect: tuple[float, float, float, float], grid: bool = False) -> Iterator[Axes]:
    _register_fonts()
    figure, axes = _frame(size, rect, grid)
    with rc_context(_GRID if grid else _STYLE):
        try:
            yield axes
        finally:
            for artist in [*axes.lines, *axes.patches, *axes.texts, *axes.collections]:
                artist.remove()


def _svg(figure: Figure, alt: str) -> Markup:
    """The figure as an <img> with an SVG data URL: the SVG keeps its own ids and styles,
    apart from the HTML around it."""
    buffer = BytesIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None}, transparent=True)
    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    return Markup('<img class="chart" alt="{}" src="data:image/svg+xml;base64,{}">').format(alt, encoded)


def _status_points(axes: object, points: list[tuple[float, float | None, str]], zorder: int) -> None:
    """One marker series per status (shape and colour), hollow when the sample is too small."""
    for status, marker in STATUS_MARKERS.items():
        chosen = [(x, v) for x, v, s in points if s == status and v is not None]
        if not chosen:
            continue
        colour = STATUS_COLOURS[status]
        axes.plot(  # type: ignore[attr-defined]
            [x for x, _ in chosen],
            [v for _, v in chosen],
            ls="none",
            marker=marker,
            markersize=4.2,
            markerfacecolor="white" if status in ("insufficient_sample", "not_clear") else colour,
            markeredgecolor=colour,
            markeredgewidth=1.0,
            zorder=zorder,
        )


def trend_svg(chart: TrendChart, width_in: float = 3.35, height_in: float = 1.75) -> Markup:
    """Trailing months of one KPI: target line, amber band, status-shaped points, visible gaps."""
    with _chart((width_in, height_in), (0.14, 0.16, 0.84, 0.78), grid=True) as axes:
        xs = list(range(len(chart.points)))
        values = [p.value for p in chart.points]
        known = [v for v in values if v is not None] + [chart.target]
        if chart.floor is not None:
            known.append(chart.floor)
        low, high = min(known), max(known)
        pad = (high - low) * 0.18 or abs(high) * 0.05 or 1.0
        y_min, y_max = low - pad, high + pad
        axes.set_ylim(y_min, y_max)
        axes.set_xlim(-0.6, len(xs) - 0.4)

        # Zones: amber band between floor and target, red beyond the floor.
        if chart.floor is not None:
            # Hatched as well as tinted, one pattern per zone, so the zones still read in greyscale.
            amber, red = STATUS_COLOURS["amber"], STATUS_COLOURS["red"]
            axes.axhspan(
                chart.floor,
                chart.target,
                facecolor=to_rgba(amber, 0.09),
                edgecolor=to_rgba(amber, 0.35),
                hatch="////",
                lw=0,
            )
            beyond = (y_min, chart.floor) if chart.higher_is_better else (chart.floor, y_max)
            axes.axhspan(*beyond, facecolor=to_rgba(red, 0.05), edgecolor=to_rgba(red, 0.3), hatch="xxx", lw=0)
            # and named in words at the left edge, which greyscale cannot take away
            for low, high, word in (
                (min(chart.floor, chart.target), max(chart.floor, chart.target), "amber"),
                (*beyond, "red"),
            ):
                if y_min <= (low + high) / 2 <= y_max:
                    axes.text(-0.5, (low + high) / 2, word, fontsize=5, color=MUTED, va="center", ha="left", zorder=1)
            axes.axhline(chart.floor, color=STATUS_COLOURS["amber"], lw=0.7, ls=(0, (1.5, 1.5)))
        axes.axhline(chart.target, color=INK, lw=0.9, ls=(0, (4, 2)))
        if chart.highlight_last:
            start = len(xs) - chart.highlight_last - 0.5
            axes.axvspan(start, len(xs) - 0.5, color=ACCENT, alpha=0.06, lw=0, zorder=0)
            axes.text(start + 0.1, y_max, chart.highlight_label, ha="left", va="top", fontsize=6, color=ACCENT)
        # The line breaks at months without data, so a gap is never drawn over.
        segment: list[tuple[int, float]] = []
        for x, value in [*zip(xs, values, strict=True), (None, None)]:
            if value is None:
                if len(segment) > 1:
                    axes.plot([s[0] for s in segment], [s[1] for s in segment], color=ACCENT, lw=1.1, zorder=2)
                segment = []
            else:
                segment.append((x, value))
        _status_points(axes, [(x, p.value, p.status) for x, p in zip(xs, chart.points, strict=True)], zorder=3)
        for x, point in zip(xs, chart.points, strict=True):
            if point.value is None:
                axes.axvspan(x - 0.4, x + 0.4, color=STATUS_COLOURS["no_data"], alpha=0.12, lw=0)
                axes.text(
                    x,
                    y_min + (y_max - y_min) * 0.04,
                    "no\ndata",
                    ha="center",
                    va="bottom",
                    fontsize=5.5,
                    color=MUTED,
                    linespacing=0.9,
                    zorder=4,
                    bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.6},
                )
        axes.yaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 5, 10], min_n_ticks=4))
        axes.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}{chart.unit_suffix}"))
        axes.set_xticks(xs, [p.label for p in chart.points])
        return _svg(axes.figure, trend_alt(chart))


def trend_alt(chart: TrendChart) -> str:
    """'Service level by month, Oct 2025 to Sep 2026, target 80.0%, floor 75.0%: Oct 78.2% (short of
    target), ...'"""
    months = [_month_text(p.label, p.value, p.status, chart.decimals, chart.unit_suffix) for p in chart.points]
    terms = _terms(chart.target, chart.floor, chart.decimals, chart.unit_suffix)
    span = f"{chart.span}, " if chart.span else ""
    return f"{chart.title} by month, {span}{terms}: {'; '.join(months)}."


@dataclass(frozen=True)
class ScoreBar:
    label: str
    score: float | None
    highlight: bool = False
    # A provisional score's range (results not statistically clear counted each way): a whisker.
    low: float | None = None
    high: float | None = None

    @property
    def ranged(self) -> bool:
        return self.low is not None and self.high is not None and (self.low, self.high) != (self.score, self.score)


def score_history_svg(
    bars: tuple[ScoreBar, ...],
    tier_lines: tuple[tuple[str, float], ...],
    width_in: float = 3.35,
    height_in: float = 1.6,
) -> Markup:
    """Partner score per quarter as columns, tier thresholds as labelled lines."""
    with _chart((width_in, height_in), (0.09, 0.16, 0.74, 0.76)) as axes:
        xs = list(range(len(bars)))
        for x, bar in zip(xs, bars, strict=True):
            if bar.score is None:
                axes.text(x, 4, "no data", ha="center", fontsize=6, color=MUTED)
                continue
            axes.bar(x, bar.score, width=0.55, color=ACCENT if bar.highlight else "#9fb3c8", zorder=2)
            top = bar.score
            if bar.ranged and bar.low is not None and bar.high is not None:
                axes.vlines(x, bar.low, bar.high, color=INK, lw=0.8, zorder=3)
                axes.hlines([bar.low, bar.high], x - 0.1, x + 0.1, color=INK, lw=0.8, zorder=3)
                top = max(top, bar.high)
            # Above the bar on a white chip, so a tier line behind it never crosses the figure.
            axes.text(
                x,
                top + 2.5,
                f"{bar.score:.1f}",
                ha="center",
                va="bottom",
                fontsize=6.5,
                color=INK,
                zorder=4,
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.8},
            )
        # Each tier's name in the middle of its band, the lowest too ('At risk' from 0): a band
        # labelled only at its lower line left the bottom band without a name.
        ordered = sorted(tier_lines, key=lambda tier: tier[1])
        for i, (name, threshold) in enumerate(ordered):
            upper = ordered[i + 1][1] if i + 1 < len(ordered) else 100.0
            if threshold > 0:
                axes.axhline(threshold, color=MUTED, lw=0.5, ls=(0, (2, 2)), zorder=1)
            axes.annotate(
                name,
                xy=(1.01, (max(threshold, 0) + upper) / 2),
                xycoords=("axes fraction", "data"),
                va="center",
                ha="left",
                fontsize=6,
                color=MUTED,
                annotation_clip=False,
            )
        axes.set_ylim(0, 118)
        axes.set_xlim(-0.6, len(xs) - 0.4)
        axes.set_yticks([0, 50, 100])
        axes.set_xticks(xs, [b.label for b in bars])
        return _svg(axes.figure, score_alt(bars, tier_lines))


def score_alt(bars: tuple[ScoreBar, ...], tier_lines: tuple[tuple[str, float], ...]) -> str:
    """'Partner score by quarter: Q4 2025 71.2; ... Tier thresholds: Strategic 85, ...'"""
    scores = "; ".join(
        f"{b.label} {'no data' if b.score is None else f'{b.score:.1f}'}"
        + (f" (provisional, {b.low:.1f}–{b.high:.1f})" if b.ranged else "")
        for b in bars
    )
    tiers = ", ".join(f"{name} {threshold:g}" for name, threshold in tier_lines if threshold > 0)
    return f"Partner score by quarter, out of 100: {scores}." + (f" Tier thresholds: {tiers}." if tiers else "")


@dataclass(frozen=True)
class GlideChart:
    title: str
    unit_suffix: str
    months: tuple[tuple[str, int, float | None, str], ...]  # label, day offset of mid-month, value, status
    glide: tuple[tuple[int, float], ...]  # (day offset, expected) at start, each check-in, final review
    target: float
    floor: float | None
    start_day: int
    final_day: int
    decimals: int = 1


def glide_svg(chart: GlideChart, width_in: float = 3.35, height_in: float = 1.7) -> Markup:
    """Monthly actuals before and during the plan, the glide path to the target, the check-ins."""
    with _chart((width_in, height_in), (0.14, 0.16, 0.84, 0.76), grid=True) as axes:
        values = [v for _, _, v, _ in chart.months if v is not None] + [v for _, v in chart.glide] + [chart.target]
        if chart.floor is not None:
            values.append(chart.floor)
        low, high = min(values), max(values)
        pad = (high - low) * 0.18 or abs(high) * 0.05 or 1.0
        axes.set_ylim(low - pad, high + pad)
        first = min(chart.months[0][1] - 15, chart.start_day)
        axes.set_xlim(first, max(chart.final_day, chart.months[-1][1]) + 12)
        axes.axvspan(chart.start_day, chart.final_day, color=ACCENT, alpha=0.06, lw=0, zorder=0)
        axes.axhline(chart.target, color=INK, lw=0.9, ls=(0, (4, 2)))
        if chart.floor is not None:
            axes.axhline(chart.floor, color=STATUS_COLOURS["amber"], lw=0.7, ls=(0, (1.5, 1.5)))
        xs = [x for x, _ in chart.glide]
        ys = [y for _, y in chart.glide]
        axes.plot(xs, ys, color=MUTED, lw=1.0, ls=(0, (3, 1.5)), zorder=2)
        axes.plot(xs[1:], ys[1:], ls="none", marker="|", markersize=6, color=MUTED, zorder=2)
        known = [(x, v, s) for _, x, v, s in chart.months if v is not None]
        if len(known) > 1:
            axes.plot([k[0] for k in known], [k[1] for k in known], color=ACCENT, lw=1.1, zorder=3)
        _status_points(axes, known, zorder=4)
        axes.set_xticks([x for _, x, _, _ in chart.months], [label for label, _, _, _ in chart.months])
        axes.yaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 5, 10], min_n_ticks=3))
        axes.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}{chart.unit_suffix}"))
        return _svg(axes.figure, glide_alt(chart))


def glide_alt(chart: GlideChart) -> str:
    """'Service level, glide path from 70.1% at the plan's start to the target 80.0%, expected at
    the check-ins and the final review: 72.0%, ...; monthly values: Jul 70.1% (worse than the floor), ...'"""
    d, suffix = chart.decimals, chart.unit_suffix
    start, *rest = [_value(y, d, suffix) for _, y in chart.glide]
    months = [_month_text(label, v, s, d, suffix) for label, _, v, s in chart.months]
    terms = _terms(chart.target, chart.floor, d, suffix)
    path = f"{chart.title}, glide path from {start} at the plan's start to the {terms}"
    expected = f"; expected at the check-ins and the final review: {', '.join(rest)}" if rest else ""
    return f"{path}{expected}; monthly values: {'; '.join(months)}."
