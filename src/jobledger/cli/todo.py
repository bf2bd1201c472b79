"""`jobledger todo`: what to do today."""

from __future__ import annotations

import argparse
import sys

from jobledger.cli.common import LEDGER_ERRORS, OK
from jobledger.cli.status import load, terminal


def run(args: argparse.Namespace) -> int:
    from jobledger.render.terminal import render_todo

    report = load(args)
    if report is None:
        return LEDGER_ERRORS
    columns, color = terminal(args)
    sys.stdout.write(render_todo(report, available=columns, color=color))
    return OK
