"""Small text formatters shared by every output: plurals, day counts, Markdown escaping and
Markdown tables that also read well as plain text in a terminal."""

from __future__ import annotations

import re
from collections.abc import Sequence

from jobledger.ledger.diagnostics import CONTROL_CHARACTERS

MAX_PAD = 60  # a column is padded to its widest cell, but not past this


def visible(text: str) -> str:
    """Control and bidi-override characters (which can only come from the ledger) as U+FFFD:
    an output printed in a terminal must not drive it, nor turn its text around. A CRLF line
    ending (CSV and iCalendar have them) is no control to remove."""
    return "\r\n".join(CONTROL_CHARACTERS.sub("\ufffd", part) for part in text.split("\r\n"))


def escaped_json(text: str) -> str:
    """The same for a JSON document, losslessly: they are written as \\u escapes (valid inside
    a JSON string, which is the only place they can be), so the data keeps them."""
    if text.isascii() and "\x7f" not in text:
        # JSON escapes every other ASCII control in a string, and allows none elsewhere: a
        # 26 MB report is let through without a search, a quarter of its rendering time.
        return text
    return CONTROL_CHARACTERS.sub(_json_escape, text)


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group(0)):04x}"


# A backslash before each character Markdown could read as markup. A report of 36,000
# applications escapes 180,000 cells, and few hold any of them: looking for one first is ten
# times faster than translating every character.
_MD_MARKUP = "\\`*_[]<>|~&#!"
_MD_ESCAPES = str.maketrans({char: "\\" + char for char in _MD_MARKUP})
_MD_ANY = re.compile("[" + re.escape(_MD_MARKUP) + "]")


def md(text: object) -> str:
    """Escape ledger text for Markdown: names like `*Acme*` or `A|B` must stay literal."""
    if text is None:
        return ""
    text = str(text)
    return text.translate(_MD_ESCAPES) if _MD_ANY.search(text) else text


# A spreadsheet runs a cell that starts with one of these as a formula (OWASP: CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    """A cell that a spreadsheet would evaluate, made text by a leading `'`."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def csv_field(value: object) -> str:
    """One quoted CSV field for a template: quotes doubled, a formula made text."""
    text = "" if value is None else str(value)
    return '"' + neutralise(text).replace('"', '""') + '"'


def md_table(header: Sequence[str], rows: Sequence[Sequence[object]], align: str = "") -> str:
    """A GFM table with padded columns, readable as plain text in a terminal too.
    `align` has one letter per column: 'l' or 'r' (default 'l')."""
    return md_text_table(
        header, [tuple("" if c is None else str(c) for c in row) for row in rows], align
    )


def md_text_table(header: Sequence[str], rows: Sequence[tuple[str, ...]], align: str = "") -> str:
    """md_table for cells that are text already."""
    columns = len(header)
    for row in rows:
        if len(row) != columns:
            raise ValueError(f"a row of {len(row)} cells in a table of {columns} columns")
    widest = [max(map(len, cells), default=0) for cells in zip(*rows, strict=True)] if rows else []
    layout, top = table_layout(header, widest or [0] * columns, align)
    return "\n".join([top, *[layout % row for row in rows]])


def table_layout(header: Sequence[str], widest: Sequence[int], align: str = "") -> tuple[str, str]:
    """(the format of a row, the heading and rule lines) of a table whose widest cells are
    `widest` long, column by column."""
    heading = tuple(str(c) for c in header)
    # Pad to the widest cell, but not past MAX_PAD: one 200 KB name must not pad every row.
    widths = [
        min(MAX_PAD, max(3, len(title), cell)) for title, cell in zip(heading, widest, strict=True)
    ]
    sides = [(align[i] if i < len(align) else "l") for i in range(len(heading))]
    # One format for every row ("%-12s" pads as ljust(12), "%5s" as rjust(5)): no call a row.
    layout = (
        "| "
        + " | ".join(
            f"%{'' if side == 'r' else '-'}{w}s" for w, side in zip(widths, sides, strict=True)
        )
        + " |"
    )
    rule = (
        "|"
        + "|".join(
            "-" * (w + 1) + ":" if side == "r" else "-" * (w + 2)
            for w, side in zip(widths, sides, strict=True)
        )
        + "|"
    )
    return layout, f"{layout % heading}\n{rule}"


def plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count} {word if count == 1 else (many or word + 's')}"


def days(value: float | int | None) -> str:
    if value is None:
        return "—"
    return plural(value, "day") if isinstance(value, int) else f"{value:g} days"
