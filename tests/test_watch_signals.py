"""Stopping `jobledger watch` by a signal other than Ctrl-C (issue 7, point 21).

A script that starts watch in the background cannot Ctrl-C it: the shell starts background jobs
of a script with SIGINT ignored. So SIGTERM (`kill`), and SIGHUP (the terminal closed), stop it
as cleanly as Ctrl-C does: exit status 0, OUT a whole report, the server closed, "stopped"
printed, no traceback; whenever the signal comes, a rebuild in progress included."""

from __future__ import annotations

import http.client
import os
import pty
import select
import signal
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

import pytest
from conftest import RunCli
from watch_process import AS_OF, WatchProcess, ledger_text, read, start_watch, wait_until

from jobledger.cli import main


def big_ledger(applied: int) -> str:
    """A ledger of `applied` applications (30,000 take about a second to rebuild when every
    line changed; a save that changes one line is rebuilt in a fraction of that)."""
    lines = ['option title "Watch test"', ""]
    lines += [f"2026-02-{n % 28 + 1:02d} applied  Acme {n} | Engineer" for n in range(applied)]
    return "\n".join(lines) + "\n"


def no_traceback(watch: WatchProcess) -> None:
    assert "Traceback" not in "\n".join(watch.err), "\n".join(watch.err)


def leftovers(directory: Path) -> list[str]:
    """write_atomic's temp files: a whole OUT leaves none behind."""
    return sorted(p.name for p in directory.iterdir() if p.name.startswith(".jobledger-"))


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=lambda s: s.name)
def test_sigterm_and_sighup_stop_it_like_ctrl_c(
    tmp_path: Path, signum: signal.Signals, run_cli: RunCli
) -> None:
    ledger = tmp_path / "hunt.jobs"
    ledger.write_text(ledger_text(3))
    out = tmp_path / "hunt.md"
    with start_watch(ledger, "--serve", "--port", "0") as watch:
        watch.wait_for(r"^serving http://127\.0\.0\.1:\d+/")
        started = time.monotonic()
        assert watch.stop(signum=signum) == 0
        assert time.monotonic() - started < 1.5
    assert watch.out[-1] == "stopped"
    no_traceback(watch)
    expected = run_cli("report", ledger, "--as-of", AS_OF).stdout
    assert read(out) == expected  # the whole report
    assert leftovers(tmp_path) == []


def test_a_background_job_ignoring_sigint_is_stopped_by_sigterm(tmp_path: Path) -> None:
    """`jobledger watch &` in a script: SIGINT is ignored (and stays so), SIGTERM stops it."""
    ledger = tmp_path / "hunt.jobs"
    ledger.write_text(ledger_text(3))
    out = tmp_path / "hunt.md"
    with start_watch(ledger, ignoring=(signal.SIGINT,)) as watch:
        watch.proc.send_signal(signal.SIGINT)
        time.sleep(0.3)
        assert watch.proc.poll() is None  # ignored, as the shell meant
        ledger.write_text(ledger_text(4))  # and still watching
        assert wait_until(lambda: "**4** tracked" in read(out)), read(out)
        assert watch.stop(signum=signal.SIGTERM) == 0
    assert watch.out[-1] == "stopped"
    no_traceback(watch)


def test_a_sighup_ignored_by_nohup_stays_ignored(tmp_path: Path) -> None:
    ledger = tmp_path / "hunt.jobs"
    ledger.write_text(ledger_text(3))
    with start_watch(ledger, ignoring=(signal.SIGHUP,)) as watch:
        watch.proc.send_signal(signal.SIGHUP)
        time.sleep(0.3)
        assert watch.proc.poll() is None  # `nohup jobledger watch &` outlives the terminal
        assert watch.stop(signum=signal.SIGTERM) == 0
    assert watch.out[-1] == "stopped"
    no_traceback(watch)


def test_sigterm_in_the_middle_of_a_rebuild(tmp_path: Path, run_cli: RunCli) -> None:
    """A rebuild of a large ledger that every line of changed takes about a second: SIGTERM
    lands inside it. OUT is then the old report or the new one, each whole; never a mix,
    never a temp file left behind."""
    ledger = tmp_path / "hunt.jobs"
    ledger.write_text(big_ledger(30_000))
    out = tmp_path / "hunt.md"
    with start_watch(ledger, timeout=60) as watch:
        before = read(out)
        assert "**30000** tracked" in before
        # Every line changes: no block of the parse, no application is kept from the last build.
        ledger.write_text(big_ledger(30_000).replace(" applied ", " phone "))
        time.sleep(0.35)  # the 150 ms debounce, then well into the rebuild
        rebuilt = len(watch.rebuilds())
        assert watch.stop(signum=signal.SIGTERM) == 0
    assert rebuilt == 1, "the rebuild was over before SIGTERM came: this test proves nothing"
    assert watch.out[-1] == "stopped"
    no_traceback(watch)
    after = read(out)
    if after != before:
        assert after == run_cli("report", ledger, "--as-of", AS_OF).stdout
    assert leftovers(tmp_path) == []


def test_sigterm_while_a_rebuild_hangs_on_a_read(tmp_path: Path) -> None:
    """A rebuild blocked for good (a stalled network drive; here a saboteur makes the read
    wait) still stops at SIGTERM: the old OUT stays."""
    ledger = tmp_path / "hunt.jobs"
    ledger.write_text(ledger_text(3))
    out = tmp_path / "hunt.md"
    with start_watch(ledger, sabotage=True) as watch:
        before = read(out)
        (tmp_path / "hang").write_text("")
        ledger.write_text(ledger_text(4))
        time.sleep(1)  # the rebuild has started and is stuck in its read
        assert watch.stop(signum=signal.SIGTERM) == 0
    assert watch.out[-1] == "stopped"
    no_traceback(watch)
    assert read(out) == before
    assert leftovers(tmp_path) == []


def test_sighup_when_the_terminal_is_gone(tmp_path: Path) -> None:
    """The terminal closed: SIGHUP, and writing "stopped" to it fails. Still exit status 0
    and nothing on stderr (no traceback, no "Exception ignored" from Python's exit flush)."""
    ledger = tmp_path / "hunt.jobs"
    ledger.write_text(ledger_text(3))
    terminal, tty = pty.openpty()
    try:
        watch = WatchProcess(ledger, "--as-of", AS_OF, "--format", "md", cwd=tmp_path, stdout=tty)
    finally:
        os.close(tty)
    with watch:
        shown = b""
        deadline = time.monotonic() + 10
        while b"Ctrl-C to stop" not in shown and time.monotonic() < deadline:
            if select.select([terminal], [], [], 0.1)[0]:
                shown += os.read(terminal, 4096)
        assert b"Ctrl-C to stop" in shown, shown
        os.close(terminal)  # the terminal window is closed
        assert watch.stop(signum=signal.SIGHUP) == 0
    assert watch.err == []
    assert "**3** tracked" in read(tmp_path / "hunt.md")


class NotHandled(BaseException):
    """The signal reached the test's own handler: jobledger did not handle it."""


@pytest.fixture
def sigterm_guard() -> Iterator[object]:
    """In-process, SIGTERM must never reach pytest's default (death): a handler of the test's
    own stands in, and must be the one in place again afterwards."""

    def guard(signum: int, frame: FrameType | None) -> None:
        raise NotHandled(signum)

    previous = signal.signal(signal.SIGTERM, guard)
    try:
        yield guard
    finally:
        signal.signal(signal.SIGTERM, previous)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_in_process_sigterm_closes_the_server_and_puts_the_handlers_back(
    tmp_path: Path, sigterm_guard: object
) -> None:
    ledger = tmp_path / "hunt.jobs"
    ledger.write_text(ledger_text(3))
    port = free_port()
    ended: list[bytes] = []

    def listen_then_terminate() -> None:
        def connected() -> http.client.HTTPConnection | None:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            try:
                connection.request("GET", "/events", headers={"Host": f"127.0.0.1:{port}"})
                return connection
            except OSError:
                return None

        found: list[http.client.HTTPConnection] = []
        assert wait_until(lambda: (c := connected()) is not None and not found.append(c))
        response = found[0].getresponse()
        response.readline()  # the stream is open
        os.kill(os.getpid(), signal.SIGTERM)
        ended.append(response.read())  # returns once the server has closed the stream

    helper = threading.Thread(target=listen_then_terminate, daemon=True)
    helper.start()
    args = ["watch", str(ledger), "--as-of", AS_OF, "--format", "md", "--port", str(port)]
    assert main(args) == 0
    helper.join(timeout=5)
    assert ended, "the event stream was still open after watch returned"
    assert signal.getsignal(signal.SIGTERM) is sigterm_guard  # put back
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
