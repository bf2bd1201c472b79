"""`jobledger watch`: rebuild the report on every save; with --serve, reload it in the browser.

It ends the same way whatever stops it: Ctrl-C (SIGINT), SIGTERM (`kill`, a script's cleanup, a
service manager; a background job of a script ignores SIGINT) or SIGHUP (the terminal closed).
The stop is an exception raised in the main thread, like KeyboardInterrupt: OUT is whole (writes
are atomic), the server is closed, "stopped" is printed and the exit status is 0. A signal that
was already ignored when watch started (`nohup` ignores SIGHUP) stays ignored.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator
from types import FrameType
from typing import TYPE_CHECKING

from jobledger.cli.common import OK, UsageError, ledger_files, report_options, today

if TYPE_CHECKING:
    from jobledger.live.server import LiveServer
    from jobledger.live.session import WatchSession
    from jobledger.live.watcher import Watcher

DEFAULT_PORT = 8000
CANNOT_WATCH = 1  # the file watcher died for good (ledger errors never end a watch)
# Not SIGINT: Python already turns it into KeyboardInterrupt (unless it was ignored).
STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)
)


class Terminated(BaseException):
    """SIGTERM or SIGHUP arrived: stop as Ctrl-C does. A BaseException, like KeyboardInterrupt,
    so that no `except Exception` on the way (a failing rebuild is logged and watching goes on)
    swallows it."""


def default_output(ledger: str, fmt: str) -> str:
    """Without -o, OUT goes beside the first ledger: hunt.jobs -> hunt.html (or hunt.md)."""
    stem = os.path.splitext(os.path.abspath(ledger))[0]
    return f"{stem}.{fmt}"


def run(args: argparse.Namespace) -> int:
    """Rebuild OUT (and the served page) after every save; Ctrl-C ends it with status 0."""
    from jobledger.live.server import is_loopback
    from jobledger.live.session import WatchSession
    from jobledger.live.watcher import Watcher, WatchingFailed

    given = ledger_files(args)
    args.format = watch_format(args.format, args.output)
    output = args.output or os.path.relpath(default_output(given[0], args.format))
    target = os.path.abspath(output)
    if os.path.realpath(target) in {os.path.realpath(p) for p in given}:
        raise UsageError(f"the output {target} is the ledger itself; pass -o OUT")
    if os.path.isdir(target):
        raise UsageError(f"the output {target} is a directory")
    serve = args.serve or args.open or args.host is not None or args.port is not None
    host = args.host or "127.0.0.1"
    port = DEFAULT_PORT if args.port is None else args.port
    session = WatchSession(
        given,
        output=output,
        fmt=args.format,
        as_of=args.as_of,
        today=today,
        serve=serve,
        shown=report_options(args),
        use_cache=not args.no_cache,
    )
    server: LiveServer | None = None
    watcher: Watcher | None = None
    out, err = sys.stdout, sys.stderr
    with _stop_on_signals():
        try:
            if serve:
                server = _serve(session, host, port)
            notify = server.notify if server is not None else None
            watcher = Watcher(
                lambda: session.rebuild(out, err, notify),
                lambda: session.targets,
                expired=session.date_changed,
                poll=args.poll,
            )
            shown = ", ".join(args.files or [os.path.relpath(given[0])])
            say(f"watching {shown} → {output}")
            session.rebuild(out, err, notify)
            if session.filter_problems:  # as report, status and export do
                raise UsageError("; ".join(session.filter_problems))
            watcher.start()
            if server is not None:
                if not is_loopback(server.host):
                    say(
                        f"warning: serving on {server.host}: anyone who can reach this machine "
                        "can read this job hunt",
                        err=True,
                    )
                server.start()
                say(f"serving {server.url}")
                if args.open:
                    import webbrowser

                    webbrowser.open(server.url)
            say("Ctrl-C to stop")
            watcher.run(build_first=False)
        except (KeyboardInterrupt, Terminated):
            _ignore_stop_signals()
            say("stopped")
        except WatchingFailed as exc:
            _ignore_stop_signals()
            say(f"jobledger: {exc}; stopping (start watch again, or try --poll)", err=True)
            return CANNOT_WATCH
        finally:
            _ignore_stop_signals()  # a second signal must not cut the clean-up short
            if watcher is not None:
                watcher.close()
            if server is not None:
                server.close()
    return OK


def _serve(session: WatchSession, host: str, port: int) -> LiveServer:
    from jobledger.live.server import LiveServer, PortInUse

    try:
        return LiveServer(lambda: session.page, host, port)
    except PortInUse as exc:
        hint = "pick another with --port N (--port 0: any free port)"
        raise UsageError(f"{exc}; {hint}") from None
    except OSError as exc:  # server.CannotServe: str() is the reason alone
        flag = f"--port {port}" if exc.errno in (13, 10013) else f"--host {host}"  # EACCES
        raise UsageError(f"cannot serve on {flag}: {exc}") from None


@contextlib.contextmanager
def _stop_on_signals() -> Iterator[None]:
    """While inside, SIGTERM and SIGHUP raise Terminated in the main thread (unless they were
    ignored to begin with); the handlers found are put back on the way out."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set from the main thread
        return
    # SIGINT too: _ignore_stop_signals() changes it once stopping.
    previous = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, *STOP_SIGNALS)}

    def stop(signum: int, frame: FrameType | None) -> None:
        _ignore_stop_signals()
        raise Terminated(signum)

    for signum in STOP_SIGNALS:
        if previous[signum] is not signal.SIG_IGN:
            signal.signal(signum, stop)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, signal.SIG_DFL if handler is None else handler)


def _ignore_stop_signals() -> None:
    """From the first stop on, further signals (a second Ctrl-C, a `kill` repeated) are ignored
    until the clean-up, which takes at most a few seconds, is done."""
    if threading.current_thread() is not threading.main_thread():
        return
    for signum in (signal.SIGINT, *STOP_SIGNALS):
        signal.signal(signum, signal.SIG_IGN)


def say(line: str, *, err: bool = False) -> None:
    stream = sys.stderr if err else sys.stdout
    try:
        stream.write(line + "\n")
        stream.flush()
    except (OSError, ValueError):  # the terminal is gone (SIGHUP) or the pipe closed
        _discard(stream)


def _discard(stream: object) -> None:
    """Send what is left for a stream that can no longer be written to /dev/null, so that
    Python's own flush at exit does not fail (an error message, and exit status 120)."""
    with contextlib.suppress(Exception):
        fileno = stream.fileno()  # type: ignore[attr-defined]
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, fileno)
        os.close(devnull)


def watch_format(fmt: str | None, output: str | None) -> str:
    """--format, else the one OUT's extension names (report.md: md), else HTML."""
    from jobledger.cli.report import EXTENSIONS, output_format

    if output is not None and os.path.splitext(output)[1].lower() in EXTENSIONS:
        fmt = output_format(fmt, output)  # a --format that disagrees is a usage error
        if fmt not in ("html", "md"):
            raise UsageError(f"watch writes html or md, and -o {output} looks like {fmt}")
        return fmt
    return fmt or "html"
