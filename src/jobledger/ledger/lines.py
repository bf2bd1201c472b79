"""What the loader and the parser agree on about a file's text, without the parser: the loader
finds most files in the parse cache and then never needs Lark (a third of a small report's
start-up)."""

from __future__ import annotations

MAX_SYNTAX_ERRORS = 200  # per file: past this a file is junk, not a ledger with typos


def normalize_newlines(text: str) -> str:
    """CRLF and a lone CR (old Mac files) are line breaks, as LF is."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text
