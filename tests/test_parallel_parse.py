"""A large file is parsed in pieces, at once, in forked processes (issue 10's speed): the entries
and diagnostics must be exactly those of the file parsed in one go, whatever goes wrong."""

from __future__ import annotations

import errno
import os
import threading

import pytest
from helpers import example_copies
from hypothesis import given, settings
from hypothesis import strategies as st

from jobledger import forks as forking
from jobledger.ledger import cache, parser

ledger = example_copies


@pytest.fixture
def small_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pieces from 2 KB on, and forks even if an earlier test left a thread running (in a
    jobledger process no thread runs while it loads; the test below checks the rule itself)."""
    monkeypatch.setattr(parser, "PARALLEL_BYTES", 2_000)
    monkeypatch.setattr(forking, "may_fork", lambda: True)


@pytest.fixture
def forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The pids of the processes the parser forks (so a test can tell it forked at all)."""
    made: list[int] = []
    real = os.fork

    def fork() -> int:
        pid = real()
        if pid:
            made.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", fork)
    return made


def test_pieces_start_with_an_event_and_know_their_line(small_pieces: None) -> None:
    text = ledger(20)
    pieces = parser._pieces(text)
    assert len(pieces) >= 2  # this machine has 2 CPUs at least; CI too
    assert "".join(piece for piece, _ in pieces) == text
    for piece, line in pieces[1:]:
        assert piece[0].isdigit()
        assert text.split("\n")[line - 1] == piece.split("\n")[0]


def test_a_small_file_or_a_threaded_process_is_parsed_in_one_piece(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(parser, "PARALLEL_BYTES", 2_000)
    assert len(parser._pieces("2026-02-01 applied Acme\n")) == 1
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert len(parser._pieces(ledger(20))) == 1  # no fork beside another thread
    finally:
        stop.set()
        thread.join()


# Lines that read differently alone, or that no parse accepts, to put anywhere in a ledger.
INSERTS = st.lists(
    st.tuples(
        st.floats(0, 1),
        st.sampled_from(
            [
                "2026-13-45 applied Broken",  # a date that is not one
                "garbage",
                "    orphan: metadata",  # after a blank line: no event above it
                "2026-02-01 applied Acme | Staff  #swe  ; dup",
                'stage "x"',
                "; a comment line",
                'include "*.jobs"',
            ]
        ),
    ),
    max_size=3,
)


def with_inserts(copies: int, inserts: list[tuple[float, str]]) -> str:
    lines = ledger(copies).split("\n")
    for where, line in inserts:
        at = int(where * (len(lines) - 1))
        lines[at:at] = ["", line]
    return "\n".join(lines)


@settings(max_examples=25, deadline=None)
@given(st.integers(2, 12), INSERTS, st.integers(3, 15))
def test_runs_read_quickly_are_what_lark_reads(
    copies: int, inserts: list[tuple[float, str]], run_lines: int
) -> None:
    """Runs of event and metadata lines are read by quick_lines, the others by Lark; any
    problem, and Lark reads the whole text: the result is always Lark's alone."""
    text = parser._ended(with_inserts(copies, inserts))
    old = parser.QUICK_RUN_LINES
    parser.QUICK_RUN_LINES = run_lines
    try:
        assert len(parser._runs(text)) >= 2
        assert parser._parse(text, "f.jobs", 7) == parser._parse_with_lark(text, "f.jobs", 7)
    finally:
        parser.QUICK_RUN_LINES = old


@settings(max_examples=25, deadline=None)
@given(st.integers(5, 30), INSERTS)
def test_pieces_read_as_the_whole(copies: int, inserts: list[tuple[float, str]]) -> None:
    text = with_inserts(copies, inserts)
    whole = parser._parse_with_lark(parser._ended(text), "f.jobs")
    old = parser.PARALLEL_BYTES, forking.may_fork
    parser.PARALLEL_BYTES, forking.may_fork = 2_000, lambda: True
    try:
        assert len(parser._pieces(text)) >= 2
        assert parser.parse_text(text, "f.jobs") == whole
    finally:
        parser.PARALLEL_BYTES, forking.may_fork = old


def test_a_piece_that_fails_is_parsed_again_here(
    small_pieces: None, forks: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    text = ledger(20)
    whole = parser._parse(text, "f.jobs")

    def broken(data: object, path: str) -> tuple[()]:
        raise ValueError("a child's data did not read back")

    monkeypatch.setattr(cache, "decode_entries", broken)
    assert parser.parse_text(text, "f.jobs") == whole
    assert forks  # the children were made; their data was refused


def test_the_pieces_are_really_parsed_elsewhere(
    small_pieces: None, forks: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not vacuous: with the pieces' data decoded here, this process parses only the first."""
    text = ledger(20)
    parsed: list[int] = []
    real = parser._parse

    def counting(piece: str, path: str, first_line: int = 1) -> object:
        parsed.append(first_line)
        return real(piece, path, first_line)

    monkeypatch.setattr(parser, "_parse", counting)
    result = parser.parse_text(text, "f.jobs")
    assert parsed == [1]  # the children's calls happen in their own processes
    assert len(forks) >= 1
    assert result == real(text, "f.jobs")


@pytest.mark.parametrize("failing", ["fork", "pipe"])
def test_no_process_to_be_had_means_one_parse_here(
    small_pieces: None, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    """Under a process limit fork fails (EAGAIN): not a ledger error, just one parse here."""
    text = ledger(20)
    whole = parser._parse(text, "f.jobs")

    def refused(*args: object) -> None:
        raise OSError(errno.EAGAIN, "Resource temporarily unavailable")

    monkeypatch.setattr(os, failing, refused)
    assert parser.parse_text(text, "f.jobs") == whole


def test_an_interrupted_parse_leaves_no_process_behind(
    small_pieces: None, forks: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    text = ledger(20)
    here = os.getpid()
    real = parser._parse

    def interrupted(piece: str, path: str, first_line: int = 1) -> object:
        if os.getpid() == here:
            raise KeyboardInterrupt
        return real(piece, path, first_line)

    monkeypatch.setattr(parser, "_parse", interrupted)
    with pytest.raises(KeyboardInterrupt):
        parser.parse_text(text, "f.jobs")
    assert forks
    for pid in forks:
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)  # reaped already: not running, not even a zombie
