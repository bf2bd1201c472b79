"""The numbers (issue 2, section 4), including the Blueprint sheet's Pipeline table, read from
the typed report (issue 6)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from helpers import AS_OF, ledger, reached, report
from hypothesis import given
from hypothesis import strategies as st

from jobledger.pipeline import load_report
from jobledger.render.markdown import render_markdown
from jobledger.report.build import ReportOptions, build_report
from jobledger.report.insights import ADVICE, advice
from jobledger.report.model import PipelineRow, Report
from jobledger.report.numbers import mean_of_fractions, percent

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "blueprint.jobs"


@pytest.fixture(scope="module")
def example() -> Report:
    result = load_report([str(EXAMPLE)], date(2026, 3, 15))
    assert result.report is not None
    return result.report


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (5 / 8, "63%"),
        (3 / 8, "38%"),
        (1 / 8, "13%"),
        (7 / 40, "18%"),
        (1 / 40, "3%"),
        (0.0, "0%"),
        (1.0, "100%"),
        (2 / 3, "67%"),
        (11 / 12, "92%"),
        (None, "—"),
    ],
)
def test_percent_rounds_half_up(value: float | None, shown: str) -> None:
    assert percent(value) == shown


def row(example: Report, key: str) -> PipelineRow:
    return next(r for r in example.pipeline.rows if r.key == key)


def cells(r: PipelineRow) -> list[str]:
    return [f"{c.count} {percent(c.fraction)}" for c in r.cells]


def step(r: PipelineRow, example: Report, key: str) -> tuple[int | None, str]:
    keys = [c.key for c in example.pipeline.columns]
    cell = r.cells[keys.index(key)]
    return cell.count, percent(cell.fraction)


def test_pipeline_reproduces_the_blueprint_sheet(example: Report) -> None:
    # The sheet: DevRel 6 -> 1 (17%), 5 (83%), 1 (20%), 1 (100%), 0 (0%).
    assert cells(row(example, "devrel"))[:5] == ["1 17%", "5 83%", "1 20%", "1 100%", "0 0%"]
    # Software Engineer 8 -> 5 (63%), 3 (38%), 3 (100%), 2 (67%), 1 (50%), … 1 offer (100%).
    swe = cells(row(example, "swe"))
    assert swe[:5] == ["5 63%", "3 38%", "3 100%", "2 67%", "1 50%"]
    assert swe[6] == "1 100%"  # offer
    # The sheet's Total/Average row: Phone 92% = mean(100%, 67%, 100%, 100%)…
    assert step(row(example, "average"), example, "phone") == (None, "92%")
    # …while the weighted total is 6 of 7.
    assert step(row(example, "total"), example, "phone") == (6, "86%")


def test_statuses_sum_to_tracked(example: Report) -> None:
    t = example.totals
    outcomes = {o.key: count for o, count in t.outcomes}
    assert t.tracked == 17
    assert t.active + t.accepted + t.ghosted_inferred + sum(outcomes.values()) == 17
    assert (t.ghosted_inferred, outcomes["ghosted"]) == (1, 1)


def test_exits_say_where_the_nos_happen(example: Report) -> None:
    def ended(outcome: str) -> dict[str, int]:
        return {
            row.stage.key: count
            for row in example.exits
            for o, count in row.outcomes
            if o.key == outcome and count
        }

    assert ended("rejected") == {"applied": 1, "phone": 2, "interview": 1}
    assert ended("withdrawn") == {"phone": 1}
    assert [row.stage.key for row in example.endings] == ["applied", "phone", "interview"]


def test_funnel_definitions() -> None:
    rep = report(
        """\
        2026-02-01 wishlist W
        2026-02-01 applied A
        2026-02-02 applied B
        2026-02-05 phone B
        2026-02-03 interview C
        """
    )
    assert reached(rep) == {
        "wishlist": 4,
        "applied": 3,
        "response": 2,
        "phone": 2,
        "interview": 1,
        "second": 0,
        "offer": 0,
        "accepted": 0,
    }
    steps = {s.stage.key: s for s in rep.funnel}
    assert steps["wishlist"].conversion is None and steps["wishlist"].of_base is None
    assert steps["applied"].conversion == 3 / 4
    assert steps["phone"].of_base == 2 / 3
    assert steps["second"].conversion == 0.0
    assert steps["offer"].conversion is None  # 0/0
    assert {s.stage.key: s.at for s in rep.funnel if s.at} == {
        "wishlist": 1,
        "applied": 1,
        "phone": 1,
        "interview": 1,
    }
    assert (rep.never_applied.count, rep.never_applied.share) == (1, 0.25)


def test_timing_first_reply_and_stays() -> None:
    rep = report(
        """\
        2026-02-01 applied A
        2026-02-03 note A
        2026-02-08 response A
        2026-02-10 phone A
        2026-02-01 applied B
        2026-02-05 rejected B
        2026-02-01 applied C
        """
    )
    first = rep.timing.first_reply
    assert (first.count, first.median_days, first.days) == (2, 5.5, (4, 7))
    stays = {s.stage.key: (s.median_days, s.count) for s in rep.timing.stages}
    assert stays["applied"] == (7, 1)  # B's rejection is not a move on (issue 7)
    assert stays["response"] == (2, 1)


def test_weekly_activity_fills_quiet_weeks() -> None:
    rep = report("2026-02-02 applied A\n2026-02-18 applied B\n", as_of=date(2026, 2, 20))
    assert [(w.week, w.count) for w in rep.activity] == [
        ("2026-W06", 1),
        ("2026-W07", 0),
        ("2026-W08", 1),
    ]


def test_attention() -> None:
    rep = report(
        """\
        option follow-up-after 7
        2026-03-01 applied Quiet
        2026-03-10 applied Recent
        2026-02-01 wishlist Dusty
        2026-03-12 wishlist Fresh
        2026-02-20 applied Booked
        2026-03-18 phone Booked
        """
    )
    kinds = [(a.kind, a.company, a.days) for a in rep.attention.items]
    assert kinds == [
        ("upcoming", "Booked", 3),
        ("follow-up", "Quiet", 14),
        ("apply-or-drop", "Dusty", 42),
    ]


def test_a_scheduled_item_carries_its_events_comment_and_metadata_but_no_private_key() -> None:
    text = """\
        2026-02-20 applied Booked
        2026-03-18 phone   Booked  ; with the hiring manager
            time: 14:30
            salary: ask
        """
    (item,) = report(text).attention.upcoming
    assert item.comment == "with the hiring manager"
    assert item.meta == (("time", "14:30"), ("salary", "ask"))
    hidden = build_report(ledger(text), ReportOptions(AS_OF, private=frozenset({"salary"})))
    assert hidden.attention.upcoming[0].meta == (("time", "14:30"),)


def test_a_note_never_changes_the_funnel() -> None:
    base = "2026-02-01 applied A\n2026-02-05 phone A\n2026-02-02 applied B\n"
    with_notes = base + "2026-02-06 note A\n2026-02-07 note B\n"
    one, two = report(base), report(with_notes)
    assert one.funnel == two.funnel
    assert one.pipeline == two.pipeline


def test_insights_cite_numbers(example: Report) -> None:
    said = "\n".join(example.insights)
    assert "Software Engineer converts best, 3 of 3 (100%)" in said
    assert "Developer Advocate worst, 1 of 5 (20%)" in said
    assert "6 of 17 (35%)" in said  # inertia
    assert "Software Engineer, 5 of 8 (63%)" in said
    assert "median of 7 days" in said
    assert "referral 4 of 4 (100%)" in said
    assert "Sample too small to judge: Sales Engineer (2), Other (1)" in said


def test_insights_refuse_small_samples() -> None:
    rep = report("2026-02-01 applied X\n2026-02-02 applied Y\n")
    assert rep.insights == (
        "Only 2 applications so far: too few to draw conclusions; the numbers start to speak "
        "from 3 or so.",
    )
    rep = report(
        """\
        role a "A"
        role b "B"
        2026-02-01 applied X #a
        2026-02-02 applied Y #b
        2026-02-04 phone Y
        2026-02-05 applied Z
        """
    )
    said = " ".join(rep.insights)
    assert "Too few applications to compare roles" in said
    assert "Sample too small to judge: A (1), B (1), Other (1)" in said
    assert "Roles differ most" not in said


def test_a_reply_is_an_answer_from_the_employer() -> None:
    rep = report(
        """\
        2026-02-01 applied Answered
        2026-02-03 applied Answered
        2026-02-06 response Answered
        2026-02-01 applied Rejected
        2026-02-11 rejected Rejected
        2026-02-01 applied Ghosted
        2026-03-01 ghosted Ghosted
        2026-02-01 applied Withdrew
        2026-02-02 withdrawn Withdrew
        """
    )
    assert rep.timing.first_reply.days == (5, 10)


def test_advice_follows_the_stage_it_stalls_after(example: Report) -> None:
    assert advice(4, example) == ADVICE["no-interview"]  # phone -> interview
    assert advice(2, example) == ADVICE["no-reply"]  # applied -> response


def test_empty_ledger() -> None:
    rep = report("; nothing yet\n")
    assert rep.totals.tracked == 0
    assert all(s.conversion is None for s in rep.funnel[1:])
    assert rep.insights[0].startswith("No applications yet")


def test_average_of_roles_is_exact_before_rounding() -> None:
    lines = ['role a "A"', 'role b "B"', 'role c "C"', "2026-02-01 applied A0 #a"]
    lines += [f"2026-02-01 {'applied' if i < 2 else 'wishlist'} B{i} #b" for i in range(5)]
    lines += [f"2026-02-01 {'applied' if i < 5 else 'wishlist'} C{i} #c" for i in range(8)]
    rep = report("\n".join(lines) + "\n")
    average = next(r for r in rep.pipeline.rows if r.key == "average")
    # (1 + 2/5 + 5/8) / 3 = 0.675 exactly: 68%, though the float sum gives 0.67499…
    assert percent(average.applied.fraction) == "68%"


# ---------------------------------------------------------------- issue 7: one meaning per number

REPLIES = """\
    role a "Role A"
    role b "Role B"
    2026-02-01 applied A1 #a
        source: Referral
    2026-02-08 rejected A1
    2026-02-01 applied A2 #a
        Source: referral
    2026-02-04 response A2
    2026-02-01 applied A3 #a
        source: job board
    2026-02-02 withdrawn A3
    2026-02-01 applied B1 #b
        source: job board
    2026-03-01 ghosted B1
    2026-02-01 applied B2 #b
    2026-02-10 declined B2
    2026-02-01 applied B3 #b
    2026-02-01 note B3
    """


def test_a_reply_means_one_thing_everywhere() -> None:
    """The employer's first reaction after applying: a later stage or a rejection; not the
    seeker's own withdrawal or refusal, not a ghosting, not a note."""
    rep = report(REPLIES)
    assert rep.timing.first_reply.days == (3, 7)  # A2's response, A1's rejection
    sources = {s.source: (s.applied, s.replied) for s in rep.sources}
    assert sources == {"Referral": (2, 2), "job board": (2, 0)}  # keys and values fold case
    groups = {g.role.key: (g.applied, g.replied) for g in rep.groups}
    assert groups == {"a": (3, 2), "b": (3, 0)}
    total_replies = sum(s.replied for s in rep.sources) + 0  # B2, B3 have no source
    assert total_replies == rep.timing.first_reply.count


def test_replies_in_the_json(tmp_path: Path) -> None:
    from jobledger.render.json_report import encode_report

    data = encode_report(report(REPLIES))
    assert [(s["source"], s["replied"]) for s in data["sources"]] == [
        ("job board", 0),
        ("Referral", 2),
    ]
    assert [(g["key"], g["replied"]) for g in data["groups"]] == [("a", 2), ("b", 0)]
    assert data["timing"]["first_reply"]["days"] == [3, 7]


def test_last_heard_is_not_the_seekers_own_note() -> None:
    rep = report(
        """\
        option follow-up-after 7
        2026-03-01 applied Quiet
        2026-03-12 note Quiet ; sent a polite nudge
        """
    )
    (item,) = rep.attention.follow_up
    assert (item.date, item.days) == (date(2026, 3, 1), 14)


def test_roles_are_compared_on_the_employers_steps_only() -> None:
    lines = ['role a "A"', 'role b "B"']
    lines += [f"2026-02-0{i + 1} applied A{i} #a" for i in range(4)]
    lines += [f"2026-02-0{i + 1} wishlist B{i} #b" for i in range(3)]
    lines += ["2026-02-01 applied B3 #b", "2026-02-02 applied B4 #b", "2026-02-03 applied B5 #b"]
    lines += ["2026-02-09 response A0", "2026-02-09 response B3", "2026-02-09 response B4"]
    said = " ".join(report("\n".join(lines) + "\n").insights)
    assert "on the step to Applied" not in said  # 100% against 50%: the seeker's own step
    assert "Roles differ most on the step to Positive reply" in said


def test_milestone_names() -> None:
    rep = report(
        """\
        stage lead "On my list" "Spotted"
        stage sent "Sent, waiting" "Sent"
        stage talk "In talks"
        2026-02-01 sent A
        """
    )
    assert [s.milestone for s in rep.stages] == ["Spotted", "Sent", "In talks"]
    defaults = report("2026-02-01 applied A\n")
    assert [s.milestone for s in defaults.stages] == [
        "Tracked",
        "Applied",
        "Positive reply",
        "Phone screen",
        "Interview",
        "Second interview",
        "Offer",
        "Accepted",
    ]
    (row,) = report("2026-02-01 applied A\n2026-02-05 rejected A\n").applications
    assert row.status_text == "rejected at Applied"


def test_an_empty_other_group_is_not_shown() -> None:
    rep = report('role a "A"\n2026-02-01 applied X #a\n')
    assert [g.role.key for g in rep.groups] == ["a"]
    assert [r.key for r in rep.pipeline.rows] == ["a", "total", "average"]
    assert "Other" not in render_markdown(rep)
    with_other = report('role a "A"\n2026-02-01 applied X #a\n2026-02-01 applied Y\n')
    assert [g.role.key for g in with_other.groups] == ["a", "other"]


def test_insights_end_in_what_to_do(example: Report) -> None:
    said = "\n".join(example.insights)
    # The post's action, with the role and its numbers.
    assert "Developer Advocate worst, 1 of 5 (20%): aim your next applications at Software " in said
    # The sheet's plain average of roles, far from the weighted total: both numbers.
    assert (
        "the Blueprint sheet's average of roles says 80%, but across all applications it " in said
    )
    assert "is 7 of 11 (64%)" in said


def test_the_average_is_named_for_the_rows_it_averages() -> None:
    """With `--by month` the average row is a mean of months, not the sheet's average of roles."""
    example = str(Path(__file__).resolve().parent.parent / "examples" / "blueprint.jobs")
    by_month = load_report([example], ReportOptions(AS_OF, by="month")).report
    assert by_month is not None
    said = "\n".join(by_month.insights)
    assert "the average of months says 47%, but across all applications it is 7 of 11" in said
    assert "average of roles" not in said and "a small month as much as a large one" in said


def test_the_action_stands_alone_when_roles_differ_most_elsewhere() -> None:
    lines = ['role a "A"', 'role b "B"']
    lines += [f"2026-02-01 applied A{i} #a" for i in range(4)]
    lines += [f"2026-02-01 applied B{i} #b" for i in range(4)]
    lines += [f"2026-02-05 response A{i}" for i in range(4)]
    lines += [f"2026-02-05 response B{i}" for i in range(3)]
    lines += [f"2026-02-09 phone A{i}" for i in range(4)]  # A: 4 of 4 on, B: none
    said = report("\n".join(lines) + "\n").insights
    assert any("on the step to Phone screen" in line for line in said)
    (action,) = [line for line in said if line.startswith("Aim your next applications")]
    assert "A, where they get answered: 4 of 4 (100%)" in action and "3 of 4 (75%) in B" in action


def test_no_conclusion_below_three_applications() -> None:
    lines = ['role a "A"', 'role b "B"']
    lines += ["2026-02-01 applied A0 #a", "2026-02-02 response A0", "2026-02-01 applied B0 #b"]
    lines += ["2026-02-01 applied A1 #a", "2026-02-01 applied B1 #b"]
    said = " ".join(report("\n".join(lines) + "\n").insights)
    assert "Aim your next" not in said and "average of roles" not in said
    assert "Roles differ most" not in said


def test_a_ghosting_employer_may_come_back() -> None:
    rep = report(
        """\
        2026-02-01 applied Acme | SWE
        2026-03-01 ghosted Acme | SWE
        2026-03-05 response Acme | SWE ; they came back!
        """
    )
    (app,) = rep.applications
    assert (app.status.key, app.stage.key, app.outcome_stage) == ("active", "response", None)
    assert [h.kind for h in app.history] == ["applied", "ghosted", "response"]
    assert dict((o.key, n) for o, n in rep.totals.outcomes)["ghosted"] == 0


def test_private_keys_leave_every_output(tmp_path: Path) -> None:
    from jobledger.render.html import render_html
    from jobledger.render.json_report import render_json
    from jobledger.report.build import ReportOptions, build_report

    text = """\
        option private "Salary"
        2026-02-01 applied A
            salary: 120k
            contact: jo@example.com
            source: referral
        """
    rep = report(text)
    assert rep.applications[0].meta.keys() == ("contact", "source")
    more = build_report(ledger(text), ReportOptions(AS_OF, private=frozenset({"contact"})))
    for output in (render_markdown(more), render_json(more), render_html(more)):
        assert "120k" not in output and "jo@example.com" not in output
    assert more.applications[0].meta.keys() == ("source",)


def test_reports_name_applications_without_a_pipe() -> None:
    rep = report("2026-02-01 applied Acme | Staff Engineer\n")
    markdown = render_markdown(rep)
    assert "Acme — Staff Engineer" in markdown and "\\|" not in markdown


# ---------------------------------------------------------------- for `todo` (issue 8)


def test_pace_is_this_week_against_the_full_weeks_before() -> None:
    rep = report(
        """\
        2026-02-02 applied A
        2026-02-03 applied B
        2026-02-16 applied C
        2026-03-09 applied D
        2026-03-15 applied E
        """
    )
    pace = rep.pace
    assert pace is not None
    assert (pace.this_week, pace.since) == (2, date(2026, 3, 9))  # Monday 9 to Sunday 15
    assert (pace.weeks, pace.before) == (5, 3)  # W06..W10, quiet weeks included
    assert pace.average == 3 / 5


def test_pace_counts_quiet_weeks_the_activity_table_leaves_out() -> None:
    rep = report("2025-06-02 applied A\n")  # more than twelve weeks before the report
    pace = rep.pace
    assert pace is not None and rep.activity[-1].start == date(2025, 6, 2)
    assert (pace.this_week, pace.before) == (0, 1)
    assert pace.weeks == (date(2026, 3, 9) - date(2025, 6, 2)).days // 7
    assert report("2026-03-01 wishlist A\n").pace is None  # nothing applied to


def test_todays_calls_and_reminders_are_todays_business() -> None:
    rep = report(
        """\
        2026-03-01 applied A
        2026-03-15 phone A
        2026-03-15 applied B
        2026-03-15 note C
        2026-03-14 phone D
        2026-03-16 phone E
        """
    )
    today = {(item.company, item.event) for item in rep.attention.today}
    assert today == {("A", "phone"), ("C", "note")}  # applying is not a thing to attend
    assert all(item.days == 0 for item in rep.attention.today)
    assert [item.company for item in rep.attention.upcoming] == ["E"]
    assert not set(rep.attention.today) & set(rep.attention.items)  # the JSON is unchanged


def test_comments_reach_the_report() -> None:
    """An event's end-of-line comment is shown where the event is (issue 7, point 8)."""
    rep = report(
        """\
        2026-03-01 applied Acme | SWE
        2026-03-10 phone Acme | SWE  ; with the hiring manager
        2026-03-20 interview Acme | SWE ; onsite 10:00 with the analytics lead
        """
    )
    (upcoming,) = rep.attention.upcoming
    assert upcoming.comment == "onsite 10:00 with the analytics lead"
    (app,) = rep.applications
    assert [h.comment for h in app.history] == [None, "with the hiring manager"]


def test_comments_are_shown_in_every_output() -> None:
    from jobledger.render.html import render_html
    from jobledger.render.json_report import encode_report

    rep = report(
        """\
        2026-03-01 applied Acme | SWE
        2026-03-10 phone Acme | SWE  ; with the hiring manager
        2026-03-20 interview Acme | SWE ; onsite 10:00 with the analytics lead
            time: 10:00
        """
    )
    markdown, page, data = render_markdown(rep), render_html(rep), encode_report(rep)
    for text in (markdown, page):
        assert "onsite 10:00 with the analytics lead" in text  # coming up
        assert "with the hiring manager" in text  # the application's history
    assert data["attention"][0]["comment"] == "onsite 10:00 with the analytics lead"
    assert data["attention"][0]["meta"] == {"time": "10:00"}
    history = data["applications"][0]["history"]
    assert [h["comment"] for h in history] == [None, "with the hiring manager"]


def test_by_month_rows_and_an_average_without_the_never_applied_row() -> None:
    example = str(Path(__file__).resolve().parent.parent / "examples" / "blueprint.jobs")
    rep = load_report([example], ReportOptions(AS_OF, by="month")).report
    assert rep is not None
    rows = {row.label: row for row in rep.pipeline.rows}
    assert [label for label in rows][:4] == ["2026-01", "2026-02", "2026-03", "(never applied)"]
    assert [rows[m].tracked for m in ("2026-01", "2026-02", "2026-03")] == [5, 5, 1]
    assert rows["(never applied)"].tracked == 6 and rows["(never applied)"].applied.count == 0
    # the months all applied: their mean "No progress" is 0, not pulled up by the 100% of
    # applications with no month
    assert rows["Average of months"].no_progress.fraction == 0
    assert sum(rows[m].tracked or 0 for m in list(rows)[:4]) == rows["Total"].tracked


def test_by_tag_rows_overlap_and_say_so() -> None:
    example = str(Path(__file__).resolve().parent.parent / "examples" / "blueprint.jobs")
    rep = load_report([example], ReportOptions(AS_OF, by="tag")).report
    assert rep is not None
    groups = [row for row in rep.pipeline.rows if row.kind == "group"]
    assert "#remote" in {row.label for row in groups}
    total = next(row for row in rep.pipeline.rows if row.kind == "total")
    assert sum(row.tracked or 0 for row in groups) > (total.tracked or 0)  # they overlap
    text = render_markdown(rep)
    assert "An application with several tags is in each of their rows" in text
    role_text = render_markdown(load_report([example], AS_OF).report)  # type: ignore[arg-type]
    assert "several tags" not in role_text


def test_a_metadata_key_keeps_its_first_spelling() -> None:
    """Keys match whatever their case; the key is shown as first written, the later value wins."""
    rep = report(
        "2026-02-01 applied A\n    Source: referral\n2026-02-05 response A\n    source: job board\n"
    )
    (app,) = rep.applications
    assert dict(app.meta.items()) == {"Source": "job board"}
    assert [s.source for s in rep.sources] == ["job board"]


@given(st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 10**6)), max_size=30))
def test_the_mean_of_fractions_is_the_exact_mean_rounded_once(pairs: list[tuple[int, int]]) -> None:
    from fractions import Fraction

    present = [Fraction(part, whole) for part, whole in pairs if whole]
    expected = float(sum(present) / len(present)) if present else None
    assert mean_of_fractions(pairs) == expected


def test_the_mean_of_fractions_that_floats_get_wrong() -> None:
    assert percent(mean_of_fractions([(1, 1), (2, 5), (5, 8)])) == "68%"
    assert mean_of_fractions([(0, 0), (3, 4)]) == 0.75  # 0/0 is skipped, not a zero
    assert mean_of_fractions([(0, 0)]) is None
