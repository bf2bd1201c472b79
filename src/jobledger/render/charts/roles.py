"""Roles compared step by step: one small chart of bars per stage, one bar per role."""

from __future__ import annotations

from jobledger.ledger.suggest import shorten
from jobledger.records import record
from jobledger.render.charts.geometry import CHAR, FONT, r1
from jobledger.report.model import Report


@record
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


@record
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
    series = [("All applications", "total", report.funnel)]
    series += [(g.role.label, "role", g.funnel) for g in report.groups_with_applications]
    if len(series) < 3:  # one role alone is the same as all applications
        return ()
    fits = 18  # characters of series label before the bars; longer labels are shortened
    label_width = CHAR * max(min(len(label), fits) for label, _, _ in series) + 10
    bar_area = width - label_width - 80  # room for "100% 12/12" after the track
    bar_height, row = 12.0, 22.0
    first = max(1, report.options.base.index)
    groups: list[BarGroup] = []
    for stage in report.stages[first:]:
        k = stage.index
        if all(steps[k - 1].reached == 0 for _, _, steps in series):
            continue
        bars = []
        for i, (label, kind, steps) in enumerate(series):
            value = steps[k].conversion
            bar_width = bar_area * value if value is not None else 0.0
            bars.append(
                GroupedBar(
                    label=shorten(label, fits),
                    full_label=label,
                    kind=kind,
                    value=value,
                    count=steps[k].reached,
                    previous=steps[k - 1].reached,
                    text_y=r1(i * row + FONT),
                    bar_y=r1(i * row + 3),
                    bar_width=r1(bar_width),
                    value_x=r1(label_width + bar_area + 6),
                )
            )
        groups.append(
            BarGroup(
                key=stage.key,
                label=stage.milestone,
                width=width,
                height=r1(len(series) * row - (row - bar_height - 6)),
                bar_x=r1(label_width),
                bar_area=r1(bar_area),
                bar_height=bar_height,
                bars=tuple(bars),
            )
        )
    return tuple(groups)
