"""`jobledger status`: the applications as a table that fits the terminal."""

from __future__ import annotations

import argparse
import os
import sys

from jobledger.cli.arguments import terminal_columns
from jobledger.cli.check import load_and_tell
from jobledger.cli.common import LEDGER_ERRORS, OK
from jobledger.report.model import Report


def load(args: argparse.Namespace) -> Report | None:
    """The report `status` and `todo` read, the diagnostics on stderr; None if it has errors."""
    return load_and_tell(args).report


def terminal(args: argparse.Namespace) -> tuple[int, bool]:
    """(columns to fit, 0 for no limit; colour on?). The width is $COLUMNS, else the
    terminal's; output to a pipe or a file is not cut unless COLUMNS says so."""
    from jobledger.render.terminal import color_wanted

    return terminal_columns(0), color_wanted(args.color, sys.stdout.isatty(), os.environ)


def run(args: argparse.Namespace) -> int:
    from jobledger.render.terminal import render_status

    report = load(args)
    if report is None:
        return LEDGER_ERRORS
    columns, color = terminal(args)
    sys.stdout.write(render_status(report, sort=args.sort, available=columns, color=color))
    return OK
