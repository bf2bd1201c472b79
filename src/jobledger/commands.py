"""What each command does, once cli.py has parsed its arguments."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import date
from typing import TextIO

from jobledger.diagnostics import render_json, render_text
from jobledger.files import find_ledger, write_atomic
from jobledger.pipeline import Result, load_ledger

OK, LEDGER_ERRORS, USAGE = 0, 1, 2


def _summary(result: Result) -> str:
    errors = len(result.errors)
    warnings = len(result.diagnostics) - errors
    files = len(result.files)
    counts = f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
    return f"{files} file{'s' * (files != 1)} read: {counts}"


def check(
    files: Sequence[str], *, fmt: str, strict: bool, as_of: date, out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
) -> int:
    result = load_ledger(find_ledger(files), as_of, strict=strict)
    if fmt == "json":
        out.write(render_json(result.diagnostics) + "\n")
    else:
        if result.diagnostics:
            err.write(render_text(result.diagnostics) + "\n")
        err.write(_summary(result) + "\n")
    return LEDGER_ERRORS if result.errors else OK


def report(
    files: Sequence[str], *, fmt: str, output: str | None, as_of: date, template: str | None,
    out: TextIO = sys.stdout, err: TextIO = sys.stderr,
) -> int:
    result = load_ledger(find_ledger(files), as_of)
    if result.diagnostics:
        err.write(render_text(result.diagnostics) + "\n")
    if result.report is None:
        err.write(_summary(result) + "\n")
        return LEDGER_ERRORS
    from jobledger.render import render

    text = render(result.report, fmt, template)
    if output is None or output == "-":
        out.write(text)
    else:
        write_atomic(output, text)
        err.write(f"wrote {output}\n")
    return OK
