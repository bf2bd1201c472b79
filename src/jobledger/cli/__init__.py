"""Command line: `cli/arguments.py` declares the commands and their options; `main` hands the
parsed arguments to the command's module (cli/check.py, cli/report.py, …). Heavy imports wait
for the command, so `--help` and `--version` stay fast."""

from __future__ import annotations

import gc
import sys
from collections.abc import Sequence

from jobledger import __version__


def main(argv: Sequence[str] | None = None) -> int:
    words = sys.argv[1:] if argv is None else list(argv)
    if words == ["--version"]:  # asked by scripts and bug reports: no need for argparse
        print(f"jobledger {__version__}")
        return 0
    # Only the command's own options are declared: the first word that is not an option
    # names it (the top level takes no option with a value).
    from jobledger.cli.arguments import COMMANDS, build_parser

    at = next((i for i, word in enumerate(words) if not word.startswith("-")), None)
    named = None if at is None else words[at]
    if at is not None and any(word in ("-h", "--help") for word in words[:at]):
        named = None  # `jobledger --help report` asks for the top-level help: every command
    parser = build_parser(only=named if named in COMMANDS else "")
    args, unknown = parser.parse_known_args(words)
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
        elif args.command == "status":
            from jobledger.cli.status import run
        elif args.command == "todo":
            from jobledger.cli.todo import run
        elif args.command == "init":
            from jobledger.cli.init import run
        elif args.command == "completion":
            from jobledger.cli.completion import run
        elif args.command == "import":
            from jobledger.cli.import_csv import run
        elif args.command == "export":
            from jobledger.cli.export import run
        else:
            from jobledger.cli.watch import run
        return run(args)
    except UsageError as exc:
        print(f"jobledger: {exc}", file=sys.stderr)
        return USAGE
    except BrokenPipeError:  # `jobledger report | head`: the reader has all it wanted
        _stdout_to_nowhere()
        return 0
    except UnicodeEncodeError as exc:  # PYTHONIOENCODING=ascii, a non-UTF-8 locale
        encoding = getattr(sys.stdout, "encoding", None) or exc.encoding
        print(
            f"jobledger: the output's encoding ({encoding}) cannot write "
            f"{exc.object[exc.start : exc.end]!r}; write to a file with -o, or use UTF-8 "
            "(PYTHONIOENCODING=utf-8)",
            file=sys.stderr,
        )
        return USAGE
    except OSError as exc:  # e.g. -o into a directory that does not exist
        print(f"jobledger: {exc}", file=sys.stderr)
        return USAGE
    except KeyboardInterrupt:
        return 130


def _stdout_to_nowhere() -> None:
    """What is still buffered for the closed pipe is dropped, not written at exit (which would
    fail again and say so)."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
