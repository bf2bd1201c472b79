"""`jobledger add`: append one event to the ledger, checked first (edit/add.py)."""

from __future__ import annotations

import argparse
import os
import sys

from jobledger.cli.common import LEDGER_ERRORS, OK, UsageError, ledger_files, report_date, today
from jobledger.edit.add import (
    NewEvent,
    Refused,
    append,
    event_text,
    next_line,
    plan,
    target_file,
)
from jobledger.ledger.cache import open_cache
from jobledger.ledger.diagnostics import Diagnostic, render_text
from jobledger.ledger.loader import FileCache, load_files
from jobledger.ledger.model import Event
from jobledger.ledger.statements import quick_lines
from jobledger.pipeline import load_ledger


def run(args: argparse.Namespace) -> int:
    files = ledger_files(args)
    main = files[0]
    # One cache for both reads of the ledger below: the second finds every file parsed.
    files_cache = FileCache(open_cache(enabled=not args.no_cache), memory=True)
    loaded = load_ledger(files, report_date(None), files_cache=files_cache)
    if loaded.ledger is None:
        sys.stderr.write(render_text(loaded.diagnostics) + "\n")
        sys.stderr.write("jobledger: the ledger has errors; fix them first, nothing added\n")
        return LEDGER_ERRORS
    company, title = _application(args.application, files_cache.terminal_patterns())
    event = NewEvent(
        when=args.date or today(),
        kind=args.kind,
        company=company,
        title=title,
        tags=tuple(tag.lstrip("#") for tag in args.tag),
        meta=tuple(_meta(item) for item in args.meta),
        comment=args.comment,
    )
    try:
        line = _next_line(args.to or main)
        event = plan(event, loaded.ledger, main, to=args.to, new=args.new, line=line)
        path = target_file(event, loaded.ledger, main, args.to)
        if not os.path.exists(path):
            raise UsageError(f"{path}: no such file (--to names a file of the ledger)")
        if os.path.realpath(path) not in {os.path.realpath(f) for f in loaded.files}:
            # An event in a file the ledger does not read would be lost to every report.
            raise UsageError(f"--to {path}: not a file of the ledger; include it first")
        entries = load_files(files, files_cache).entries
        added = append(
            path,
            event_text(event),
            entries,
            _spelled(event),
            files=files_cache,
        )
    except Refused as refused:
        sys.stderr.write(render_text(refused.diagnostics) + "\n")
        sys.stderr.write("jobledger: nothing added\n")
        return LEDGER_ERRORS
    except OSError as exc:  # read-only, or changing under us: nothing was written
        sys.stderr.write(f"jobledger: {exc}; nothing added\n")
        return LEDGER_ERRORS
    sys.stderr.write(f"added to {added.path}:{added.line}: {added.text.splitlines()[0]}\n")
    if added.warnings:  # written, as check would accept it; but worth a second look
        sys.stderr.write(render_text(added.warnings) + "\n")
    return OK


def _next_line(path: str) -> int:
    """Where a new application's event would go, for a message (1 if that cannot be known)."""
    try:
        with open(path, "rb") as handle:
            return next_line(handle.read(), path)
    except OSError:  # missing, unreadable, or not text: the message still names the file
        return 1


def _application(text: str, patterns: dict[str, str] | None) -> tuple[str, str | None]:
    """'Acme | Staff Engineer' -> ('Acme', 'Staff Engineer'), as the ledger reads it (with the
    grammar's terminals if the cache has them, else with Lark)."""
    line = f"2000-01-01 note {text}\n"
    quick = quick_lines(line, "<add>", 1, patterns) if patterns is not None else None
    problems: tuple[Diagnostic, ...] = ()
    if quick is not None:
        entries = quick
    else:
        from jobledger.ledger.parser import parse_text

        parsed = parse_text(line, "<add>")
        entries, problems = parsed.entries, parsed.diagnostics
    events = [e for e in entries if isinstance(e, Event)]
    if problems or len(events) != 1 or len(entries) != 1:
        raise UsageError(
            f"'{text}' is not an application name: COMPANY or 'COMPANY | TITLE' "
            "(quote a part that holds '|' or '\"')"
        )
    return events[0].company, events[0].title


def _meta(item: str) -> tuple[str, str]:
    key, sep, value = item.partition("=")
    if not sep or not key.strip() or any(c.isspace() or c in ':;#"|' for c in key.strip()):
        raise UsageError(f"--meta {item}: write KEY=VALUE, e.g. --meta source=referral")
    return key.strip(), value.strip()


def _spelled(event: NewEvent) -> str:
    return event.company if event.title is None else f"{event.company} | {event.title}"
