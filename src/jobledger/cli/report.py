"""`jobledger report`: the report as Markdown, JSON or an HTML page, to stdout or a file."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from typing import TYPE_CHECKING, TextIO

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
    with ExitStack() as before_exit:
        return _report(args, fmt, paths, before_exit)


def _report(args: argparse.Namespace, fmt: str, paths: list[str], before_exit: ExitStack) -> int:
    disk = open_cache(enabled=not args.no_cache)
    files_cache = FileCache(disk, memory=True, later=True)
    walk = walk_files(paths, files_cache)
    # The new parses are written to the disk cache by another process while this one makes
    # the report; it is waited for before exiting, so the next command finds them.
    before_exit.callback(files_cache.store_in_background())
    reports = disk if args.template is None else None  # where the reports are kept, if anywhere
    key: tuple[str, ...] = ()
    if reports is not None:
        settings = sorted((k, repr(v)) for k, v in vars(args).items() if k not in _NOT_IN_KEY)
        as_of = report_date(args.as_of).isoformat()  # "today" when not given: in the key
        key = (str(cache.FORMAT), cache.package_id(), walk.fingerprint, fmt, as_of, repr(settings))
        found = reports.get(cache.record_name("report", *key), key)
        if found is not None and _printed_again(found[0], args.output):
            return OK
    result = load_and_tell(args, files_cache, walk)
    report, diagnostics = result.report, result.diagnostics
    files, patterns = result.files, result.include_patterns
    # The ledger and its files' parses go before the report is rendered: on a big ledger the
    # render reuses their memory (a fifth of the peak) instead of asking for more.
    del result, walk, files_cache
    if report is None:
        return LEDGER_ERRORS
    output = args.output
    refuse_a_ledger_file(output, files, patterns)
    # A report over an eighth of the cache would push out every parse: not kept.
    kept = _Kept(cache.MAX_BYTES // 8 if reports is not None else -1)
    _write(kept.through(render(report, fmt, args.template, mermaid=args.mermaid)), output)
    if reports is not None and kept.text is not None:
        told = render_text(diagnostics) + "\n" if diagnostics else ""
        reports.put(cache.record_name("report", *key), key, (kept.text, told, files, patterns))
    return OK


class _Kept:
    """The text of a report as it goes out, up to `limit` characters (then no longer kept)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.pieces: list[str] | None = [] if limit >= 0 else None

    def through(self, pieces: Iterable[str]) -> Iterator[str]:
        size = 0
        for piece in pieces:
            if self.pieces is not None:
                size += len(piece)
                if size > self.limit:
                    self.pieces = None  # too big to keep: let it go as it is written
                else:
                    self.pieces.append(piece)
            yield piece

    @property
    def text(self) -> str | None:
        return None if self.pieces is None else "".join(self.pieces)


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
    _write((text,), output)
    return True


def _write(pieces: Iterable[str], output: str | None) -> None:
    if output is None or output == "-":
        if not _writes_any_text(sys.stdout):
            # All of it first: what the output's encoding cannot write is then said before
            # any of the report is written, not after half of it.
            sys.stdout.write("".join(pieces))
            return
        for piece in pieces:
            sys.stdout.write(piece)
    else:
        write_atomic(output, pieces)
        sys.stderr.write(f"wrote {output}\n")


def _writes_any_text(stream: TextIO) -> bool:
    import codecs

    try:
        return codecs.lookup(stream.encoding).name.startswith("utf")
    except (AttributeError, LookupError, TypeError):
        return False


def render(
    report: Report, fmt: str, template: str | None, *, mermaid: bool = False
) -> Iterator[str]:
    """The report in pieces, written out as they come: a big JSON or HTML report is never
    held whole. Import only the renderer asked for: jinja2 is not needed for JSON."""
    from jobledger.forks import split_map  # a big report's rows are made on two CPUs

    if fmt == "json":
        from jobledger.render.json_report import json_chunks
        from jobledger.render.text import escaped_json

        return map(escaped_json, json_chunks(report, split_map))
    if fmt == "html":
        from jobledger.render.html import html_chunks

        return html_chunks(report, template=template, each=split_map)
    from jobledger.render.markdown import render_markdown

    return iter((render_markdown(report, template, mermaid=mermaid),))
