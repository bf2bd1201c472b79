"""Chart geometry: the Sankey balances (example numbers and a property over random ledgers),
and the small layout helpers do what the templates rely on."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jobledger.ledger import model
from jobledger.ledger.parser import parse_text
from jobledger.ledger.reducer import reduce_entries
from jobledger.ledger.suggest import shorten
from jobledger.pipeline import load_report
from jobledger.render.charts import columns, funnel, geometry, roles, sankey
from jobledger.report.build import ReportOptions, build_report
from jobledger.report.model import Report, StageFlow, Week

AS_OF = date(2026, 3, 15)
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "blueprint.jobs"


def report_from(text: str, as_of: date = AS_OF) -> Report:
    parsed = parse_text(text, "t.jobs")
    assert not parsed.diagnostics, [d.render() for d in parsed.diagnostics]
    ledger, diagnostics = reduce_entries(parsed.entries)
    assert not [d for d in diagnostics if d.is_error], [d.render() for d in diagnostics]
    return build_report(ledger, ReportOptions(as_of))


@pytest.fixture(scope="module")
def example() -> Report:
    result = load_report([str(EXAMPLE)], AS_OF)
    assert result.report is not None
    return result.report


def outlets(flow: StageFlow) -> dict[str, int]:
    """What left or stayed at a stage, zero counts dropped: easy to compare."""
    found = {outcome.key: count for outcome, count in flow.exits if count}
    found |= {"forward": flow.forward, "inferred": flow.inferred, "stays": flow.stays}
    return {key: count for key, count in found.items() if count}


# ---------------------------------------------------------------- Sankey on the example


def balanced(flow: StageFlow) -> bool:
    """In = out + stays, nothing negative."""
    counts = [flow.forward, flow.inferred, flow.stays, *(count for _, count in flow.exits)]
    return flow.inflow == flow.outflow + flow.stays and min(counts) >= 0


def test_example_flows_match_the_report(example: Report) -> None:
    flows = example.flows
    assert [f.inflow for f in flows] == [17, 11, 7, 6, 2, 1, 1, 0]
    assert [f.inflow for f in flows] == [s.reached for s in example.funnel]
    by_key = {f.stage.key: outlets(f) for f in flows}
    assert by_key == {
        "wishlist": {"forward": 11, "stays": 6},
        "applied": {"forward": 7, "rejected": 1, "ghosted": 1, "inferred": 1, "stays": 1},
        "response": {"forward": 6, "stays": 1},  # Globex: a phone call booked, still waiting
        "phone": {"forward": 2, "rejected": 2, "withdrawn": 1, "stays": 1},
        "interview": {"forward": 1, "rejected": 1},
        "second": {"forward": 1},
        "offer": {"stays": 1},  # Initech: an offer to answer
        "accepted": {},
    }
    assert all(balanced(f) for f in flows)
    assert [f.stays_label for f in flows][:2] == ["Not applied yet", "Active"]
    assert flows[-1].stays_label == "Accepted"


def test_example_flows_agree_with_the_exits_table(example: Report) -> None:
    """No application in the example went back a stage, so counting at the highest stage and
    at the stage it ended give the same table."""
    for flow, row in zip(example.flows, example.exits, strict=True):
        assert flow.exits == row.outcomes
        assert flow.inferred == row.inferred


def test_example_sankey_geometry(example: Report) -> None:
    chart = sankey.sankey_chart(example.flows, example.outcomes)
    assert chart is not None
    check_geometry(chart)
    stages = [n for n in chart.nodes if n.kind == "stage"]
    assert [n.count for n in stages] == [17, 11, 7, 6, 2, 1, 1]  # Accepted (0) is not drawn
    terminals = {(n.id.split("-")[0], n.label): n.count for n in chart.nodes if n.kind != "stage"}
    assert terminals == {
        ("t0", "Not applied yet"): 6,
        ("t1", "Rejected"): 1,
        ("t1", "Ghosted"): 1,
        ("t1", "Ghosted (inferred)"): 1,
        ("t1", "Active"): 1,
        ("t2", "Active"): 1,
        ("t3", "Rejected"): 2,
        ("t3", "Withdrawn"): 1,
        ("t3", "Active"): 1,
        ("t4", "Rejected"): 1,
        ("t6", "Active"): 1,
    }
    assert [n.label for n in stages][:3] == ["Tracked", "Applied", "Positive reply"]  # milestones
    # A long label wraps at a word: nothing is lost.
    assert geometry.wrap("Response, No Interview Yet", 17) == ("Response, No", "Interview Yet")


def check_geometry(chart: sankey.SankeyChart) -> None:
    """Heights are proportional to counts, every link starts at its source node and fills its
    target, a source gives out exactly its height, and everything fits the viewBox."""
    nodes = {n.id: n for n in chart.nodes}
    first = chart.nodes[0]
    scale = first.height / first.count
    tolerance = 0.2  # every coordinate is rounded to 0.1
    for node in chart.nodes:
        assert abs(node.height - node.count * scale) <= tolerance, node
        assert node.x >= 0 and node.x + node.width <= chart.width
        assert node.text_y >= geometry.FONT and node.y + node.height <= chart.height
    flows = {f"s{f.stage.index}": f for f in chart.flows}
    given_out: dict[str, int] = {}
    for link in chart.links:
        source, target = nodes[link.source], nodes[link.target]
        # Into a terminal: all of it; into the next stage: what went on from the source.
        expected = flows[link.source].forward if target.kind == "stage" else target.count
        assert link.count == expected, link
        assert link.path.startswith(f"M{source.x + source.width:g}")
        given_out[link.source] = given_out.get(link.source, 0) + link.count
    for node_id, count in given_out.items():
        flow = flows[node_id]
        staying = flow.stays if flow.stage.index == len(chart.flows) - 1 else 0
        assert count + staying == nodes[node_id].count == flow.inflow
    check_labels(chart)


Box = tuple[float, float, float, float]  # left, top, right, bottom


def label_box(node: sankey.SankeyNode) -> Box:
    """Where a node's label is drawn: its lines, then the count line ("6 · 35%"), at the
    character advance the layout plans for (the browser test measures the real text)."""
    count = f"{node.count} · 100%" if node.share is not None else str(node.count)
    width = geometry.CHAR * max(len(count), *(len(line) for line in node.lines))
    left = node.text_x if node.text_anchor == "start" else node.text_x - width
    top = node.text_y - geometry.FONT + 2  # cap height above the first baseline
    bottom = node.text_y + geometry.LINE * len(node.lines) + 4  # the count line's descenders
    return (left, top, left + width, bottom)


def band_at(path: str, samples: int = 120) -> list[tuple[float, float, float]]:
    """Points (x, top, bottom) along a link band: its top edge is a cubic curve, its bottom the
    same curve `thickness` lower (see sankey._band)."""
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", path)]
    x0, y0, c1x, c1y, c2x, c2y, x1, y1, _, b1 = numbers[:10]
    thickness = b1 - y1
    points = []
    for i in range(samples + 1):
        t = i / samples
        a, b, c, d = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t**2, t**3
        x = a * x0 + b * c1x + c * c2x + d * x1
        y = a * y0 + b * c1y + c * c2y + d * y1
        points.append((x, y, y + thickness))
    return points


def overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def check_labels(chart: sankey.SankeyChart) -> None:
    """No label sits on a band, a node or another label, and every label is inside the chart."""
    boxes = {n.id: label_box(n) for n in chart.nodes}
    for node_id, box in boxes.items():
        assert box[0] >= 0 and box[2] <= chart.width and box[1] >= 0, (node_id, box)
        assert box[3] <= chart.height, (node_id, box, chart.height)
        for other_id, other in boxes.items():
            assert other_id == node_id or not overlaps(box, other), (node_id, other_id)
        for node in chart.nodes:
            rect = (node.x, node.y, node.x + node.width, node.y + node.height)
            assert not overlaps(box, rect), (node_id, "on node", node.id)
        for link in chart.links:
            for x, top, bottom in band_at(link.path):
                assert not (box[0] < x < box[2] and box[1] < bottom and top < box[3]), (
                    f"label of {node_id} on the band {link.source}->{link.target} at x={x:.0f}"
                )


# ---------------------------------------------------------------- Sankey over random ledgers

DEFAULT_STAGES = [key for key, _ in model.DEFAULT_STAGES]


@st.composite
def ledgers(draw: st.DrawFn) -> tuple[str, date, bool]:
    """A random valid ledger: default or declared stages and outcomes, two roles, applications
    that move up (or, unless `monotonic`, sometimes back) and may end in an outcome or go
    silent long enough to be inferred ghosted. Returns (text, as_of, monotonic)."""
    custom = draw(st.booleans())
    if custom:
        stages = [f"s{i}" for i in range(draw(st.integers(2, 5)))]
        outcomes = [f"out{i}" for i in range(draw(st.integers(1, 3)))]
    else:
        stages, outcomes = DEFAULT_STAGES, ["rejected", "withdrawn", "ghosted", "declined"]
    monotonic = draw(st.booleans())
    lines = ["option ghost-after 20", 'role aa "Role A"', 'role bb "Role B"']
    if custom:
        lines += [f'stage {key} "Stage {key}"' for key in stages]
        lines += [f'outcome {key} "Outcome {key}"' for key in outcomes]
        lines.append(f"option base-stage {stages[draw(st.integers(0, len(stages) - 1))]}")
    start = date(2026, 1, 1)
    for number in range(draw(st.integers(0, 12))):
        name = f"Company{number} | Job"
        tag = draw(st.sampled_from(["", " #aa", " #bb"]))
        day = start + timedelta(days=draw(st.integers(0, 40)))
        stage = draw(st.integers(0, len(stages) - 1))
        lines.append(f"{day} {stages[stage]} {name}{tag}")
        for _ in range(draw(st.integers(0, 4))):
            day += timedelta(days=draw(st.integers(0, 25)))
            if monotonic:
                stage = draw(st.integers(stage, len(stages) - 1))
            else:
                stage = draw(st.integers(0, len(stages) - 1))
            lines.append(f"{day} {stages[stage]} {name}")
        if draw(st.booleans()):
            day += timedelta(days=draw(st.integers(0, 20)))
            lines.append(f"{day} {draw(st.sampled_from(outcomes))} {name}")
        if draw(st.booleans()):
            lines.append(f"{day} note {name} ; a note never moves anything")
    as_of = start + timedelta(days=draw(st.integers(0, 150)))
    return "\n".join(lines) + "\n", as_of, monotonic


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ledgers())
def test_every_node_balances(case: tuple[str, date, bool]) -> None:
    text, as_of, monotonic = case
    report = report_from(text, as_of)
    flows = report.flows
    assert [f.inflow for f in flows] == [s.reached for s in report.funnel]
    for flow, after in zip(flows, [*flows[1:], None], strict=True):
        assert balanced(flow), flow
        assert flow.forward == (after.inflow if after is not None else 0)
    # Each application ends exactly once: in an outcome, silent, or still where it got to.
    ended = sum(f.outflow - f.forward + f.stays for f in flows)
    assert ended == report.totals.tracked
    if monotonic:  # no application went back: the exits table and the diagram agree
        for flow, row in zip(flows, report.exits, strict=True):
            assert flow.exits == row.outcomes
            assert flow.inferred == row.inferred
    chart = sankey.sankey_chart(flows, report.outcomes)
    if report.totals.tracked == 0:
        assert chart is None
    else:
        assert chart is not None
        check_geometry(chart)


# ---------------------------------------------------------------- the other charts


def test_funnel_bars_share_one_scale(example: Report) -> None:
    chart = funnel.funnel_chart(example.funnel)
    widths = [row.bar_width for row in chart.rows]
    assert widths[0] == chart.width and widths[-1] == 0
    assert widths == sorted(widths, reverse=True)
    assert abs(widths[1] - chart.width * 11 / 17) < 0.1
    assert chart.rows[-1].bar_y + chart.bar_height == chart.height


def test_funnel_of_nothing_draws_no_bars() -> None:
    chart = funnel.funnel_chart(report_from("").funnel)
    assert {row.bar_width for row in chart.rows} == {0}


def test_roles_chart_compares_steps(example: Report) -> None:
    groups = roles.roles_chart(example)
    assert [g.key for g in groups] == DEFAULT_STAGES[1:]
    phone = next(g for g in groups if g.key == "phone")
    assert [(b.full_label, b.count, b.previous) for b in phone.bars] == [
        ("All applications", 6, 7),
        ("Developer Advocate", 1, 1),
        ("Software Engineer", 2, 3),
        ("Sales Engineer", 2, 2),
        ("Other", 1, 1),
    ]
    assert all(b.bar_width <= phone.bar_area for b in phone.bars)
    assert roles.roles_chart(report_from("2026-01-05 applied Solo\n")) == ()


def test_wrap_breaks_at_words_and_cuts_what_does_not_fit() -> None:
    wrap = geometry.wrap
    assert wrap("Response, No Interview Yet", 17) == ("Response, No", "Interview Yet")
    assert wrap("Short", 17) == ("Short",)
    assert wrap("a b c d e f g h", 5, lines=2) == ("a b c", "d e…")
    assert wrap("Supercalifragilistic", 10) == ("Supercali…",)
    assert wrap("", 10) == ("",)
    assert shorten("Developer Advocate (EMEA)", 18) == "Developer Advocat…"


@pytest.mark.parametrize(
    ("top", "ticks"),
    [
        (0, (0, 1)),
        (1, (0, 1)),
        (3, (0, 1, 2, 3)),
        (4, (0, 1, 2, 3, 4)),
        (5, (0, 2, 4, 6)),
        (17, (0, 5, 10, 15, 20)),
        (120, (0, 50, 100, 150)),
    ],
)
def test_nice_ticks(top: int, ticks: tuple[int, ...]) -> None:
    assert columns.nice_ticks(top) == ticks


def test_reply_bins() -> None:
    assert columns.reply_bins([]) == (1, ())
    assert columns.reply_bins([3, 3, 5]) == (1, ((0, 0), (1, 0), (2, 0), (3, 2), (4, 0), (5, 1)))
    width, bins = columns.reply_bins([3, 4, 7, 7, 8, 12, 31])
    assert width == 3 and sum(count for _, count in bins) == 7 and len(bins) <= 12
    assert bins[-1] == (30, 1)


def test_reply_chart_marks_the_median(example: Report) -> None:
    reply = example.timing.first_reply
    chart = columns.reply_chart(reply.days, reply.median_days)
    assert chart is not None and chart.marker is not None
    assert chart.marker.label == "median 7 days"
    # 8 replies: the explicit ghosting ends a wait with no answer, so it is not one.
    assert sum(c.count for c in chart.columns) == reply.count == 8
    # The median line falls inside the column holding day 7.
    holder = next(c for c in chart.columns if c.label == "6\N{EN DASH}7 days")
    assert holder.x <= chart.marker.x <= holder.x + holder.width
    assert columns.reply_chart([], None) is None


def test_weekly_chart_thins_its_axis_labels() -> None:
    weeks = [Week(f"W{i}", date(2024, 1, 1) + timedelta(weeks=i), i % 5) for i in range(100)]
    chart = columns.weekly_chart(weeks)
    assert chart is not None
    ticks = [c.tick for c in chart.columns if c.tick is not None]
    assert 3 <= len(ticks) <= 8 and ticks[0] == "Jan 24"
    assert not chart.show_values  # 100 columns are too narrow for a count each
    assert columns.weekly_chart([]) is None
    assert all(
        c.height >= 0 and c.y + c.height == pytest.approx(chart.baseline, abs=0.1)
        for c in chart.columns
    )
