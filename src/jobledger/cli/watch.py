"""`jobledger watch`: rebuild the report on every save; with --serve, reload it in the browser."""

from __future__ import annotations

import argparse
import os
import sys

from jobledger.cli.common import OK, UsageError, ledger_files, report_options, today

DEFAULT_PORT = 8000


def default_output(ledger: str, fmt: str) -> str:
    """Without -o, OUT goes beside the first ledger: hunt.jobs -> hunt.html (or hunt.md)."""
    stem = os.path.splitext(os.path.abspath(ledger))[0]
    return f"{stem}.{fmt}"


def run(args: argparse.Namespace) -> int:
    """Rebuild OUT (and the served page) after every save; Ctrl-C ends it with status 0."""
    from jobledger.live.server import LiveServer, PortInUse, is_loopback
    from jobledger.live.session import WatchSession
    from jobledger.live.watcher import Watcher

    given = ledger_files(args)
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
    )
    server: LiveServer | None = None
    if serve:
        try:
            server = LiveServer(lambda: session.page, host, port)
        except PortInUse as exc:
            hint = "pick another with --port N (--port 0: any free port)"
            raise UsageError(f"{exc}; {hint}") from None
        except OSError as exc:  # server.CannotServe: str() is the reason alone
            flag = f"--port {port}" if exc.errno in (13, 10013) else f"--host {host}"  # EACCES
            raise UsageError(f"cannot serve on {flag}: {exc}") from None
    out, err = sys.stdout, sys.stderr
    notify = server.notify if server is not None else None
    watcher = Watcher(
        lambda: session.rebuild(out, err, notify),
        lambda: session.targets,
        expired=session.date_changed,
        poll=args.poll,
    )
    try:
        shown = ", ".join(args.files or [os.path.relpath(given[0])])
        say(f"watching {shown} → {output}")
        session.rebuild(out, err, notify)
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
    except KeyboardInterrupt:
        say("stopped")
    finally:
        watcher.close()
        if server is not None:
            server.close()
    return OK


def say(line: str, *, err: bool = False) -> None:
    stream = sys.stderr if err else sys.stdout
    stream.write(line + "\n")
    stream.flush()
