"""`jobledger fmt` (issue 8): the canonical layout, and nothing typed ever lost.

Golden files: tests/golden/fmt/NAME.jobs is every ledger in tests/cases/ and examples/ after fmt
(NAME.err: what fmt says about a ledger it refuses). Regenerate with
JOBLEDGER_UPDATE_GOLDEN=1 python -m pytest tests/test_fmt.py and review the diff like code.
"""

from __future__ import annotations

import io
import itertools
import os
import re
import stat
from datetime import date, timedelta
from pathlib import Path
from textwrap import dedent

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jobledger.edit import fmt
from jobledger.edit.fmt import format_text, run_fmt
from jobledger.ledger.model import Comment, Declaration, Entry, Event, Include, Option
from jobledger.ledger.parser import parse_text
from jobledger.ledger.statements import split_application

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden" / "fmt"
LEDGERS = sorted([*(ROOT / "tests" / "cases").glob("*.jobs"), *(ROOT / "examples").rglob("*.jobs")])
UPDATE = os.environ.get("JOBLEDGER_UPDATE_GOLDEN") == "1"


def formatted(text: str) -> str:
    result = format_text(dedent(text), "t.jobs")
    assert result.formatted, [d.render() for d in result.diagnostics]
    return result.text


def meaning(entries: tuple[Entry, ...]) -> list[tuple[object, ...]]:
    """What a ledger says, in order, without positions or columns: written independently of
    fmt's own check so that a bug in one cannot hide a bug in the other."""
    said: list[tuple[object, ...]] = []
    for e in entries:
        if isinstance(e, Event):
            quoted = ()
            if e.raw_application is not None:
                quoted = tuple(p for p in split_application(e.raw_application) if p and p[0] == '"')
            said.append(
                ("event", e.date, e.kind, e.company, e.title, e.tags, e.meta, e.comment, quoted)
            )
        elif isinstance(e, Comment):
            said.append(("comment", e.text, e.trailing, e.position.column > 1 and not e.trailing))
        elif isinstance(e, Declaration):
            said.append(("declaration", e.what, e.key, e.label, e.comment))
        elif isinstance(e, Option):
            said.append(("option", e.name, e.value, e.quoted, e.comment))
        else:
            assert isinstance(e, Include)
            said.append(("include", e.pattern, e.comment))
    return said


def run(*paths: Path, check: bool = False, diff: bool = False) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = run_fmt([str(p) for p in paths], check=check, diff=diff, out=out, err=err)
    return status, out.getvalue(), err.getvalue()


# ---------------------------------------------------------------- golden files


@pytest.mark.parametrize("ledger", LEDGERS, ids=lambda p: p.stem)
def test_golden(ledger: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    shown = str(ledger.relative_to(ROOT))
    text = ledger.read_text("utf-8")
    result = format_text(text, shown)
    if result.formatted:
        golden, actual = GOLDEN / f"{ledger.stem}.jobs", result.text
        again = format_text(result.text, shown)
        assert (again.formatted, again.text) == (True, result.text)
        assert meaning(parse_text(result.text, shown).entries) == meaning(
            parse_text(text, shown).entries
        )
    else:
        golden = GOLDEN / f"{ledger.stem}.err"
        status, _, actual = run(Path(shown))
        assert status == 1
    if UPDATE:
        golden.write_text(actual, encoding="utf-8")
    assert golden.exists(), f"missing golden file {golden}; run with JOBLEDGER_UPDATE_GOLDEN=1"
    assert actual == golden.read_text("utf-8"), f"{golden.name} differs from its golden"


def test_every_golden_file_has_its_ledger() -> None:
    stems = {p.stem for p in LEDGERS}
    assert {p.stem for p in GOLDEN.iterdir()} == stems


# ---------------------------------------------------------------- the layout, rule by rule


def test_one_space_between_parts_and_kinds_padded_within_a_block() -> None:
    assert formatted(
        """\
        2026-02-03    applied     Acme    Corp  |  Backend   Engineer
        2026-02-04 withdrawn Acme Corp | Backend Engineer
        2026-02-05\tphone Globex
        """
    ) == dedent(
        """\
        2026-02-03 applied   Acme Corp | Backend Engineer
        2026-02-04 withdrawn Acme Corp | Backend Engineer
        2026-02-05 phone     Globex
        """
    )


def test_a_blank_line_or_a_directive_ends_a_block_and_comments_do_not() -> None:
    assert formatted(
        """\
        2026-02-03 withdrawn A
        ; a comment line does not end the block
        2026-02-04 phone B
            source: referral
        2026-02-05 note C

        2026-02-06 phone D
        2026-02-07 applied E
        role x "X"
        2026-02-08 note F
        2026-02-09 rejected G
        """
    ) == dedent(
        """\
        2026-02-03 withdrawn A
        ; a comment line does not end the block
        2026-02-04 phone     B
            source: referral
        2026-02-05 note      C

        2026-02-06 phone   D
        2026-02-07 applied E
        role x "X"
        2026-02-08 note     F
        2026-02-09 rejected G
        """
    )


def test_tags_and_comments_are_aligned_within_a_block() -> None:
    assert formatted(
        """\
        2026-02-03 applied Docker | Developer Advocate #devrel   #remote
        2026-02-04 response Docker | Developer Advocate ; recruiter asked for times
        2026-02-05 applied A #swe ;   both
        2026-02-06 applied Initech | Senior Software Engineer and a long title
        2026-02-07 note A;B ;
        """
    ) == dedent(
        """\
        2026-02-03 applied  Docker | Developer Advocate  #devrel #remote
        2026-02-04 response Docker | Developer Advocate        ; recruiter asked for times
        2026-02-05 applied  A                            #swe  ; both
        2026-02-06 applied  Initech | Senior Software Engineer and a long title
        2026-02-07 note     A;B                                ;
        """
    )


def test_metadata_is_indented_by_four_spaces_with_its_comments_aligned() -> None:
    assert formatted(
        """\
        2026-02-03 applied A
        \turl:https://x.example/?a=1;b=2 ; the careers page
          source:   referral   ; asked Sam
                  ; indented comment line
           empty:
        ; column-0 comment
        """
    ) == dedent(
        """\
        2026-02-03 applied A
            url: https://x.example/?a=1;b=2  ; the careers page
            source: referral                 ; asked Sam
            ; indented comment line
            empty:
        ; column-0 comment
        """
    )


def test_blank_lines_are_squeezed_and_trimmed_at_both_ends() -> None:
    text = "\n \n; top\n\n\t\n\n2026-02-03 applied A\n\n\n    source: x\n  \n\n"
    assert formatted(text) == "; top\n\n2026-02-03 applied A\n\n    source: x\n"


def test_comment_lines_and_quoted_spellings_are_kept_as_written() -> None:
    assert formatted(
        """\
        ;;;; a banner   ;;;;
        #no space after the hash
        stage   screen   "Screen \\"call\\" \\x"   ;why
        include   "2025/*.jobs"
        option  title   "A  title"
        option ghost-after   30
        2026-02-03 applied  "Acme"   |   "Engineer | Platform"  #x
        2026-02-04 applied   "#Startup"|Dev   Ops
        """
    ) == dedent(
        """\
        ;;;; a banner   ;;;;
        #no space after the hash
        stage screen "Screen \\"call\\" \\x"  ; why
        include "2025/*.jobs"
        option title "A  title"
        option ghost-after 30
        2026-02-03 applied "Acme" | "Engineer | Platform"  #x
        2026-02-04 applied "#Startup" | Dev Ops
        """
    )


def test_declarations_of_one_kind_pad_their_keys() -> None:
    assert formatted(
        """\
        stage lead "Lead"
        stage assessment "Online assessment"  ; the new one
        outcome rejected "Rejected"
        outcome dropped "Dropped"
        role backend "Backend"
        role data "Data"
        """
    ) == dedent(
        """\
        stage lead       "Lead"
        stage assessment "Online assessment"  ; the new one
        outcome rejected "Rejected"
        outcome dropped  "Dropped"
        role backend "Backend"
        role data    "Data"
        """
    )


def test_wide_characters_count_two_columns() -> None:
    assert formatted("2026-02-03 applied 東京 #x\n2026-02-04 applied Tokyo Co #y\n") == (
        "2026-02-03 applied 東京      #x\n2026-02-04 applied Tokyo Co  #y\n"
    )


def test_line_endings_and_the_final_newline() -> None:
    for newline in ("\r\n", "\r", "\n"):
        text = newline.join(["; c", "2026-02-03  applied A", "2026-02-04 phone A"])
        result = format_text(text, "t.jobs")  # no final newline: one is added
        expected = newline.join(["; c", "2026-02-03 applied A", "2026-02-04 phone   A", ""])
        assert (result.text, result.changed) == (expected, True)
    assert format_text("", "t.jobs").text == ""
    assert format_text("\n\n  \n", "t.jobs").text == ""


def test_an_unchanged_file_is_reported_unchanged() -> None:
    result = format_text("2026-02-03 applied A  #x\n", "t.jobs")
    assert (result.formatted, result.changed) == (True, False)


def test_a_file_with_errors_is_not_formatted() -> None:
    text = "2026-02-03   applied A\n2026-02-30 applied B\njunk\n"
    result = format_text(text, "t.jobs")
    assert (result.formatted, result.changed, result.text) == (False, False, text)
    assert [(d.code, d.position.line) for d in result.diagnostics] == [
        ("JL102", 2),
        ("JL100", 3),
    ]
    assert result.diagnostics[0].source_line == "2026-02-30 applied B"


def test_the_example_in_the_format_reference_is_formatted() -> None:
    reference = (ROOT / "docs" / "format.md").read_text("utf-8").split("## Formatting", 1)[1]
    block = re.search(r"\n\n((?:    .*\n|\n)+)", reference)
    assert block is not None
    example = dedent(block.group(1)).strip("\n") + "\n"
    assert "#Startup" in example
    result = format_text(example, "format.md")
    assert (result.formatted, result.text) == (True, example)


# ---------------------------------------------------------------- round trips


def blanks(least: int = 1) -> st.SearchStrategy[str]:
    return st.text(st.sampled_from(" \t\u00a0"), min_size=least, max_size=3)


WORDS = ["Acme", "Corp;x", "Eng#1", "Café", "東京", 'O"Neil', "x:y", "e\u0301", "A&B"]
bare = st.lists(st.tuples(st.sampled_from(WORDS), blanks()), min_size=1, max_size=3).map(
    lambda words: "".join(w + gap for w, gap in words[:-1]) + words[-1][0]
)
quoted = (
    st.lists(
        st.sampled_from(["A", " | ", " #x", " ;y", '\\"', "\\\\", "\\x", "  ", "é"]), max_size=4
    )
    .map("".join)
    .filter(str.strip)  # an empty company or title is an error
    .map(lambda inside: f'"{inside}"')
)
part = st.one_of(bare, quoted)
application = st.tuples(part, st.none() | part, blanks(0), blanks(0)).map(
    lambda t: t[0] if t[1] is None else f"{t[0]}{t[2]}|{t[3]}{t[1]}"
)
comment_text = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"), max_size=12
)
eol = st.one_of(
    st.just(""), blanks(0), st.tuples(blanks(), comment_text).map(lambda t: f"{t[0]};{t[1]}")
)
tags = st.lists(st.tuples(blanks(), st.sampled_from(["#swe", "#x-1", "#ünï"])), max_size=3).map(
    lambda found: "".join(gap + tag for gap, tag in found)
)
event = st.tuples(
    st.integers(0, 400),
    st.sampled_from(["applied", "phone", "withdrawn", "note", "zzz"]),
    blanks(),
    blanks(),
    application,
    tags,
    eol,
).map(lambda t: f"{date(2026, 1, 1) + timedelta(days=t[0])}{t[2]}{t[1]}{t[3]}{t[4]}{t[5]}{t[6]}")
meta = st.tuples(
    blanks(),
    st.sampled_from(["source", "url", "Contact", "x-y"]),
    blanks(0),
    st.sampled_from(["", "referral", "https://x.example/?a=1;b=2", "two  blanks", "ünï"]),
    eol,
).map(lambda t: f"{t[0]}{t[1]}:{t[2] if t[3] else ''}{t[3]}{t[4]}")
comment_line = st.tuples(blanks(0), st.sampled_from([";", "#", ";;"]), comment_text).map(
    lambda t: (t[0] + t[1] + t[2]).rstrip() if t[0] + t[1] + t[2] else ";"
)
blank_line = blanks(0)
key = st.sampled_from(["swe", "a", "devrel", "x_1-b"])
directive = st.one_of(
    st.tuples(
        st.sampled_from(["stage", "outcome", "role"]), blanks(), key, blanks(), quoted, eol
    ).map(lambda t: "".join(t)),
    st.tuples(blanks(), quoted, eol).map(lambda t: f"include{t[0]}{t[1]}{t[2]}"),
    st.tuples(blanks(), key, blanks(), st.sampled_from(["30", "a;b", '"T  x"', '"\\"q"']), eol).map(
        lambda t: "option" + "".join(t)
    ),
)


@st.composite
def ledgers(draw: st.DrawFn) -> str:
    """Valid ledgers with comments and blank lines everywhere, any line ending."""
    lines: list[str] = []
    under_event = False  # metadata may follow an event, past comments and blank lines
    for _ in range(draw(st.integers(0, 15))):
        choice = draw(st.sampled_from(["event", "meta", "comment", "blank", "directive"]))
        if choice == "meta" and not under_event:
            choice = "event"
        if choice == "event":
            lines.append(draw(event))
            under_event = True
        elif choice == "meta":
            lines.append(draw(meta))
        elif choice == "comment":
            lines.append(draw(comment_line))
        elif choice == "blank":
            lines.append(draw(blank_line))
        else:
            lines.append(draw(directive))
            under_event = False
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    return newline.join(lines) + (newline if draw(st.booleans()) else "")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ledgers())
def test_fmt_keeps_every_entry_and_comment_and_is_idempotent(text: str) -> None:
    before = parse_text(text, "p.jobs")
    assert before.diagnostics == (), [d.render() for d in before.diagnostics]
    result = format_text(text, "p.jobs")
    assert result.formatted, [d.render() for d in result.diagnostics]
    after = parse_text(result.text, "p.jobs")
    assert after.diagnostics == ()
    assert meaning(after.entries) == meaning(before.entries)
    again = format_text(result.text, "p.jobs")
    assert (again.text, again.changed) == (result.text, False)
    # The first line's ending is the file's (a mixed file gets it throughout).
    first = re.search(r"\r\n|\r|\n", text)
    newline = first.group(0) if first else "\n"
    rest = result.text.replace(newline, "")
    assert "\r" not in rest and "\n" not in rest
    lines = result.text.split(newline)
    assert all(line == line.rstrip() for line in lines)
    assert lines[0] != "" or result.text == ""
    assert all(a or b for a, b in itertools.pairwise(lines[:-1]))  # no two blank lines


# ---------------------------------------------------------------- the refusal


def test_fmt_refuses_when_its_output_reads_differently(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A formatter bug (here: quotes dropped from a name) must not reach the disk."""
    path = tmp_path / "hunt.jobs"
    original = '2026-02-03   applied "#Startup" | Dev\n'
    path.write_text(original)
    monkeypatch.setattr(
        fmt, "_application", lambda event: f"{event.company} | {event.title}".strip('"')
    )
    status, _, err = run(path)
    assert status == 1
    assert "error: not formatted: its output does not parse" in err
    assert "[JL900]" in err and "bug in jobledger fmt" in err
    assert path.read_text() == original


@pytest.mark.parametrize(
    ("bug", "message"),
    [
        ("drop a comment line", "it would leave 3 entries where there are 4"),
        ("reword a comment", "it would change this comment"),
        ("swap two lines", "it would change this comment"),
        ("merge a blank-line group", "it would add or remove a blank line before this line"),
        ("alter a name", "it would change this event"),
    ],
)
def test_every_kind_of_difference_is_caught(
    bug: str, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = "2026-02-03 applied Acme\n    ; between\n    source: x ; about x\n\n; end\n"
    real_render = fmt._render

    def buggy(rows: list[fmt._Row]) -> str:
        output = real_render(rows).split("\n")
        if bug == "drop a comment line":
            del output[4]
        elif bug == "reword a comment":
            output[1] = "    ; betwixt"
        elif bug == "swap two lines":
            output[1], output[2] = output[2], output[1]
        elif bug == "merge a blank-line group":
            del output[3]
        else:
            output[0] = output[0].replace("Acme", "Acme Corp")
        return "\n".join(output)

    monkeypatch.setattr(fmt, "_render", buggy)
    result = format_text(text, "t.jobs")
    assert (result.formatted, result.text) == (False, text)
    (problem,) = result.diagnostics
    assert (problem.code, problem.message) == ("JL900", "not formatted: " + message)


# ---------------------------------------------------------------- files: run_fmt


MESSY = "2026-02-03   applied A  ; x\n\n\n2026-02-04 phone A\n"
TIDY = "2026-02-03 applied A  ; x\n\n2026-02-04 phone A\n"


def test_run_fmt_rewrites_the_file_and_then_leaves_it_alone(tmp_path: Path) -> None:
    path = tmp_path / "hunt.jobs"
    path.write_text(MESSY)
    path.chmod(0o640)
    assert run(path) == (0, "", f"reformatted {path}\n")
    assert path.read_text() == TIDY
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    os.utime(path, (1_000_000, 1_000_000))
    assert run(path) == (0, "", "")
    assert path.stat().st_mtime == 1_000_000  # not even rewritten with the same bytes
    assert [p.name for p in tmp_path.iterdir()] == ["hunt.jobs"]


def test_check_exits_1_when_a_file_would_change_and_writes_nothing(tmp_path: Path) -> None:
    messy, tidy = tmp_path / "messy.jobs", tmp_path / "tidy.jobs"
    messy.write_text(MESSY)
    tidy.write_text(TIDY)
    assert run(tidy, check=True) == (0, "", "")
    assert run(messy, tidy, check=True) == (1, "", f"would reformat {messy}\n")
    assert messy.read_text() == MESSY


def test_diff_prints_a_unified_diff_and_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "hunt.jobs"
    path.write_text(MESSY)
    status, out, err = run(path, diff=True)
    assert (status, err) == (0, "")
    assert out == (
        f"--- {path}\t(original)\n"
        f"+++ {path}\t(formatted)\n"
        "@@ -1,4 +1,3 @@\n"
        "-2026-02-03   applied A  ; x\n"
        "-\n"
        "+2026-02-03 applied A  ; x\n"
        " \n"
        " 2026-02-04 phone A\n"
    )
    assert path.read_text() == MESSY
    status, out2, err = run(path, check=True, diff=True)
    assert (status, out2, err) == (1, out, f"would reformat {path}\n")


def test_diff_shows_a_missing_final_newline_and_crlf_lines_end_in_lf(tmp_path: Path) -> None:
    path = tmp_path / "hunt.jobs"
    path.write_bytes(b"2026-02-03 applied A\r\n2026-02-04  phone A")
    status, out, _ = run(path, diff=True)
    assert status == 0
    assert out.endswith(
        " 2026-02-03 applied A\n"
        "-2026-02-04  phone A\n"
        "\\ No newline at end of file\n"
        "+2026-02-04 phone   A\n"
    )
    assert "\r" not in out


@pytest.mark.parametrize(
    ("name", "before", "after"),
    [
        ("crlf", b"2026-02-03  applied A\r\n\r\n\r\n", b"2026-02-03 applied A\r\n"),
        ("cr only", b"; c\r2026-02-03  applied A\r", b"; c\r2026-02-03 applied A\r"),
        (
            "utf-8 bom",
            b"\xef\xbb\xbf2026-02-03  applied Caf\xc3\xa9\n",
            b"\xef\xbb\xbf2026-02-03 applied Caf\xc3\xa9\n",
        ),
        ("no final newline", b"2026-02-03  applied A", b"2026-02-03 applied A\n"),
        (
            "utf-16",
            "\ufeff2026-02-03  applied Café\r\n".encode("utf-16-le"),
            "\ufeff2026-02-03 applied Café\r\n".encode("utf-16-le"),
        ),
    ],
)
def test_a_file_keeps_its_encoding_and_line_endings(
    tmp_path: Path, name: str, before: bytes, after: bytes
) -> None:
    path = tmp_path / "hunt.jobs"
    path.write_bytes(before)
    assert run(path)[0] == 0, name
    assert path.read_bytes() == after


def test_a_read_only_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "hunt.jobs"
    path.write_text(MESSY)
    path.chmod(0o444)
    status, _, err = run(path)
    assert status == 1
    assert err == f"{path}: error: cannot write {path}: it is read-only; not formatted\n"
    assert path.read_text() == MESSY


def test_a_file_with_errors_is_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "hunt.jobs"
    original = "2026-02-03   applied A\n2026-02-03 appled\n"
    path.write_text(original)
    status, out, err = run(path)
    assert (status, out) == (1, "")
    assert f"{path}:2:18: error: the event has no application [JL105]" in err
    assert err.endswith(f"{path}: not formatted: fix the error above first\n")
    assert path.read_text() == original


def test_undecodable_and_missing_files(tmp_path: Path) -> None:
    binary = tmp_path / "binary.jobs"
    binary.write_bytes(b"2026-02-03 applied \xff\n")
    good = tmp_path / "good.jobs"
    good.write_text(MESSY)
    status, _, err = run(binary, tmp_path / "missing.jobs", good)
    assert status == 1
    assert "[JL001]" in err and f"{binary}: not formatted: it is not valid text" in err
    assert f"{tmp_path / 'missing.jobs'}: error: cannot read: no such file or directory" in err
    assert binary.read_bytes() == b"2026-02-03 applied \xff\n"
    assert good.read_text() == TIDY  # the others are still formatted


def test_a_stages_milestone_label_is_kept() -> None:
    result = format_text('stage lead  "Lead"    "Spotted"  ; mine\nstage sent "Sent"\n', "t.jobs")
    assert result.diagnostics == ()
    assert result.text == 'stage lead "Lead" "Spotted"  ; mine\nstage sent "Sent"\n'
