"""`jobledger watch` with saboteurs, through `WatchProcess(..., sabotage=True)`:

- each SIGUSR1 kills the file watcher's observer thread, as an exception inside watchdog
  (outside jobledger's event handler, which catches everything) would;
- while a file named `hang` exists beside the ledger, reading a ledger file blocks for good, as
  a stalled network drive would (the loader itself refuses pipes, which would block)."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from types import FrameType

from jobledger.cli import main
from jobledger.ledger import loader


def kill_the_observer(signum: int, frame: FrameType | None) -> None:
    for thread in threading.enumerate():
        if thread.name == "jobledger-observer" and thread.is_alive():
            # Not an (event, watch) pair: watchdog's dispatch_events raises on it, outside any
            # handler, and the thread ends with the exception.
            thread.event_queue.put(None)  # type: ignore[attr-defined]


def hang_while_flagged(read_file: Callable[[str], bytes]) -> Callable[[str], bytes]:
    def read(path: str) -> bytes:
        while os.path.exists(os.path.join(os.path.dirname(os.path.abspath(path)), "hang")):
            time.sleep(0.05)
        return read_file(path)

    return read


signal.signal(signal.SIGUSR1, kill_the_observer)
loader.read_file = hang_while_flagged(loader.read_file)  # type: ignore[assignment]
raise SystemExit(main(sys.argv[1:]))
