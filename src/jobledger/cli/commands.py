"""What each command does, once cli.py has parsed its arguments."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Sequence
from datetime import date
from typing import TextIO

from jobledger.files import UsageError, find_ledger, write_atomic
from jobledger.ledger import globs
from jobledger.ledger.diagnostics import render_json, render_text
from jobledger.pipeline import Result, load_ledger
from jobledger.report.metrics import Report

OK, LEDGER_ERRORS, USAGE = 0, 1, 2


def _summary(result: Result) -> str:
    errors, warnings = result.error_count, result.warning_count
    files = len(result.files)
    counts = f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
    return f"{files} file{'s' * (files != 1)} read: {counts}"


def check(
    files: Sequence[str],
    *,
    fmt: str,
    strict: bool,
    as_of: date,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
) -> int:
    result = load_ledger(find_ledger(files), as_of, strict=strict, metrics=False)
    if fmt == "json":
        out.write(render_json(result.diagnostics) + "\n")
    else:
        if result.diagnostics:
            err.write(render_text(result.diagnostics) + "\n")
        err.write(_summary(result) + "\n")
    return LEDGER_ERRORS if result.error_count else OK


def report(
    files: Sequence[str],
    *,
    fmt: str,
    output: str | None,
    as_of: date,
    template: str | None,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
) -> int:
    result = load_ledger(find_ledger(files), as_of)
    if result.diagnostics:
        err.write(render_text(result.diagnostics) + "\n")
    if result.report is None:
        err.write(_summary(result) + "\n")
        return LEDGER_ERRORS
    if output not in (None, "-") and _is_ledger_file(output, result.files, result.include_patterns):
        raise UsageError(f"-o {output} is a file of the ledger; refusing to write over it")
    text = _render(result.report, fmt, template)
    if output is None or output == "-":
        out.write(text)
    else:
        write_atomic(output, text)
        err.write(f"wrote {output}\n")
    return OK


def _render(report: Report, fmt: str, template: str | None) -> str:
    """Import only the renderer asked for: jinja2 is not needed for JSON."""
    if fmt == "json":
        from jobledger.render.markdown import render_json

        return render_json(report)
    if fmt == "html":
        from jobledger.render.html import render_html

        return render_html(report, template=template)
    from jobledger.render.markdown import render_markdown

    return render_markdown(report, template)


# ---------------------------------------------------------------- watch (and --serve)

DEFAULT_PORT = 8000


def default_output(ledger: str, fmt: str) -> str:
    """`watch` without -o writes beside the first ledger: hunt.jobs -> hunt.html (or hunt.md)."""
    stem = os.path.splitext(os.path.abspath(ledger))[0]
    return f"{stem}.{fmt}"


def _headline(report: Report) -> str:
    """'17 tracked · 10 active · 11 applied · 1 offer · 0 accepted' for the terminal."""
    totals, funnel = report["totals"], report["funnel"]
    base = report["options"]["base_stage"]
    parts = [f"{totals['tracked']} tracked", f"{totals['active']} active"]
    keys = [base, *(step["key"] for step in funnel[-2:])]
    for step in funnel:
        if step["key"] in keys:
            parts.append(f"{step['reached']} {step['key']}")
    return " · ".join(parts)


def watch(
    files: Sequence[str],
    *,
    output: str | None,
    fmt: str,
    as_of: date | None,
    serve: bool,
    host: str,
    port: int,
    open_browser: bool,
    poll: bool,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
) -> int:
    """Rebuild OUT (and the served page) after every save; Ctrl-C ends it with status 0."""
    from jobledger.live.server import LiveServer, Page, PortInUse, is_loopback, text_page
    from jobledger.live.watcher import Targets, Watcher
    from jobledger.render.markdown import render_markdown

    given = find_ledger(files)
    ledgers = [os.path.abspath(path) for path in given]
    target = os.path.abspath(output or default_output(ledgers[0], fmt))
    if os.path.realpath(target) in {os.path.realpath(p) for p in ledgers}:
        raise UsageError(f"the output {target} is the ledger itself; pass -o OUT")
    if os.path.isdir(target):
        raise UsageError(f"the output {target} is a directory")
    awaited = frozenset({*ledgers, *(os.path.realpath(p) for p in ledgers)})
    shown_target = output or os.path.relpath(target)

    server: LiveServer | None = None
    page = [Page(b"<!DOCTYPE html><title>jobledger</title><p>Building\xe2\x80\xa6</p>")]
    if serve:
        try:
            server = LiveServer(lambda: page[0], host, port)
        except PortInUse as exc:
            hint = "pick another with --port N (--port 0: any free port)"
            raise UsageError(f"{exc}; {hint}") from None
        except OSError as exc:  # server.CannotServe: str() is the reason alone
            flag = f"--port {port}" if exc.errno in (13, 10013) else f"--host {host}"  # EACCES
            raise UsageError(f"cannot serve on {flag}: {exc}") from None

    last_good: Report | None = None
    last_good_at = ""
    targets = [Targets(awaited, (), frozenset({target}))]

    def say(line: str, stream: TextIO = out) -> None:
        stream.write(line + "\n")
        stream.flush()

    def rebuild() -> None:
        nonlocal last_good, last_good_at
        started = time.perf_counter()
        clock = time.strftime("%H:%M:%S")
        result = load_ledger(given, as_of or date.today())
        targets[0] = Targets(
            awaited | frozenset(result.files), result.include_patterns, frozenset({target})
        )
        if result.report is not None:
            last_good, last_good_at = result.report, clock
        errors = result.error_count  # all, not only those shown
        problems = render_text(result.diagnostics) if result.diagnostics else ""
        if fmt == "html":
            from jobledger.render.html import content_security_policy, render_html

            def html(live: bool) -> str:
                return render_html(
                    last_good,
                    diagnostics=result.diagnostics,
                    live=live,
                    report_time=last_good_at or None,
                    counts=(result.error_count, result.warning_count),
                )

            text = html(live=False)
        else:
            body = render_markdown(last_good) if last_good is not None else ""
            title = str(last_good["title"]) if last_good is not None else "jobledger"
            text = _markdown_with_errors(body, problems, errors, last_good_at)
        written = f"→ {shown_target}"
        try:
            if _is_ledger_file(target, result.files, result.include_patterns):
                raise OSError(0, "it is, or would be read as, one of the ledger's files")
            write_atomic(target, text)
        except OSError as exc:
            written = f"(not written: {shown_target}: {exc.strerror or exc})"
        if server is not None:  # after OUT is on disk: the file is what most users look at
            if fmt == "html":
                live = html(live=True)
                page[0] = Page(live.encode("utf-8"), csp=content_security_policy(live))
            else:
                page[0] = text_page(body, title=title, problems=problems)
            server.notify()
        ms = (time.perf_counter() - started) * 1000
        gone = [os.path.relpath(p) for p in ledgers if not os.path.exists(p)]
        if problems and not gone:
            say(problems, err)
        if gone:
            say(f"{clock}  waiting for {' and '.join(gone)} to come back", err)
        elif errors:
            kept = f"showing the report from {last_good_at}" if last_good else "no report yet"
            plural_s = "s" * (errors != 1)
            say(f"{clock}  {errors} error{plural_s} in {ms:.0f} ms; {kept} {written}")
        else:
            assert result.report is not None
            say(f"{clock}  rebuilt in {ms:.0f} ms: {_headline(result.report)} {written}")

    watcher = Watcher(rebuild, lambda: targets[0], poll=poll)
    try:
        say(f"watching {', '.join(files or [os.path.relpath(ledgers[0])])} → {shown_target}")
        rebuild()
        watcher.start()
        if server is not None:
            if not is_loopback(server.host):
                say(
                    f"warning: serving on {server.host}: anyone who can reach this machine "
                    "can read this job hunt",
                    err,
                )
            server.start()
            say(f"serving {server.url}")
            if open_browser:
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


def _is_ledger_file(target: str, files: Sequence[str], patterns: Sequence[str]) -> bool:
    """OUT must never overwrite a file of the ledger, even through a symbolic link, nor land
    where an include glob would read it back as part of the ledger."""
    real = os.path.realpath(target)
    if real in files:
        return True
    return any(globs.matches(path, pattern) for path in (target, real) for pattern in patterns)


def _markdown_with_errors(body: str, problems: str, errors: int, since: str) -> str:
    """The Markdown OUT never goes silently stale: errors come first, above the last good one."""
    if not errors:
        return body
    kept = f"below is the last good report ({since})" if body else "no report yet"
    plural_s = "s" * (errors != 1)
    banner = f"**jobledger: {errors} error{plural_s} in the ledger; {kept}.**\n\n"
    fence = "~~~~" if "```" in problems else "```"
    return f"{banner}{fence}text\n{problems}\n{fence}\n\n---\n\n{body}"
