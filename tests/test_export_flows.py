"""The Sankey as text for SankeyMATIC and Mermaid: the HTML Sankey's flows, balanced at every
node, with names each tool reads back as written."""

from __future__ import annotations

import re
from collections import defaultdict

from helpers import report
from hypothesis import HealthCheck, given, settings
from strategies import ledgers

from jobledger.ledger.parser import parse_text
from jobledger.ledger.reducer import reduce_entries
from jobledger.render.charts.sankey import sankey_chart
from jobledger.render.mermaid import ascii_name, render_mermaid
from jobledger.render.sankeymatic import Flow, render_sankeymatic, sankey_flows
from jobledger.report.build import ReportOptions, build_report
from jobledger.report.model import Report

AS_OF_TEXT = "2026-03-15"
FLOW_LINE = re.compile(r"^(.+)\[([\d\s.+-]+)\](.+)$")  # SankeyMATIC's own reFlowLine


def report_of(text: str) -> Report:
    ledger, _ = reduce_entries(parse_text(text, "p.jobs").entries)
    return build_report(ledger, ReportOptions(report("").as_of))


def parse_sankeymatic(text: str) -> list[Flow]:
    """Read the lines back the way SankeyMATIC does: comments skipped, the amount in brackets,
    a trailing ` #…` taken as a colour (so a name must never end in one)."""
    flows = []
    for line in text.splitlines():
        if not line.strip() or line.startswith(("//", "'")):
            continue
        match = FLOW_LINE.match(line)
        assert match is not None, line
        target = match[3].strip()
        assert not re.search(r"\s#\S+$", target), line
        flows.append(Flow(match[1].strip(), target, int(match[2])))
    return flows


def unbalanced(flows: list[Flow]) -> dict[str, tuple[int, int]]:
    """Nodes with both inflow and outflow whose two differ."""
    inflow: dict[str, int] = defaultdict(int)
    outflow: dict[str, int] = defaultdict(int)
    for flow in flows:
        outflow[flow.source] += flow.count
        inflow[flow.target] += flow.count
    return {
        node: (inflow[node], outflow[node])
        for node in set(inflow) & set(outflow)
        if inflow[node] != outflow[node]
    }


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(ledgers())
def test_sankeymatic_balances_at_every_node_and_keeps_every_application(text: str) -> None:
    rep = report_of(text)
    flows = parse_sankeymatic(render_sankeymatic(rep))
    assert unbalanced(flows) == {}
    assert all(flow.count > 0 for flow in flows)
    # Every tracked application ends in exactly one node with no way out.
    sources = {flow.source for flow in flows}
    assert sum(flow.count for flow in flows if flow.target not in sources) == rep.totals.tracked


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow])
@given(ledgers())
def test_the_flows_are_the_html_sankeys(text: str) -> None:
    rep = report_of(text)
    chart = sankey_chart(rep.flows, rep.outcomes)
    ours = list(sankey_flows(rep))
    if chart is None:
        assert ours == []
        return
    labels = {node.id: node for node in chart.nodes}
    drawn = []
    for link in chart.links:
        source = labels[link.source].label
        target = labels[link.target]
        name = target.label if target.kind == "stage" else f"{target.label} at {source}"
        drawn.append(Flow(source, name, link.count))
    extra = [flow for flow in ours if flow not in drawn]
    assert drawn == [flow for flow in ours if flow in drawn]  # same flows, same order
    # Only the last stage's stays, when something else also left it (to balance it).
    last = rep.flows[-1].stage.milestone
    assert all(flow.source == last for flow in extra)


def test_names_that_sankeymatic_would_misread_are_made_safe() -> None:
    rep = report(
        """\
        stage wishlist "Never Applied" "[Tracked]"
        stage applied "Applied" "// Applied #1"
        2026-02-01 wishlist A
        2026-02-02 applied B
        """
    )
    text = render_sankeymatic(rep)
    assert "(Tracked) [1] Applied \uff031\n" in text  # no comment, no colour
    assert "(Tracked) [1] Not applied yet at (Tracked)" in text
    assert unbalanced(parse_sankeymatic(text)) == {}


def test_mermaid_quotes_commas_and_quotes_and_writes_ascii() -> None:
    rep = report(
        """\
        stage applied "Applied" "Sent, finally"
        stage response "Response" "Réponse \u201cpositive\u201d"
        2026-02-02 applied B
        2026-02-03 response B
        """
    )
    text = render_mermaid(rep)
    assert text.startswith("sankey-beta\n\n")
    assert '"Sent, finally","Reponse ""positive""",1\n' in text
    assert text.isascii()
    for line in text.splitlines()[2:]:
        # Three CSV fields: the quoted ones hold the commas.
        assert len(re.findall(r'"(?:[^"]|"")*"|[^,]+', line)) == 3, line


def test_mermaid_keeps_names_apart_that_ascii_would_merge() -> None:
    assert ascii_name("Café — Ops") == "Cafe - Ops"
    rep = report(
        """\
        stage applied "Applied" "申请"
        stage response "Response" "回复"
        2026-02-02 applied B
        2026-02-03 response B
        """
    )
    assert "??,?? (2),1\n" in render_mermaid(rep)


def test_nothing_tracked_gives_no_flows() -> None:
    rep = report("")
    assert render_mermaid(rep) == ""
    assert render_sankeymatic(rep).splitlines()[1] == "// no applications yet"
