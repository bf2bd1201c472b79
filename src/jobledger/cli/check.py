"""`jobledger check`: read the ledger, report every error and warning."""

from __future__ import annotations

import argparse
import sys

from jobledger.cli.common import (
    LEDGER_ERRORS,
    OK,
    check_filters,
    ledger_files,
    report_date,
    report_options,
)
from jobledger.ledger.diagnostics import render_json, render_text
from jobledger.ledger.loader import FileCache, Walk
from jobledger.pipeline import Checked, Result, check_ledger, load_report


def summary(result: Checked) -> str:
    """'2 files read: 1 error, 0 warnings'."""
    errors, warnings = result.error_count, result.warning_count
    files = len(result.files)
    counts = f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
    return f"{files} file{'s' * (files != 1)} read: {counts}"


def load_and_tell(
    args: argparse.Namespace, files_cache: FileCache | None = None, walk: Walk | None = None
) -> Result:
    """The report a reading command (report, export, status, todo) asks for, with its filters
    checked against the ledger (a usage error if they name nothing), every diagnostic on
    stderr, and the summary line when the ledger's errors left no report."""
    options = report_options(args)
    result = load_report(
        ledger_files(args), options, use_cache=not args.no_cache, files_cache=files_cache, walk=walk
    )
    check_filters(options, result.ledger)
    if result.diagnostics:
        sys.stderr.write(render_text(result.diagnostics) + "\n")
    if result.report is None:
        sys.stderr.write(summary(result) + "\n")
    return result


def run(args: argparse.Namespace) -> int:
    result = check_ledger(
        ledger_files(args),
        report_date(args.as_of),
        strict=args.strict,
        use_cache=not args.no_cache,
    )
    if args.format == "json":
        sys.stdout.write(render_json(result.diagnostics) + "\n")
    else:
        if result.diagnostics:
            sys.stderr.write(render_text(result.diagnostics) + "\n")
        sys.stderr.write(summary(result) + "\n")
    return LEDGER_ERRORS if result.error_count else OK
