"""A watch session in process: the pure step from a load result to its outputs, the last good
report kept under errors, and a rebuild when the day turns (issue 6)."""

from __future__ import annotations

import io
import os
import threading
from datetime import date
from pathlib import Path

import pytest
from watch_process import ledger_text, read, wait_until

from jobledger.live.session import WatchSession
from jobledger.live.watcher import Watcher
from jobledger.pipeline import load_report

DAY = date(2026, 3, 15)


def session_for(tmp_path: Path, fmt: str = "html", **options: object) -> WatchSession:
    ledger = tmp_path / "hunt.jobs"
    if not ledger.exists():
        ledger.write_text(ledger_text(3), encoding="utf-8")
    settings: dict[str, object] = {"as_of": None, "today": lambda: DAY} | options
    return WatchSession(
        [str(ledger)],
        output=str(tmp_path / f"hunt.{fmt}"),
        fmt=fmt,
        **settings,  # type: ignore[arg-type]
    )


def test_a_clean_build_shows_the_report(tmp_path: Path) -> None:
    session = session_for(tmp_path)
    outputs = session.step(load_report([str(tmp_path / "hunt.jobs")], DAY), "09:00:00")
    assert outputs.report is not None and outputs.report.totals.tracked == 3
    assert outputs.errors == 0 and outputs.problems == ""
    assert "<h1>Watch test</h1>" in outputs.text.decode()
    assert outputs.page is None  # not serving
    assert session.last_good is outputs.report and session.last_good_at == "09:00:00"


def test_errors_show_over_the_last_good_report(tmp_path: Path) -> None:
    ledger = tmp_path / "hunt.jobs"
    session = session_for(tmp_path, serve=True)
    session.step(load_report([str(ledger)], DAY), "09:00:00")
    ledger.write_text(ledger_text(3, extra="2026-03-01 appled X\n"), encoding="utf-8")
    outputs = session.step(load_report([str(ledger)], DAY), "09:05:00")
    assert outputs.report is None and outputs.errors == 1
    assert "unknown kind 'appled'" in outputs.problems
    written = outputs.text.decode()
    assert "Stale: showing the report from 09:00:00" in written
    assert "<h1>Watch test</h1>" in written  # the last good report, under the banner
    assert outputs.page is not None
    served = outputs.page.body.decode()
    assert 'new EventSource("/events")' in served and "EventSource" not in written
    assert session.last_good_at == "09:00:00"


def test_markdown_errors_come_first_in_a_fence(tmp_path: Path) -> None:
    ledger = tmp_path / "hunt.jobs"
    session = session_for(tmp_path, "md", serve=True)
    ledger.write_text("2026-03-01 appled X\n", encoding="utf-8")
    outputs = session.step(load_report([str(ledger)], DAY), "09:00:00")
    written = outputs.text.decode()
    assert written.startswith("**jobledger: 1 error in the ledger; no report yet.**")
    assert "```text\n" in written
    assert outputs.page is not None and b"No report yet" in outputs.page.body


def test_the_targets_follow_the_files_read(tmp_path: Path) -> None:
    (tmp_path / "more.jobs").write_text("2026-02-01 applied B\n", encoding="utf-8")
    (tmp_path / "hunt.jobs").write_text('include "more.jobs"\n', encoding="utf-8")
    session = session_for(tmp_path)
    session.step(load_report([str(tmp_path / "hunt.jobs")], DAY), "09:00:00")
    assert str(tmp_path / "more.jobs") in session.targets.files
    assert str(tmp_path / "hunt.html") in session.targets.ignore


@pytest.mark.parametrize(("pinned", "turns"), [(None, True), (DAY, False)])
def test_the_day_turning_is_noticed_unless_pinned(
    tmp_path: Path, pinned: date | None, turns: bool
) -> None:
    clock = [DAY]
    session = session_for(tmp_path, as_of=pinned, today=lambda: clock[0])
    assert not session.date_changed()  # nothing built yet
    session.rebuild(io.StringIO(), io.StringIO())
    assert not session.date_changed()
    clock[0] = date(2026, 3, 16)
    assert session.date_changed() is turns


def test_a_page_left_open_overnight_says_the_new_date_in_the_morning(tmp_path: Path) -> None:
    """A real watcher, no file event at all: the turn of the day alone rebuilds OUT."""
    clock = [DAY]
    session = session_for(tmp_path, today=lambda: clock[0])
    out, err = io.StringIO(), io.StringIO()
    watcher = Watcher(
        lambda: session.rebuild(out, err),
        lambda: session.targets,
        expired=session.date_changed,
    )
    thread = threading.Thread(target=watcher.run)
    thread.start()
    try:
        output = tmp_path / "hunt.html"
        assert wait_until(lambda: "as of 2026-03-15" in read(output))
        clock[0] = date(2026, 3, 16)  # midnight
        assert wait_until(lambda: "as of 2026-03-16" in read(output), timeout=3)
    finally:
        watcher.stop()
        thread.join(timeout=2)


def test_a_save_that_removes_the_filtered_role_is_warned_once(tmp_path: Path) -> None:
    from jobledger.report.build import ReportOptions
    from jobledger.report.filters import Filters

    ledger = tmp_path / "hunt.jobs"
    ledger.write_text('role swe "SWE"\n' + ledger_text(2), encoding="utf-8")
    shown = ReportOptions(DAY, filters=Filters(roles=("swe",)))
    session = session_for(tmp_path, shown=shown)
    out, err = io.StringIO(), io.StringIO()
    session.rebuild(out, err)
    assert session.filter_problems == () and err.getvalue() == ""
    ledger.write_text('role eng "SWE"\n' + ledger_text(2), encoding="utf-8")
    session.rebuild(out, err)
    session.rebuild(out, err)  # the same problem again: said once
    assert err.getvalue().count("warning: --role swe: no such role") == 1
    assert session.filter_problems != ()


@pytest.mark.parametrize(("fmt", "serve"), [("html", False), ("html", True), ("md", True)])
def test_rebuilds_do_not_accumulate_garbage(tmp_path: Path, fmt: str, serve: bool) -> None:
    """What a build leaves is frozen for the collector; its garbage cycles (Jinja's macros hold
    a render in cycles) must be collected first, or every save leaks a whole render. Only the
    build's own objects are looked at: what an earlier build froze, and a later one drops
    (saves alternate between two ledgers here), must be freed without the collector."""
    import gc

    session = session_for(tmp_path, fmt, serve=serve)
    ledger = tmp_path / "hunt.jobs"
    texts = [ledger_text(3), ledger_text(3) + "2026-03-02 applied Newco | Engineer\n"]
    out, err = io.StringIO(), io.StringIO()
    kept = []
    for number in range(20):
        ledger.write_text(texts[number % 2], encoding="utf-8")
        os.utime(ledger, ns=(number, number))  # a new stamp, whatever the clock
        session.rebuild(out, err)
        kept.append(gc.get_freeze_count())
    assert "rebuilt" in out.getvalue()
    assert kept[-1] <= kept[4] * 1.05, (kept[4], kept[-1])


def test_watch_stores_its_parses_in_the_cache_once_the_report_is_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Encoding a big file's parse for the disk cache takes a quarter of a second: a save's
    report must not wait for it, and the next `check` or `report` must still find it."""
    from jobledger.ledger.cache import open_cache
    from jobledger.ledger.loader import FileCache, load_files
    from jobledger.live import session as live

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    ledger = tmp_path / "hunt.jobs"

    def parsed_by_a_new_run() -> int:
        """Files a new run would parse (it only looks: it stores nothing itself)."""
        disk = open_cache()
        assert disk is not None
        monkeypatch.setattr(disk, "put", lambda *record: None)
        files = FileCache(disk)
        load_files([str(ledger)], files)
        return files.parsed

    seen: list[int] = []
    real = live.write_atomic

    def writing(path: str, text: str) -> None:
        seen.append(parsed_by_a_new_run())
        real(path, text)

    monkeypatch.setattr(live, "write_atomic", writing)
    session = session_for(tmp_path, use_cache=True)
    out, err = io.StringIO(), io.StringIO()
    session.rebuild(out, err)
    assert seen == [1]  # when OUT was written, nothing was stored yet
    assert parsed_by_a_new_run() == 0  # and then it was


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_no_collection_runs_before_the_report_is_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    """The cyclic collector stays paused until OUT is written: resumed earlier, its first pass
    walked everything the build made (0.1 s a save on 100,000 events) before OUT went out. It
    runs once OUT is out, and is running again after the build."""
    import gc

    from jobledger.live import session as live

    collections: list[str] = []
    real = live.write_atomic

    def writing(path: str, text: str) -> None:
        collections.append("write")
        assert not gc.isenabled()
        real(path, text)

    def seen(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collections.append("collect")

    monkeypatch.setattr(live, "write_atomic", writing)
    session = session_for(tmp_path, fmt)
    was_enabled = gc.isenabled()
    gc.enable()  # as in `jobledger watch` (an earlier test's in-process command may have not)
    gc.callbacks.append(seen)
    try:
        session.rebuild(io.StringIO(), io.StringIO())
        assert gc.isenabled()
    finally:
        gc.callbacks.remove(seen)
        if not was_enabled:
            gc.disable()
    assert collections[0] == "write" and "collect" in collections


def test_a_template_edited_while_watching_leaks_nothing_for_long(tmp_path: Path) -> None:
    """Jinja drops a template it reloads, in cycles, after the build that loaded it was frozen:
    only a full collection finds those, and one runs every FULL_COLLECTION_EVERY builds."""
    import gc

    from jobledger.live import session as live

    templates = tmp_path / "templates" / "html"
    templates.mkdir(parents=True)
    partial = templates / "_insights.html.j2"
    original = Path(live.__file__).parent.parent / "render" / "templates" / "html" / partial.name
    text = original.read_text(encoding="utf-8")
    session = session_for(tmp_path, template=str(tmp_path / "templates"))
    out, err = io.StringIO(), io.StringIO()
    counts = []
    for number in range(1, 2 * live.FULL_COLLECTION_EVERY + 1):
        partial.write_text(text + f"{{# edit {number} #}}\n", encoding="utf-8")
        os.utime(partial, (number, number))  # Jinja reloads a template whose time changed
        session.rebuild(out, err)
        counts.append(gc.get_freeze_count())
    assert err.getvalue() == ""
    once, twice = counts[live.FULL_COLLECTION_EVERY - 1], counts[-1]  # right after each full one
    assert twice - once < live.FULL_COLLECTION_EVERY  # what is left is not growing with edits
    assert max(counts) - once > live.FULL_COLLECTION_EVERY  # yet edits did leave cycles between
