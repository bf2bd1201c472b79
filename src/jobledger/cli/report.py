"""`jobledger report`: the report as Markdown, JSON or an HTML page, to stdout or a file."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

from jobledger.cli.check import load_and_tell
from jobledger.cli.common import (
    LEDGER_ERRORS,
    OK,
    UsageError,
    ledger_files,
    refuse_a_ledger_file,
    report_date,
)
from jobledger.files import write_atomic
from jobledger.ledger import cache
from jobledger.ledger.cache import open_cache
from jobledger.ledger.diagnostics import render_text
from jobledger.ledger.loader import FileCache, walk_files

if TYPE_CHECKING:  # the report's modules wait until a report is made: a cached one needs none
    from jobledger.report.model import Report

EXTENSIONS = {".md": "md", ".markdown": "md", ".json": "json", ".html": "html", ".htm": "html"}


def output_format(fmt: str | None, output: str | None) -> str:
    """--format, else the one OUT's extension names (hunt.html: html), else Markdown. Both given
    and disagreeing is a mistake worth stopping for."""
    implied = EXTENSIONS.get(os.path.splitext(output or "")[1].lower())
    if fmt is not None and implied is not None and fmt != implied:
        raise UsageError(
            f"--format {fmt} but -o {output} looks like {implied}; drop --format or rename OUT"
        )
    return fmt or implied or "md"


# What does not change the text of a report: where it goes, how the ledger is found (its files
# are in the key, by content), and the cache itself.
_NOT_IN_KEY = frozenset(
    ("command", "command_parser", "files", "more_files", "output", "format", "no_cache")
)


def run(args: argparse.Namespace) -> int:
    fmt = output_format(args.format, args.output if args.output != "-" else None)
    if args.mermaid and fmt != "md":
        raise UsageError(f"--mermaid goes with the Markdown report, not --format {fmt}")
    paths = ledger_files(args)
    # A report is a pure function of the ledger's files, the options, the date and the code: one
    # made before from the same is printed again (a --template of the user's is never cached).
    disk = open_cache(enabled=not args.no_cache)
    files_cache = FileCache(disk, memory=True)
    reports = disk if args.template is None else None  # where the reports are kept, if anywhere
    key: tuple[str, ...] = ()
    walk = None
    if reports is not None:
        walk = walk_files(paths, files_cache)
        settings = sorted((k, repr(v)) for k, v in vars(args).items() if k not in _NOT_IN_KEY)
        as_of = report_date(args.as_of).isoformat()  # "today" when not given: in the key
        key = (str(cache.FORMAT), cache.package_id(), walk.fingerprint, fmt, as_of, repr(settings))
        found = reports.get(cache.record_name("report", *key), key)
        if found is not None and _printed_again(found[0], args.output):
            return OK
    result = load_and_tell(args, files_cache, walk)
    if result.report is None:
        return LEDGER_ERRORS
    output = args.output
    refuse_a_ledger_file(output, result.files, result.include_patterns)
    text = render(result.report, fmt, args.template, mermaid=args.mermaid)
    _write(text, output)
    # A report over an eighth of the cache would push out every parse: not kept.
    if reports is not None and len(text) <= cache.MAX_BYTES // 8:
        told = render_text(result.diagnostics) + "\n" if result.diagnostics else ""
        stored = (text, told, result.files, result.include_patterns)
        reports.put(cache.record_name("report", *key), key, stored)
    return OK


def _printed_again(stored: object, output: str | None) -> bool:
    """Say and write what a report made before said and wrote; False if the record is not one."""
    if not isinstance(stored, tuple) or len(stored) != 4:
        return False
    text, told, files, patterns = stored
    if not isinstance(text, str) or not isinstance(told, str):
        return False
    if not isinstance(files, tuple) or not isinstance(patterns, tuple):
        return False
    refuse_a_ledger_file(output, files, patterns)
    sys.stderr.write(told)
    _write(text, output)
    return True


def _write(text: str, output: str | None) -> None:
    if output is None or output == "-":
        sys.stdout.write(text)
    else:
        write_atomic(output, text)
        sys.stderr.write(f"wrote {output}\n")


def render(report: Report, fmt: str, template: str | None, *, mermaid: bool = False) -> str:
    """Import only the renderer asked for: jinja2 is not needed for JSON."""
    if fmt == "json":
        from jobledger.render.json_report import render_json
        from jobledger.render.text import escaped_json

        return escaped_json(render_json(report))
    if fmt == "html":
        from jobledger.render.html import render_html

        return render_html(report, template=template)
    from jobledger.render.markdown import render_markdown

    return render_markdown(report, template, mermaid=mermaid)
