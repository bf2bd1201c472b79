"""Command line: declare the commands and their options, then hand the parsed arguments to the
command's module (cli/check.py, cli/report.py, cli/watch.py). Heavy imports wait for the
command, so `--help` stays fast."""

from __future__ import annotations

import argparse
import gc
import re
import sys
from collections.abc import Sequence
from datetime import date

from jobledger import __version__

EPILOG = """\
examples:
  jobledger check hunt.jobs                 report every error, exit 1 if any
  jobledger report hunt.jobs                the funnel as Markdown
  jobledger report --format html -o report.html
  jobledger report --format json --as-of 2026-03-15 | jq .funnel

The ledger is FILE, else $JOBLEDGER_FILE, else the only *.jobs file in this directory.
exit status: 0 clean, 1 the ledger has errors, 2 usage error."""


def _date(text: str) -> date:
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):  # not 20260101, not 2026-W01-1
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date (YYYY-MM-DD)") from None


def _add_files(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="*", metavar="FILE", help="ledger file(s) to read")
    parser.add_argument(
        "-f",
        "--file",
        action="append",
        default=[],
        dest="more_files",
        metavar="FILE",
        help="a ledger file (repeatable)",
    )
    parser.add_argument(
        "--as-of",
        type=_date,
        default=None,
        metavar="DATE",
        help="count events up to DATE (YYYY-MM-DD); later ones are upcoming (default: today)",
    )
    _add_no_cache(parser)


def _add_no_cache(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="parse every file again, without the parse cache (also: JOBLEDGER_NO_CACHE=1)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jobledger",
        description="A plain-text ledger for a job hunt: the funnel, the timing and who to "
        "follow up with, from a .jobs file.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"jobledger {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = commands.add_parser(
        "check",
        help="check the ledger and report every error",
        description="Read the ledger and report every error and warning as "
        "PATH:LINE:COL: error: MESSAGE.",
        epilog="example:\n  jobledger check --strict hunt.jobs\n\n"
        "exit status: 0 clean, 1 errors (or warnings with --strict), 2 usage error.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check.set_defaults(command_parser=check)
    _add_files(check)
    check.add_argument("--format", choices=("text", "json"), default="text")
    check.add_argument("--strict", action="store_true", help="treat warnings as errors")

    report = commands.add_parser(
        "report",
        help="the funnel report (Markdown, JSON or HTML)",
        description="Compute the funnel, pipeline table, timing and insights and render them.",
        epilog="examples:\n  jobledger report examples/blueprint.jobs --as-of 2026-03-15\n"
        "  jobledger report --format html -o report.html\n\n"
        "exit status: 0 written, 1 the ledger has errors, 2 usage error.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    report.set_defaults(command_parser=report)
    _add_files(report)
    report.add_argument(
        "--format",
        choices=("md", "json", "html"),
        default=None,
        help="md (default), json or html; with -o, taken from OUT's extension when not given",
    )
    report.add_argument("-o", "--output", metavar="OUT", help="write here (atomically), not stdout")
    _add_private(report)
    _add_filters(report)
    report.add_argument(
        "--template",
        metavar="PATH",
        help="a template file, or a directory searched before the built-in templates",
    )

    watch = commands.add_parser(
        "watch",
        help="rebuild the report on every save, optionally serve it with live reload",
        description="Rebuild OUT whenever the ledger or a file it includes changes, whatever "
        "the editor's way of saving. A broken ledger keeps the last good report, with the "
        "errors on top. With --serve, a local page reloads itself after each save.",
        epilog="examples:\n  jobledger watch hunt.jobs                 writes hunt.html beside it\n"
        "  jobledger watch hunt.jobs --serve --open  and shows it live in the browser\n"
        "  jobledger watch --format md -o report.md --poll\n\n"
        "OUT defaults to the first ledger's name with .html or .md, beside it.\n"
        "--open, --host and --port imply --serve.\n"
        "exit status: 0 stopped with Ctrl-C, 2 usage error (e.g. the port is in use).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    watch.set_defaults(command_parser=watch)
    _add_files(watch)
    watch.add_argument("-o", "--output", metavar="OUT", help="write here (default: see below)")
    watch.add_argument("--format", choices=("html", "md"), default="html")
    watch.add_argument("--serve", action="store_true", help="serve OUT with live reload")
    watch.add_argument(
        "--host", default=None, help="address to serve on (default: 127.0.0.1, this machine only)"
    )
    watch.add_argument(
        "--port", type=_port, default=None, help="port to serve on (default: 8000; 0: any free)"
    )
    watch.add_argument("--open", action="store_true", help="open the page in a web browser")
    _add_private(watch)
    _add_filters(watch)
    watch.add_argument(
        "--poll", action="store_true", help="poll for changes (network drives, some containers)"
    )
    add = commands.add_parser(
        "add",
        help="append one event to the ledger, checked first",
        description="Append one event, checked as `check` would check it: an unknown kind, an "
        "event after an outcome or a name close to another application's is refused. The "
        "file is written atomically, keeping its encoding and line endings. An existing "
        "application's event goes to the file of its latest event, a new one to the main "
        "ledger (or --to FILE).",
        epilog="examples:\n"
        "  jobledger add applied 'Acme | Staff Engineer' --tag swe --meta source=referral\n"
        "  jobledger add interview 'Acme | Staff Engineer' --date 2026-03-20 "
        "--comment 'onsite 10:00'\n"
        "  jobledger add rejected Globex\n\n"
        "exit status: 0 added, 1 refused (nothing written), 2 usage error.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add.set_defaults(command_parser=add)
    add.add_argument("kind", metavar="KIND", help="a stage, an outcome or note")
    add.add_argument("application", metavar="APPLICATION", help="'Company' or 'Company | Title'")
    add.add_argument(
        "-f", "--file", action="append", default=[], dest="more_files", metavar="FILE",
        help="the ledger (default: $JOBLEDGER_FILE or the only *.jobs here)",
    )  # fmt: skip
    add.set_defaults(files=[])
    add.add_argument("--date", type=_date, default=None, metavar="DATE", help="default: today")
    add.add_argument("--tag", action="append", default=[], metavar="TAG", help="repeatable")
    add.add_argument("--meta", action="append", default=[], metavar="KEY=VALUE", help="repeatable")
    add.add_argument("--comment", metavar="TEXT", help="an end-of-line comment")
    add.add_argument("--to", metavar="FILE", help="a new application goes to this file")
    add.add_argument(
        "--new", action="store_true", help="add it even if its name is close to another's"
    )
    _add_no_cache(add)

    fmt = commands.add_parser(
        "fmt",
        help="lay the ledger out canonically, keeping every comment",
        description="Rewrite each file in the canonical layout (docs/format.md, "
        "'Formatting'): one space between parts, kinds padded and tags and comments aligned "
        "within a block, metadata indented by four spaces, blank lines squeezed. Comments, "
        "directives and the order of events never change; a file whose entries would change "
        "is left alone (exit 1).",
        epilog="examples:\n  jobledger fmt hunt.jobs\n"
        "  jobledger fmt --check hunt.jobs      exit 1 if it would change (for CI)\n"
        "  jobledger fmt --diff hunt.jobs       show what would change\n\n"
        "exit status: 0 formatted or already so, 1 would change (--check) or cannot be "
        "formatted, 2 usage error.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    fmt.set_defaults(command_parser=fmt)
    fmt.add_argument("files", nargs="*", metavar="FILE", help="ledger file(s) to format")
    fmt.add_argument(
        "-f", "--file", action="append", default=[], dest="more_files", metavar="FILE",
        help="a ledger file (repeatable)",
    )  # fmt: skip
    fmt.add_argument("--check", action="store_true", help="change nothing; exit 1 if it would")
    fmt.add_argument("--diff", action="store_true", help="print a unified diff of the changes")
    return parser


def _add_filters(parser: argparse.ArgumentParser, *, by: bool = True) -> None:
    group = parser.add_argument_group(
        "which applications",
        "A cohort (--since, --until) is the applications applied to in the period, followed "
        "up to the report date. Months and years work: --since 2026-02, --until 2026.",
    )
    group.add_argument(
        "--role", action="append", default=[], metavar="KEY", help="only this role (repeatable)"
    )
    group.add_argument(
        "--tag", action="append", default=[], metavar="TAG", help="only with this tag (all given)"
    )
    group.add_argument("--company", metavar="TEXT", help="only companies whose name holds TEXT")
    group.add_argument(
        "--status", metavar="STATUS", help="active, closed, accepted, ghosted or an outcome key"
    )
    group.add_argument("--since", metavar="DATE", help="cohort: applied on or after DATE")
    group.add_argument("--until", metavar="DATE", help="cohort: applied on or before DATE")
    if by:
        group.add_argument(
            "--by",
            choices=("role", "source", "tag", "month"),
            default="role",
            help="the pipeline table's rows (default: role)",
        )


def _add_private(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--private",
        action="append",
        default=[],
        metavar="KEY,…",
        help="metadata keys to leave out of the output, e.g. --private salary,contact "
        '(also: option private "salary, contact" in the ledger)',
    )


def _port(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"'{text}' is not a port (0-65535)")
    return int(text)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if args.command is None:
        if unknown:
            parser.error(f"unrecognized arguments: {' '.join(unknown)}")
        parser.print_help()
        return 2
    if unknown:  # the command's own usage, not the top-level one
        args.command_parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    from jobledger.cli.common import USAGE, UsageError

    if args.command != "watch":
        # A command that runs once makes no reference cycles worth collecting, yet the cyclic
        # collector would walk its million objects again and again while a report renders
        # (a third of an HTML report of 100,000 events). The process exit frees everything.
        gc.disable()
    try:
        if args.command == "check":
            from jobledger.cli.check import run
        elif args.command == "report":
            from jobledger.cli.report import run
        elif args.command == "add":
            from jobledger.cli.add import run
        elif args.command == "fmt":
            from jobledger.cli.fmt import run
        else:
            from jobledger.cli.watch import run
        return run(args)
    except UsageError as exc:
        print(f"jobledger: {exc}", file=sys.stderr)
        return USAGE
    except OSError as exc:  # e.g. -o into a directory that does not exist
        print(f"jobledger: {exc}", file=sys.stderr)
        return USAGE
    except KeyboardInterrupt:
        return 130
