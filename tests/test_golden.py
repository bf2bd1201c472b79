"""Golden files: each tests/cases/NAME.jobs (and the shipped example) against NAME.md, NAME.json
and NAME.diag. Regenerate with JOBLEDGER_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py
and review the diff like code."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from jobledger.ledger.diagnostics import render_text
from jobledger.pipeline import load_report
from jobledger.render.json_report import render_json
from jobledger.render.markdown import render_markdown

ROOT = Path(__file__).resolve().parent.parent
CASES = sorted((ROOT / "tests" / "cases").glob("*.jobs"))
GOLDEN = ROOT / "tests" / "golden"
AS_OF = date(2026, 3, 15)
UPDATE = os.environ.get("JOBLEDGER_UPDATE_GOLDEN") == "1"


def check(path: Path, actual: str) -> None:
    if UPDATE:
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"missing golden file {path}; run with JOBLEDGER_UPDATE_GOLDEN=1"
    assert actual == path.read_text(encoding="utf-8"), f"{path.name} differs from its golden"


@pytest.mark.parametrize(
    "ledger",
    [ROOT / "examples" / "blueprint.jobs", *CASES],
    ids=lambda p: p.stem,
)
def test_golden(ledger: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # diagnostics show paths as given: keep them repository-relative
    result = load_report([str(ledger.relative_to(ROOT))], AS_OF)
    check(GOLDEN / f"{ledger.stem}.diag", render_text(result.diagnostics) + "\n")
    if result.report is None:
        assert result.errors, "a ledger without a report must have errors"
        return
    check(GOLDEN / f"{ledger.stem}.md", render_markdown(result.report))
    check(GOLDEN / f"{ledger.stem}.json", render_json(result.report))
