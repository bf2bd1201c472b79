"""Rebuild when files change: a watchdog observer that only raises a flag, and a loop that waits
for the burst of events to end and then calls `build`.

The watcher knows nothing of ledgers. It is handed a `build` callable and a `targets` callable
that says which files matter (after each build: includes come and go). It watches the parent
DIRECTORIES of those files, not the files, so every editor's way of saving is seen: vim renames
the old file away and writes a new one, JetBrains and gedit write a temp file and rename it over,
VS Code writes in place, emacs renames the original to `file~` on its first save. Created,
modified, moved (either end) and deleted events are treated alike.

A watched directory may itself be renamed, deleted or replaced (`mv hunt hunt.old; cp -r
hunt.old hunt`, a `git checkout`): an inotify watch follows the moved directory, not its name. So
the parent of each watched directory is watched too (its events for that name are seen), and
while idle the loop re-checks each watched directory's identity; either way a rebuild follows,
and the watch is moved to whatever now has the name.

Nothing that happens on the observer's thread may leave the watch deaf. The event filter never
raises (a symlink can vanish while it is resolved: emacs's `.#file` lock does, around every
save), and an unexpected error in it is logged once and counted as a change. If the observer's
thread (or one directory's emitter) dies anyway, the loop notices within a tick, starts a new
one, says so, and rebuilds (saves made meanwhile went unseen); if that keeps failing,
`WatchingFailed` ends `run()`: the process stops rather than run on without watching.

This is the only module that imports watchdog, so `jobledger check` and `--help` stay fast.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
import traceback
from collections.abc import Callable, Iterable

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver, ObservedWatch
from watchdog.observers.polling import PollingObserver

from jobledger.ledger import globs
from jobledger.records import record

log = logging.getLogger(__name__)
# watchdog warns on stderr when the kernel's event queue overflows (a flood of events, such as
# thousands of editor lock files a second). Nothing is lost for us: while idle the watcher
# compares the files' stat with the last build (Watcher._files_changed).
logging.getLogger("watchdog.observers.inotify_c").setLevel(logging.ERROR)
logging.getLogger("watchdog.observers.inotify").setLevel(logging.ERROR)


def _not_a_stopping_emitter(record: logging.LogRecord) -> bool:
    """watchdog logs an error when an emitter that is being stopped (ours, at exit or when a
    dead one is replaced) reads one last event: a race it handles, where nothing is lost."""
    return "called when the thread is inactive" not in record.getMessage()


logging.getLogger("watchdog.observers.inotify").addFilter(_not_a_stopping_emitter)

DEBOUNCE_SECONDS = 0.15  # trailing: rebuild this long after the last event of a burst
# ... or this long, when that event ended a write: a ledger file closed after writing, or renamed
# into place. The file is whole then; the short wait still lets the rest of a burst come
# (a save that renames, writes and deletes a backup; a checkout writing several files).
SETTLED_SECONDS = 0.05
POLL_SECONDS = 1.0  # --poll: how often each watched directory is listed
IDLE_SECONDS = 0.25  # while nothing happens: how often directories and the day are re-checked
# What a save looks like ("attrib": `touch` forces a rebuild). Not "opened"/"closed_no_write":
# a build READS the files, and reacting to our own reads would rebuild forever.
CHANGES = frozenset({"created", "modified", "moved", "deleted", "closed", "attrib"})
TEMP_PREFIX = ".jobledger-"  # files.write_atomic's temp files, beside the output
# A dead observer is replaced; this many deaths within RESTART_WINDOW seconds means something
# is wrong for good, and watch stops instead of restarting forever.
RESTARTS_ALLOWED = 5
CLOCK_SLACK_NS = 50_000_000  # file times lag time.time_ns() by up to a clock tick (and then some)
RESTART_WINDOW = 60.0


class WatchingFailed(RuntimeError):
    """The file watcher died and could not be brought back: watching cannot go on."""


@record
class Targets:
    """What a build depends on: a change to one of these means build again."""

    files: frozenset[str]  # absolute paths, existing or awaited (a deleted ledger)
    patterns: tuple[str, ...] = ()  # absolute include globs: a new match matters too
    ignore: frozenset[str] = frozenset()  # our own outputs


def watched_directories(targets: Targets) -> set[tuple[str, bool]]:
    """(directory, recursive) pairs to observe: each file's parent, and each glob's fixed prefix
    (recursive when the rest of the glob spans directories, as `**/*.jobs` or `*/x.jobs` do)."""
    found = {(os.path.dirname(path), False) for path in targets.files}
    for pattern in targets.patterns:
        base, rest = globs.split(pattern)
        found.add((base, "/" in rest))
    return found


def _existing_ancestor(directory: str) -> str:
    """A directory that does not exist (yet) is awaited from its nearest existing ancestor."""
    while not os.path.isdir(directory):
        parent = os.path.dirname(directory)
        if parent == directory:
            break
        directory = parent
    return directory


class Matcher:
    """Does a changed path matter? Set look-ups and a few regex matches: cheap enough to run on
    the observer's thread for every event."""

    def __init__(self, targets: Targets) -> None:
        self.files = targets.files
        self.ignore = targets.ignore
        self.patterns = tuple(globs.compile_glob(pattern) for pattern in targets.patterns)
        # A directory we watch (or await) that is created, deleted or renamed matters too.
        self.directories: set[str] = set()
        for directory, _ in watched_directories(targets):
            while directory not in self.directories:
                self.directories.add(directory)
                directory = os.path.dirname(directory)

        self.ignore_dirs = {os.path.dirname(path) for path in targets.ignore}

    def __call__(self, path: str, *, is_directory: bool = False) -> bool:
        if not path or path in self.ignore:
            return False
        if is_directory:
            return path in self.directories
        if os.path.basename(path).startswith(TEMP_PREFIX) and (
            os.path.dirname(path) in self.ignore_dirs
        ):
            return False
        if path in self.files:
            return True
        if any(pattern.fullmatch(path) for pattern in self.patterns):
            return True
        try:
            real = os.path.realpath(path)  # a file reached through a symlinked directory
        except OSError:
            # A symlink deleted between realpath's lstat and readlink (emacs and joe create and
            # delete a `.#file` lock symlink around each save): resolve the directory alone.
            try:
                real = os.path.join(os.path.realpath(os.path.dirname(path)), os.path.basename(path))
            except OSError:
                return False
        return real != path and real in self.files


class _Flagger(FileSystemEventHandler):
    """Runs on the observer's thread: decide whether an event matters and raise the flag. The
    rebuild itself happens on the watcher's loop, never here."""

    def __init__(self, watcher: Watcher) -> None:
        self.watcher = watcher
        self.failures = 0  # unexpected errors so far: the first is logged, not the rest

    def dispatch(self, event: FileSystemEvent) -> None:
        """Never raises: an exception here would end the observer's thread, and with it the
        watch. An unexpected one is logged (once) and the event counted as a change, unless it
        is plainly one of our own writes: a needless rebuild is cheap, a missed save is not."""
        try:
            if self.matters(event):
                self.watcher.touched(written=self.writes_a_file(event))
        except Exception as exc:
            self.failures += 1
            if self.failures == 1:
                log.warning(
                    "jobledger: the file watcher hit an unexpected error (%s); "
                    "watching goes on, counting such events as changes",
                    _one_line(exc),
                )
            with contextlib.suppress(Exception):
                if not self.ours(event):
                    self.watcher.touched()

    def matters(self, event: FileSystemEvent) -> bool:
        if event.event_type not in CHANGES:
            return False
        if event.is_directory and event.event_type not in ("created", "deleted", "moved"):
            return False  # "directory modified" is every change of any file in it, ours included
        matches = self.watcher.matcher
        for raw in (event.src_path, event.dest_path):
            path = os.fsdecode(raw)
            if path and matches(path, is_directory=event.is_directory):
                return True
        return False

    def writes_a_file(self, event: FileSystemEvent) -> bool:
        """Does the event end a write of a file we read: closed after writing (inotify's
        IN_CLOSE_WRITE), or a file renamed over it (a save through a temp file)?"""
        if event.is_directory or event.event_type not in ("closed", "moved"):
            return False
        path = os.fsdecode(event.dest_path if event.event_type == "moved" else event.src_path)
        return bool(path) and self.watcher.matcher(path)

    def ours(self, event: FileSystemEvent) -> bool:
        """Only our own output or its temp file (or no change at all): the fallback when
        `matters` failed, so that a filter that always fails cannot rebuild forever."""
        if event.event_type not in CHANGES:
            return True
        if event.is_directory:  # as in `matters`; a directory moved away is rechecked anyway
            return event.event_type not in ("created", "deleted", "moved")
        ignore = self.watcher.matcher.ignore
        paths = [os.fsdecode(raw) for raw in (event.src_path, event.dest_path) if raw]
        return all(p in ignore or os.path.basename(p).startswith(TEMP_PREFIX) for p in paths)


def _one_line(exc: BaseException) -> str:
    """'FileNotFoundError: [Errno 2] … (watcher.py:107)': what and where, in one line."""
    where = ""
    frames = traceback.extract_tb(exc.__traceback__)
    if frames:
        where = f" ({os.path.basename(frames[-1].filename)}:{frames[-1].lineno})"
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return text.splitlines()[0][:200] + where


class Watcher:
    """Call `build` once, then again after every burst of changes to `targets()`, until stop().

    `build` may raise: the error is logged and watching goes on. `targets` is called after every
    build, and the observed directories are brought up to date (includes may have changed).
    `expired`, asked while idle, says the last build is out of date for a reason no file
    event shows (the day has turned)."""

    def __init__(
        self,
        build: Callable[[], object],
        targets: Callable[[], Targets],
        *,
        expired: Callable[[], bool] = lambda: False,
        poll: bool = False,
        debounce: float = DEBOUNCE_SECONDS,
        poll_interval: float = POLL_SECONDS,
    ) -> None:
        self.build = build
        self.targets = targets
        self.expired = expired
        self.debounce = debounce
        self.changed = threading.Event()
        self.last_change = 0.0  # time.monotonic() of the latest relevant event
        self.written = False  # did that event end a write (see SETTLED_SECONDS)?
        self.stopping = threading.Event()
        self.matcher = Matcher(Targets(frozenset()))
        self.poll = poll
        self.poll_interval = poll_interval
        self.observer = self._new_observer()
        self._started = False
        self._deaths: list[float] = []  # time.monotonic() of each observer death noticed
        self._handler = _Flagger(self)
        # (directory, recursive) -> the watch and the directory's identity when it was scheduled
        self._watches: dict[tuple[str, bool], tuple[ObservedWatch, tuple[int, int]]] = {}
        self._seen: dict[str, tuple[int, int, int] | None] = {}  # target file -> its stat

    def _new_observer(self) -> BaseObserver:
        observer = PollingObserver(timeout=self.poll_interval) if self.poll else Observer()
        observer.name = "jobledger-observer"
        return observer

    # ------------------------------------------------------------------ life cycle

    def start(self) -> None:
        """Begin observing (the directories of `targets()` as they are now)."""
        if not self._started:
            self._started = True
            self.update_watches()
            self.observer.start()

    def run(self, *, build_first: bool = True) -> None:
        """Build, watch, rebuild on changes; return after stop() (or raise KeyboardInterrupt,
        which a wait on this thread lets through within a fraction of a second, or
        WatchingFailed when the observer dies and cannot be brought back)."""
        try:
            if build_first:
                self._remember_files()
                self._build()
            self.start()
            self._remember_files(keep=True)
            while not self.stopping.is_set():
                self.revive()
                if not self.changed.wait(IDLE_SECONDS):
                    if self._replaced() or self._files_changed() or self.expired():
                        self.touched()
                    continue
                if not self._settle():
                    return
                began = time.time_ns()
                self._remember_files()
                self._build()
                if self._changed_since(self.update_watches(), began):
                    self.touched()
                self._remember_files(keep=True)
        finally:
            self.close()

    def touched(self, *, written: bool = False) -> None:
        """A relevant event (called from the observer's thread); `written`: it ended a write."""
        self.written = written
        self.last_change = time.monotonic()
        self.changed.set()

    def _settle(self) -> bool:
        """Trailing debounce: return once `debounce` seconds have passed since the latest event
        (SETTLED_SECONDS, if it ended a write), counted from that event's time, so a burst
        costs one debounce, not one per wake-up. False if stop() came meanwhile. Each event
        wakes the wait (it may end a write: the build comes sooner). An event after the flag
        is cleared sets it again, so the run loop builds once more: nothing is lost."""
        while True:
            self.changed.clear()
            if self.stopping.is_set():
                return False
            wait = min(self.debounce, SETTLED_SECONDS) if self.written else self.debounce
            remaining = self.last_change + wait - time.monotonic()
            if remaining <= 0:
                return True
            self.changed.wait(remaining)

    def _remember_files(self, *, keep: bool = False) -> None:
        """Note how each target file looks (before a build reads it; `keep`: after the build,
        only the files not noted yet, and none that are no longer targets)."""
        files = self.matcher.files
        seen = {p: s for p, s in self._seen.items() if p in files} if keep else {}
        for path in files:
            if path not in seen:
                seen[path] = _identity(path)
        self._seen = seen

    def _files_changed(self) -> bool:
        """Has a target file changed since the build, though no event said so? Events can be
        lost (the kernel's queue overflows under a flood of them, a network drive sends
        none): a few stat calls while idle make sure no save goes unseen."""
        return any(_identity(path) != seen for path, seen in self._seen.items())

    def _replaced(self) -> bool:
        """Is a watched directory gone, or another one now (a different inode) under its name?
        Its events went unseen, if any came: rebuild (and update_watches moves the watch)."""
        for (directory, _), (_, identity) in list(self._watches.items()):
            try:
                stat = os.stat(directory)
            except (FileNotFoundError, NotADirectoryError):
                return True
            except OSError:
                continue
            if (stat.st_dev, stat.st_ino) != identity:
                return True
        return False

    def _build(self) -> None:
        try:
            self.build()
        except Exception:  # a bug in one build must not end the watch
            log.exception("jobledger: the rebuild failed")

    def stop(self) -> None:
        self.stopping.set()
        self.changed.set()  # wakes a wait for the next event, or for a burst to end

    def close(self) -> None:
        self.stopping.set()
        if self._started:
            with contextlib.suppress(Exception):  # a dead observer's emitters are stopped too
                self.observer.stop()
            if self.observer.is_alive():
                self.observer.join(timeout=2)

    # ------------------------------------------------------------------ never deaf

    def revive(self) -> None:
        """If the observer's thread has died, start a new one; if one directory's emitter has
        while the directory is still there, watch that directory again. Either way say so, and
        rebuild: whatever was saved meanwhile went unseen. Raise WatchingFailed when that is
        impossible or keeps happening. (A directory deleted or replaced stops its emitter too:
        `_replaced` handles that, and it is no failure.)"""
        if not self._started or self.stopping.is_set():
            return
        dead = not self.observer.is_alive()
        deaf = [] if dead else self._deaf_watches()
        if not dead and not deaf:
            return
        if dead:
            what = "the file watcher stopped unexpectedly"
        else:
            shown = ", ".join(sorted(directory for directory, _ in deaf))
            what = f"the file watcher stopped watching {shown} unexpectedly"
        now = time.monotonic()
        self._deaths = [t for t in self._deaths if now - t < RESTART_WINDOW] + [now]
        if len(self._deaths) > RESTARTS_ALLOWED:
            raise WatchingFailed(
                f"{what}, {len(self._deaths)} times in {RESTART_WINDOW:.0f} s; giving up"
            )
        try:
            if dead:
                with contextlib.suppress(Exception):  # stops (and joins) its emitters
                    self.observer.stop()
                self.observer = self._new_observer()
                self._watches.clear()
                self.update_watches()
                self.observer.start()
            else:
                for key in deaf:
                    self._unschedule(key)
                self.update_watches()
        except Exception as exc:
            raise WatchingFailed(f"{what} and cannot be restarted: {_one_line(exc)}") from exc
        log.warning("jobledger: %s; restarted it", what)
        self.touched()

    def _deaf_watches(self) -> list[tuple[str, bool]]:
        """Watches whose emitter has stopped while their directory is the one scheduled."""
        alive = {emitter.watch: emitter.is_alive() for emitter in list(self.observer.emitters)}
        deaf = []
        for key, (watch, identity) in list(self._watches.items()):
            if alive.get(watch, True):
                continue
            try:
                stat = os.stat(key[0])
            except OSError:
                continue
            if (stat.st_dev, stat.st_ino) == identity:
                deaf.append(key)
        return deaf

    # ------------------------------------------------------------------ what to observe

    def update_watches(self) -> list[tuple[str, bool]]:
        """Observe the parents of every target (or their nearest existing ancestor), and the
        parent of each of those directories (for a rename or deletion of the directory itself:
        the Matcher knows every ancestor's name); stop observing directories no longer needed.
        A polling observer lists each directory anew, so it sees a replaced one without help.
        Returns the watches scheduled anew."""
        targets = self.targets()
        self.matcher = Matcher(targets)
        needed = {
            (_existing_ancestor(directory), recursive)
            for directory, recursive in watched_directories(targets)
        }
        if not self.poll:
            needed |= {
                (os.path.dirname(directory), False)
                for directory, _ in needed
                if os.path.dirname(directory) != directory
            }
        wanted = _drop_covered(needed)
        scheduled: list[tuple[str, bool]] = []
        for key in set(self._watches) - wanted:
            self._unschedule(key)
        for key in wanted:
            directory, recursive = key
            try:
                stat = os.stat(directory)
            except OSError:  # gone since _existing_ancestor looked: the next build tries again
                if key in self._watches:
                    self._unschedule(key)
                continue
            identity = (stat.st_dev, stat.st_ino)
            if key in self._watches:
                if self._watches[key][1] == identity:
                    continue
                self._unschedule(key)  # deleted and recreated: the old watch is dead
            try:
                watch = self.observer.schedule(self._handler, directory, recursive=recursive)
            except OSError as exc:  # e.g. out of inotify watches; the next build tries again
                log.warning("jobledger: cannot watch %s: %s", directory, exc)
                continue
            self._watches[key] = (watch, identity)
            scheduled.append(key)
        return scheduled

    def _changed_since(self, scheduled: Iterable[tuple[str, bool]], began: int) -> bool:
        """Did a target in a directory watched only now change after the build `began`
        (time.time_ns())? Until its watch was scheduled, that change sent no event: a save
        between the build and the watch (the ledger's directory just moved back, an include
        just added) would go unseen until the next one. File times are taken from a coarse
        clock, hence the slack; a change counted twice costs one needless rebuild."""
        threshold = began - CLOCK_SLACK_NS
        for directory, recursive in scheduled:
            for path in self.matcher.files:
                inside = _inside(path, directory)
                if not inside or (not recursive and os.path.dirname(path) != directory):
                    continue
                try:
                    stat = os.stat(path)
                except OSError:
                    continue
                if max(stat.st_mtime_ns, stat.st_ctime_ns) >= threshold:
                    return True
        return False

    def _unschedule(self, key: tuple[str, bool]) -> None:
        watch, _ = self._watches.pop(key)
        with contextlib.suppress(KeyError, OSError):  # its directory may be gone already
            self.observer.unschedule(watch)


def _identity(path: str) -> tuple[int, int, int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_ino, stat.st_size, stat.st_mtime_ns


def _drop_covered(wanted: Iterable[tuple[str, bool]]) -> set[tuple[str, bool]]:
    """A recursive watch covers its subdirectories and a plain watch of the same directory."""
    items = set(wanted)
    recursive = [d for d, r in items if r]

    def covered(directory: str, is_recursive: bool) -> bool:
        for top in recursive:
            if top == directory and not is_recursive:
                return True
            if directory != top and _inside(directory, top):
                return True
        return False

    return {(d, r) for d, r in items if not covered(d, r)}


def _inside(path: str, directory: str) -> bool:
    return path.startswith(directory.rstrip(os.sep) + os.sep)
