"""Moving data in and out of a ledger. Pure functions over immutable data: the CLI reads and
writes the files.

    result = import_csv(data, "hunt.csv", ImportOptions(...))
    if result.ledger is not None:
        text = write_ledger(result.ledger)
"""

from __future__ import annotations

from jobledger.transfer.csv_table import Row, Table, TableResult, read_table
from jobledger.transfer.dates import DATE_FORMATS, DateFormat
from jobledger.transfer.import_csv import (
    PRESETS,
    ImportOptions,
    ImportResult,
    ImportSummary,
    Preset,
    Target,
    import_csv,
    parse_date_format,
    parse_map,
    parse_map_value,
)
from jobledger.transfer.ledger_text import (
    DraftApplication,
    DraftEvent,
    DraftLedger,
    escape_value,
    unescape_value,
    write_ledger,
)

__all__ = [
    "DATE_FORMATS",
    "PRESETS",
    "DateFormat",
    "DraftApplication",
    "DraftEvent",
    "DraftLedger",
    "ImportOptions",
    "ImportResult",
    "ImportSummary",
    "Preset",
    "Row",
    "Table",
    "TableResult",
    "Target",
    "escape_value",
    "import_csv",
    "parse_date_format",
    "parse_map",
    "parse_map_value",
    "read_table",
    "unescape_value",
    "write_ledger",
]
