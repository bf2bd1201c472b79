"""The .jobs format, statement by statement (the contract in docs/format.md)."""

from __future__ import annotations

from datetime import date
from textwrap import dedent

from jobledger.ledger.model import Declaration, Event, Include, Option
from jobledger.ledger.parser import parse_text


def events(text: str) -> list[Event]:
    result = parse_text(dedent(text), "t.jobs")
    assert not result.diagnostics, [d.render() for d in result.diagnostics]
    return [e for e in result.entries if isinstance(e, Event)]


def test_the_issue_example_parses() -> None:
    text = dedent(
        """\
        ; Comment lines start with ';' or '#'. A ';' after whitespace starts a comment.
        # a hash comment
        option title "Spring 2026 job hunt"
        option ghost-after 30        ; days of silence
        option follow-up-after 7     ; days

        role devrel "Developer Advocate"
        role swe    "Software Engineer"
        include "2025/*.jobs"

        2026-02-02 wishlist  Docker | Developer Advocate  #devrel #remote
            url: https://docker.example/careers/123?ref=a;b
            source: referral
        2026-02-03 applied   Docker | Developer Advocate
        2026-02-10 response  Docker | Developer Advocate   ; recruiter asked for times
        2026-02-20 withdrawn Docker | Developer Advocate
            lesson: ask about headcount approval in the first call
        2026-02-04 applied   "#Startup" | "Engineer | Platform"  #swe
        2026-02-25 note      "#Startup" | "Engineer | Platform"  ; sent a follow-up email
        """
    )
    result = parse_text(text, "t.jobs")
    assert result.diagnostics == ()
    kinds = [type(e).__name__ for e in result.entries]
    assert kinds == ["Option"] * 3 + ["Declaration"] * 2 + ["Include"] + ["Event"] * 6
    options = [e for e in result.entries if isinstance(e, Option)]
    assert [(o.name, o.value, o.quoted) for o in options] == [
        ("title", "Spring 2026 job hunt", True),
        ("ghost-after", "30", False),
        ("follow-up-after", "7", False),
    ]
    roles = [e for e in result.entries if isinstance(e, Declaration)]
    assert [(r.what, r.key, r.label) for r in roles] == [
        ("role", "devrel", "Developer Advocate"),
        ("role", "swe", "Software Engineer"),
    ]
    include = next(e for e in result.entries if isinstance(e, Include))
    assert include.pattern == "2025/*.jobs"
    first, *_, startup, note = [e for e in result.entries if isinstance(e, Event)]
    assert first.date == date(2026, 2, 2)
    assert (first.kind, first.company, first.title) == ("wishlist", "Docker", "Developer Advocate")
    assert first.tags == ("devrel", "remote")
    assert first.meta == (
        ("url", "https://docker.example/careers/123?ref=a;b"),
        ("source", "referral"),
    )
    assert first.position.line == 11
    assert (startup.company, startup.title, startup.tags) == (
        "#Startup",
        "Engineer | Platform",
        ("swe",),
    )
    assert (note.kind, note.company) == ("note", "#Startup")


def test_names_run_to_bar_tag_or_comment_and_collapse_blanks() -> None:
    (event,) = events("2026-02-03 applied   Acme   Corp;x  |  Eng#1   Team  #tag ; note\n")
    assert (event.company, event.title, event.tags) == ("Acme Corp;x", "Eng#1 Team", ("tag",))


def test_company_only_and_quoted_escapes() -> None:
    (plain, quoted) = events(
        """\
        2026-02-03 applied Docker
        2026-02-03 applied "Say \\"hi\\" \\\\ Co" | "A ; B"
        """
    )
    assert (plain.company, plain.title) == ("Docker", None)
    assert (quoted.company, quoted.title) == ('Say "hi" \\ Co', "A ; B")


def test_metadata_semicolons_and_comments() -> None:
    (event,) = events(
        """\
        2026-02-03 applied A
            url: https://x.example/?a=1;b=2
            ; an interleaved comment
        \tnote: call Friday ; not part of the value
            empty:
        """
    )
    assert event.meta == (
        ("url", "https://x.example/?a=1;b=2"),
        ("note", "call Friday"),
        ("empty", ""),
    )


def test_metadata_after_blank_line_still_attaches() -> None:
    (event,) = events("2026-02-03 applied A\n\n    source: referral\n")
    assert event.meta == (("source", "referral"),)


def test_crlf_no_final_newline_and_positions() -> None:
    result = parse_text("2026-02-03 applied A\r\n\r\n2026-02-04 phone A #x", "t.jobs")
    assert result.diagnostics == ()
    first, second = result.entries
    assert isinstance(second, Event)
    assert (second.position.line, second.kind, second.company, second.tags) == (
        3,
        "phone",
        "A",
        ("x",),
    )
    assert isinstance(first, Event) and first.company == "A"


def test_unicode_names() -> None:
    (event,) = events("2026-02-03 applied Café Zürich | Ingénieure ☕\n")
    assert (event.company, event.title) == ("Café Zürich", "Ingénieure ☕")


def test_kind_column_points_at_the_kind() -> None:
    (event,) = events("2026-02-03    phone A\n")
    assert event.kind_column == 15


def test_declarations_and_options() -> None:
    result = parse_text(
        'stage screen "Screen"\noutcome lost "Lost"\noption base-stage screen\n', "t.jobs"
    )
    assert result.diagnostics == ()
    stage, outcome, option = result.entries
    assert isinstance(stage, Declaration) and (stage.what, stage.key) == ("stage", "screen")
    assert isinstance(outcome, Declaration) and outcome.what == "outcome"
    assert isinstance(option, Option) and (option.name, option.value) == ("base-stage", "screen")


def test_errors_do_not_hide_later_lines() -> None:
    result = parse_text("garbage\n2026-02-03 applied A\n", "t.jobs")
    assert [d.position.line for d in result.diagnostics] == [1]
    assert [e.company for e in result.entries if isinstance(e, Event)] == ["A"]


def test_many_errors_then_a_good_line_far_below() -> None:
    text = "junk\n" * 150 + "2026-02-03 applied A\n" * 500 + "junk\n"
    result = parse_text(text, "t.jobs")
    assert [d.position.line for d in result.diagnostics] == [*range(1, 151), 651]
    assert len(result.entries) == 500


def test_metadata_under_a_broken_line_is_not_a_second_error() -> None:
    result = parse_text("2026-02-30 applied A\n    url: x\n", "t.jobs")
    assert [d.code for d in result.diagnostics] == ["JL102"]
