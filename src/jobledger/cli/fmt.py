"""`jobledger fmt`: the canonical layout, written back atomically (edit/fmt.py)."""

from __future__ import annotations

import argparse
import sys

from jobledger.cli.common import ledger_files
from jobledger.edit.fmt import run_fmt


def run(args: argparse.Namespace) -> int:
    return run_fmt(
        ledger_files(args), check=args.check, diff=args.diff, out=sys.stdout, err=sys.stderr
    )
