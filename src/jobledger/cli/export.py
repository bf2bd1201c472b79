"""`jobledger export`: the ledger for other tools: a spreadsheet (CSV), the report's JSON,
SankeyMATIC, a Mermaid Sankey, a calendar of what is scheduled (iCalendar). docs/export.md.

Each renderer is imported when asked for, and none of them needs Jinja2."""

from __future__ import annotations

import argparse
import os
import sys

from jobledger.cli.check import load_and_tell
from jobledger.cli.common import (
    LEDGER_ERRORS,
    OK,
    UsageError,
    refuse_a_ledger_file,
)
from jobledger.files import write_atomic
from jobledger.render.text import escaped_json, visible
from jobledger.report.model import Report

FORMATS = ("csv", "json", "sankeymatic", "ics", "mermaid")
EXTENSIONS = {
    ".csv": "csv",
    ".json": "json",
    ".ics": "ics",
    ".ical": "ics",
    ".mmd": "mermaid",
    ".mermaid": "mermaid",
}
BOM = "\ufeff"  # a CSV file gets one: Excel reads UTF-8 without it as Windows-1252


def export_format(fmt: str | None, output: str | None) -> str:
    """--format, else the one OUT's extension names; both given and disagreeing is a mistake."""
    implied = EXTENSIONS.get(os.path.splitext(output or "")[1].lower())
    if fmt is not None and implied is not None and fmt != implied:
        raise UsageError(
            f"--format {fmt} but -o {output} looks like {implied}; drop --format or rename OUT"
        )
    found = fmt or implied
    if found is None:
        raise UsageError("say which format: --format " + "|".join(FORMATS))
    return found


def render(report: Report, fmt: str) -> tuple[str, tuple[str, ...]]:
    """The text and any warnings about it."""
    if fmt == "csv":
        from jobledger.render.export_csv import render_csv

        return render_csv(report), ()
    if fmt == "json":
        from jobledger.render.json_report import render_json

        return render_json(report), ()
    if fmt == "sankeymatic":
        from jobledger.render.sankeymatic import render_sankeymatic

        return render_sankeymatic(report), ()
    if fmt == "mermaid":
        from jobledger.render.mermaid import render_mermaid

        text = render_mermaid(report)
        return text, () if text else ("nothing is tracked: no diagram to draw",)
    from jobledger.render.calendar import render_ics

    return render_ics(report)


def run(args: argparse.Namespace) -> int:
    output = None if args.output in (None, "-") else args.output
    fmt = export_format(args.format, output)
    result = load_and_tell(args)
    if result.report is None:
        return LEDGER_ERRORS
    refuse_a_ledger_file(output, result.files, result.include_patterns)
    text, warnings = render(result.report, fmt)
    text = escaped_json(text) if fmt == "json" else visible(text)
    for warning in warnings:
        sys.stderr.write(f"jobledger: warning: {warning}\n")
    if output is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(text.encode("utf-8"))  # as is: CSV and iCalendar end in CRLF
        sys.stdout.flush()
    else:
        write_atomic(output, (BOM if fmt == "csv" else "") + text)
        sys.stderr.write(f"wrote {output}\n")
    return OK
