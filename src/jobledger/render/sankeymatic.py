"""The Sankey diagram's flows as text for other tools: SankeyMATIC (`Source [n] Target` lines,
https://sankeymatic.com/build/) here, Mermaid's `sankey-beta` in render/mermaid.py.

Both tools know a node by its name alone, so the flows are named here once: a stage by its
milestone ("Phone screen"), and what stopped at a stage by what happened and where
("Rejected at Phone screen"): the HTML Sankey draws a separate "Rejected" beside each stage,
and one shared "Rejected" node would pull every stage's rejections into the last column.
The flows are the HTML Sankey's (render/charts/sankey.py), from `Report.flows`.
"""

from __future__ import annotations

import re

from jobledger.records import record
from jobledger.report.model import Report

INFERRED = "Ghosted (inferred)"  # as render/charts/sankey.py labels it


@record
class Flow:
    source: str
    target: str
    count: int


def sankey_flows(report: Report) -> tuple[Flow, ...]:
    """Stage by stage, as the HTML Sankey draws them: on to the next stage, then out through
    each outcome, silent (inferred), and still there. Every node balances: what flows into a
    stage flows out of it (StageFlow's invariant). At the last stage, staying is the stage
    (accepted) and the HTML draws no node for it; here it gets one too when something else
    leaves that stage, so that the stage still balances."""
    flows: list[Flow] = []
    last = len(report.flows) - 1
    for flow in report.flows:
        if flow.inflow == 0:
            continue
        here = flow.stage.milestone
        if flow.forward:
            after = report.flows[flow.stage.index + 1].stage.milestone
            flows.append(Flow(here, after, flow.forward))
        ends = [(outcome.label, count) for outcome, count in flow.exits]
        ends.append((INFERRED, flow.inferred))
        if flow.stage.index < last or any(count for _, count in ends):
            ends.append((flow.stays_label, flow.stays))
        flows += [Flow(here, f"{what} at {here}", count) for what, count in ends if count]
    return tuple(flows)


# SankeyMATIC reads `Source [AMOUNT] Target`: a name must not hold brackets, start a comment
# (`//` or `'`) or a node definition (`:`), or end in ` #…`, which it reads as a colour.
_BRACKETS = str.maketrans({"[": "(", "]": ")", "\n": " ", "\r": " ", "\t": " "})
_LEADING = re.compile(r"^(?:[:']|//)+\s*")
_COLOUR = re.compile(r"\s#")


def sankeymatic_name(name: str) -> str:
    name = " ".join(name.translate(_BRACKETS).split())
    name = _COLOUR.sub(" \uff03", _LEADING.sub("", name))  # a full-width '#'
    return name or "?"


def render_sankeymatic(report: Report) -> str:
    """Lines to paste into SankeyMATIC's input box."""
    title = " ".join(report.title.split())
    lines = [f"// {title}: where the applications went, as of {report.as_of}"]
    flows = sankey_flows(report)
    if not flows:
        lines.append("// no applications yet")
    lines += [
        f"{sankeymatic_name(f.source)} [{f.count}] {sankeymatic_name(f.target)}" for f in flows
    ]
    return "\n".join(lines) + "\n"
