"""Work done in a forked process, on another CPU: the pieces of a big file's parse
(ledger/parser.py), the disk cache's writes while the report is made (ledger/loader.py), and
half of a big report's rows (`split_map`, which `jobledger report` gives the renderers).

A child runs one function and leaves with `os._exit`: none of the parent's code runs in it
after that (no atexit handler, no buffered output written twice). It gets no terminal nor
pipe: a child has nothing to say, and `jobledger report | less` must not wait for one.
"""

from __future__ import annotations

import codecs
import contextlib
import os
import signal
import stat
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import IO, Protocol, TypeVar

_T = TypeVar("_T")

# Fewer rows are made here: a process costs a few milliseconds, and pages it shares with this
# one are copied when either writes to them.
SPLIT_LEAST = 4_000


def may_fork() -> bool:
    """POSIX, and no other thread runs: one could hold a lock the child would wait for."""
    return hasattr(os, "fork") and threading.active_count() == 1


def start(work: Callable[[], object], close: Iterable[int] = ()) -> int | None:
    """Run `work` in a child process, which closes the file descriptors `close` first: its pid,
    or None if the system would not make one. The child exits 0 if `work` returned, else 1."""
    # Signals wait until the child has made them its own: a Ctrl-C in between must not run the
    # parent's handlers, and so the parent's code, in the child.
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        pid = os.fork()
    except OSError:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        return None
    if pid == 0:
        status = 1
        try:
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
            for descriptor in close:
                os.close(descriptor)
            quiet = os.open(os.devnull, os.O_RDWR)
            for standard in (0, 1, 2):
                if _a_stream(standard):  # not a file of ours: a process started with one
                    os.dup2(quiet, standard)  # of them closed has our files there
            work()
            status = 0
        finally:
            os._exit(status)
    try:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
    except BaseException:  # a Ctrl-C that came during the fork: no child left behind
        stop(pid)
        raise
    return pid


def _a_stream(descriptor: int) -> bool:
    """Is this descriptor a terminal, a pipe or a socket (what a reader may wait on)?"""
    try:
        mode = os.fstat(descriptor).st_mode
    except OSError:
        return False
    return stat.S_ISCHR(mode) or stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


def wait(pid: int) -> int:
    """The child's exit status once it has ended (-1 if it was not ours to wait for)."""
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        return -1
    return status


def stop(pid: int) -> None:
    """End a child that is no longer wanted, and reap it."""
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(OSError):
        os.waitpid(pid, 0)


class TextMap(Protocol):
    """How a renderer makes its rows' text: `map`, or `split_map` on two CPUs."""

    def __call__(self, make: Callable[[_T], str], items: Sequence[_T], /) -> Iterable[str]: ...


def split_map(make: Callable[[_T], str], items: Sequence[_T]) -> Iterator[str]:
    """The text of `make` over `items`, in order (not necessarily a piece per item): the first
    half made here while a child makes the second into an unnamed temporary file, read back
    once the first half is out. All here if the items are few or no child can be made, and the
    second half made here again if the child fails: the text is the same whichever way."""
    if len(items) < SPLIT_LEAST or not may_fork():
        yield from map(make, items)
        return
    half = len(items) // 2
    spool = _unnamed_file()
    if spool is None:
        yield from map(make, items)
        return
    with spool:

        def make_second_half() -> None:
            with open(spool.fileno(), "wb", buffering=1 << 20, closefd=False) as out:
                for item in items[half:]:
                    out.write(make(item).encode("utf-8"))

        child = start(make_second_half)
        if child is None:
            yield from map(make, items)
            return
        status: int | None = None
        try:
            yield from map(make, items[:half])
            status = wait(child)
        finally:
            if status is None:  # the reader stopped early, or making a row failed here
                stop(child)
        if status != 0:
            yield from map(make, items[half:])
            return
        spool.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        while block := spool.read(1 << 20):
            yield decoder.decode(block)
        yield decoder.decode(b"", final=True)


def _unnamed_file() -> IO[bytes] | None:
    import tempfile  # not at the top: `check` imports this module, and needs none of it

    try:
        return tempfile.TemporaryFile()  # the caller closes it
    except OSError:
        return None
