"""render/text.py's Markdown helpers: escaping and padded tables (both run once per cell of a
large report, so they are written for speed; these pin what they must give)."""

from __future__ import annotations

import pytest

from jobledger.render.text import MAX_PAD, md, md_table


def test_md_escapes_every_markup_character_and_nothing_else() -> None:
    assert md("Acme — Staff Engineer") == "Acme — Staff Engineer"
    assert md("*A*|b_[c]<d>~&#!`\\") == "\\*A\\*\\|b\\_\\[c\\]\\<d\\>\\~\\&\\#\\!\\`\\\\"
    assert md(None) == "" and md(42) == "42"


def test_a_table_is_padded_and_aligned() -> None:
    table = md_table(["Name", "n"], [["Acme", 3], ["Globex Corp", None]], align="lr")
    assert table.split("\n") == [
        "| Name        |   n |",
        "|-------------|----:|",
        "| Acme        |   3 |",
        "| Globex Corp |     |",
    ]


def test_a_long_cell_is_kept_whole_and_pads_nothing_past_the_limit() -> None:
    long = "x" * (MAX_PAD + 40)
    lines = md_table(["a", "b"], [[long, "1"], ["y", "2"]]).split("\n")
    assert lines[2] == f"| {long} | 1   |"
    assert lines[3] == "| " + "y".ljust(MAX_PAD) + " | 2   |"


def test_a_row_with_the_wrong_number_of_cells_is_a_bug_said_aloud() -> None:
    with pytest.raises(ValueError, match="a row of 3 cells"):
        md_table(["a", "b"], [["1", "2", "3"]])
