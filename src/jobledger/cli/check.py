"""`jobledger check`: read the ledger, report every error and warning."""

from __future__ import annotations

import argparse
import sys

from jobledger.cli.common import LEDGER_ERRORS, OK, ledger_files, report_date
from jobledger.ledger.diagnostics import render_json, render_text
from jobledger.pipeline import Checked, check_ledger


def summary(result: Checked) -> str:
    """'2 files read: 1 error, 0 warnings'."""
    errors, warnings = result.error_count, result.warning_count
    files = len(result.files)
    counts = f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
    return f"{files} file{'s' * (files != 1)} read: {counts}"


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
