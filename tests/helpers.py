"""Small builders shared by the unit tests: a ledger from text, without touching the disk."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path
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


def mutant_corpus(tmp_path: Path, pieces: list[str], *, seed: int, count: int) -> list[Path]:
    """Real ledgers (the example, the error cases) and `count` mutants of the example: a few
    stretches cut out and `pieces` put in, at random places; errors of every kind."""
    root = Path(__file__).resolve().parent.parent
    paths = [
        root / "examples" / "blueprint.jobs",
        *sorted((root / "tests" / "cases").glob("*.jobs")),
    ]
    example = (root / "examples" / "blueprint.jobs").read_text("utf-8")
    rng = random.Random(seed)
    for n in range(count):
        text = example
        for _ in range(rng.randint(1, 6)):
            at = rng.randrange(len(text))
            text = text[:at] + rng.choice(pieces) + text[at + rng.randint(0, 20) :]
        path = tmp_path / f"m{n}.jobs"
        path.write_text(text, encoding="utf-8", newline="")
        paths.append(path)
    return paths


def example_copies(copies: int) -> str:
    """The example's events again and again under new names, with comments, metadata and
    blank lines between them: every kind of line a parallel piece or a block of the
    incremental parse may start or end near."""
    example = Path(__file__).resolve().parent.parent / "examples" / "blueprint.jobs"
    events = [
        line
        for line in example.read_text(encoding="utf-8").splitlines(True)
        if not line.startswith("include")
    ]
    out = []
    for copy in range(copies):
        out.append(f"; copy {copy}\n\n")
        out.extend(line.replace(" | ", f" {copy} | ", 1) for line in events)
        out.append("2026-03-01 note Acme | Staff  ; a note\n    source: board\n; after it\n")
    return "".join(out)
