"""The .jobs format, statement by statement (the contract in docs/format.md)."""

from __future__ import annotations

from datetime import date
from textwrap import dedent

from jobledger.ledger.diagnostics import Position
from jobledger.ledger.model import Comment, Declaration, Event, Include, Option
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
    assert (
        kinds
        == ["Comment"] * 2 + ["Option"] * 3 + ["Declaration"] * 2 + ["Include"] + ["Event"] * 6
    )
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
    assert note.comment == "sent a follow-up email"
    assert [o.comment for o in options] == [None, "days of silence", "days"]


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


def test_an_event_keeps_its_end_of_line_comment() -> None:
    (event, bare, empty) = events(
        """\
        2026-03-20 interview Acme | SWE ; onsite 10:00 with the analytics lead
        2026-03-21 phone Acme | SWE #swe
        2026-03-22 note Acme | SWE #swe   ;
        """
    )
    assert event.comment == "onsite 10:00 with the analytics lead"
    assert (bare.comment, empty.comment) == (None, "")


def test_directives_keep_their_comments() -> None:
    result = parse_text(
        'stage a "A" ; first\nrole r "R"\ninclude "x.jobs"  ;  more \noption title t ;why\n',
        "t.jobs",
    )
    assert result.diagnostics == ()
    stage, role, include, option = result.entries
    assert isinstance(stage, Declaration) and isinstance(role, Declaration)
    assert isinstance(include, Include) and isinstance(option, Option)
    assert [stage.comment, role.comment, include.comment, option.comment] == [
        "first",
        None,
        "more",
        "why",
    ]


def test_comment_lines_are_entries_in_file_order() -> None:
    text = dedent(
        """\
        ; top
          # indented top

        option title "T"
        ; between directives
        2026-02-03 applied A
            ; between metadata
            url: https://x.example/?a=1;b=2   ; about the url

            source: referral
        # after the event
        """
    )
    result = parse_text(text, "t.jobs")
    assert result.diagnostics == ()
    shape = [(type(e).__name__, e.position.line, e.position.column) for e in result.entries]
    assert shape == [
        ("Comment", 1, 1),
        ("Comment", 2, 3),
        ("Option", 4, 1),
        ("Comment", 5, 1),
        ("Event", 6, 1),
        ("Comment", 7, 5),
        ("Comment", 8, 39),
        ("Comment", 11, 1),
    ]
    comments = [e for e in result.entries if isinstance(e, Comment)]
    assert [(c.text, c.trailing) for c in comments] == [
        ("; top", False),
        ("# indented top", False),
        ("; between directives", False),
        ("; between metadata", False),
        ("about the url", True),
        ("# after the event", False),
    ]
    (event,) = [e for e in result.entries if isinstance(e, Event)]
    assert event.meta == (("url", "https://x.example/?a=1;b=2"), ("source", "referral"))


def test_comments_around_a_broken_line_are_kept_once() -> None:
    text = "2026-01-01 applied A\n; one\noption title\n; two\njunk\n; three\n2026-01-02 phone A\n"
    result = parse_text(text, "t.jobs")
    assert [d.position.line for d in result.diagnostics] == [3, 5]
    comments = [(e.text, e.position.line) for e in result.entries if isinstance(e, Comment)]
    assert comments == [("; one", 2), ("; two", 4), ("; three", 6)]
    assert [e.position.line for e in result.entries if isinstance(e, Event)] == [1, 7]


def test_quoted_applications_keep_their_spelling() -> None:
    (bare, quoted) = events(
        """\
        2026-02-03 applied   Acme   Corp | Eng
        2026-02-03 applied  "Say \\"hi\\""   |  Eng  #x
        """
    )
    assert bare.raw_application is None
    assert quoted.raw_application == '"Say \\"hi\\""   |  Eng'
    assert (quoted.company, quoted.title) == ('Say "hi"', "Eng")


def test_a_lone_carriage_return_is_a_line_break() -> None:
    """Old Mac files: before, the whole file was one comment line and nothing was read."""
    result = parse_text("; a comment first\r2026-02-03 applied A ; note\r\r2026-02-04 phone A", "t")
    assert result.diagnostics == ()
    found = [(type(e).__name__, e.position.line) for e in result.entries]
    assert found == [("Comment", 1), ("Event", 2), ("Event", 4)]
    event = result.entries[1]
    assert isinstance(event, Event) and event.comment == "note"


def test_a_lone_carriage_return_ends_a_broken_line_too() -> None:
    result = parse_text("2026-02-03 applied A\rjunk\r2026-02-04 phone A\r", "t")
    assert [(d.position, d.source_line) for d in result.diagnostics] == [
        (Position("t", 2, 1), "junk")
    ]
