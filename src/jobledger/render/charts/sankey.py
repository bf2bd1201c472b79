"""The Sankey diagram's layout: stages left to right, and where the applications went."""

from __future__ import annotations

from collections.abc import Sequence

from jobledger.ledger.model import Outcome
from jobledger.records import record
from jobledger.render.charts.geometry import CHAR, FONT, LINE, r1, wrap
from jobledger.report.model import StageFlow
from jobledger.report.numbers import ratio


@record
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


@record
class SankeyLink:
    source: str
    target: str
    style: str
    count: int
    path: str  # a closed band: top edge curve out, bottom edge curve back


@record
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
        f"M{r1(x0)} {r1(y0)}C{r1(middle)} {r1(y0)} {r1(middle)} {r1(y1)} {r1(x1)} {r1(y1)}"
        f"L{r1(x1)} {r1(b1)}C{r1(middle)} {r1(b1)} {r1(middle)} {r1(b0)} {r1(x0)} {r1(b0)}Z"
    )


def sankey_chart(
    flows: Sequence[StageFlow],
    outcomes: Sequence[Outcome],
    *,
    inferred_label: str = "Ghosted (inferred)",
) -> SankeyChart | None:
    """Stages left to right, each a column; what stopped at stage k fans out into column k + 1,
    below stage k + 1 and below the bands leaving it (so no label sits on a band), in a fixed
    order (outcomes, inferred, still active) so no links cross.
    Heights are proportional to counts; a terminal gets at least the height of its label so
    small counts stay legible (the link keeps its true thickness). None when nothing is tracked."""
    if not flows or flows[0].inflow == 0:
        return None
    drawn = [flow for flow in flows if flow.inflow > 0]  # reached() only decreases
    last = len(flows) - 1
    scale = SANKEY_HEIGHT / flows[0].inflow
    label_chars = int((COLUMN_STEP - 12) / CHAR)
    stage_lines = {flow.stage.index: wrap(flow.stage.milestone, label_chars) for flow in drawn}
    top = max(len(lines) for lines in stage_lines.values()) * LINE + LINE + 8.0
    outcome_order = {outcome.key: i for i, outcome in enumerate(outcomes)}

    nodes: list[SankeyNode] = []
    links: list[SankeyLink] = []
    bottom: float = top
    for flow in drawn:
        k = flow.stage.index
        x = k * COLUMN_STEP
        height = flow.inflow * scale
        share = None if k == 0 else ratio(flow.inflow, flows[k - 1].inflow)
        nodes.append(
            SankeyNode(
                id=f"s{k}",
                kind="stage",
                style="stage",
                label=flow.stage.milestone,
                lines=stage_lines[k],
                count=flow.inflow,
                share=share,
                x=r1(x),
                y=r1(top),
                width=NODE_WIDTH,
                height=r1(height),
                text_x=r1(x),
                text_y=r1(top - 6 - LINE * len(stage_lines[k])),
                text_anchor="start",
            )
        )
        bottom = max(bottom, top + height)

    # Right to left: a stage's terminals sit in the next column, their labels in the space
    # where the next stage's bands fan out, so they go below the lowest of those bands.
    laid_out: dict[int, tuple[list[SankeyNode], list[SankeyLink]]] = {}
    floor: float | None = None  # the lowest band edge of the stage to the right
    for flow in reversed(drawn):
        k = flow.stage.index
        column_nodes: list[SankeyNode] = []
        column_links: list[SankeyLink] = []
        terminals: list[tuple[str, str, str, int]] = [
            ("outcome", f"o{outcome_order[outcome.key] % 6}", outcome.label, count)
            for outcome, count in flow.exits
        ]
        terminals.append(("inferred", "inferred", inferred_label, flow.inferred))
        if k < last:  # at the last stage, staying IS the stage (accepted): no terminal
            terminals.append(("active", "active", flow.stays_label, flow.stays))
        x0 = k * COLUMN_STEP + NODE_WIDTH
        x1 = (k + 1) * COLUMN_STEP
        source_y = top
        lowest = top + flow.forward * scale  # this stage's lowest band edge, for the next loop
        if flow.forward:
            column_links.append(
                SankeyLink(
                    f"s{k}",
                    f"s{k + 1}",
                    "stage",
                    flow.forward,
                    _band(x0, source_y, x1, top, flow.forward * scale),
                )
            )
            source_y += flow.forward * scale
        # The column's stack starts under the next stage's node, if that node is drawn, and
        # under every band leaving that node.
        y = top + (flow.forward * scale + GAP if flow.forward else 0.0)
        if flow.forward and floor is not None:
            y = max(y, floor + GAP)
        for position, (kind, style, label, count) in enumerate(terminals):
            if count == 0:
                continue
            thickness = count * scale
            node_id = f"t{k}-{position}"
            lines = wrap(label, label_chars)
            column_nodes.append(
                SankeyNode(
                    id=node_id,
                    kind=kind,
                    style=style,
                    label=label,
                    lines=lines,
                    count=count,
                    share=ratio(count, flow.inflow),
                    x=r1(x1),
                    y=r1(y),
                    width=NODE_WIDTH,
                    height=r1(thickness),
                    text_x=r1(x1 + NODE_WIDTH + 5),
                    text_y=r1(y + FONT - 1),
                    text_anchor="start",
                )
            )
            column_links.append(
                SankeyLink(f"s{k}", node_id, style, count, _band(x0, source_y, x1, y, thickness))
            )
            source_y += thickness
            lowest = max(lowest, y + thickness)
            slot = max(thickness, TERMINAL_SLOT + LINE * (len(lines) - 1))
            bottom = max(bottom, y + slot)
            y += slot + GAP
        laid_out[k] = (column_nodes, column_links)
        floor = lowest
    for flow in drawn:
        column_nodes, column_links = laid_out[flow.stage.index]
        nodes += column_nodes
        links += column_links

    # Wide enough for the longest label of the last column ("1000 · 100%" at least).
    width = max(node.text_x + CHAR * max(11, *(len(line) for line in node.lines)) for node in nodes)
    return SankeyChart(
        width=r1(width),
        height=r1(bottom + 4),
        nodes=tuple(nodes),
        links=tuple(links),
        flows=tuple(flows),
    )
