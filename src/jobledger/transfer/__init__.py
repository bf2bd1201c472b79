"""Moving data in and out of a ledger. Pure functions over immutable data: the CLI reads and
writes the files.

    result = import_csv(data, "hunt.csv", ImportOptions(...))
    if result.ledger is not None:
        text = write_ledger(result.ledger)
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jobledger.transfer.csv_import import (
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
    from jobledger.transfer.csv_table import Row, Table, TableResult, read_table
    from jobledger.transfer.dates import DATE_FORMATS, DateFormat
    from jobledger.transfer.ledger_text import (
        DraftApplication,
        DraftEvent,
        DraftLedger,
        escape_value,
        unescape_value,
        write_ledger,
    )

# Each name's module, imported when the name is first asked for: `add` writes its line with
# ledger_text, and must not pay for the CSV importer (and `inspect`, which its dataclass needs).
_HOME = {
    "Row": "csv_table",
    "Table": "csv_table",
    "TableResult": "csv_table",
    "read_table": "csv_table",
    "DATE_FORMATS": "dates",
    "DateFormat": "dates",
    "PRESETS": "csv_import",
    "ImportOptions": "csv_import",
    "ImportResult": "csv_import",
    "ImportSummary": "csv_import",
    "Preset": "csv_import",
    "Target": "csv_import",
    "import_csv": "csv_import",
    "parse_date_format": "csv_import",
    "parse_map": "csv_import",
    "parse_map_value": "csv_import",
    "DraftApplication": "ledger_text",
    "DraftEvent": "ledger_text",
    "DraftLedger": "ledger_text",
    "escape_value": "ledger_text",
    "unescape_value": "ledger_text",
    "write_ledger": "ledger_text",
}


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


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
