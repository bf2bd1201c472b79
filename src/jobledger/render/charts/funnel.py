"""The funnel as horizontal bars: one row per stage, the label and numbers above its bar."""

from __future__ import annotations

from collections.abc import Sequence

from jobledger.ledger.suggest import shorten
from jobledger.records import record
from jobledger.render.charts.geometry import CHAR, FONT, r1
from jobledger.report.model import FunnelStep


@record
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


@record
class FunnelChart:
    width: float
    height: float
    bar_height: float
    rows: tuple[FunnelRow, ...]


def funnel_chart(steps: Sequence[FunnelStep], width: float = 320) -> FunnelChart:
    """One row per stage: the label and numbers on a line, the bar under it. Bars share one
    scale, the first stage's count (everything tracked), so a role's small multiple is read
    against its own total."""
    bar_height, row = 12.0, 40.0
    top = max((step.reached for step in steps), default=0)
    rows = tuple(
        FunnelRow(
            key=step.stage.key,
            label=step.stage.milestone,
            text=shorten(step.stage.milestone, int((width - 90) / CHAR)),
            reached=step.reached,
            conversion=step.conversion,
            of_base=step.of_base,
            text_y=r1(i * row + FONT),
            bar_y=r1(i * row + FONT + 6),
            bar_width=r1(width * step.reached / top) if top else 0.0,
        )
        for i, step in enumerate(steps)
    )
    return FunnelChart(width, r1(len(rows) * row - (row - FONT - 6 - bar_height)), bar_height, rows)
