"""`jobledger watch` with a saboteur: each SIGUSR1 kills the file watcher's observer thread, as
an exception inside watchdog (outside jobledger's event handler, which catches everything)
would. Used by tests/test_watch_observer.py through `WatchProcess(..., sabotage=True)`."""

from __future__ import annotations

import signal
import sys
import threading
from types import FrameType

from jobledger.cli import main


def kill_the_observer(signum: int, frame: FrameType | None) -> None:
    for thread in threading.enumerate():
        if thread.name == "jobledger-observer" and thread.is_alive():
            # Not an (event, watch) pair: watchdog's dispatch_events raises on it, outside any
            # handler, and the thread ends with the exception.
            thread.event_queue.put(None)  # type: ignore[attr-defined]


signal.signal(signal.SIGUSR1, kill_the_observer)
raise SystemExit(main(sys.argv[1:]))
