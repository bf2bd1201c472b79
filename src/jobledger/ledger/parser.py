"""One file's text -> entries with source positions, plus diagnostics. Only this module knows Lark.

Comments are kept: an end-of-line comment goes on its event or directive, every other comment
becomes a `Comment` entry. The grammar folds them into the end-of-line terminal `_NL` (Lark's cost
is per token), so a lexer callback takes that token apart; most lines end in a bare "\n", for
which it only checks the length.

Lark's LALR parser stops at the first error. To report every error, we restart after the bad line;
later windows are cut at line boundaries (the grammar is one statement a line) and grow while they
parse cleanly, so a file full of junk costs O(errors x small window), never O(errors x file).
"""

from __future__ import annotations

import re
import threading
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from lark import Lark, Token, Transformer, UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from jobledger import accelerators
from jobledger.ledger.diagnostics import Position, error
from jobledger.ledger.lines import MAX_SYNTAX_ERRORS, normalize_newlines
from jobledger.ledger.statements import (
    SPLITTERS,
    ParseResult,
    Sink,
    Statements,
    attach_metadata,
)
from jobledger.ledger.syntax_errors import explain

FIRST_RETRY_WINDOW = 64  # lines parsed after an error before the window grows again


def _grammar_text() -> str:
    packaged = resources.files("jobledger") / "grammar" / "jobs.lark"
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    # Running from a source checkout: the grammar lives at the top of the repository.
    return (Path(__file__).resolve().parents[3] / "grammar" / "jobs.lark").read_text("utf-8")


def accelerated() -> bool:
    """Whether lark-cython drives the parser (`pip install jobledger[fast]`, see
    accelerators.py). The callbacks read `token.value`, which both Lark's tokens and
    lark-cython's have, so the results are the same either way (CI runs the tests both ways)."""
    return _plugins() is not None


def _plugins() -> dict[str, Any] | None:
    lark_cython = accelerators.load("lark_cython")
    return None if lark_cython is None else dict(lark_cython.plugins)


class _Builder(Statements, Transformer[Token, None]):
    """Tree-less transformer: Lark calls the statements' methods while it parses."""


@cache
def _parser() -> tuple[Lark, _Builder]:
    builder = _Builder()
    options: dict[str, Any] = {}
    plugins = _plugins()
    if plugins is not None:
        options["_plugins"] = plugins
    lark = Lark(
        _grammar_text(),
        parser="lalr",
        lexer="contextual",
        transformer=builder,
        lexer_callbacks={"_NL": builder.newline},
        maybe_placeholders=False,
        start=["start", "strict"],
        cache=True,
        **options,
    )
    SPLITTERS.event = _splitter(lark, "DATE", "KIND", "APPLICATION", "TAGS?")
    SPLITTERS.meta = _splitter(lark, "META_KEY", "META_VALUE?")
    return lark, builder


def terminal_patterns() -> dict[str, str]:
    """The grammar's terminals `statements.quick_lines` reads lines with, as regexes (plain data:
    the parse cache keeps them, so `add` can read back its line without importing Lark)."""
    lark, _ = _parser()
    patterns = {
        name: lark.get_terminal(name).pattern.to_regexp() for name in ("EVENT", "META", "_NL")
    }
    patterns["split_event"] = SPLITTERS.event.pattern
    patterns["split_meta"] = SPLITTERS.meta.pattern
    return patterns


def _splitter(lark: Lark, *names: str) -> re.Pattern[str]:
    """A regex with one group per terminal, made of the grammar's own definitions: it splits a
    token made of these terminals where the lexer would have cut it (each is greedy and none can
    end where the next one starts, so there is one way to cut)."""
    groups = []
    for name in names:
        regexp = lark.get_terminal(name.rstrip("?")).pattern.to_regexp()
        groups.append(f"({regexp})" + ("?" if name.endswith("?") else ""))
    return re.compile("".join(groups))


def _strict_error(lark: Lark, builder: _Builder, line: str) -> UnexpectedInput | None:
    """Parse one line part by part (from `strict`) for an error that names the part that is
    wrong and where; what it builds goes nowhere."""
    kept = builder.sink
    builder.sink = Sink()
    try:
        lark.parse("\n" + line + "\n", start="strict")
    except UnexpectedInput as exc:
        return exc
    finally:
        builder.sink = kept
    return None


_lock = threading.Lock()  # the transformer's sink is shared state


def parse_text(text: str, path: str) -> ParseResult:
    """Parse one file's text. Never raises on bad input: problems come back as diagnostics."""
    text = normalize_newlines(text)
    if not text.endswith("\n"):
        text += "\n"
    with _lock:
        lark, builder = _parser()
        sink = builder.sink = Sink(path=path)
        lines: list[str] | None = None
        start_line, window, chunk = 1, 0, text
        syntax_errors = 0
        while True:
            sink.line_offset = start_line - 2  # the "\n" we prepend is line 1 of the chunk
            try:
                lark.parse("\n" + chunk, start="start")
            except UnexpectedInput as exc:
                if lines is None:
                    lines = text.split("\n")[:-1]
                bad_line = max(start_line, (exc.line if exc.line > 0 else 2) + sink.line_offset)
                # The fast grammar reads a whole event line as one token; the strict one says
                # which part of the line is wrong (it always rejects the line too).
                strict = _strict_error(lark, builder, lines[bad_line - 1])
                if strict is not None:
                    exc = strict
                syntax_errors += 1
                if syntax_errors > MAX_SYNTAX_ERRORS:
                    sink.diagnostics.append(
                        error(
                            "JL199",
                            f"too many syntax errors; stopped reading this file after "
                            f"{MAX_SYNTAX_ERRORS}",
                            Position(path, bad_line, 1),
                            hint="is this really a .jobs ledger?",
                        )
                    )
                    break
                line = lines[bad_line - 1]
                sink.diagnostics.append(
                    explain(line, exc.column or 0, _expected(exc), path, bad_line)
                )
                sink.items.append(bad_line)
                start_line, window = bad_line + 1, FIRST_RETRY_WINDOW
            else:
                if lines is None:
                    break
                start_line, window = start_line + window, window * 2
            if start_line > len(lines):
                break
            chunk = "\n".join(lines[start_line - 1 : start_line - 1 + window]) + "\n"
        items, diagnostics = sink.items, sink.diagnostics
        builder.sink = Sink()
    return ParseResult(*attach_metadata(items, diagnostics, path))


def _expected(exc: UnexpectedInput) -> set[str]:
    """The terminals the parser would have accepted where it stopped."""
    if isinstance(exc, UnexpectedToken):
        return set(exc.expected)
    if isinstance(exc, UnexpectedCharacters):
        return set(exc.allowed or ())
    return set()
