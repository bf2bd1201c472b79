"""Files on disk: includes, globs, encodings (issue 2, section 2)."""

from __future__ import annotations

import os
import stat
from datetime import date
from pathlib import Path

import pytest

from jobledger.ledger import loader
from jobledger.ledger.loader import decode, load_files
from jobledger.ledger.model import Event
from jobledger.pipeline import load_report


def companies(path: Path) -> list[str]:
    loaded = load_files([str(path)])
    assert not loaded.diagnostics, [d.render() for d in loaded.diagnostics]
    return [e.company for e in loaded.entries if isinstance(e, Event)]


def test_included_entries_take_the_include_position(tmp_path: Path) -> None:
    (tmp_path / "2025").mkdir()
    (tmp_path / "2025" / "b.jobs").write_text("2025-01-02 applied B\n")
    (tmp_path / "2025" / "a.jobs").write_text("2025-01-01 applied A\n")
    (tmp_path / "main.jobs").write_text(
        '2026-01-01 applied First\ninclude "2025/*.jobs"\n2026-01-02 applied Last\n'
    )
    assert companies(tmp_path / "main.jobs") == ["First", "A", "B", "Last"]  # globs sorted


def test_a_file_reached_twice_is_read_once(tmp_path: Path) -> None:
    (tmp_path / "x.jobs").write_text("2026-01-01 applied X\n")
    (tmp_path / "main.jobs").write_text('include "*.jobs"\ninclude "x.jobs"\n')
    # The glob matches main.jobs too: a glob never includes its own file, so no cycle.
    assert companies(tmp_path / "main.jobs") == ["X"]


def test_a_glob_reaching_an_ancestor_is_a_cycle(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "child.jobs").write_text('include "../*.jobs"\n')
    (tmp_path / "main.jobs").write_text('include "sub/*.jobs"\n')
    loaded = load_files([str(tmp_path / "main.jobs")])
    assert [d.code for d in loaded.diagnostics] == ["JL012"]


def test_include_paths_are_relative_to_the_including_file(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "inner.jobs").write_text('include "leaf.jobs"\n')
    (tmp_path / "sub" / "leaf.jobs").write_text("2026-01-01 applied Leaf\n")
    (tmp_path / "main.jobs").write_text('include "sub/inner.jobs"\n')
    assert companies(tmp_path / "main.jobs") == ["Leaf"]


def test_recursive_glob(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "deep.jobs").write_text("2026-01-01 applied Deep\n")
    (tmp_path / "main.jobs").write_text('include "**/*.jobs"\n')
    loaded = load_files([str(tmp_path / "main.jobs")])
    assert [e.company for e in loaded.entries if isinstance(e, Event)] == ["Deep"]


def test_several_top_level_files(tmp_path: Path) -> None:
    (tmp_path / "one.jobs").write_text("2026-01-01 applied One\n")
    (tmp_path / "two.jobs").write_text("2026-01-01 applied Two\n")
    loaded = load_files([str(tmp_path / "one.jobs"), str(tmp_path / "two.jobs")])
    assert [e.company for e in loaded.entries if isinstance(e, Event)] == ["One", "Two"]
    assert len(loaded.files) == 2


def test_watch_information(tmp_path: Path) -> None:
    (tmp_path / "main.jobs").write_text('include "later/*.jobs"\n')
    loaded = load_files([str(tmp_path / "main.jobs")])
    assert loaded.files == (str((tmp_path / "main.jobs").resolve()),)
    assert loaded.include_patterns == (str(tmp_path / "later" / "*.jobs"),)


def test_bom_crlf_and_no_final_newline(tmp_path: Path) -> None:
    path = tmp_path / "win.jobs"
    path.write_bytes(b"\xef\xbb\xbf2026-01-01 applied Caf\xc3\xa9\r\n2026-01-02 phone Caf\xc3\xa9")
    loaded = load_files([str(path)])
    assert loaded.diagnostics == ()
    assert [(e.kind, e.company) for e in loaded.entries if isinstance(e, Event)] == [
        ("applied", "Café"),
        ("phone", "Café"),
    ]


def test_decode_keeps_line_numbers_around_bad_lines() -> None:
    text, problems = decode(b"ok\n\xff\xfe bad\nfine \x00 nul\nlast\n", "f.jobs")
    assert text.split("\n") == ["ok", "", "", "last", ""]
    assert [(p.code, p.position.line, p.position.column) for p in problems] == [
        ("JL001", 2, 1),
        ("JL002", 3, 6),
    ]


def test_recursive_glob_does_not_follow_directory_links(tmp_path: Path) -> None:
    (tmp_path / "d" / "e").mkdir(parents=True)
    (tmp_path / "d" / "up").symlink_to("..")  # would loop forever through glob's "**"
    (tmp_path / "d" / "self").symlink_to(".")
    (tmp_path / "d" / "e" / "x.jobs").write_text("2026-01-01 applied Deep\n")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "h.jobs").write_text("junk\n")
    (tmp_path / "main.jobs").write_text('include "**/*.jobs"\n')
    assert companies(tmp_path / "main.jobs") == ["Deep"]


# ------------------------------------------------------------ files that are not ledgers (issue 10)


def codes(paths: list[Path]) -> list[tuple[str, str]]:
    found = load_report([str(p) for p in paths], date(2026, 3, 15)).diagnostics
    return [(d.code, d.message) for d in found]


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.jobs"
    os.mkfifo(fifo)
    ((code, message),) = codes([fifo])  # a read would wait forever for a writer
    assert code == "JL010" and "not a regular file" in message


def test_a_huge_file_is_refused_before_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(loader, "MAX_FILE_BYTES", 1000)
    big = tmp_path / "big.jobs"
    big.write_text("2026-01-01 applied A\n" * 100)  # 2,100 bytes
    ((code, message),) = codes([big])
    assert code == "JL010" and "over 0 MB is refused" in message


def test_a_50_mb_file_is_one_clear_error(tmp_path: Path) -> None:
    """The issue's case, at its real size (a sparse file: no disk is used, and the size is
    refused before a byte is read)."""
    big = tmp_path / "big.jobs"
    with big.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    ((code, message),) = codes([big])
    assert code == "JL010"
    assert "it is 50 MB; a ledger file over 32 MB is refused" in message


def test_a_thousand_deep_include_chain_stops_at_a_limit(tmp_path: Path) -> None:
    for i in range(1000):
        line = f'include "f{i + 1}.jobs"\n' if i < 999 else "2026-01-01 applied A\n"
        (tmp_path / f"f{i}.jobs").write_text(line)
    ((code, message),) = codes([tmp_path / "f0.jobs"])
    assert code == "JL013" and "more than 100 deep" in message


def test_a_symlink_loop_is_a_clear_error(tmp_path: Path) -> None:
    os.symlink(tmp_path / "b.jobs", tmp_path / "a.jobs")
    os.symlink(tmp_path / "a.jobs", tmp_path / "b.jobs")
    ((code, message),) = codes([tmp_path / "a.jobs"])
    assert code == "JL010" and "symbolic links" in message


def test_a_file_that_changes_while_read_is_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "hunt.jobs"
    path.write_text("2026-01-01 applied A\n")
    sizes = iter([5, 21, 21, 21])  # the first stat sees the file mid-save
    real_fstat = os.fstat

    def fstat(fd: int) -> os.stat_result:
        st = real_fstat(fd)
        if stat.S_ISREG(st.st_mode):
            fields = list(st)
            fields[stat.ST_SIZE] = next(sizes, 21)
            return os.stat_result(fields)
        return st

    monkeypatch.setattr(os, "fstat", fstat)
    result = load_report([str(path)], date(2026, 3, 15))
    assert result.report is not None and result.report.totals.tracked == 1


def test_a_file_that_never_settles_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "hunt.jobs"
    path.write_text("2026-01-01 applied A\n")
    growing = iter(range(100, 10_000))
    real_fstat = os.fstat

    def fstat(fd: int) -> os.stat_result:
        fields = list(real_fstat(fd))
        fields[stat.ST_SIZE] = next(growing)
        return os.stat_result(fields)

    monkeypatch.setattr(os, "fstat", fstat)
    ((code, message),) = codes([path])
    assert code == "JL010" and "kept changing while it was read" in message


def test_an_old_mac_file_is_read_line_by_line(tmp_path: Path) -> None:
    """CR-only line ends: the first line being a comment used to swallow the whole file."""
    path = tmp_path / "mac.jobs"
    path.write_bytes(b"; my hunt\r2026-02-03 applied A\r2026-02-04 phone A\r\rjunk\r")
    loaded = load_files([str(path)])
    assert [(e.kind, e.position.line) for e in loaded.entries if isinstance(e, Event)] == [
        ("applied", 2),
        ("phone", 3),
    ]
    assert [(d.code, d.position.line) for d in loaded.diagnostics] == [("JL100", 5)]
    assert loaded.sources == (
        (str(path), "; my hunt\n2026-02-03 applied A\n2026-02-04 phone A\n\njunk\n"),
    )


def test_decode_counts_lone_carriage_returns_around_bad_bytes() -> None:
    text, problems = decode(b"ok\r\xff bad\rlast\r\n", "f.jobs")
    assert text == "ok\n\nlast\n"
    assert [(d.code, d.position.line) for d in problems] == [("JL001", 2)]


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-16"])
def test_utf16_with_a_byte_order_mark_is_read(tmp_path: Path, codec: str) -> None:
    """Notepad's "Unicode": used to give dozens of garbage errors."""
    text = "; Zürich\r\n2026-02-03 applied Café | Ingénieure ☕ #x\r\n    source: referral\r\n"
    data = text.encode(codec)
    if codec != "utf-16":  # the plain codec writes its own BOM
        data = ("\ufeff" + text).encode(codec)
    path = tmp_path / "notepad.jobs"
    path.write_bytes(data)
    loaded = load_files([str(path)])
    assert loaded.diagnostics == ()
    (event,) = [e for e in loaded.entries if isinstance(e, Event)]
    assert (event.company, event.title, event.tags) == ("Café", "Ingénieure ☕", ("x",))
    assert event.meta == (("source", "referral"),)
    assert event.position.line == 2


def test_broken_utf16_is_one_clear_error() -> None:
    data = "\ufeff2026-02-03 applied A\n".encode("utf-16-le") + b"\x00\xd8"  # a lone surrogate
    text, problems = decode(data, "f.jobs")
    assert text == ""
    assert [(d.code, d.message, d.hint) for d in problems] == [
        ("JL001", "invalid UTF-16 (at byte 44)", "save the file as UTF-8")
    ]


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_is_one_clear_error(codec: str) -> None:
    """Not a "NUL byte, is this a binary file?" on every line."""
    data = "2026-02-03 applied A\n2026-02-04 applied B\n".encode(codec)
    text, problems = decode(data, "f.jobs")
    assert text == ""
    assert [(d.code, d.message, d.hint) for d in problems] == [
        ("JL001", "this file looks like UTF-16 without a byte-order mark", "save the file as UTF-8")
    ]


def test_a_file_of_zeros_is_not_taken_for_utf16() -> None:
    _, problems = decode(bytes(64), "f.jobs")
    assert [d.code for d in problems] == ["JL002"]


def test_utf16_with_a_nul_character_keeps_its_line_numbers() -> None:
    data = "\ufeffok\nbad \x00 here\nlast\n".encode("utf-16-le")
    text, problems = decode(data, "f.jobs")
    assert text == "ok\n\nlast\n"
    assert [(d.code, d.position.line, d.position.column) for d in problems] == [("JL002", 2, 5)]
