"""Every kind of bad input: the right code, line, column and hint, and never a traceback."""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

import pytest

from jobledger.ledger.diagnostics import Diagnostic
from jobledger.pipeline import load_report

AS_OF = date(2026, 3, 15)


def diagnose(tmp_path: Path, text: str | bytes, name: str = "hunt.jobs") -> list[Diagnostic]:
    path = tmp_path / name
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return list(load_report([str(path)], AS_OF).diagnostics)


# (id, ledger, code, line, column, words in the message, words in the hint or None)
CASES = [
    (
        "impossible-date",
        "2026-02-03 applied A\n2026-02-30 applied B\n",
        "JL102",
        2,
        1,
        "not a calendar date",
        "real month",
    ),
    ("malformed-date", "2026-2-3 applied B\n", "JL102", 1, 1, "not a date", "2026-02-03"),
    (
        "unknown-kind",
        "2026-02-03 appled Docker\n",
        "JL220",
        1,
        12,
        "unknown kind 'appled'",
        "did you mean 'applied'?",
    ),
    (
        "unknown-kind-case",
        "2026-02-03 Applied Docker\n",
        "JL220",
        1,
        12,
        "unknown kind",
        "did you mean 'applied'?",
    ),
    (
        "nothing-valid",
        "2026-02-03 applied A\nhello world\n",
        "JL100",
        2,
        1,
        "not a valid line",
        None,
    ),
    (
        "directive-typo",
        'stag phone "Phone"\n',
        "JL100",
        1,
        1,
        "not a valid line",
        "did you mean 'stage'?",
    ),
    ("no-application", "2026-02-03 applied\n", "JL105", 1, 19, "no application", "company"),
    (
        "no-application-blank",
        "2026-02-03 applied   ; just a comment\n",
        "JL105",
        1,
        22,
        "no application",
        None,
    ),
    ("empty-title", "2026-02-03 applied Docker |\n", "JL105", 1, 27, "title is empty", None),
    ("empty-quoted-company", '2026-02-03 applied ""\n', "JL105", 1, 20, "company is empty", None),
    ("no-kind", "2026-02-03\n", "JL104", 1, 11, "no kind", None),
    (
        "metadata-orphan",
        'option title "x"\n    url: https://a.example\n',
        "JL106",
        2,
        5,
        "no event above",
        None,
    ),
    ("metadata-at-top", "    source: referral\n", "JL106", 1, 5, "no event above", None),
    (
        "metadata-no-colon",
        "2026-02-03 applied A\n    just words\n",
        "JL107",
        2,
        5,
        "key: value",
        None,
    ),
    (
        "indented-event",
        "2026-02-03 applied A\n  2026-02-04 applied B\n",
        "JL101",
        2,
        3,
        "column 0",
        "indentation",
    ),
    (
        "duplicate-stage",
        'stage a "A"\nstage b "B"\nstage a "Again"\n',
        "JL202",
        3,
        7,
        "duplicate stage 'a'",
        "first declared at",
    ),
    ("duplicate-role", 'role swe "SWE"\nrole swe "Again"\n', "JL202", 2, 6, "duplicate role", None),
    (
        "key-across-kinds",
        'role phone "Phone people"\n',
        "JL202",
        1,
        6,
        "'phone' is already a default stage",
        None,
    ),
    (
        "key-across-declared",
        'stage a "A"\nstage b "B"\noutcome a "A again"\n',
        "JL202",
        3,
        9,
        "already declared as a stage",
        None,
    ),
    ("reserved-note", 'outcome note "Note"\n', "JL201", 1, 9, "reserved", None),
    (
        "unknown-option",
        "option ghost_after 30\n",
        "JL210",
        1,
        8,
        "unknown option",
        "did you mean 'ghost-after'?",
    ),
    ("bad-option-value", "option ghost-after soon\n", "JL211", 1, 20, "whole number", None),
    ("bad-option-zero", "option follow-up-after 0\n", "JL211", 1, 24, "whole number", None),
    (
        "bad-base-stage",
        "option base-stage aplied\n",
        "JL211",
        1,
        19,
        "not a stage",
        "did you mean 'applied'?",
    ),
    (
        "unterminated-string",
        '2026-02-03 applied "Docker | DevRel\n',
        "JL103",
        1,
        20,
        "unterminated string",
        None,
    ),
    ("unterminated-label", 'role swe "Software Engineer\n', "JL103", 1, 10, "unterminated", None),
    ("uppercase-key", 'role Swe "Software Engineer"\n', "JL111", 1, 6, "invalid key", None),
    ("label-missing", "role swe\n", "JL112", 1, 9, "quoted label", None),
    ("include-no-match", 'include "nothing/*.jobs"\n', "JL011", 1, 1, "matches no file", None),
    ("include-missing-file", 'include "gone.jobs"\n', "JL011", 1, 1, "no such file", None),
    ("include-unquoted", "include other.jobs\n", "JL110", 1, 9, "quoted path", None),
    (
        "event-after-outcome",
        "2026-02-03 applied Docker\n2026-02-10 rejected Docker\n2026-02-12 phone docker\n",
        "JL240",
        3,
        1,
        "already ended (rejected on 2026-02-10)",
        "distinct name",
    ),
    (
        "two-roles",
        'role swe "SWE"\nrole devrel "DevRel"\n'
        "2026-02-03 applied A #swe\n2026-02-04 phone A #devrel\n",
        "JL230",
        4,
        20,
        "two roles",
        None,
    ),
    ("bad-tag", "2026-02-03 applied A #ok#no\n", "JL108", 1, 25, "tag", None),
    ("second-bar", "2026-02-03 applied A | B | C\n", "JL105", 1, 26, "second '|'", "quote"),
    (
        "empty-company-before-bar",
        "2026-01-05 applied | Title\n",
        "JL105",
        1,
        20,
        "company is empty",
        None,
    ),
    (
        "tag-before-bar",
        "2026-01-07 applied Acme #1 | Dev\n",
        "JL105",
        1,
        25,
        "'#1' is read as a tag",
        '"Acme #1" | Dev',
    ),
    ("quoted-kind", '2026-01-05 "applied" A\n', "JL104", 1, 12, "plain word", "applied"),
    ("glued-date", "2026-01-05applied A\n", "JL101", 1, 11, "space after the date", None),
    (
        "hash-company",
        "2026-01-05 applied #Startup\n",
        "JL105",
        1,
        20,
        "no application",
        '"#Startup"',
    ),
    ("option-extra", 'option title "A" extra\n', "JL113", 1, 18, "end of the option line", None),
    (
        "meta-key-blank",
        "2026-01-05 applied A\n    spaced key: v\n",
        "JL107",
        2,
        5,
        "one word",
        None,
    ),
    ("directive-case", 'Stage foo "Foo"\n', "JL100", 1, 1, "lowercase", "stage"),
    (
        "nbsp-counts-as-a-blank",
        "2026-01-05 applied\tA\u00a0\u00a0B |\n",
        "JL105",
        1,
        25,
        "title is empty",
        None,
    ),
    (
        "invalid-utf8",
        b"2026-02-03 applied A\n2026-02-04 applied Caf\xe9\n",
        "JL001",
        2,
        23,
        "invalid UTF-8",
        None,
    ),
    (
        "nul-byte",
        b"2026-02-03 applied A\n2026-02-04 app\x00lied B\n",
        "JL002",
        2,
        15,
        "NUL byte",
        None,
    ),
]


@pytest.mark.parametrize(
    ("text", "code", "line", "column", "message", "hint"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_error_kind(
    tmp_path: Path,
    text: str | bytes,
    code: str,
    line: int,
    column: int,
    message: str,
    hint: str | None,
) -> None:
    found = [d for d in diagnose(tmp_path, text) if d.code == code]
    assert found, f"no {code} in {diagnose(tmp_path, text)}"
    first = found[0]
    assert first.is_error
    assert (first.position.line, first.position.column) == (line, column), first.render()
    assert message in first.message
    if hint is not None:
        assert first.hint is not None and hint in first.hint
    rendered = first.render()
    assert rendered.startswith(f"{tmp_path / 'hunt.jobs'}:{line}:{column}: error: ")
    # The caret sits under the column in the echoed line.
    shown = rendered.splitlines()
    assert shown[2].index("^") - 4 == column - 1


def test_all_errors_reported_in_order(tmp_path: Path) -> None:
    text = "".join(
        [
            "2026-02-03 applied A\n",
            "2026-02-31 applied B\n",  # 2
            "nonsense\n",  # 3
            "2026-02-04 appled C\n",  # 4
            "2026-02-05 applied\n",  # 5
            "2026-02-06 applied D\n",
            "more nonsense\n",  # 7
        ]
    )
    errors = [d for d in diagnose(tmp_path, text) if d.is_error]
    assert [d.position.line for d in errors] == [2, 3, 4, 5, 7]


def test_include_cycle(tmp_path: Path) -> None:
    (tmp_path / "a.jobs").write_text('include "b.jobs"\n2026-02-03 applied A\n')
    (tmp_path / "b.jobs").write_text('2026-02-03 applied B\ninclude "a.jobs"\n')
    found = [d for d in load_report([str(tmp_path / "a.jobs")], AS_OF).diagnostics]
    cycle = [d for d in found if d.code == "JL012"]
    assert len(cycle) == 1
    assert cycle[0].position.path.endswith("b.jobs")
    assert (cycle[0].position.line, cycle[0].position.column) == (2, 1)
    assert "a.jobs -> b.jobs -> a.jobs" in cycle[0].message


def test_self_include_is_a_cycle(tmp_path: Path) -> None:
    found = diagnose(tmp_path, 'include "hunt.jobs"\n')
    assert [d.code for d in found] == ["JL012"]


def test_path_is_a_directory(tmp_path: Path) -> None:
    found = list(load_report([str(tmp_path)], AS_OF).diagnostics)
    assert [d.code for d in found] == ["JL010"]
    assert "directory" in found[0].message


def test_include_of_a_directory(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    found = diagnose(tmp_path, 'include "sub"\n')
    assert [d.code for d in found] == ["JL011"]
    assert found[0].hint is not None and "*.jobs" in found[0].hint


def test_missing_file(tmp_path: Path) -> None:
    found = list(load_report([str(tmp_path / "nope.jobs")], AS_OF).diagnostics)
    assert [d.code for d in found] == ["JL010"]


def test_unreadable_include(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """CI runs as root, which reads mode-000 files: simulate the refusal as the OS reports it."""
    main = tmp_path / "hunt.jobs"
    main.write_text('include "secret.jobs"\n2026-02-03 applied A\n')
    secret = tmp_path / "secret.jobs"
    secret.write_text("2026-02-03 applied B\n")
    real_open = os.open

    def refuse(file: str, *args: int, **kwargs: int) -> int:
        if os.path.basename(file) == "secret.jobs":
            raise PermissionError(13, "Permission denied")
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(os, "open", refuse)
    found = list(load_report([str(main)], AS_OF).diagnostics)
    assert [(d.code, d.position.path, d.position.line) for d in found] == [("JL010", str(main), 1)]
    assert "cannot read" in found[0].message and "permission denied" in found[0].message


# ---------------------------------------------------------------- warnings


def test_stage_went_back_is_a_warning(tmp_path: Path) -> None:
    found = diagnose(
        tmp_path,
        "2026-02-03 applied A\n2026-02-05 phone A\n2026-02-07 response A\n",
    )
    assert [(d.code, d.severity.value, d.position.line) for d in found] == [("JL241", "warning", 3)]


def test_close_name_warning(tmp_path: Path) -> None:
    found = diagnose(
        tmp_path,
        "2026-02-03 applied Docker | Developer Advocate\n"
        "2026-02-10 phone Dokcer | Developer Advocate\n",
    )
    assert [(d.code, d.position.line) for d in found] == [("JL250", 2)]
    assert found[0].hint == "did you mean 'Docker | Developer Advocate'?"
    # The caret points at the name, not at the date (issue 7).
    assert found[0].position.column == len("2026-02-10 phone ") + 1
    assert found[0].render().splitlines()[2] == "    " + " " * 17 + "^"


def test_strict_turns_warnings_into_errors(tmp_path: Path) -> None:
    path = tmp_path / "hunt.jobs"
    path.write_text("2026-02-03 applied A\n2026-02-05 phone A\n2026-02-07 response A\n")
    result = load_report([str(path)], AS_OF, strict=True)
    assert [d.severity.value for d in result.diagnostics] == ["error"]
    assert result.report is None


# ---------------------------------------------------------------- hostile input


def test_megabyte_line(tmp_path: Path) -> None:
    found = diagnose(tmp_path, "2026-02-03 applied " + "x " * 500_000 + "\n")
    assert found == []
    found = diagnose(tmp_path, "x" * 1_000_000 + "\n")
    assert [d.code for d in found] == ["JL100"]
    assert len(found[0].render()) < 1_000  # the echoed line is cut around the caret


def test_spaces_then_junk_is_linear(tmp_path: Path) -> None:
    # A name regex that backtracks would take minutes on this line.
    found = diagnose(tmp_path, "2026-02-03 applied a" + " " * 300_000 + "|\n")
    assert [d.code for d in found] == ["JL105"]


def test_binary_junk(tmp_path: Path) -> None:
    junk = bytes((i * 7919 + 13) % 256 for i in range(200_000))
    found = diagnose(tmp_path, junk)
    assert found and all(d.is_error for d in found)
    assert len(found) <= 2 * 200 + 1  # capped per file


# ---------------------------------------------------------------- issue 7: nothing silently lost


def test_a_role_tag_with_a_typo_gets_a_hint(tmp_path: Path) -> None:
    found = diagnose(tmp_path, 'role devrel "DevRel"\n2026-02-01 applied A #remote #devrell\n')
    (warning,) = found
    assert (warning.code, warning.position.line, warning.position.column) == ("JL231", 2, 30)
    assert warning.hint == "did you mean #devrel?" and not warning.is_error


def test_a_year_typo_is_flagged_against_the_as_of_date(tmp_path: Path) -> None:
    found = diagnose(tmp_path, "2026-02-01 applied A\n2036-02-10 rejected A\n2027-02-01 note A\n")
    assert [(d.code, d.position.line) for d in found] == [("JL242", 2)]  # 2027-02-01: < a year


def test_a_year_ahead_is_the_limit_even_at_the_end_of_the_calendar() -> None:
    from helpers import ledger

    from jobledger.report.view import FAR_FUTURE_DAYS, far_future

    as_of = date(2026, 3, 15)
    at_limit = as_of + timedelta(days=FAR_FUTURE_DAYS)
    text = f"2026-02-01 applied A\n{at_limit} note A\n2026-02-01 applied B\n"
    assert far_future(ledger(text), as_of) == []
    later = at_limit + timedelta(days=1)
    (found,) = far_future(ledger(text + f"{later} note B\n"), as_of)
    assert (found.code, found.position.line) == ("JL242", 4)
    assert far_future(ledger(text), date.max - timedelta(days=10)) == []  # no overflow


def test_a_line_pasted_twice_is_flagged(tmp_path: Path) -> None:
    found = diagnose(
        tmp_path,
        "2026-02-01 applied A\n2026-02-01 applied a\n2026-02-02 note A\n2026-02-02 note A\n",
    )
    assert [(d.code, d.position.line) for d in found] == [("JL243", 2)]
    assert "first written at" in (found[0].hint or "")


def test_metadata_at_column_zero_says_indent_it(tmp_path: Path) -> None:
    (found,) = diagnose(tmp_path, "2026-02-01 applied A\nsource: job board\n")
    assert (found.code, found.position.line, found.position.column) == ("JL109", 2, 1)
    assert "indented under its event" in found.message and "did you mean" not in (found.hint or "")
