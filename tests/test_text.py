"""render/text.py's Markdown helpers: escaping and padded tables (both run once per cell of a
large report, so they are written for speed; these pin what they must give)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jobledger.ledger.diagnostics import CONTROL_CHARACTERS
from jobledger.render.text import MAX_PAD, escaped_json, md, md_table


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


# Every character escaped_json treats and its neighbours; the ASCII ones alone, too, for the
# documents its fast path takes.
_ASCII_AWKWARD = st.sampled_from("a \x00\x01\x09\x0a\x0b\x0d\x1b\x1f\x7e\x7f")
_AWKWARD = (
    _ASCII_AWKWARD
    | st.characters(codec="utf-8")
    | st.sampled_from("\x80\x85\x9f\xa0\u2029\u202a\u202e\u202f\u2066\u2069")
)


@given(st.lists(st.text(_ASCII_AWKWARD) | st.text(_AWKWARD), max_size=4), st.booleans())
def test_escaped_json_writes_every_control_as_an_escape_and_keeps_the_data(
    values: list[str], ascii_only: bool
) -> None:
    """Its fast path lets an ASCII document through unsearched: right only because JSON never
    holds a raw ASCII control other than white space, and DEL is looked for. Either way it must
    give what the full search gives, leave no control, and decode to the same data."""
    document = json.dumps(values, indent=2, ensure_ascii=ascii_only)
    escaped = escaped_json(document)
    assert escaped == CONTROL_CHARACTERS.sub(lambda m: f"\\u{ord(m.group(0)):04x}", document)
    assert CONTROL_CHARACTERS.search(escaped) is None
    assert json.loads(escaped) == values
