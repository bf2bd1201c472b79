"""What every command shares: exit codes, which ledger to read, and the report date."""

from __future__ import annotations

import argparse
import glob
import os
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from jobledger.files import UsageError
from jobledger.ledger.model import Ledger

if TYPE_CHECKING:  # the report's modules wait for a command that makes a report
    from jobledger.report.build import ReportOptions
    from jobledger.report.filters import Filters

OK, LEDGER_ERRORS, USAGE = 0, 1, 2
ENV_FILE = "JOBLEDGER_FILE"

__all__ = ["LEDGER_ERRORS", "OK", "USAGE", "UsageError", "find_ledger", "report_date", "today"]


def today() -> date:
    """The real date: the only place jobledger asks the clock what day it is."""
    return date.today()


def report_date(pinned: date | None) -> date:
    """`--as-of` when given, else today."""
    return pinned or today()


def ledger_files(args: argparse.Namespace) -> list[str]:
    return find_ledger([*args.files, *args.more_files], command=args.command)


def find_ledger(given: Sequence[str], cwd: str = ".", *, command: str = "report") -> list[str]:
    """Files named on the command line; else $JOBLEDGER_FILE; else the only *.jobs here."""
    if given:
        return list(given)
    from_env = os.environ.get(ENV_FILE)
    if from_env:
        return [from_env]
    candidates = glob.glob("*.jobs", root_dir=cwd)
    found = sorted(name for name in candidates if os.path.isfile(os.path.join(cwd, name)))
    if len(found) == 1:
        return [os.path.join(cwd, found[0]) if cwd != "." else found[0]]
    if not found:
        raise UsageError(
            f"no ledger given and no *.jobs file here; pass FILE, use -f FILE or set {ENV_FILE}"
        )
    raise UsageError(
        f"{len(found)} ledgers here ({', '.join(found)}); name the one to use, e.g. "
        f"jobledger {command} -f {found[0]}"
    )


def private_keys(args: argparse.Namespace) -> frozenset[str]:
    """--private salary,contact --private phone -> {"salary", "contact", "phone"}."""
    return frozenset(
        key.strip().casefold() for given in args.private for key in given.split(",") if key.strip()
    )


def report_options(args: argparse.Namespace) -> ReportOptions:
    from jobledger.report.build import ReportOptions

    return ReportOptions(
        report_date(args.as_of),
        private=private_keys(args),
        filters=filters(args),
        by=getattr(args, "by", None) or "role",
    )


def filters(args: argparse.Namespace) -> Filters:
    from jobledger.report.filters import Filters, parse_period

    try:
        since = parse_period(args.since, end=False) if args.since else None
        until = parse_period(args.until, end=True) if args.until else None
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return Filters(
        roles=tuple(key.casefold() for key in args.role),
        tags=tuple(tag.lstrip("#").casefold() for tag in args.tag),
        company=args.company or "",
        status=(args.status or "").casefold(),
        since=since,
        until=until,
    )


def refuse_a_ledger_file(output: str | None, files: Sequence[str], patterns: Sequence[str]) -> None:
    """-o (not stdout) must never name a file of the ledger, or one an include glob reads."""
    from jobledger.pipeline import is_ledger_file

    if output not in (None, "-") and is_ledger_file(output, files, patterns):
        raise UsageError(f"-o {output} is a file of the ledger; refusing to write over it")


def check_filters(options: ReportOptions, ledger: Ledger | None) -> None:
    """A filter naming a role or status the ledger does not have is a usage error."""
    from jobledger.report.filters import filter_problems

    if ledger is not None:
        problems = filter_problems(options.filters, ledger.config)
        if problems:
            raise UsageError("; ".join(problems))
