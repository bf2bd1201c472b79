"""Chart geometry for the HTML report: pure functions from report numbers to frozen dataclasses.

Templates only draw. Every coordinate, tick, wrapped label line and Sankey flow is decided here,
so the layout is testable without a browser (tests/test_charts.py checks that every Sankey node
balances) and the templates stay plain formatting.

Coordinates are SVG user units in a viewBox of the chart's `width` x `height`. The charts are
planned for 13 px text (`FONT`); the page scales each viewBox to its container.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from jobledger.ledger.suggest import shorten
from jobledger.report.metrics import Report, ratio

FONT = 13  # px: the size the page's CSS gives chart text
CHAR = 7.5  # average advance of a 13 px system-ui character: enough to wrap and space labels
LINE = 16  # baseline to baseline
INFERRED = "~inferred"  # category of ghosts inferred from silence; "~" can't start a ledger key
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def wrap(text: str, chars: int, lines: int = 2) -> tuple[str, ...]:
    """Greedy word wrap into at most `lines` lines of about `chars` characters. What does not
    fit is cut with an ellipsis: a chart label must not run into its neighbour, and the chart's
    description and data table carry the whole label."""
    words = text.split()
    out: list[str] = []
    current = ""
    for position, word in enumerate(words):
        if current and len(current) + 1 + len(word) > chars:
            out.append(current)
            if len(out) == lines - 1:  # the last line takes every remaining word
                out.append(shorten(" ".join(words[position:]), chars))
                return tuple(out)
            current = word
        else:
            current = f"{current} {word}" if current else word
    if current:
        out.append(shorten(current, chars))
    return tuple(out) or ("",)


def _r(value: float) -> float:
    """One decimal is plenty for a viewBox and keeps the page small."""
    return round(value, 1)


# ---------------------------------------------------------------- funnel (horizontal bars)


@dataclass(frozen=True, slots=True)
class FunnelRow:
    key: str
    label: str
    text: str  # the label as drawn: shortened if it would run into the numbers
    reached: int
    conversion: float | None  # step from the stage before; None for the first or 0/0
    of_base: float | None  # share of those that reached the base stage; None before it
    text_y: float  # baseline of the label line above the bar
    bar_y: float
    bar_width: float  # 0 draws no bar: the "0" beside the label says it


@dataclass(frozen=True, slots=True)
class FunnelChart:
    width: float
    height: float
    bar_height: float
    rows: tuple[FunnelRow, ...]


def funnel_chart(steps: Sequence[Mapping[str, Any]], width: float = 320) -> FunnelChart:
    """One row per stage: the label and numbers on a line, the bar under it. Bars share one
    scale, the first stage's count (everything tracked), so a role's small multiple is read
    against its own total."""
    bar_height, row = 12.0, 40.0
    top = max((int(step["reached"]) for step in steps), default=0)
    rows = tuple(
        FunnelRow(
            key=str(step["key"]),
            label=str(step["label"]),
            text=shorten(str(step["label"]), int((width - 90) / CHAR)),
            reached=int(step["reached"]),
            conversion=step["conversion"],
            of_base=step["of_base"],
            text_y=_r(i * row + FONT),
            bar_y=_r(i * row + FONT + 6),
            bar_width=_r(width * step["reached"] / top) if top else 0.0,
        )
        for i, step in enumerate(steps)
    )
    return FunnelChart(width, _r(len(rows) * row - (row - FONT - 6 - bar_height)), bar_height, rows)


# ---------------------------------------------------------------- Sankey: stage flows


@dataclass(frozen=True, slots=True)
class StageFlow:
    """Where the applications that reached one stage went: on to the next stage, out through
    an outcome, silent (inferred ghost), or still here. An application is counted at the
    HIGHEST stage it reached, as the funnel counts it, so `inflow` is the funnel's reached(k)."""

    key: str
    label: str
    index: int
    inflow: int
    forward: int  # on to the next stage: reached(k + 1)
    exits: tuple[tuple[str, int], ...]  # (outcome key, count), in the ledger's outcome order
    inferred: int  # ghosted: silent longer than ghost-after, inferred, not written
    stays: int  # still active here (accepted, at the last stage)
    stays_label: str  # what staying means here: "Active", "Not applied yet" or "Accepted"

    @property
    def outflow(self) -> int:
        return self.forward + sum(count for _, count in self.exits) + self.inferred

    @property
    def balanced(self) -> bool:
        return (
            self.inflow == self.outflow + self.stays
            and min(self.forward, self.inferred, self.stays, *(count for _, count in self.exits))
            >= 0
        )


def sankey_flows(report: Report) -> tuple[StageFlow, ...]:
    """Per-stage flows from the report: reached(k) from the funnel, the split of those that
    stopped at k from the applications. (The "where the no's happen" table counts an outcome at
    the stage the application was at when it ended; the two agree unless an application went
    back a stage, which the ledger warns about. Counting at the highest stage is what keeps
    every node balanced.)"""
    stages = report["stages"]
    index = {stage["key"]: stage["index"] for stage in stages}
    base = index[report["options"]["base_stage"]]
    reached = [int(step["reached"]) for step in report["funnel"]]
    ended: Counter[tuple[int, str]] = Counter()
    for app in report["applications"]:
        category = INFERRED if app["inferred"] else str(app["status"])
        ended[index[app["highest_stage"]], category] += 1
    flows = []
    for stage in stages:
        k = stage["index"]
        flows.append(
            StageFlow(
                key=stage["key"],
                label=stage["label"],
                index=k,
                inflow=reached[k],
                forward=reached[k + 1] if k + 1 < len(stages) else 0,
                exits=tuple((o["key"], ended[k, o["key"]]) for o in report["outcomes"]),
                inferred=ended[k, INFERRED],
                stays=ended[k, "active"] + ended[k, "accepted"],
                stays_label=stays_label(k, base, len(stages) - 1),
            )
        )
    return tuple(flows)


def stays_label(stage: int, base: int, last: int) -> str:
    if stage == last:
        return "Accepted"
    return "Not applied yet" if stage < base else "Active"


# ---------------------------------------------------------------- Sankey: layout


@dataclass(frozen=True, slots=True)
class SankeyNode:
    id: str  # unique in the chart: "s3" for stage 3, "t3-2" for stage 3's third terminal
    kind: str  # "stage", "outcome", "inferred" or "active"
    style: str  # CSS class: "stage", "o0".."o5" (outcome by position), "inferred", "active"
    label: str
    lines: tuple[str, ...]  # the label wrapped for the chart
    count: int
    share: float | None  # of the stage it came from; None for the first stage
    x: float
    y: float
    width: float
    height: float
    text_x: float
    text_y: float  # baseline of the first label line; the count follows on the next line
    text_anchor: str


@dataclass(frozen=True, slots=True)
class SankeyLink:
    source: str
    target: str
    style: str
    count: int
    path: str  # a closed band: top edge curve out, bottom edge curve back


@dataclass(frozen=True, slots=True)
class SankeyChart:
    width: float
    height: float
    nodes: tuple[SankeyNode, ...]
    links: tuple[SankeyLink, ...]
    flows: tuple[StageFlow, ...]


NODE_WIDTH = 12.0
COLUMN_STEP = 140.0
TERMINAL_SLOT = 2 * LINE + 4.0  # a terminal's two label lines need this much height
GAP = 8.0
SANKEY_HEIGHT = 300.0  # height of everything tracked, before gaps and label slots


def _band(x0: float, y0: float, x1: float, y1: float, thickness: float) -> str:
    """A link of constant vertical thickness from (x0, y0) to (x1, y1) (top edges)."""
    middle = (x0 + x1) / 2
    b0, b1 = y0 + thickness, y1 + thickness
    return (
        f"M{_r(x0)} {_r(y0)}C{_r(middle)} {_r(y0)} {_r(middle)} {_r(y1)} {_r(x1)} {_r(y1)}"
        f"L{_r(x1)} {_r(b1)}C{_r(middle)} {_r(b1)} {_r(middle)} {_r(b0)} {_r(x0)} {_r(b0)}Z"
    )


def sankey_chart(
    flows: Sequence[StageFlow],
    outcome_labels: Mapping[str, str],
    *,
    inferred_label: str = "Ghosted (inferred)",
) -> SankeyChart | None:
    """Stages left to right, each a column; what stopped at stage k fans out into column k + 1,
    below stage k + 1, in a fixed order (outcomes, inferred, still active) so no links cross.
    Heights are proportional to counts; a terminal gets at least the height of its label so
    small counts stay legible (the link keeps its true thickness). None when nothing is tracked."""
    if not flows or flows[0].inflow == 0:
        return None
    drawn = [flow for flow in flows if flow.inflow > 0]  # reached() only decreases
    last = len(flows) - 1
    scale = SANKEY_HEIGHT / flows[0].inflow
    label_chars = int((COLUMN_STEP - 12) / CHAR)
    stage_lines = {flow.index: wrap(flow.label, label_chars) for flow in drawn}
    top = max(len(lines) for lines in stage_lines.values()) * LINE + LINE + 8.0
    outcome_order = {key: i for i, key in enumerate(outcome_labels)}

    nodes: list[SankeyNode] = []
    links: list[SankeyLink] = []
    bottom: float = top
    for flow in drawn:
        k = flow.index
        x = k * COLUMN_STEP
        height = flow.inflow * scale
        share = None if k == 0 else ratio(flow.inflow, flows[k - 1].inflow)
        nodes.append(
            SankeyNode(
                id=f"s{k}",
                kind="stage",
                style="stage",
                label=flow.label,
                lines=stage_lines[k],
                count=flow.inflow,
                share=share,
                x=_r(x),
                y=_r(top),
                width=NODE_WIDTH,
                height=_r(height),
                text_x=_r(x),
                text_y=_r(top - 6 - LINE * len(stage_lines[k])),
                text_anchor="start",
            )
        )
        bottom = max(bottom, top + height)

    for flow in drawn:
        k = flow.index
        terminals: list[tuple[str, str, str, int]] = [
            ("outcome", f"o{outcome_order[key] % 6}", outcome_labels[key], count)
            for key, count in flow.exits
        ]
        terminals.append(("inferred", "inferred", inferred_label, flow.inferred))
        if k < last:  # at the last stage, staying IS the stage (accepted): no terminal
            terminals.append(("active", "active", flow.stays_label, flow.stays))
        x0 = k * COLUMN_STEP + NODE_WIDTH
        x1 = (k + 1) * COLUMN_STEP
        source_y = top
        if flow.forward:
            links.append(
                SankeyLink(
                    f"s{k}",
                    f"s{k + 1}",
                    "stage",
                    flow.forward,
                    _band(x0, source_y, x1, top, flow.forward * scale),
                )
            )
            source_y += flow.forward * scale
        # The column's stack starts under the next stage's node, if that node is drawn.
        y = top + (flow.forward * scale + GAP if flow.forward else 0.0)
        for position, (kind, style, label, count) in enumerate(terminals):
            if count == 0:
                continue
            thickness = count * scale
            node_id = f"t{k}-{position}"
            lines = wrap(label, label_chars)
            nodes.append(
                SankeyNode(
                    id=node_id,
                    kind=kind,
                    style=style,
                    label=label,
                    lines=lines,
                    count=count,
                    share=ratio(count, flow.inflow),
                    x=_r(x1),
                    y=_r(y),
                    width=NODE_WIDTH,
                    height=_r(thickness),
                    text_x=_r(x1 + NODE_WIDTH + 5),
                    text_y=_r(y + FONT - 1),
                    text_anchor="start",
                )
            )
            links.append(
                SankeyLink(f"s{k}", node_id, style, count, _band(x0, source_y, x1, y, thickness))
            )
            source_y += thickness
            slot = max(thickness, TERMINAL_SLOT + LINE * (len(lines) - 1))
            bottom = max(bottom, y + slot)
            y += slot + GAP

    # Wide enough for the longest label of the last column ("1000 · 100%" at least).
    width = max(node.text_x + CHAR * max(11, *(len(line) for line in node.lines)) for node in nodes)
    return SankeyChart(
        width=_r(width),
        height=_r(bottom + 4),
        nodes=tuple(nodes),
        links=tuple(links),
        flows=tuple(flows),
    )


# ---------------------------------------------------------------- grouped bars (roles)


@dataclass(frozen=True, slots=True)
class GroupedBar:
    label: str  # the series (a role, or "All applications"), shortened to fit
    full_label: str
    kind: str  # "total" or "role"
    value: float | None  # the step conversion; None is 0/0
    count: int
    previous: int
    text_y: float
    bar_y: float
    bar_width: float
    value_x: float


@dataclass(frozen=True, slots=True)
class BarGroup:
    """One stage's bars: the step into it for all applications and for each role. The page
    shows one small chart per stage, side by side where there is room."""

    key: str
    label: str
    width: float
    height: float
    bar_x: float  # bars start here; series labels end just before
    bar_area: float
    bar_height: float
    bars: tuple[GroupedBar, ...]


def roles_chart(report: Report, width: float = 340) -> tuple[BarGroup, ...]:
    """Step conversion into each stage from the base stage on (into the base stage: the share
    of tracked applications actually applied to): all applications first, then each role with
    applications. A stage where no series has anything to convert is left out; fewer than two
    roles with applications give nothing to compare, so no groups."""
    series = [("All applications", "total", report["funnel"])]
    series += [(g["label"], "role", g["funnel"]) for g in report["groups"] if g["tracked"]]
    if len(series) < 3:  # one role alone is the same as all applications
        return ()
    fits = 18  # characters of series label before the bars; longer labels are shortened
    label_width = CHAR * max(min(len(label), fits) for label, _, _ in series) + 10
    bar_area = width - label_width - 80  # room for "100% 12/12" after the track
    bar_height, row = 12.0, 22.0
    base_key = report["options"]["base_stage"]
    first = max(1, next(s["index"] for s in report["stages"] if s["key"] == base_key))
    groups: list[BarGroup] = []
    for stage in report["stages"][first:]:
        k = stage["index"]
        if all(steps[k - 1]["reached"] == 0 for _, _, steps in series):
            continue
        bars = []
        for i, (label, kind, steps) in enumerate(series):
            value = steps[k]["conversion"]
            bar_width = bar_area * value if value is not None else 0.0
            bars.append(
                GroupedBar(
                    label=shorten(label, fits),
                    full_label=label,
                    kind=kind,
                    value=value,
                    count=int(steps[k]["reached"]),
                    previous=int(steps[k - 1]["reached"]),
                    text_y=_r(i * row + FONT),
                    bar_y=_r(i * row + 3),
                    bar_width=_r(bar_width),
                    value_x=_r(label_width + bar_area + 6),
                )
            )
        groups.append(
            BarGroup(
                key=stage["key"],
                label=stage["label"],
                width=width,
                height=_r(len(series) * row - (row - bar_height - 6)),
                bar_x=_r(label_width),
                bar_area=_r(bar_area),
                bar_height=bar_height,
                bars=tuple(bars),
            )
        )
    return tuple(groups)


# ---------------------------------------------------------------- column charts (time)


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
class Gridline:
    value: int
    y: float
    text_y: float  # baseline of its value, left of the plot


@dataclass(frozen=True, slots=True)
class Marker:
    """A vertical reference line across the plot, e.g. the median."""

    x: float
    top: float
    label: str
    text_x: float
    text_y: float
    text_anchor: str


@dataclass(frozen=True, slots=True)
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
            x=_r(left + i * band + gap / 2),
            y=_r(bottom - count * scale),
            width=_r(band - gap),
            height=_r(count * scale),
            center=_r(left + (i + 0.5) * band),
            value_y=_r(bottom - count * scale - 4),
            tick=tick,
        )
        for i, (label, count, tick) in enumerate(items)
    )
    placed = None
    if marker is not None:
        x = left + marker[0] * band
        right_half = x > (left + right) / 2
        placed = Marker(
            x=_r(x),
            top=top - 14,
            label=marker[1],
            text_x=_r(x - 5 if right_half else x + 5),
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
        tick_y=_r(bottom + 16),
        show_values=band >= 4 * CHAR,
        columns=columns,
        gridlines=tuple(
            Gridline(value, _r(bottom - value * scale), _r(bottom - value * scale + 4))
            for value in ticks
        ),
        marker=placed,
    )


def weekly_chart(activity: Sequence[Mapping[str, Any]]) -> ColumnChart | None:
    """Applications per week; `column_chart` keeps as many axis labels as fit."""
    if not activity:
        return None
    long_span = len(activity) > 26
    items = []
    for week in activity:
        start = date.fromisoformat(week["start"])
        month = MONTHS[start.month - 1]
        tick = f"{month} {start.year % 100:02d}" if long_span else f"{start.day} {month}"
        items.append((f"{week['week']} (from {week['start']})", int(week["count"]), tick))
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
