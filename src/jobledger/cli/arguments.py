"""The command line's declaration: every command, its options and their help. Imported by
`main` once it knows the command (`--version` needs none of it)."""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable

from jobledger import __version__

# `typing` and `datetime` are imported where they are needed: `--help` needs neither (14 ms).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from datetime import date

EPILOG = """\
examples:
  jobledger check hunt.jobs                 report every error, exit 1 if any
  jobledger report hunt.jobs                the funnel as Markdown
  jobledger report --format html -o report.html
  jobledger report --format json --as-of 2026-03-15 | jq .funnel
  jobledger import tracker.csv -o hunt.jobs   a spreadsheet's CSV -> a ledger
  jobledger export --format csv -o hunt.csv   and back out (also json, sankeymatic, ics, mermaid)

The ledger is FILE, else $JOBLEDGER_FILE, else the only *.jobs file in this directory.
exit status: 0 clean, 1 the ledger has errors, 2 usage error."""


def _date(text: str) -> date:
    from datetime import date

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
        help="parse every file again and make the output afresh, without the cache "
        "(also: JOBLEDGER_NO_CACHE=1)",
    )


def terminal_columns(fallback: int) -> int:
    """$COLUMNS, else the terminal's width, else `fallback`: shutil.get_terminal_size without
    importing shutil (argparse imports it for every parser it makes, unless given the width)."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns > 0:
        return columns
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns or fallback  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):
        return fallback


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Descriptions and epilogs as written (their examples are laid out by hand), wrapped to the
    terminal's width as argparse would (less 2)."""

    def __init__(
        self,
        prog: str,
        indent_increment: int = 2,
        max_help_position: int = 24,
        width: int | None = None,
    ) -> None:
        if width is None:
            width = terminal_columns(80) - 2
        super().__init__(prog, indent_increment, max_help_position, width)


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The command line. `only` names the command being run: it alone is declared, with its
    options (each subparser costs about a millisecond to make). "": every command, for the
    top-level --help, without their options. None: everything (completion scripts, tests, docs)."""
    parser = argparse.ArgumentParser(
        prog="jobledger",
        description="A plain-text ledger for a job hunt: the funnel, the timing and who to "
        "follow up with, from a .jobs file.",
        epilog=EPILOG,
        formatter_class=_Formatter,
    )
    parser.add_argument("--version", action="version", version=f"jobledger {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in _commands():
        if only not in (None, "", command.name):
            continue
        declared = commands.add_parser(
            command.name,
            help=command.help,
            description=command.description,
            epilog=command.epilog,
            formatter_class=_Formatter,
        )
        if only != "":
            command.options(declared)
    return parser


def _check_options(check: argparse.ArgumentParser) -> None:
    check.set_defaults(command_parser=check)
    _add_files(check)
    check.add_argument("--format", choices=("text", "json"), default="text")
    check.add_argument("--strict", action="store_true", help="treat warnings as errors")


def _report_options(report: argparse.ArgumentParser) -> None:
    report.set_defaults(command_parser=report)
    _add_files(report)
    report.add_argument(
        "--format",
        choices=("md", "json", "html"),
        default=None,
        help="md (default), json or html; with -o, taken from OUT's extension when not given",
    )
    report.add_argument("-o", "--output", metavar="OUT", help="write here (atomically), not stdout")
    report.add_argument(
        "--mermaid",
        action="store_true",
        help="Markdown: add the Sankey diagram as a Mermaid block (GitHub draws it)",
    )
    _add_private(report)
    _add_filters(report)
    report.add_argument(
        "--template",
        metavar="PATH",
        help="a template file, or a directory searched before the built-in templates",
    )


def _watch_options(watch: argparse.ArgumentParser) -> None:
    watch.set_defaults(command_parser=watch)
    _add_files(watch)
    watch.add_argument("-o", "--output", metavar="OUT", help="write here (default: see below)")
    watch.add_argument(
        "--format",
        choices=("html", "md"),
        default=None,
        help="html (default) or md; with -o, taken from OUT's extension when not given",
    )
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


def _add_options(add: argparse.ArgumentParser) -> None:
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


def _fmt_options(fmt: argparse.ArgumentParser) -> None:
    fmt.set_defaults(command_parser=fmt)
    fmt.add_argument("files", nargs="*", metavar="FILE", help="ledger file(s) to format")
    fmt.add_argument(
        "-f", "--file", action="append", default=[], dest="more_files", metavar="FILE",
        help="a ledger file (repeatable)",
    )  # fmt: skip
    fmt.add_argument("--check", action="store_true", help="change nothing; exit 1 if it would")
    fmt.add_argument("--diff", action="store_true", help="print a unified diff of the changes")


def _status_options(status: argparse.ArgumentParser) -> None:
    status.set_defaults(command_parser=status, private=[])  # it shows no metadata
    _add_files(status)
    status.add_argument(
        "--sort",
        choices=("last", "first", "name", "role", "stage", "status"),
        default="last",
        help="the order of the rows (default: last); see below",
    )
    _add_color(status)
    _add_filters(status, by=False)


def _todo_options(todo: argparse.ArgumentParser) -> None:
    todo.set_defaults(command_parser=todo, private=[])  # it shows no metadata
    _add_files(todo)
    _add_color(todo)
    _add_filters(todo, by=False)


def _init_options(init: argparse.ArgumentParser) -> None:
    init.set_defaults(command_parser=init)
    init.add_argument(
        "path",
        nargs="?",
        default="hunt.jobs",
        metavar="PATH",
        help="the file to write (default: hunt.jobs; in a directory: PATH/hunt.jobs)",
    )


def _completion_options(completion: argparse.ArgumentParser) -> None:
    completion.set_defaults(command_parser=completion)
    completion.add_argument("shell", nargs="?", choices=("bash", "zsh", "fish"), metavar="SHELL")
    completion.add_argument(
        "--list",
        choices=("kinds", "roles", "statuses", "tags", "names"),
        metavar="WHAT",
        help="print the ledger's kinds, roles, statuses, tags or application names, one a line "
        "(the scripts call this)",
    )
    completion.add_argument(
        "-f",
        "--file",
        action="append",
        default=[],
        dest="more_files",
        metavar="FILE",
        help="with --list: the ledger to read (repeatable)",
    )


def _importer_options(importer: argparse.ArgumentParser) -> None:
    importer.set_defaults(command_parser=importer)
    importer.add_argument("csv", metavar="FILE.csv", help="the spreadsheet, saved as CSV")
    importer.add_argument(
        "-o", "--output", metavar="FILE", help="the ledger to write (never over an existing file)"
    )
    importer.add_argument(
        "--append", action="store_true", help="add to the ledger -o names (atomically)"
    )
    importer.add_argument(
        "--dry-run", action="store_true", help="print the ledger instead of writing it"
    )
    importer.add_argument(
        "--preset",
        choices=("blueprint", "dated"),
        help="how to read the columns (default: from the header)",
    )
    importer.add_argument(
        "--map",
        action="append",
        default=[],
        type=_map,
        metavar="COLUMN=FIELD",
        help="what a column is: company, title, date, stage, role, tag, outcome, comment or "
        "meta:KEY (repeatable)",
    )
    importer.add_argument(
        "--map-value",
        action="append",
        default=[],
        type=_map_value,
        metavar="VALUE=KEY",
        help="a stage or outcome cell, e.g. 'Phone screen=phone' (repeatable)",
    )
    importer.add_argument(
        "--date-format",
        type=_date_format,
        metavar="FORMAT",
        help="M/D/YYYY or D/M/YYYY, for a column whose every date reads both ways",
    )
    importer.add_argument(
        "--default-date",
        type=_date,
        metavar="DATE",
        help="the date of undated rows (default: the earliest date in the sheet)",
    )
    importer.add_argument(
        "--inactive-outcome",
        choices=("rejected", "withdrawn", "ghosted", "declined"),
        default="rejected",
        help="Blueprint: the outcome of an inactive row below the offer stage (default: rejected)",
    )
    importer.add_argument(
        "--skip-bad-rows",
        action="store_true",
        help="import the rows that can be read; report the others as warnings",
    )


def _export_options(export: argparse.ArgumentParser) -> None:
    export.set_defaults(command_parser=export)
    _add_files(export)
    export.add_argument(
        "--format",
        choices=("csv", "json", "sankeymatic", "ics", "mermaid"),
        default=None,
        help="what to write; with -o, taken from OUT's extension (.csv .json .ics .mmd) "
        "when not given",
    )
    export.add_argument("-o", "--output", metavar="OUT", help="write here (atomically), not stdout")
    _add_private(export)
    _add_filters(export, by=False)


def _add_color(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="when to colour the output (default: auto: on a terminal, unless NO_COLOR is set)",
    )


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


def _map(text: str) -> object:
    from jobledger.transfer import parse_map

    try:
        return parse_map(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _map_value(text: str) -> object:
    from jobledger.transfer import parse_map_value

    try:
        return parse_map_value(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _date_format(text: str) -> object:
    from jobledger.transfer import parse_date_format

    try:
        return parse_date_format(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _port(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"'{text}' is not a port (0-65535)")
    return int(text)


class _Command:
    """A command: its name, what declares its options, and its help. (A plain class: --help
    imports nothing it does not use, and a record would bring `typing`.)"""

    __slots__ = ("description", "epilog", "help", "name", "options")

    def __init__(
        self,
        name: str,
        options: Callable[[argparse.ArgumentParser], None],
        *,
        help: str,
        description: str,
        epilog: str,
    ) -> None:
        self.name = name
        self.options = options
        self.help = help
        self.description = description
        self.epilog = epilog


def _commands() -> tuple[_Command, ...]:
    """Every command, in the order --help lists them."""
    return (
        _Command(
            "check",
            _check_options,
            help="check the ledger and report every error",
            description="Read the ledger and report every error and warning as "
            "PATH:LINE:COL: error: MESSAGE.",
            epilog="example:\n  jobledger check --strict hunt.jobs\n\n"
            "exit status: 0 clean, 1 errors (or warnings with --strict), 2 usage error.",
        ),
        _Command(
            "report",
            _report_options,
            help="the funnel report (Markdown, JSON or HTML)",
            description="Compute the funnel, pipeline table, timing and insights and render them.",
            epilog="examples:\n  jobledger report examples/blueprint.jobs --as-of 2026-03-15\n"
            "  jobledger report --format html -o report.html\n\n"
            "exit status: 0 written, 1 the ledger has errors, 2 usage error.",
        ),
        _Command(
            "watch",
            _watch_options,
            help="rebuild the report on every save, optionally serve it with live reload",
            description="Rebuild OUT whenever the ledger or a file it includes changes, whatever "
            "the editor's way of saving. A broken ledger keeps the last good report, with the "
            "errors on top. With --serve, a local page reloads itself after each save.",
            epilog="examples:\n"
            "  jobledger watch hunt.jobs                 writes hunt.html beside it\n"
            "  jobledger watch hunt.jobs --serve --open  and shows it live in the browser\n"
            "  jobledger watch --format md -o report.md --poll\n\n"
            "OUT defaults to the first ledger's name with .html or .md, beside it.\n"
            "--open, --host and --port imply --serve.\n"
            "exit status: 0 stopped with Ctrl-C, 2 usage error (e.g. the port is in use).",
        ),
        _Command(
            "add",
            _add_options,
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
        ),
        _Command(
            "fmt",
            _fmt_options,
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
        ),
        _Command(
            "status",
            _status_options,
            help="the applications as a table: stage, status, last event, days since",
            description="Show every application as a table that fits the terminal: application, "
            "role, stage, status, last event and the days since it. The widest column gives way "
            "with '…'; lines never wrap.",
            epilog="examples:\n"
            "  jobledger status                          most recent activity first\n"
            "  jobledger status --sort stage --status active\n"
            "  jobledger status examples/blueprint.jobs --as-of 2026-03-15 --role swe\n\n"
            "--sort last or first: by the last or first event, most recent first; name: A to Z;\n"
            "role: as declared, Other last; stage: furthest first; status: active, gone silent,\n"
            "accepted, then each outcome. Ties go to the most recent activity.\n"
            "The width is $COLUMNS, else the terminal's; a pipe or a file gets whole lines.\n"
            "exit status: 0 shown, 1 the ledger has errors, 2 usage error.",
        ),
        _Command(
            "todo",
            _todo_options,
            help="what to do today: calls coming up, follow-ups, what to apply to or drop",
            description="What to do today, in order: calls, interviews and reminders today and in "
            "the next 7 days (with their comments), applications due a follow-up, those never "
            "applied to (apply or drop them), and this week's applications against your weekly "
            "average.",
            epilog="examples:\n  jobledger todo\n"
            "  jobledger todo examples/blueprint.jobs --as-of 2026-03-15\n"
            "  jobledger todo --role swe --color never\n\n"
            "exit status: 0 shown (also when nothing is due), 1 the ledger has errors, 2 usage "
            "error.",
        ),
        _Command(
            "init",
            _init_options,
            help="write a starter ledger to fill in",
            description="Write a starter ledger: the default stages and outcomes and three example "
            "roles written out as directives (rename them), the options with their defaults, and "
            "commented examples of every kind of line. Never writes over an existing file.",
            epilog="examples:\n  jobledger init                            writes hunt.jobs here\n"
            "  jobledger init ~/jobs/spring-2026.jobs\n\n"
            "exit status: 0 written, 2 the file exists or cannot be written.",
        ),
        _Command(
            "completion",
            _completion_options,
            help="print a shell completion script (bash, zsh, fish)",
            description="Print a script that completes jobledger's commands and options, stage and "
            "outcome kinds, role keys and, for add, the ledger's application names. The names come "
            "from the ledger the command line names (-f FILE), else $JOBLEDGER_FILE, else the only "
            "*.jobs file in the current directory.",
            epilog="examples:\n"
            '  eval "$(jobledger completion bash)"        in ~/.bashrc\n'
            '  eval "$(jobledger completion zsh)"         in ~/.zshrc, after compinit\n'
            "  jobledger completion fish > ~/.config/fish/completions/jobledger.fish\n"
            "  jobledger completion --list roles -f hunt.jobs   what the scripts ask for\n\n"
            "exit status: 0 printed, 2 usage error.",
        ),
        _Command(
            "import",
            _importer_options,
            help="turn a tracker spreadsheet's CSV into a ledger",
            description="Convert a CSV export of a job-hunt spreadsheet (the Blueprint tracker, "
            "Huntr, Teal, your own) into a ledger in the canonical layout, checked before it is "
            "written. Says what it read, inferred and wrote; a row it cannot read is an error at "
            "FILE.csv:ROW and nothing is written. See docs/import.md.",
            epilog="examples:\n  jobledger import tracker.csv --dry-run      print the ledger\n"
            "  jobledger import tracker.csv -o hunt.jobs\n"
            "  jobledger import huntr.csv --map 'Employer=company' --map 'Pay=meta:salary' "
            "-o hunt.jobs --append\n\n"
            "exit status: 0 written, 1 the CSV (or the ledger it makes) has errors, 2 usage error.",
        ),
        _Command(
            "export",
            _export_options,
            help="the ledger for other tools: CSV, JSON, SankeyMATIC, Mermaid, a calendar",
            description="Write the ledger (with the report's filters) for another tool: csv, one "
            "row per application for a spreadsheet; json, the report's JSON; sankeymatic, lines "
            "to paste into SankeyMATIC; mermaid, a sankey-beta diagram; ics, an iCalendar file of "
            "the scheduled events. See docs/export.md.",
            epilog="examples:\n  jobledger export --format csv -o hunt.csv\n"
            "  jobledger export --format sankeymatic --since 2026-02\n"
            "  jobledger export -o interviews.ics         the format from the extension\n\n"
            "exit status: 0 written, 1 the ledger has errors, 2 usage error.",
        ),
    )


COMMANDS = frozenset(command.name for command in _commands())
