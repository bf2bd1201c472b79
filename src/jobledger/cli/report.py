"""`jobledger report`: the report as Markdown, JSON or an HTML page, to stdout or a file."""

from __future__ import annotations

import argparse
import os
import sys

from jobledger.cli.check import load_and_tell
from jobledger.cli.common import (
    LEDGER_ERRORS,
    OK,
    UsageError,
)
from jobledger.files import write_atomic
from jobledger.pipeline import is_ledger_file
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


def run(args: argparse.Namespace) -> int:
    fmt = output_format(args.format, args.output if args.output != "-" else None)
    if args.mermaid and fmt != "md":
        raise UsageError(f"--mermaid goes with the Markdown report, not --format {fmt}")
    result = load_and_tell(args)
    if result.report is None:
        return LEDGER_ERRORS
    output = args.output
    if output not in (None, "-") and is_ledger_file(output, result.files, result.include_patterns):
        raise UsageError(f"-o {output} is a file of the ledger; refusing to write over it")
    text = render(result.report, fmt, args.template, mermaid=args.mermaid)
    if output is None or output == "-":
        sys.stdout.write(text)
    else:
        write_atomic(output, text)
        sys.stderr.write(f"wrote {output}\n")
    return OK


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
