"""Small builders shared by the unit tests: a ledger from text, without touching the disk."""

from __future__ import annotations

from datetime import date
from textwrap import dedent
from typing import Any

from jobledger.ledger.parser import parse_text
from jobledger.ledger.reducer import Ledger, reduce_entries
from jobledger.report.metrics import compute_report

AS_OF = date(2026, 3, 15)


def ledger(text: str, as_of: date = AS_OF) -> Ledger:
    parsed = parse_text(dedent(text), "t.jobs")
    assert not parsed.diagnostics, [d.render() for d in parsed.diagnostics]
    state, diagnostics = reduce_entries(parsed.entries, as_of)
    assert not [d for d in diagnostics if d.is_error], [d.render() for d in diagnostics]
    return state


def report(text: str, as_of: date = AS_OF) -> dict[str, Any]:
    return compute_report(ledger(text, as_of))


def reached(rep: dict[str, Any]) -> dict[str, int]:
    return {step["key"]: step["reached"] for step in rep["funnel"]}
