"""Work done in a forked process, on another CPU: the pieces of a big file's parse
(ledger/parser.py), and the disk cache's writes while the report is made (ledger/loader.py).

A child runs one function and leaves with `os._exit`: none of the parent's code runs in it
after that (no atexit handler, no buffered output written twice). It gets no terminal: a
child has nothing to say, and `jobledger report | less` must not wait for one.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Callable, Iterable


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
                os.dup2(quiet, standard)
            work()
            status = 0
        finally:
            os._exit(status)
    signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
    return pid


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

