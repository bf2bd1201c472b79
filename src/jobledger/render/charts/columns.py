"""Column charts over time: applications per week, and the reply-time histogram."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

from jobledger.records import record
from jobledger.render.charts.geometry import CHAR, MONTHS, r1
from jobledger.report.model import Week


@record
class Column:
    label: str  # what the column stands for, for its tooltip and the data table
    count: int
    x: float
    y: float
    width: float
    height: float
    center: float  # x of the count above and the tick below
    value_y: float  # baseline of the count printed above the column
    tick: str | None  # the axis label under this column, if it gets one


@record
class Gridline:
    value: int
    y: float
    text_y: float  # baseline of its value, left of the plot


@record
class Marker:
    """A vertical reference line across the plot, e.g. the median."""

    x: float
    top: float
    label: str
    text_x: float
    text_y: float
    text_anchor: str


@record
class ColumnChart:
    width: float
    height: float
    plot_left: float
    plot_right: float
    plot_top: float
    axis_x: float  # right edge of the gridline values
    baseline: float  # y of the zero line
    tick_y: float  # baseline of the axis labels
    show_values: bool  # counts above columns when they fit
    columns: tuple[Column, ...]
    gridlines: tuple[Gridline, ...]
    marker: Marker | None


def nice_ticks(top: int, most: int = 4) -> tuple[int, ...]:
    """0 and round steps (1, 2, 5 x 10^n) up to at least `top`, at most `most` steps."""
    if top <= 0:
        return (0, 1)
    magnitude = 1
    while True:
        for step in (magnitude, 2 * magnitude, 5 * magnitude):
            if math.ceil(top / step) <= most:
                return tuple(range(0, math.ceil(top / step) * step + 1, step))
        magnitude *= 10


def column_chart(
    items: Sequence[tuple[str, int, str | None]],
    *,
    width: float = 340,
    height: float = 180,
    marker: tuple[float, str] | None = None,
) -> ColumnChart:
    """Columns for (label, count, tick) items. `marker` is (position in columns, where 0 is the
    left edge of the first column and 1 its right edge, text)."""
    left, right, top, bottom = 30.0, width - 6, 34.0 if marker else 20.0, height - 22
    ticks = nice_ticks(max((count for _, count, _ in items), default=0))
    scale = (bottom - top) / ticks[-1]
    band = (right - left) / max(len(items), 1)
    gap = min(band * 0.25, 6.0)
    # Axis labels must not run into each other: keep every n-th one that fits.
    widest = max((len(tick) for _, _, tick in items if tick), default=0) * CHAR + 8
    every = max(1, math.ceil(widest / band))
    items = [
        (label, count, tick if i % every == 0 else None)
        for i, (label, count, tick) in enumerate(items)
    ]
    columns = tuple(
        Column(
            label=label,
            count=count,
            x=r1(left + i * band + gap / 2),
            y=r1(bottom - count * scale),
            width=r1(band - gap),
            height=r1(count * scale),
            center=r1(left + (i + 0.5) * band),
            value_y=r1(bottom - count * scale - 4),
            tick=tick,
        )
        for i, (label, count, tick) in enumerate(items)
    )
    placed = None
    if marker is not None:
        x = left + marker[0] * band
        right_half = x > (left + right) / 2
        placed = Marker(
            x=r1(x),
            top=top - 14,
            label=marker[1],
            text_x=r1(x - 5 if right_half else x + 5),
            text_y=top - 18,
            text_anchor="end" if right_half else "start",
        )
    return ColumnChart(
        width=width,
        height=height,
        plot_left=left,
        plot_right=right,
        plot_top=top,
        axis_x=left - 6,
        baseline=bottom,
        tick_y=r1(bottom + 16),
        show_values=band >= 4 * CHAR,
        columns=columns,
        gridlines=tuple(
            Gridline(value, r1(bottom - value * scale), r1(bottom - value * scale + 4))
            for value in ticks
        ),
        marker=placed,
    )


def weekly_chart(activity: Sequence[Week]) -> ColumnChart | None:
    """Applications per week; `column_chart` keeps as many axis labels as fit."""
    if not activity:
        return None
    long_span = len(activity) > 26
    items = []
    for week in activity:
        start = week.start
        month = MONTHS[start.month - 1]
        tick = f"{month} {start.year % 100:02d}" if long_span else f"{start.day} {month}"
        items.append((f"{week.week} (from {start.isoformat()})", week.count, tick))
    return column_chart(items)


BIN_WIDTHS = (1, 2, 3, 7, 14, 30, 60, 90, 180, 365)


def reply_bins(days: Sequence[int], most: int = 12) -> tuple[int, tuple[tuple[int, int], ...]]:
    """(bin width in days, ((first day of bin, count), ...)) from day 0 to the slowest reply:
    the narrowest round width that needs at most `most` bins."""
    if not days:
        return 1, ()
    slowest = max(days)
    width = next((w for w in BIN_WIDTHS if slowest // w + 1 <= most), BIN_WIDTHS[-1])
    counts = Counter(day // width for day in days)
    return width, tuple((b * width, counts[b]) for b in range(slowest // width + 1))


def reply_chart(days: Sequence[int], median: float | None) -> ColumnChart | None:
    """A histogram of days from applying to the first reply, with the median marked."""
    width, bins = reply_bins(days)
    if not bins:
        return None
    items = []
    for start, count in bins:
        span = str(start) if width == 1 else f"{start}\N{EN DASH}{start + width - 1}"
        items.append((f"{span} days", count, span))
    marker = None
    if median is not None:
        # Days are whole numbers: day d sits in the middle of its own slot within the bin.
        marker = ((median + 0.5) / width, f"median {median:g} days")
    return column_chart(items, marker=marker)
