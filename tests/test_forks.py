"""Half of a big report's rows is made by a child process (forks.split_map, issue 10's speed):
the text must be exactly what one process makes, whatever the child does, and no child may be
left behind."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from helpers import report

from jobledger import forks
from jobledger.render import html, json_report

ROOT = Path(__file__).resolve().parent.parent
# Several characters of two, three and four bytes in UTF-8: the child's text is read back in
# blocks of bytes, and a block may end inside one.
ITEMS = [f"{n}:é€🙂{'x' * (n % 7)}\n" for n in range(3_000)]


@pytest.fixture
def split(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """split_map from 10 items on, forking even beside a thread pytest runs; the children's
    pids, to tell it forked."""
    monkeypatch.setattr(forks, "SPLIT_LEAST", 10)
    monkeypatch.setattr(forks, "may_fork", lambda: True)
    made: list[int] = []
    real = forks.start

    def start(*args: object, **kwargs: object) -> int | None:
        pid = real(*args, **kwargs)  # type: ignore[arg-type]
        if pid is not None:
            made.append(pid)
        return pid

    monkeypatch.setattr(forks, "start", start)
    return made


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_the_text_is_what_one_process_makes(split: list[int]) -> None:
    parent = os.getpid()

    def make(item: str) -> str:
        return item if os.getpid() == parent else item.upper()  # É: the child's

    text = "".join(forks.split_map(make, ITEMS))
    half = len(ITEMS) // 2
    assert text == "".join(ITEMS[:half]) + "".join(ITEMS[half:]).upper()
    assert len(split) == 1 and gone(split[0])  # made, and reaped


def test_read_back_in_small_blocks_no_character_is_cut(
    split: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = forks._unnamed_file

    def small_reads() -> object:
        spool = real()
        assert spool is not None
        read = spool.read
        spool.read = lambda size=-1: read(7)  # type: ignore[method-assign]
        return spool

    monkeypatch.setattr(forks, "_unnamed_file", small_reads)
    assert "".join(forks.split_map(str, ITEMS)) == "".join(ITEMS)


def test_a_child_that_fails_is_made_up_for_here(split: list[int]) -> None:
    parent = os.getpid()

    def make(item: str) -> str:
        if os.getpid() != parent and item.startswith("2999:"):
            raise RuntimeError("the child fails on its last item")
        return item

    assert "".join(forks.split_map(make, ITEMS)) == "".join(ITEMS)
    assert split and gone(split[0])


def test_a_reader_that_stops_early_leaves_no_child(split: list[int]) -> None:
    pieces = forks.split_map(str, ITEMS)
    assert next(pieces) == ITEMS[0]
    assert split and not gone(split[0])
    pieces.close()
    assert gone(split[0])


@pytest.mark.parametrize("refused", ["fork", "file"])
def test_without_a_child_or_a_file_all_is_made_here(
    split: list[int], monkeypatch: pytest.MonkeyPatch, refused: str
) -> None:
    if refused == "fork":
        monkeypatch.setattr(forks, "start", lambda *args, **kwargs: None)
    else:
        monkeypatch.setattr(forks, "_unnamed_file", lambda: None)
    assert "".join(forks.split_map(str, ITEMS)) == "".join(ITEMS)


def test_the_reports_rows_made_on_two_cpus_are_the_same(
    split: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(forks, "SPLIT_LEAST", 2)
    example = (ROOT / "examples" / "blueprint.jobs").read_text(encoding="utf-8")
    hostile = (ROOT / "tests" / "cases" / "markdown-hostile.jobs").read_text(encoding="utf-8")
    for text in (example, hostile):
        rep = report("\n".join(line for line in text.splitlines() if "include" not in line))
        assert len(rep.applications) >= forks.SPLIT_LEAST
        document = "".join(json_report.json_chunks(rep, forks.split_map))
        assert document == "".join(json_report.json_chunks(rep))
        assert json.loads(document) == json.loads(json_report.render_json(rep))
        page = "".join(html.html_chunks(rep, each=forks.split_map))
        assert page == html.render_html(rep)
    assert len(split) == 4


def test_a_command_started_with_standard_streams_closed_loses_nothing(tmp_path: Path) -> None:
    """Started with stdin and stdout closed (`<&- >&-`), the process's own files take their
    numbers (the cache's directory, the spooled rows): a child must keep them, not replace
    them with /dev/null as it does a terminal or a pipe. It had written half a report, and
    no parse to the cache, and exited 0."""
    import subprocess
    import sys

    from conftest import cli_env

    ledger = tmp_path / "big.jobs"
    lines = [f"2026-02-{n % 28 + 1:02d} applied Acme {n} | Engineer\n" for n in range(4_500)]
    ledger.write_text("".join(lines), encoding="utf-8")
    assert len(lines) >= forks.SPLIT_LEAST
    out = tmp_path / "out.json"
    cache = tmp_path / "cache"
    script = '"$0" -m jobledger report "$1" --as-of 2026-03-15 --format json -o "$2" <&- >&-'
    done = subprocess.run(
        ["bash", "-c", script, sys.executable, str(ledger), str(out)],
        env=cli_env({"XDG_CACHE_HOME": str(cache), "JOBLEDGER_NO_CACHE": None}),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert len(json.loads(out.read_text("utf-8"))["applications"]) == 4_500
    assert list(cache.rglob("parse*"))  # written by the other child
