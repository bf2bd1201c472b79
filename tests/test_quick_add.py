"""`add` without Lark (issue 8's speed): the line it appends is read back by `quick_lines`, with
the grammar's own terminals, and the file's old entries come from the load. Whatever that short
way writes and says must be exactly what the long way (a full parse of the new file) would."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

import pytest
from conftest import cli_env
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from jobledger.edit import add as add_module
from jobledger.edit.add import NewEvent, Refused, append, event_text
from jobledger.ledger import parser
from jobledger.ledger.loader import FileCache, load_files
from jobledger.ledger.parser import parse_text, terminal_patterns
from jobledger.ledger.statements import quick_lines

# Names, tags, values and comments with every character the format treats specially.
TEXT = st.text(
    st.sampled_from([*'ab Z9é"|#;:\\\t', "\u00a0", "\u3000", "ü"]), min_size=1, max_size=12
)
EVENTS = st.builds(
    NewEvent,
    when=st.dates(date(2025, 1, 1), date(2027, 12, 31)),
    kind=st.sampled_from(["applied", "phone", "interview", "note", "rejected", "tracked"]),
    company=TEXT,
    title=st.none() | TEXT,
    tags=st.lists(TEXT, max_size=3).map(tuple),
    meta=st.lists(
        st.tuples(st.sampled_from(["source", "salary", "via-x"]), st.text(max_size=10)),
        max_size=2,
    ).map(tuple),
    comment=st.none() | TEXT,
)
BASES = [
    # in fmt's layout
    'role swe "Software Engineer"\n\n2026-02-01 applied   Acme | Staff  #swe\n'
    "2026-02-03 interview Globex  ; booked\n",
    # not in it, no final newline, CRLF, a byte-order mark
    "2026-02-01  applied Acme | Staff\n2026-02-02 note Acme | Staff",
    "2026-02-01 applied Acme | Staff\r\n    source: board\r\n",
    "\ufeff2026-02-01 applied Acme | Staff\n",
    "",
    "2026-02-01 note Acme | Staff  #x  ; fmt aligns this line again under a longer kind\n",
    # mixed line endings: the first line's is the file's, every one is a line break
    "2026-01-01 applied Acme\r\n2026-01-02 interview Acme\n2026-01-03 note Acme\n",
    "2026-01-01 applied Acme\n2026-01-02 note Acme\r2026-01-03 note Acme\n",
]


def both_ways(base: str, event: NewEvent, where: str) -> tuple[object, object, bytes, bytes]:
    """Append `event` to a file holding `base`, the long way and the short way: (what each
    returned or raised, the bytes each left)."""
    results: list[object] = []
    written: list[bytes] = []
    for quick in (False, True):
        path = os.path.join(where, f"{quick}.jobs")
        with open(path, "wb") as handle:
            handle.write(base.encode("utf-8"))
        files = FileCache(None, memory=True)
        loaded = load_files([path], files)
        try:
            added: object = append(
                path, event_text(event), loaded.entries, "x", files=files if quick else None
            )
        except Refused as refused:
            added = ("refused", [(d.code, d.message, d.position.line) for d in refused.diagnostics])
        else:
            assert isinstance(added, add_module.Added)
            added = (added.line, added.text, [(d.code, d.position) for d in added.warnings])
        results.append(added)
        with open(path, "rb") as handle:
            written.append(handle.read())
    return results[0], results[1], written[0], written[1]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(EVENTS, st.sampled_from(BASES))
@example(NewEvent(date(2026, 2, 4), "interview", "Acme", "Staff"), BASES[-1])  # realigns a line
@example(NewEvent(date(2026, 2, 4), "phone", 'A "b" | c', None, ("x",)), BASES[0])
@example(NewEvent(date(2025, 1, 1), "applied", "9", None, (), (("source", "\x00"),)), BASES[0])
def test_the_short_way_writes_and_says_what_the_long_way_does(event: NewEvent, base: str) -> None:
    with tempfile.TemporaryDirectory() as where:
        slow, quick, slow_bytes, quick_bytes = both_ways(base, event, where)
        # What the short way knows of the new file (and keeps in the cache) is its parse.
        path = os.path.join(where, "known.jobs")
        data = base.encode("utf-8")
        with open(path, "wb") as handle:
            handle.write(data)
        files = FileCache(None, memory=True)
        load_files([path], files)
        known = add_module._quick_append(
            path, data, event_text(event), files.parse_of(path), terminal_patterns()
        )
    assert quick == slow
    assert quick_bytes == slow_bytes
    if known is not None:
        after, line, entries, text = known
        assert after == quick_bytes or quick_bytes == data  # written, or refused by the check
        assert entries == parse_text(text, path).entries
        assert text.split("\n")[line - 1].startswith(event.when.isoformat())


def test_the_short_way_does_not_parse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Not vacuous: the common cases above do take the short way (a parse would raise)."""
    terminal_patterns()  # as a warm cache would have them
    for number, base in enumerate(BASES):
        path = tmp_path / f"{number}.jobs"
        path.write_bytes(base.encode("utf-8"))
        files = FileCache(None, memory=True)
        loaded = load_files([str(path)], files)
        with monkeypatch.context() as patch:
            patch.setattr(parser, "parse_text", _no_parse)
            event = NewEvent(date(2026, 3, 1), "note", "Acme", "Staff", ("t",), (("k", "v"),), "c")
            added = append(str(path), event_text(event), loaded.entries, "x", files=files)
        assert added.text.startswith("2026-03-01 note")
        assert parse_text(path.read_text("utf-8-sig"), str(path)).diagnostics == ()


def _no_parse(text: str, path: str) -> object:
    raise AssertionError("parsed with Lark")


@settings(max_examples=2000, deadline=None)
@given(
    st.lists(
        st.one_of(
            EVENTS.map(lambda e: event_text(e).split("\n")[0]),
            st.tuples(TEXT, st.text(max_size=8)).map(lambda kv: f"    k{kv[0][:3]}: {kv[1]}"),
            st.text(st.sampled_from('2026-0123 ab|#;:"\\\t'), max_size=30),
        ),
        min_size=1,
        max_size=4,
    ),
    st.integers(1, 40),
)
def test_quick_lines_reads_what_the_parser_reads_or_declines(lines: list[str], at: int) -> None:
    text = "".join(line.replace("\n", " ").replace("\r", " ") + "\n" for line in lines)
    quick = quick_lines(text, "f.jobs", at, terminal_patterns())
    parsed = parse_text("\n" * (at - 1) + text, "f.jobs")
    if quick is not None:
        assert parsed.diagnostics == ()
        assert quick == parsed.entries


def test_quick_lines_declines_other_lines() -> None:
    patterns = terminal_patterns()
    for text in ['stage x "X"\n', "; a comment\n", "include *.jobs\n", "2026-02-30 note A\n"]:
        assert quick_lines(text, "f.jobs", 1, patterns) is None, text
    assert quick_lines("2026-02-03 note A\n", "f.jobs", 1, {}) is None  # no terminals: no


def test_consecutive_adds_never_import_lark(tmp_path: Path) -> None:
    """The first command parses the file (and keeps the grammar's terminals in the cache); every
    `add` after it finds the file it wrote in the cache, and reads its own line without Lark."""
    hunt = tmp_path / "hunt.jobs"
    hunt.write_text('role swe "Software Engineer"\n2026-02-01 applied Acme | Staff  #swe\n')
    env = cli_env({"XDG_CACHE_HOME": str(tmp_path / "cache"), "JOBLEDGER_NO_CACHE": None})

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "jobledger", *args, "-f", str(hunt)],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    first = run("status")
    assert first.returncode == 0 and imports_lark(first.stderr), first.stderr[-500:]
    for day in ("2026-02-02", "2026-02-03", "2026-02-04"):
        done = run("add", "note", "Acme | Staff", "--date", day)
        assert done.returncode == 0, done.stderr[-500:]
        assert not imports_lark(done.stderr), day
    assert hunt.read_text().count("note    Acme | Staff\n") == 3  # aligned as fmt would
    final = run("check", "--no-cache")
    assert final.returncode == 0, final.stderr[-500:]


def imports_lark(importtime: str) -> bool:
    """Whether -X importtime's lines name the module `lark` (at any depth)."""
    return any(
        line.rsplit("|", 1)[-1].strip() == "lark"
        for line in importtime.splitlines()
        if line.startswith("import time:")
    )


def test_a_file_with_mixed_line_endings_keeps_true_line_numbers(tmp_path: Path) -> None:
    """The reviewer's case: a Windows file with a line appended by `echo >>`. The new line's
    warning, the parse kept in the cache and the next `add` all know where it is."""
    hunt = tmp_path / "h.jobs"
    hunt.write_bytes(
        b"2026-01-01 applied Acme\r\n2026-01-02 interview Acme\n2026-01-03 note Acme\n"
    )
    env = cli_env({"XDG_CACHE_HOME": str(tmp_path / "cache"), "JOBLEDGER_NO_CACHE": None})

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "jobledger", *args, "-f", str(hunt)]
        return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)

    assert run("check").returncode == 0
    added = run("add", "phone", "Acme", "--date", "2026-01-04")  # a stage going back: a warning
    assert added.returncode == 0 and "h.jobs:4:" in added.stderr, added.stderr
    cached, fresh = run("check"), run("check", "--no-cache")
    assert cached.stderr == fresh.stderr and "h.jobs:4:" in fresh.stderr
    again = run("add", "note", "Acme", "--date", "2026-01-05")
    assert again.returncode == 0 and "Traceback" not in again.stderr, again.stderr
    assert "added to " in again.stderr and ":5:" in again.stderr
