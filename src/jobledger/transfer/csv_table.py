"""A spreadsheet's CSV export, as bytes -> a header and rows numbered as the spreadsheet numbers
them, or diagnostics that say which row could not be read.

The standard library's csv module is not used: it cannot say on which spreadsheet row a quoting
error is, it raises past 128 KB in a cell, and csv.Sniffer guesses wrong on short files. A CSV
record is simple enough to read with three regular expressions.
"""

from __future__ import annotations

import re

from jobledger.ledger.diagnostics import Diagnostic, Position, error
from jobledger.records import record

DELIMITERS = (",", ";", "\t")  # in order of preference when the evidence is even
SNIFF_RECORDS = 50  # records read to choose the delimiter: enough to see ragged rows

BAD_ENCODING = "JL300"
EMPTY_FILE = "JL301"
BAD_QUOTING = "JL302"
TOO_MANY_CELLS = "JL303"

SAVE_AS_UTF8 = (
    "save the sheet as 'CSV UTF-8' (Excel: File > Save As > CSV UTF-8; LibreOffice: "
    "character set Unicode (UTF-8)); Google Sheets' CSV download already is"
)


@record
class Row:
    number: int  # the spreadsheet's row number: the header is row 1
    cells: tuple[str, ...]  # as many as the header has; line breaks inside a cell are "\n"


@record
class Table:
    header: tuple[str, ...]
    rows: tuple[Row, ...]  # every record after the header, blank ones included
    delimiter: str
    bom: bool  # the file started with a UTF-8 byte-order mark


@record
class TableResult:
    table: Table | None  # None when nothing could be read (not UTF-8, empty)
    diagnostics: tuple[Diagnostic, ...]  # rows that could not be read are left out of the table


def whole_row(path: str, row: int) -> Position:
    """A CSV row as a position: column 0 renders as `path:row`."""
    return Position(path, row, 0)


def decode(data: bytes, path: str) -> tuple[str, bool] | Diagnostic:
    """UTF-8, with or without a BOM -> (text, had a BOM). Anything else is one error, not text
    full of replacement characters that would end up in the ledger."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return error(
            BAD_ENCODING,
            "the file is UTF-16 (Excel's 'Unicode Text'), not UTF-8",
            whole_row(path, 1),
            hint=SAVE_AS_UTF8,
        )
    bom = data.startswith(b"\xef\xbb\xbf")
    body = data[3:] if bom else data
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = body[: exc.start].count(b"\n") + 1
        return error(
            BAD_ENCODING,
            f"the file is not UTF-8: byte 0x{body[exc.start]:02x} on line {line} "
            "(Windows-1252 or Latin-1?)",
            whole_row(path, line),
            hint=SAVE_AS_UTF8,
        )
    if "\x00" in text:  # UTF-16 without a BOM, or not a text file at all
        line = text[: text.index("\x00")].count("\n") + 1
        return error(
            BAD_ENCODING,
            f"the file holds NUL bytes (line {line}): UTF-16 or not a text file",
            whole_row(path, line),
            hint=SAVE_AS_UTF8,
        )
    return text, bom


# A quoted cell: "" inside is one quote; line breaks are part of the cell.
_QUOTED = re.compile(r'"([^"]*(?:""[^"]*)*)"')
_LINE_BREAK = re.compile(r"\r\n?")


@record
class _Records:
    rows: tuple[Row, ...]
    diagnostics: tuple[Diagnostic, ...]
    complete: bool  # False when reading stopped at `limit` records


def _records(text: str, delimiter: str, path: str, limit: int | None = None) -> _Records:
    """Split the text into records; each is one spreadsheet row, whatever line breaks its
    quoted cells hold. A malformed record is reported by row and left out."""
    unquoted = re.compile(f"[^{re.escape(delimiter)}\r\n]*")
    rows: list[Row] = []
    diagnostics: list[Diagnostic] = []
    pos, end, number = 0, len(text), 1
    while pos < end:
        if limit is not None and number > limit:
            return _Records(tuple(rows), tuple(diagnostics), complete=False)
        cells: list[str] = []
        problem: str | None = None
        while True:
            if text.startswith('"', pos):
                quoted = _QUOTED.match(text, pos)
                if quoted is None:
                    diagnostics.append(
                        error(
                            BAD_QUOTING,
                            "a quote opened in this row is never closed",
                            whole_row(path, number),
                            hint="the rest of the file would be one cell; close the quote, "
                            'and write a quote inside a quoted cell as ""',
                        )
                    )
                    return _Records(tuple(rows), tuple(diagnostics), complete=True)
                cells.append(_LINE_BREAK.sub("\n", quoted.group(1).replace('""', '"')))
                pos = quoted.end()
                if pos < end and text[pos] not in (delimiter, "\r", "\n"):
                    problem = "text after the closing quote of a cell"
            else:
                plain = unquoted.match(text, pos)
                assert plain is not None  # the pattern matches the empty string
                cells.append(plain.group())
                pos = plain.end()
            if problem is not None or pos >= end or text[pos] != delimiter:
                break
            pos += 1  # past the delimiter, to the next cell
        if problem is not None:
            diagnostics.append(
                error(
                    BAD_QUOTING,
                    problem,
                    whole_row(path, number),
                    hint='quote the whole cell, and write a quote inside it as ""',
                )
            )
            newline = text.find("\n", pos)  # resume on the next line
            pos = end if newline < 0 else newline + 1
        else:
            rows.append(Row(number, tuple(cells)))
            if text.startswith("\r\n", pos):
                pos += 2
            elif pos < end:  # "\n" or "\r"
                pos += 1
        number += 1
    return _Records(tuple(rows), tuple(diagnostics), complete=True)


def sniff_delimiter(text: str, path: str = "") -> str:
    """The delimiter among `,` `;` tab that reads the start of the file as a table, judged in
    this order: a header of more than one cell, rows as wide as the header, no quoting errors,
    more columns. A delimiter that appears only inside cells splits the header into one cell,
    or the rows unevenly."""

    def score(delimiter: str) -> tuple[bool, float, bool, int]:
        records = _records(text, delimiter, path, SNIFF_RECORDS)
        if not records.rows:
            return (False, 0.0, not records.diagnostics, 0)
        width = len(records.rows[0].cells)
        body = [r for r in records.rows[1:] if any(c.strip() for c in r.cells)]
        even = sum(1 for r in body if len(r.cells) == width) / len(body) if body else 1.0
        return (width > 1, even, not records.diagnostics, width)

    scores = {d: score(d) for d in DELIMITERS}
    # max() keeps the first of equal scores: DELIMITERS is in order of preference.
    return max(DELIMITERS, key=lambda d: scores[d])


def read_table(data: bytes, path: str) -> TableResult:
    """Decode, sniff the delimiter, split into rows. Rows shorter than the header are padded
    with empty cells (spreadsheets drop trailing empty cells); a row with more non-empty cells
    than the header is an error, since those cells would have no column to go to."""
    decoded = decode(data, path)
    if isinstance(decoded, Diagnostic):
        return TableResult(None, (decoded,))
    text, bom = decoded
    if not text.strip():
        return TableResult(
            None,
            (error(EMPTY_FILE, "the file is empty: no header row", whole_row(path, 1)),),
        )
    delimiter = sniff_delimiter(text, path)
    records = _records(text, delimiter, path)
    diagnostics = list(records.diagnostics)
    if not records.rows or records.rows[0].number != 1:
        return TableResult(None, tuple(diagnostics))  # the header itself is unreadable
    header = tuple(cell.strip() for cell in records.rows[0].cells)
    if not any(header):
        diagnostics.append(
            error(
                EMPTY_FILE,
                "the header row is empty",
                whole_row(path, 1),
                hint="row 1 must name the columns",
            )
        )
        return TableResult(None, tuple(diagnostics))
    width = len(header)
    rows: list[Row] = []
    for row in records.rows[1:]:
        extra = [cell for cell in row.cells[width:] if cell.strip()]
        if extra:
            diagnostics.append(
                error(
                    TOO_MANY_CELLS,
                    f"this row has {len(row.cells)} cells but the header names {width} columns",
                    whole_row(path, row.number),
                    hint=f"a cell holding the delimiter {_shown(delimiter)} must be quoted; "
                    "or name the column in the header",
                )
            )
            continue
        cells = row.cells[:width] + ("",) * (width - len(row.cells))
        rows.append(Row(row.number, cells))
    return TableResult(Table(header, tuple(rows), delimiter, bom), tuple(diagnostics))


def _shown(delimiter: str) -> str:
    return "tab" if delimiter == "\t" else f"'{delimiter}'"
