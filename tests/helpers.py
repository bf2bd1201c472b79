"""Small builders shared by the unit tests: a ledger from text, without touching the disk."""

from __future__ import annotations

from datetime import date
from textwrap import dedent

from jobledger.ledger.model import Ledger
from jobledger.ledger.parser import parse_text
from jobledger.ledger.reducer import reduce_entries
from jobledger.report.build import ReportOptions, build_report
from jobledger.report.model import Report
from jobledger.report.view import View, view_at

AS_OF = date(2026, 3, 15)


def ledger(text: str) -> Ledger:
    parsed = parse_text(dedent(text), "t.jobs")
    assert not parsed.diagnostics, [d.render() for d in parsed.diagnostics]
    state, diagnostics = reduce_entries(parsed.entries)
    assert not [d for d in diagnostics if d.is_error], [d.render() for d in diagnostics]
    return state


def view(text: str, as_of: date = AS_OF) -> View:
    return view_at(ledger(text), as_of)


def report(text: str, as_of: date = AS_OF) -> Report:
    return build_report(ledger(text), ReportOptions(as_of))


def reached(rep: Report) -> dict[str, int]:
    return {step.stage.key: step.reached for step in rep.funnel}
