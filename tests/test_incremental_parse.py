"""`watch` re-parses only what a save changed (issue 10): a file is cut into blocks, and a block
the last parse already read keeps its entries. The result must be exactly a full parse's."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers import example_copies
from hypothesis import example, given, settings
from hypothesis import strategies as st

from jobledger.ledger import parser
from jobledger.ledger.loader import FileCache
from jobledger.ledger.model import Event

ledger = example_copies


LINES = [
    "2026-04-01 applied Newco | Engineer  #swe",
    "2026-04-02 rejected Acme 3 | Staff",
    "    source: referral",
    "; a comment",
    "",
    'stage "x"',
    "2026-13-45 applied Broken",  # not a date
    "garbage",
    "2026-02-01 appplied Typo | Co",  # a kind the reducer refuses: no parse diagnostic
]


def parsed_lines(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many lines each call of the parser proper reads."""
    counts: list[int] = []
    real = parser._parse

    def counting(text: str, path: str, first_line: int = 1) -> object:
        counts.append(text.count("\n"))
        return real(text, path, first_line)

    monkeypatch.setattr(parser, "_parse", counting)
    return counts


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 12),
    st.lists(
        st.tuples(
            st.sampled_from(["insert", "delete", "replace"]),
            st.floats(0, 1),
            st.sampled_from(LINES),
        ),
        min_size=1,
        max_size=4,
    ),
    st.sampled_from(["\n", "\r\n"]),
    st.booleans(),
)
@example(3, [("delete", 0.0, "")], "\n", True)
@example(3, [("insert", 1.0, "garbage")], "\r\n", False)
def test_a_changed_file_parses_as_a_whole(
    copies: int, edits: list[tuple[str, float, str]], newline: str, final_newline: bool
) -> None:
    before = ledger(copies).replace("\n", newline)
    lines = before.split(newline)
    for edit, where, line in edits:
        at = int(where * (len(lines) - 1))
        if edit == "insert":
            lines[at:at] = [line]
        elif edit == "delete":
            del lines[at : at + 1]
        else:
            lines[at : at + 1] = [line]
    after = newline.join(lines)
    if not final_newline:
        after = after.rstrip("\r\n")
    old = parser.parse_text(before, "f.jobs")
    assert not old.diagnostics
    assert parser.parse_changed(after, "f.jobs", before, old.entries) == parser.parse_text(
        after, "f.jobs"
    )


def test_an_append_parses_only_the_last_block_and_keeps_every_other_entry(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = ledger(40)
    old = parser.parse_text(before, "f.jobs").entries
    counts = parsed_lines(monkeypatch)
    new = parser.parse_changed(before + LINES[0] + "\n", "f.jobs", before, old).entries
    assert new[-1] == Event(
        new[-1].position,
        new[-1].date,
        "applied",
        "Newco",
        "Engineer",
        tags=("swe",),
        tag_columns=(38,),
        kind_column=12,
        name_column=20,
    )
    assert sum(counts) < before.count("\n") // 8  # a block, not the file
    kept = sum(1 for a, b in zip(old, new, strict=False) if a is b)
    assert kept >= len(old) * 7 // 8  # the very same objects: watch's memos see no change


def test_lines_inserted_above_move_the_entries_below_without_parsing_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = ledger(40)
    old = parser.parse_text(before, "f.jobs").entries
    half = len(before) // 2
    cut = before.index("\n", half) + 1
    after = before[:cut] + "; two new\n; lines\n" + before[cut:]
    counts = parsed_lines(monkeypatch)
    new = parser.parse_changed(after, "f.jobs", before, old).entries
    assert sum(counts) < before.count("\n") // 8
    assert new == parser._parse(after, "f.jobs").entries  # the real parser, not the counter
    last = new[-1]
    assert last.position.line == old[-1].position.line + 2
    assert old[0] is new[0]


def test_a_diagnostic_means_the_whole_file_is_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    before = ledger(40)
    old = parser.parse_text(before, "f.jobs").entries
    after = before + "garbage\n"
    counts = parsed_lines(monkeypatch)
    result = parser.parse_changed(after, "f.jobs", before, old)
    assert result.diagnostics
    assert counts[-1] == after.count("\n")  # read again in one go, so the messages are its own


def test_watch_parses_a_saved_file_incrementally(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "hunt.jobs"
    path.write_text(ledger(40), encoding="utf-8")
    files = FileCache(memory=True)
    first = files.load(str(path)).parsed.entries()
    path.write_text(ledger(40) + LINES[0] + "\n", encoding="utf-8")
    os.utime(path, ns=(1, 1))  # a new stamp whatever the clock's resolution
    changed: list[int] = []
    real = parser.parse_changed

    def counting(text: str, path: str, before: str, entries: tuple[object, ...]) -> object:
        changed.append(len(entries))
        return real(text, path, before, entries)  # type: ignore[arg-type]

    monkeypatch.setattr(parser, "parse_changed", counting)
    second = files.load(str(path)).parsed.entries()
    assert changed == [len(first)]
    assert second[: len(first) // 2] == first[: len(first) // 2]
    assert second[0] is first[0]
    assert second == parser.parse_text(path.read_text(encoding="utf-8"), str(path)).entries


def test_a_file_whose_last_parse_had_diagnostics_is_parsed_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "hunt.jobs"
    path.write_text(ledger(2) + "garbage\n", encoding="utf-8")
    files = FileCache(memory=True)
    assert files.load(str(path)).parsed.diagnostics
    path.write_text(ledger(2), encoding="utf-8")
    os.utime(path, ns=(1, 1))

    def refused(*args: object) -> None:
        raise AssertionError("a parse with diagnostics is no base to build on")

    monkeypatch.setattr(parser, "parse_changed", refused)
    assert not files.load(str(path)).parsed.diagnostics
