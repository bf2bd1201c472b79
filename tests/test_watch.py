"""The watcher on a real directory with a real watchdog observer: every editor's way of saving,
bursts, includes that come and go, a broken ledger and a deleted one, and nothing on the
observer's thread (a lock symlink that vanishes, a bug, the thread dying) leaving it deaf."""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from watch_process import WatchProcess, ledger_text, read, start_watch, wait_until

from jobledger.live import watcher as watcher_module
from jobledger.live.watcher import Matcher, Targets, Watcher, watched_directories

QUIET = 0.5  # after the last expected rebuild: long enough for a spurious one to show up


class Recorder:
    """A `build` that records what the ledger said at each build."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.seen: list[str] = []

    def __call__(self) -> None:
        self.seen.append(read(self.path))


@pytest.fixture
def watching(tmp_path: Path) -> Iterator[Callable[..., tuple[Watcher, Recorder]]]:
    """Start a Watcher on tmp_path/hunt.jobs in a thread; stop it (and check it stopped)."""
    started: list[tuple[Watcher, threading.Thread]] = []

    def start(
        targets: Targets | None = None, *, poll: bool = False, **options: float
    ) -> tuple[Watcher, Recorder]:
        ledger = tmp_path / "hunt.jobs"
        if not ledger.exists():
            ledger.write_text("one\n")
        recorder = Recorder(ledger)
        chosen = targets or Targets(frozenset({str(ledger)}))
        watcher = Watcher(recorder, lambda: chosen, poll=poll, **options)
        thread = threading.Thread(target=watcher.run, name="test-watcher")
        thread.start()
        started.append((watcher, thread))
        assert wait_until(lambda: recorder.seen and watcher.observer.is_alive())
        return watcher, recorder

    yield start
    for watcher, thread in started:
        watcher.stop()
        thread.join(timeout=2)
        assert not thread.is_alive()
        assert not watcher.observer.is_alive()


def settle(recorder: Recorder, expected: str, builds: int) -> None:
    assert wait_until(lambda: recorder.seen[-1] == expected), recorder.seen
    time.sleep(QUIET)
    assert len(recorder.seen) == builds, recorder.seen


# ---------------------------------------------------------------- editors' save styles


def save_in_place(path: Path, text: str) -> None:  # VS Code, nano, `echo >`
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


def save_jetbrains(path: Path, text: str) -> None:  # "safe write": temp file renamed over
    temp = path.with_name(path.name + "___jb_tmp___")
    temp.write_text(text)
    os.replace(temp, path)


def save_gedit(path: Path, text: str) -> None:  # gio: a hidden temp file renamed over
    temp = path.with_name(".goutputstream-X1Y2Z3")
    temp.write_text(text)
    os.replace(temp, path)


def save_vim(path: Path, text: str) -> None:  # 'backupcopy' auto: rename away, write, drop
    backup = path.with_name(path.name + "~")
    os.rename(path, backup)
    path.write_text(text)
    os.unlink(backup)


def save_emacs_first(path: Path, text: str) -> None:  # first save: rename to file~ and keep it
    os.rename(path, path.with_name(path.name + "~"))
    path.write_text(text)


def save_delete_recreate(path: Path, text: str) -> None:
    os.unlink(path)
    path.write_text(text)


SAVES = [
    save_in_place,
    save_jetbrains,
    save_gedit,
    save_vim,
    save_emacs_first,
    save_delete_recreate,
]


@pytest.mark.parametrize("save", SAVES, ids=lambda f: f.__name__.removeprefix("save_"))
def test_each_save_style_gives_one_rebuild(
    watching: Callable[..., tuple[Watcher, Recorder]], tmp_path: Path, save: Callable[..., None]
) -> None:
    _, recorder = watching()
    inode = os.stat(tmp_path / "hunt.jobs").st_ino
    save(tmp_path / "hunt.jobs", "two\n")
    settle(recorder, "two\n", builds=2)
    if save not in (save_in_place, save_delete_recreate):  # (a freed inode may be reused)
        assert os.stat(tmp_path / "hunt.jobs").st_ino != inode  # it really was a new file
    save(tmp_path / "hunt.jobs", "three\n")  # and the next save too (the watch survived)
    settle(recorder, "three\n", builds=3)


def test_polling_sees_a_rename_style_save(
    watching: Callable[..., tuple[Watcher, Recorder]], tmp_path: Path
) -> None:
    watcher, recorder = watching(poll=True, poll_interval=0.1)
    assert type(watcher.observer).__name__ == "PollingObserver"
    save_vim(tmp_path / "hunt.jobs", "polled\n")
    assert wait_until(lambda: recorder.seen[-1] == "polled\n", timeout=5), recorder.seen


def test_a_burst_of_writes_gives_exactly_one_rebuild(
    watching: Callable[..., tuple[Watcher, Recorder]], tmp_path: Path
) -> None:
    _, recorder = watching()
    for number in range(20):  # 20 writes in ~100 ms
        save_in_place(tmp_path / "hunt.jobs", f"write {number}\n")
        time.sleep(0.005)
    settle(recorder, "write 19\n", builds=2)


def test_a_write_is_built_once_the_file_is_closed_not_a_debounce_later(
    watching: Callable[..., tuple[Watcher, Recorder]], tmp_path: Path
) -> None:
    """A file still open for writing waits the whole debounce; its close (IN_CLOSE_WRITE) ends
    the write, and the build follows within SETTLED_SECONDS. With a 30 s debounce, only the
    close can explain a build within seconds."""
    _, recorder = watching(debounce=30.0)
    with open(tmp_path / "hunt.jobs", "w", encoding="utf-8") as handle:
        handle.write("half")
        handle.flush()  # "modified", and the file is still open
        time.sleep(QUIET)
        assert recorder.seen == ["one\n"]  # waiting: the write may go on
        handle.write(" and whole\n")
    assert wait_until(lambda: recorder.seen[-1] == "half and whole\n", timeout=5), recorder.seen
    assert len(recorder.seen) == 2
    save_jetbrains(tmp_path / "hunt.jobs", "renamed into place\n")  # a rename ends a write too
    assert wait_until(lambda: recorder.seen[-1] == "renamed into place\n", timeout=5)


def test_stop_ends_the_wait_for_a_write_at_once(
    watching: Callable[..., tuple[Watcher, Recorder]], tmp_path: Path
) -> None:
    """A file held open for writing makes the watcher wait the whole debounce (30 s here);
    stop() must end that wait at once, not when it runs out."""
    watcher, recorder = watching(debounce=30.0)
    with open(tmp_path / "hunt.jobs", "w", encoding="utf-8") as handle:
        handle.write("half")
        handle.flush()
        assert wait_until(lambda: watcher.last_change > 0)  # the event came: it waits now
        time.sleep(0.2)
        started = time.monotonic()
        watcher.stop()
        assert wait_until(lambda: not watcher.observer.is_alive(), timeout=5)
        assert time.monotonic() - started < 5
    assert recorder.seen == ["one\n"]


def test_reads_unrelated_files_and_own_output_never_rebuild(
    watching: Callable[..., tuple[Watcher, Recorder]], tmp_path: Path
) -> None:
    out = tmp_path / "hunt.html"
    ledger = tmp_path / "hunt.jobs"
    ledger.write_text("one\n")
    _, recorder = watching(Targets(frozenset({str(ledger)}), (), frozenset({str(out)})))
    out.write_text("report")  # our own output
    (tmp_path / ".jobledger-abc.tmp").write_text("temp")  # write_atomic's temp file
    os.replace(tmp_path / ".jobledger-abc.tmp", out)
    (tmp_path / "notes.txt").write_text("unrelated")
    (tmp_path / ".hunt.jobs.swp").write_text("vim swap")
    ledger.read_text()  # reading (as every build does) is not a change
    time.sleep(QUIET)
    assert recorder.seen == ["one\n"]


def test_a_failing_build_is_logged_and_watching_goes_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    ledger = tmp_path / "hunt.jobs"
    ledger.write_text("fine\n")
    seen: list[str] = []

    def build() -> None:
        seen.append(ledger.read_text())
        if seen[-1] == "boom\n":
            raise RuntimeError("a bug")

    watcher = Watcher(build, lambda: Targets(frozenset({str(ledger)})))
    thread = threading.Thread(target=watcher.run)
    thread.start()
    try:
        assert wait_until(lambda: seen and watcher.observer.is_alive())
        save_in_place(ledger, "boom\n")
        assert wait_until(lambda: seen[-1] == "boom\n")
        save_in_place(ledger, "fixed\n")
        assert wait_until(lambda: seen[-1] == "fixed\n")
    finally:
        watcher.stop()
        thread.join(timeout=2)
    assert "the rebuild failed" in caplog.text


# ---------------------------------------------------------------- the directory itself moves


@pytest.fixture
def in_a_directory(tmp_path: Path) -> Iterator[tuple[Path, Watcher, Recorder]]:
    """A Watcher (inotify where available) on tmp_path/hunt/x.jobs, running in a thread."""
    hunt = tmp_path / "hunt"
    hunt.mkdir()
    ledger = hunt / "x.jobs"
    ledger.write_text("one\n")
    recorder = Recorder(ledger)
    watcher = Watcher(recorder, lambda: Targets(frozenset({str(ledger)})))
    thread = threading.Thread(target=watcher.run, name="test-watcher")
    thread.start()
    try:
        assert wait_until(lambda: recorder.seen and watcher.observer.is_alive())
        yield hunt, watcher, recorder
    finally:
        watcher.stop()
        thread.join(timeout=2)
    assert not thread.is_alive()


def watching_now(watcher: Watcher, directory: Path) -> bool:
    """Is `directory`, as it is now (its inode), what the watcher observes under its name?"""
    stat = os.stat(directory)
    entry = watcher._watches.get((str(directory), False))
    return entry is not None and entry[1] == (stat.st_dev, stat.st_ino)


def test_the_parent_of_a_watched_directory_is_watched_too(
    in_a_directory: tuple[Path, Watcher, Recorder],
) -> None:
    hunt, watcher, _ = in_a_directory
    assert watching_now(watcher, hunt)
    assert watching_now(watcher, hunt.parent)  # where a rename of hunt/ itself shows up


def test_a_directory_renamed_and_copied_back_is_followed(
    in_a_directory: tuple[Path, Watcher, Recorder],
) -> None:
    """`mv hunt hunt.old; cp -r hunt.old hunt`: the old watch follows hunt.old; the new hunt/
    must be watched from now on."""
    hunt, watcher, recorder = in_a_directory
    old = hunt.with_name("hunt.old")
    os.rename(hunt, old)
    shutil.copytree(old, hunt)
    assert wait_until(lambda: len(recorder.seen) >= 2), recorder.seen  # the swap rebuilds
    assert wait_until(lambda: watching_now(watcher, hunt))
    save_in_place(hunt / "x.jobs", "two\n")
    assert wait_until(lambda: recorder.seen[-1] == "two\n"), recorder.seen
    builds = len(recorder.seen)
    save_in_place(old / "x.jobs", "stale\n")  # no longer the ledger
    time.sleep(QUIET)
    assert len(recorder.seen) == builds, recorder.seen
    assert watching_now(watcher, hunt)


def test_a_directory_renamed_away_rebuilds_and_its_return_is_seen(
    in_a_directory: tuple[Path, Watcher, Recorder],
) -> None:
    hunt, _, recorder = in_a_directory
    os.rename(hunt, hunt.with_name("hunt.bak"))
    assert wait_until(lambda: recorder.seen[-1] == ""), recorder.seen  # the ledger is gone
    os.rename(hunt.with_name("hunt.bak"), hunt)
    assert wait_until(lambda: recorder.seen[-1] == "one\n"), recorder.seen
    save_vim(hunt / "x.jobs", "two\n")
    assert wait_until(lambda: recorder.seen[-1] == "two\n"), recorder.seen


def test_a_replaced_directory_is_noticed_even_without_its_events(
    tmp_path: Path, in_a_directory: tuple[Path, Watcher, Recorder]
) -> None:
    """The idle check: the parent's watch is gone (here: unscheduled by hand), and still the
    directory's new inode is seen within a tick or two."""
    hunt, watcher, recorder = in_a_directory
    watcher._unschedule((str(tmp_path), False))
    os.rename(hunt, hunt.with_name("hunt.old"))
    shutil.copytree(hunt.with_name("hunt.old"), hunt)
    save_in_place(hunt / "x.jobs", "three\n")
    assert wait_until(lambda: recorder.seen[-1] == "three\n", timeout=3), recorder.seen


def test_a_save_between_a_build_and_the_new_watch_is_not_lost(tmp_path: Path) -> None:
    """The ledger's directory comes back; the build that follows reads the ledger, and a save
    lands before that directory is watched again (here: made by the build itself, so it
    surely lands in that gap). It sent no event, yet must give a rebuild."""
    hunt = tmp_path / "hunt"
    hunt.mkdir()
    ledger = hunt / "x.jobs"
    ledger.write_text("one\n")
    seen: list[str] = []

    def build() -> None:
        seen.append(read(ledger))
        if seen.count("one\n") == 2 and seen[-1] == "one\n":  # the build after the return
            ledger.write_text("two\n")

    watcher = Watcher(build, lambda: Targets(frozenset({str(ledger)})))
    thread = threading.Thread(target=watcher.run, name="test-watcher")
    thread.start()
    try:
        assert wait_until(lambda: seen and watcher.observer.is_alive())
        os.rename(hunt, tmp_path / "hunt.bak")
        assert wait_until(lambda: seen[-1] == ""), seen
        os.rename(tmp_path / "hunt.bak", hunt)
        assert wait_until(lambda: seen[-1] == "two\n", timeout=3), seen
    finally:
        watcher.stop()
        thread.join(timeout=2)


def test_renaming_the_ledgers_directory_says_waiting(tmp_path: Path) -> None:
    hunt = tmp_path / "hunt"
    hunt.mkdir()
    ledger = hunt / "hunt.jobs"
    ledger.write_text(ledger_text(3))
    out = tmp_path / "out.md"
    with start_watch(ledger, output=out) as watch:
        os.rename(hunt, tmp_path / "hunt.old")
        shutil.copytree(tmp_path / "hunt.old", hunt)
        save_in_place(ledger, ledger_text(4))
        assert wait_until(lambda: "**4** tracked" in read(out)), read(out)
        os.rename(hunt, tmp_path / "hunt.bak")
        watch.wait_for(r"waiting for .*hunt\.jobs to come back", stream="err", timeout=5)
        os.rename(tmp_path / "hunt.bak", hunt)
        assert wait_until(lambda: "error" not in read(out)), read(out)
        save_in_place(ledger, ledger_text(5))
        assert wait_until(lambda: "**5** tracked" in read(out)), read(out)
        assert watch.stop() == 0
    assert "Traceback" not in "\n".join(watch.err)


# ---------------------------------------------------------------- what is watched


def test_directories_and_matching(tmp_path: Path) -> None:
    base = str(tmp_path)
    targets = Targets(
        frozenset({f"{base}/hunt.jobs", f"{base}/more/a.jobs"}),
        (f"{base}/more/*.jobs", f"{base}/deep/**/*.jobs", f"{base}/x/*/y.jobs"),
        frozenset({f"{base}/hunt.html"}),
    )
    assert watched_directories(targets) == {
        (base, False),
        (f"{base}/more", False),
        (f"{base}/deep", True),
        (f"{base}/x", True),
    }
    matches = Matcher(targets)
    assert matches(f"{base}/hunt.jobs")
    assert matches(f"{base}/more/new.jobs")
    assert matches(f"{base}/deep/new.jobs")  # `**/` matches no directory too
    assert matches(f"{base}/deep/a/b/new.jobs")
    assert matches(f"{base}/more", is_directory=True)  # an included directory renamed away
    assert not matches(f"{base}/hunt.html")
    assert not matches(f"{base}/hunt.jobs~")
    assert not matches(f"{base}/more/notes.txt")
    assert not matches(f"{base}/elsewhere", is_directory=True)


# ---------------------------------------------------------------- the whole command


def test_include_glob_new_file_and_include_lines_added_and_removed(tmp_path: Path) -> None:
    ledger = tmp_path / "hunt.jobs"
    out = tmp_path / "out.md"
    (tmp_path / "more").mkdir()
    (tmp_path / "more" / "a.jobs").write_text(ledger_text(1, company="Alpha", title=False))
    ledger.write_text(ledger_text(2) + 'include "more/*.jobs"\n')
    with start_watch(ledger, output=out) as watch:
        assert "**3** tracked" in read(out)
        # a new file matching the include glob
        (tmp_path / "more" / "b.jobs").write_text(ledger_text(2, company="Beta", title=False))
        assert wait_until(lambda: "**5** tracked" in read(out)), read(out)
        # an include line added, to a directory not watched so far
        (tmp_path / "other").mkdir()
        (tmp_path / "other" / "c.jobs").write_text(ledger_text(4, company="Gamma", title=False))
        save_vim(ledger, read(ledger) + 'include "other/c.jobs"\n')
        assert wait_until(lambda: "**9** tracked" in read(out)), read(out)
        # ... and a change in it is seen
        save_jetbrains(tmp_path / "other" / "c.jobs", ledger_text(5, company="Gamma", title=False))
        assert wait_until(lambda: "**10** tracked" in read(out)), read(out)
        # the include line removed: back to the ledger and more/
        save_in_place(ledger, ledger_text(2) + 'include "more/*.jobs"\n')
        assert wait_until(lambda: "**5** tracked" in read(out)), read(out)
        # a file no longer included does not rebuild (counted once the line of the rebuild
        # above is printed: OUT is written first)
        assert wait_until(lambda: watch.rebuilds()[-1].count(": 5 tracked"))
        time.sleep(QUIET)  # one save may give two rebuilds on a loaded machine: let it settle
        count = len(watch.rebuilds())
        save_in_place(tmp_path / "other" / "c.jobs", ledger_text(6, company="Gamma", title=False))
        time.sleep(QUIET)
        assert len(watch.rebuilds()) == count
        assert watch.stop() == 0


def test_broken_then_fixed_keeps_the_last_good_report(tmp_path: Path) -> None:
    ledger = tmp_path / "hunt.jobs"
    out = tmp_path / "out.md"
    ledger.write_text(ledger_text(3))
    with start_watch(ledger, output=out) as watch:
        assert "**3** tracked" in read(out)
        save_vim(ledger, ledger_text(4, extra="this is not a ledger line\n2026-13-45 applied X\n"))
        assert wait_until(lambda: "2 errors in the ledger" in read(out)), read(out)
        text = read(out)
        assert "hunt.jobs:7:1: error:" in text and "hunt.jobs:8:" in text  # every error
        assert "**3** tracked" in text  # the last good report, kept below the banner
        watch.wait_for(r"2 errors in \d+ ms; showing the report from", timeout=5)
        watch.wait_for(r"hunt\.jobs:7:1: error:", stream="err", timeout=5)
        save_vim(ledger, ledger_text(4))
        assert wait_until(lambda: "**4** tracked" in read(out)), read(out)
        assert "error" not in read(out)
        watch.wait_for(r"rebuilt in \d+ ms: 4 tracked", timeout=5)
        assert watch.stop() == 0


def test_deleted_then_restored(tmp_path: Path) -> None:
    ledger = tmp_path / "hunt.jobs"
    out = tmp_path / "out.md"
    ledger.write_text(ledger_text(3))
    with start_watch(ledger, output=out) as watch:
        ledger.unlink()
        watch.wait_for(r"waiting for hunt\.jobs to come back", stream="err", timeout=5)
        assert "**3** tracked" in read(out)  # the last good report, with the error on top
        assert "error" in read(out)
        ledger.write_text(ledger_text(6))
        assert wait_until(lambda: "**6** tracked" in read(out)), read(out)
        assert "error" not in read(out)
        assert watch.stop() == 0


def test_ctrl_c_exits_zero_quickly_without_a_traceback(tmp_path: Path) -> None:
    ledger = tmp_path / "hunt.jobs"
    ledger.write_text(ledger_text(1))
    with start_watch(ledger) as watch:
        assert (tmp_path / "hunt.md").is_file()  # the default OUT: beside the ledger
        started = time.monotonic()
        assert watch.stop() == 0
        assert time.monotonic() - started < 1.5
        assert watch.out[-1] == "stopped"
        assert "Traceback" not in "\n".join(watch.err)


def test_output_may_not_be_the_ledger(tmp_path: Path) -> None:
    ledger = tmp_path / "hunt.jobs"
    ledger.write_text(ledger_text(1))
    with WatchProcess(ledger, "-o", ledger, cwd=tmp_path) as watch:
        assert watch.proc.wait(10) == 2
    assert "is the ledger itself" in "\n".join(watch.err)
    assert ledger.read_text() == ledger_text(1)


def test_a_filter_the_ledger_cannot_match_is_refused_and_nothing_written(tmp_path: Path) -> None:
    """As report, status and export do: `--role sw` with only `swe` declared is a usage error,
    not an empty report that looks like a dead hunt."""
    ledger = tmp_path / "hunt.jobs"
    ledger.write_text('role swe "Software Engineer"\n' + ledger_text(1))
    out = tmp_path / "hunt.html"
    with WatchProcess(ledger, "--role", "sw", "-o", out, cwd=tmp_path) as watch:
        assert watch.proc.wait(10) == 2
    assert "--role sw: no such role; did you mean 'swe'?" in "\n".join(watch.err)
    assert not out.exists()


# ---------------------------------------------------------------- nothing on the observer's thread
# may leave the watch deaf (issue 7, point 22)

# Emacs and joe create a `.#hunt.jobs` lock symlink before a save and delete it after: this is
# that, as fast as it goes, in another process (so truly alongside the observer's thread).
LOCK_RACE = """
import os, sys, time
end = time.monotonic() + float(sys.argv[1])
while time.monotonic() < end:
    os.symlink("x", ".#hunt.jobs")
    os.unlink(".#hunt.jobs")
"""


def lock_race(directory: Path, seconds: float = 2.5) -> None:
    subprocess.run([sys.executable, "-c", LOCK_RACE, str(seconds)], cwd=directory, check=True)


def warnings_logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


def test_a_symlink_that_vanishes_while_resolved_is_no_match(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race, made certain: the lock is deleted between realpath's lstat and readlink. The
    ledger, reached here through a symlinked directory, still matches."""
    (tmp_path / "real").mkdir()
    os.symlink(tmp_path / "real", tmp_path / "link")
    lock = tmp_path / "link" / ".#hunt.jobs"
    os.symlink("x", lock)
    readlink = os.readlink

    def vanishing(path: str, *args: object, **kwargs: object) -> str:
        if os.path.basename(path) == lock.name and os.path.lexists(path):
            os.unlink(path)  # (realpath asks for it as real/.#hunt.jobs)
        return readlink(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "readlink", vanishing)
    matches = Matcher(Targets(frozenset({str(tmp_path / "real" / "hunt.jobs")})))
    assert not matches(str(lock))
    assert not os.path.lexists(lock)  # it really did vanish mid-resolve
    assert matches(str(tmp_path / "link" / "hunt.jobs"))


def test_a_vanishing_lock_symlink_does_not_stop_the_watch(
    watching: Callable[..., tuple[Watcher, Recorder]],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    watcher, recorder = watching()
    observer = watcher.observer
    lock_race(tmp_path)
    assert recorder.seen == ["one\n"]  # the locks are no change to the ledger
    save_in_place(tmp_path / "hunt.jobs", "two\n")
    assert wait_until(lambda: recorder.seen[-1] == "two\n", timeout=10), recorder.seen
    assert watcher.observer is observer and observer.is_alive()  # never died, never replaced
    assert warnings_logged(caplog) == []


def test_an_unexpected_error_in_the_filter_is_logged_once_and_counted_as_a_change(
    watching: Callable[..., tuple[Watcher, Recorder]],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ledger = tmp_path / "hunt.jobs"
    out = tmp_path / "hunt.html"
    ledger.write_text("one\n")
    watcher, recorder = watching(Targets(frozenset({str(ledger)}), (), frozenset({str(out)})))
    observer = watcher.observer

    def broken(self: Matcher, path: str, *, is_directory: bool = False) -> bool:
        raise RuntimeError("a bug in the filter")

    monkeypatch.setattr(Matcher, "__call__", broken)
    save_in_place(ledger, "two\n")
    settle(recorder, "two\n", builds=2)
    save_vim(ledger, "three\n")
    settle(recorder, "three\n", builds=3)
    out.write_text("report")  # our own output: still no rebuild (no loop of rebuilds)
    time.sleep(QUIET)
    assert len(recorder.seen) == 3
    assert watcher.observer is observer and observer.is_alive()
    logged = warnings_logged(caplog)
    assert len(logged) == 1, logged  # once, not once per event
    assert "unexpected error (RuntimeError: a bug in the filter" in logged[0]
    assert "watching goes on" in logged[0]


def kill(observer: object) -> None:
    """End the observer's thread with an exception raised outside any handler (watchdog's own
    dispatch_events cannot unpack this queue entry): what a bug in watchdog would do."""
    observer.event_queue.put(None)  # type: ignore[attr-defined]


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_a_dead_observer_is_noticed_and_replaced(
    watching: Callable[..., tuple[Watcher, Recorder]],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    watcher, recorder = watching()
    first = watcher.observer
    kill(first)
    assert wait_until(lambda: not first.is_alive(), timeout=2)
    died = time.monotonic()
    save_in_place(tmp_path / "hunt.jobs", "two\n")  # while deaf, or about to be revived
    assert wait_until(lambda: watcher.observer is not first and watcher.observer.is_alive())
    assert time.monotonic() - died < 1.5  # noticed within a tick or two
    assert wait_until(lambda: recorder.seen[-1] == "two\n", timeout=10), recorder.seen
    save_vim(tmp_path / "hunt.jobs", "three\n")  # the new observer watches
    assert wait_until(lambda: recorder.seen[-1] == "three\n", timeout=10), recorder.seen
    assert warnings_logged(caplog) == [
        "jobledger: the file watcher stopped unexpectedly; restarted it"
    ]


def test_a_directory_whose_emitter_died_is_watched_again(
    watching: Callable[..., tuple[Watcher, Recorder]],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    watcher, recorder = watching()
    emitter = next(e for e in watcher.observer.emitters if e.watch.path == str(tmp_path))
    emitter.stop()
    emitter.join(timeout=2)
    save_in_place(tmp_path / "hunt.jobs", "two\n")
    assert wait_until(lambda: recorder.seen[-1] == "two\n", timeout=10), recorder.seen
    assert warnings_logged(caplog) == [
        f"jobledger: the file watcher stopped watching {tmp_path} unexpectedly; restarted it"
    ]


@pytest.fixture
def started(tmp_path: Path) -> Iterator[Watcher]:
    """A Watcher started but not running its loop: revive() is called by hand."""
    ledger = tmp_path / "hunt.jobs"
    ledger.write_text("one\n")
    watcher = Watcher(lambda: None, lambda: Targets(frozenset({str(ledger)})))
    watcher.start()
    try:
        yield watcher
    finally:
        watcher.close()


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_an_observer_that_keeps_dying_ends_the_watch(
    started: Watcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(watcher_module, "RESTARTS_ALLOWED", 2)
    for _ in range(2):
        kill(started.observer)
        assert wait_until(lambda: not started.observer.is_alive(), timeout=2)
        started.revive()
        assert started.observer.is_alive()
    kill(started.observer)
    assert wait_until(lambda: not started.observer.is_alive(), timeout=2)
    with pytest.raises(
        watcher_module.WatchingFailed, match="stopped unexpectedly, 3 times in 60 s; giving up"
    ):
        started.revive()


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_an_observer_that_cannot_be_restarted_ends_the_watch(
    started: Watcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    def cannot(self: Watcher) -> object:
        raise OSError(24, "Too many open files")

    monkeypatch.setattr(Watcher, "_new_observer", cannot)
    kill(started.observer)
    assert wait_until(lambda: not started.observer.is_alive(), timeout=2)
    with pytest.raises(
        watcher_module.WatchingFailed, match=r"cannot be restarted: OSError: .*Too many open"
    ):
        started.revive()


def test_watch_survives_the_lock_race(tmp_path: Path) -> None:
    """The issue's reproduction, end to end."""
    ledger = tmp_path / "hunt.jobs"
    ledger.write_text(ledger_text(3))
    out = tmp_path / "hunt.md"
    with start_watch(ledger) as watch:
        lock_race(tmp_path)
        with open(ledger, "a", encoding="utf-8") as handle:
            handle.write("2026-03-01 applied  Lockco | Engineer\n")
        assert wait_until(lambda: "**4** tracked" in read(out), timeout=10), read(out)
        assert watch.stop() == 0
    assert watch.err == []  # nothing at all, let alone a traceback


def test_watch_restarts_a_dead_observer_and_says_so(tmp_path: Path) -> None:
    ledger = tmp_path / "hunt.jobs"
    ledger.write_text(ledger_text(3))
    out = tmp_path / "hunt.md"
    with start_watch(ledger, sabotage=True) as watch:
        watch.proc.send_signal(signal.SIGUSR1)
        watch.wait_for(
            r"^jobledger: the file watcher stopped unexpectedly; restarted it$",
            stream="err",
            timeout=1.5,
        )
        save_vim(ledger, ledger_text(4))
        assert wait_until(lambda: "**4** tracked" in read(out), timeout=10), read(out)
        assert watch.stop(signum=signal.SIGTERM) == 0
    assert watch.out[-1] == "stopped"


def test_watch_exits_non_zero_when_the_observer_keeps_dying(tmp_path: Path) -> None:
    ledger = tmp_path / "hunt.jobs"
    ledger.write_text(ledger_text(3))
    restarted = "jobledger: the file watcher stopped unexpectedly; restarted it"
    with start_watch(ledger, sabotage=True) as watch:
        for times in range(1, watcher_module.RESTARTS_ALLOWED + 1):
            watch.proc.send_signal(signal.SIGUSR1)
            assert wait_until(lambda n=times: watch.err.count(restarted) == n), watch.err
        watch.proc.send_signal(signal.SIGUSR1)
        assert watch.wait(timeout=5) == 1
    assert watch.err[-1] == (
        "jobledger: the file watcher stopped unexpectedly, 6 times in 60 s; giving up; "
        "stopping (start watch again, or try --poll)"
    )


def test_a_save_whose_events_were_lost_is_still_seen(
    watching: Callable[..., tuple[Watcher, Recorder]], tmp_path: Path
) -> None:
    """Events can be lost (a kernel queue overflow, a network drive): the idle check of the
    files' stat catches the save anyway."""
    watcher, recorder = watching()
    watcher.observer.unschedule_all()  # deaf to events, as after an overflow
    time.sleep(QUIET)
    save_in_place(tmp_path / "hunt.jobs", "two lines\n")
    assert wait_until(lambda: recorder.seen[-1] == "two lines\n", timeout=5), recorder.seen


def test_an_emitter_stopped_mid_read_is_not_reported_as_an_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """watchdog logs an error when an emitter being stopped reads one last event (seen when
    emacs saved a thousand times in a burst); it is a race watchdog handles, not the user's
    problem. Other errors of watchdog's still reach stderr."""
    assert watcher_module  # importing it installed the filter
    inotify_log = logging.getLogger("watchdog.observers.inotify")
    with caplog.at_level(logging.ERROR):
        inotify_log.error("InotifyEmitter.queue_events() called when the thread is inactive")
        inotify_log.error("Unable to rebuild recursive inotify watches below %r", "/x")
    assert [r.getMessage() for r in caplog.records] == [
        "Unable to rebuild recursive inotify watches below '/x'"
    ]


def test_the_output_extension_chooses_the_format(tmp_path: Path) -> None:
    """As for report: `-o report.md` is Markdown, not HTML in a .md file."""
    from jobledger.cli.common import UsageError
    from jobledger.cli.watch import watch_format

    assert watch_format(None, None) == "html"
    assert watch_format("md", None) == "md"
    assert watch_format(None, "report.md") == "md"
    assert watch_format(None, "report.HTM") == "html"
    assert watch_format(None, "report.txt") == "html"
    for fmt, out in ((None, "report.json"), ("html", "report.md")):
        with pytest.raises(UsageError):
            watch_format(fmt, out)
    ledger = tmp_path / "hunt.jobs"
    ledger.write_text(ledger_text(2))
    out = tmp_path / "report.md"
    with WatchProcess(ledger, "-o", out, cwd=tmp_path):
        assert wait_until(lambda: "**2** tracked" in read(out))
    assert not read(out).startswith("<!DOCTYPE")
