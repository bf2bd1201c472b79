"""The Blueprint sheet's Pipeline table: one row per role, Other, the weighted total and the
sheet's own plain average of the role rows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from jobledger.ledger.model import Config
from jobledger.report.model import (
    FunnelStep,
    Group,
    Pipeline,
    PipelineCell,
    PipelineColumn,
    PipelineRow,
)
from jobledger.report.numbers import mean_of_fractions, ratio

RowKind = Literal["role", "other", "group", "total", "average"]


def _row(
    key: str, label: str, kind: RowKind, funnel: Sequence[FunnelStep], config: Config
) -> PipelineRow:
    tracked = funnel[0].reached
    applied = funnel[config.base].reached
    return PipelineRow(
        key=key,
        label=label,
        kind=kind,
        tracked=tracked,
        no_progress=PipelineCell(tracked - applied, ratio(tracked - applied, tracked)),
        applied=PipelineCell(applied, ratio(applied, tracked)),
        steps=tuple(PipelineCell(s.reached, s.conversion) for s in funnel[config.base + 1 :]),
    )


def _average(rows: Sequence[PipelineRow], steps: int, by: str) -> PipelineRow:
    """The sheet's "Average" row: the plain mean of the rows' fractions, skipping empty rows and
    0/0 — not the weighted total."""
    # Empty rows have no fractions; "(never applied)" of --by month has no month to compare.
    rows = [row for row in rows if row.tracked and not (by == "month" and row.key == "none")]

    def whole(row: PipelineRow, step: int) -> int:
        """What a step converts from: the base stage, then the step before."""
        count = row.applied.count if step == 0 else row.steps[step - 1].count
        return count or 0

    def part(cell: PipelineCell) -> int:
        return cell.count or 0

    return PipelineRow(
        key="average",
        label=f"Average of {by}s",
        kind="average",
        tracked=None,
        no_progress=PipelineCell(
            None, mean_of_fractions([(part(r.no_progress), r.tracked or 0) for r in rows])
        ),
        applied=PipelineCell(
            None, mean_of_fractions([(part(r.applied), r.tracked or 0) for r in rows])
        ),
        steps=tuple(
            PipelineCell(None, mean_of_fractions([(part(r.steps[i]), whole(r, i)) for r in rows]))
            for i in range(steps)
        ),
    )


def _kind(group: Group, config: Config, by: str) -> RowKind:
    if by != "role":
        return "group"
    return "role" if group.role in config.roles else "other"


def compute_pipeline(
    groups: Sequence[Group], funnel: Sequence[FunnelStep], config: Config, by: str = "role"
) -> Pipeline:
    """`groups`: the rows (by default each declared role, then Other); `funnel`: all
    applications."""
    rows = [_row(g.role.key, g.role.label, _kind(g, config, by), g.funnel, config) for g in groups]
    total = _row("total", "Total", "total", funnel, config)
    base = config.stages[config.base]
    columns = (
        PipelineColumn("no_progress", "No progress", None),
        PipelineColumn(base.key, base.label, base),
        *(PipelineColumn(s.key, s.label, s) for s in config.stages[config.base + 1 :]),
    )
    return Pipeline(columns, (*rows, total, _average(rows, len(total.steps), by)), by)
