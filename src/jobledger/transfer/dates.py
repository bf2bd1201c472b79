"""Dates as spreadsheets write them -> `date`, with the day/month order inferred per column.

A column is read in one order: `3/4/2026` means the same in every row of a column, and a single
`23/4/2026` in it settles that the column is day first. Dotted dates are always day first
(`D.M.YYYY`, as German or Swiss sheets write them); no locale writes month.day.year.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Literal

from jobledger.records import record

DateFormat = Literal["YYYY-MM-DD", "M/D/YYYY", "D/M/YYYY", "D.M.YYYY"]
DATE_FORMATS: tuple[DateFormat, ...] = ("YYYY-MM-DD", "M/D/YYYY", "D/M/YYYY", "D.M.YYYY")
ORDERS: tuple[DateFormat, DateFormat] = ("M/D/YYYY", "D/M/YYYY")  # the two readings of 3/4
ACCEPTED = "YYYY-MM-DD, M/D/YYYY, D/M/YYYY or D.M.YYYY"

# A time after the date is dropped: Google Sheets and Excel export date-times as "1/22/2026
# 14:00:00" when a cell holds one, and a ledger event has a day, not a time.
_TIME = (
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[AaPp]\.?[Mm]\.?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
)
_ISO = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})" + _TIME)
_DOTTED = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})" + _TIME)
_SLASHED = re.compile(r"(\d{1,2})([/-])(\d{1,2})\2(\d{4})" + _TIME)


def _date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _slashed(text: str) -> tuple[int, int, int] | None:
    match = _SLASHED.fullmatch(text.strip())
    if match is None:
        return None
    first, _, second, year = match.groups()
    return int(first), int(second), int(year)


def read_date(text: str, order: DateFormat | None) -> date | None:
    """One cell in a column whose day/month order is `order` (None: the column has no slashed
    dates, so a slashed one cannot be read)."""
    text = text.strip()
    if match := _ISO.fullmatch(text):
        return _date(int(match[1]), int(match[2]), int(match[3]))
    if match := _DOTTED.fullmatch(text):
        return _date(int(match[3]), int(match[2]), int(match[1]))
    slashed = _slashed(text)
    if slashed is None or order is None:
        return None
    first, second, year = slashed
    return _date(year, first, second) if order == "M/D/YYYY" else _date(year, second, first)


@record
class ColumnDates:
    order: DateFormat | None  # how slashed dates read in this column; None if it has none
    formats: tuple[DateFormat, ...]  # the formats seen, for the summary
    ambiguous: bool  # every slashed value reads both ways, some differently: order is a guess
    example: str | None  # a value that reads differently in each order (for the message)
    settled_by: str | None  # a value that reads only in `order`, if one settled it


def infer_column(values: Sequence[str], given: DateFormat | None = None) -> ColumnDates:
    """The day/month order of a column, from all its values. `given` (--date-format) decides a
    column whose every value fits both orders; a column that is settled keeps its own order.
    When values contradict each other, the order that reads more of them wins and the others
    are reported as not dates."""
    seen: list[DateFormat] = []
    fits = {order: 0 for order in ORDERS}
    only: dict[DateFormat, str] = {}  # per order, the first value that only it can read
    slashed_count = 0
    example: str | None = None
    for value in values:
        text = value.strip()
        if _ISO.fullmatch(text):
            shape: DateFormat = "YYYY-MM-DD"
        elif _DOTTED.fullmatch(text):
            shape = "D.M.YYYY"
        elif _slashed(text) is not None:
            shape = "M/D/YYYY"  # the family, until the order is known
            slashed_count += 1
            readings = {order: read_date(text, order) for order in ORDERS}
            for order, reading in readings.items():
                fits[order] += reading is not None
                if reading is not None and not all(readings.values()):
                    only.setdefault(order, text)
            if example is None and readings["M/D/YYYY"] != readings["D/M/YYYY"]:
                example = text if all(readings.values()) else None
        else:
            continue
        if shape not in seen:
            seen.append(shape)
    if not slashed_count:
        return ColumnDates(None, tuple(seen), False, None, None)
    if fits["M/D/YYYY"] == fits["D/M/YYYY"]:
        # Both read every value (or equally many): only `given` can tell, and it only matters
        # if some value reads differently, as 3/4 does and 1/1 does not.
        chosen: DateFormat = given if given in ORDERS else "M/D/YYYY"
        ambiguous = given not in ORDERS and example is not None and not only
    else:
        chosen, ambiguous = max(ORDERS, key=lambda o: fits[o]), False
    formats = tuple(chosen if shape == "M/D/YYYY" else shape for shape in seen)
    return ColumnDates(chosen, formats, ambiguous, example, only.get(chosen))
