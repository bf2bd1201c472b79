"""A position with column 0 names a whole line (a CSV row): `path:line`, and no caret."""

from __future__ import annotations

from jobledger.ledger.diagnostics import Position, error


def test_column_zero_renders_path_and_line_only() -> None:
    diagnostic = error("JL300", "no company", Position("hunt.csv", 7, 0), source_line="a,b")
    assert str(diagnostic.position) == "hunt.csv:7"
    assert diagnostic.render() == "hunt.csv:7: error: no company [JL300]"


def test_a_real_column_still_gets_its_caret() -> None:
    diagnostic = error("JL102", "bad date", Position("h.jobs", 2, 3), source_line="x 2026")
    assert diagnostic.render().splitlines() == [
        "h.jobs:2:3: error: bad date [JL102]",
        "    x 2026",
        "      ^",
    ]
