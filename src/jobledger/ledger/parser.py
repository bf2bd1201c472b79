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

import bisect
import contextlib
import marshal
import os
import re
import threading
import zlib
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from lark import Lark, Token, Transformer, UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from jobledger import accelerators, forks
from jobledger.ledger.diagnostics import Position, error
from jobledger.ledger.lines import MAX_SYNTAX_ERRORS, normalize_newlines
from jobledger.ledger.model import Entry
from jobledger.ledger.statements import (
    SPLITTERS,
    ParseResult,
    Sink,
    Statements,
    attach_metadata,
    quick_lines,
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
    text = _ended(text)
    pieces = _pieces(text)
    if len(pieces) > 1:
        parsed = _parse_in_parallel(pieces, path)
        if parsed is not None:
            return parsed
    return _parse(text, path)


# Lines are read in runs of about this many, each by quick_lines if it can and by Lark if not.
QUICK_RUN_LINES = 500


def _parse(text: str, path: str, first_line: int = 1) -> ParseResult:
    """Parse `text` ("\n" line ends, a final one), which starts at line `first_line` of the file:
    every position says the file's line.

    Most lines are event and metadata lines, which `statements.quick_lines` reads with the
    grammar's own terminals and the same statements' methods, in a third less time than
    Lark's parser: runs of lines are read that way, and a run with any other line (a directive,
    a comment at its start) by Lark. A run Lark finds a problem in, and the whole text is
    parsed by Lark, so that every diagnostic is exactly Lark's."""
    runs = _runs(text)
    patterns = terminal_patterns()
    entries: list[Entry] = []
    for run, line in runs:
        quick = quick_lines(run, path, first_line + line - 1, patterns)
        if quick is None:
            parsed = _parse_with_lark(run, path, first_line + line - 1)
            if parsed.diagnostics:  # the whole text by Lark, unless the run was all of it
                return parsed if len(runs) == 1 else _parse_with_lark(text, path, first_line)
            quick = parsed.entries
        entries.extend(quick)
    return ParseResult(tuple(entries), ())


def _runs(text: str) -> list[tuple[str, int]]:
    """`text` ("\n" line ends, a final one) cut into runs of QUICK_RUN_LINES lines or so, each
    with the line it starts on. A run starts with an event line, as a parallel piece does, so
    each reads as it does within the text."""
    if text.count("\n", 0, 2 * QUICK_RUN_LINES * 80) < 2 * QUICK_RUN_LINES:
        return [(text, 1)]  # a small text: one run
    lines = text.split("\n")
    lines.pop()  # "" after the final "\n"
    runs: list[tuple[str, int]] = []
    start = 0
    number = QUICK_RUN_LINES
    while number < len(lines):
        if lines[number][:1].isdigit():
            runs.append(("\n".join(lines[start:number]) + "\n", start + 1))
            start = number
            number += QUICK_RUN_LINES
        else:
            number += 1
    runs.append(("\n".join(lines[start:]) + "\n", start + 1))
    return runs


def _parse_with_lark(text: str, path: str, first_line: int = 1) -> ParseResult:
    """_parse, by Lark alone."""
    with _lock:
        lark, builder = _parser()
        sink = builder.sink = Sink(path=path)
        lines: list[str] | None = None
        start_line, window, chunk = 1, 0, text
        syntax_errors = 0
        offset = first_line - 1  # from a line of `text` to the file's
        while True:
            # The "\n" we prepend is line 1 of the chunk.
            sink.line_offset = start_line - 2 + offset
            try:
                lark.parse("\n" + chunk, start="start")
            except UnexpectedInput as exc:
                if lines is None:
                    lines = text.split("\n")[:-1]
                bad_line = max(start_line, (exc.line if exc.line > 0 else 2) + start_line - 2)
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
                            Position(path, bad_line + offset, 1),
                            hint="is this really a .jobs ledger?",
                        )
                    )
                    break
                line = lines[bad_line - 1]
                sink.diagnostics.append(
                    explain(line, exc.column or 0, _expected(exc), path, bad_line + offset)
                )
                sink.items.append(bad_line + offset)
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


def parse_changed(text: str, path: str, before: str, entries: tuple[Entry, ...]) -> ParseResult:
    """Parse `text`, the new content of a file whose content `before` parsed into `entries`
    without a diagnostic (watch: a save). Both are cut into the same kind of blocks (_blocks);
    a block found in `before` keeps its entries, the very same objects where it has not moved
    (moved, they say their new lines), and only the other blocks are parsed. Any diagnostic,
    and the whole file is parsed in one go, so the result is always that of parse_text."""
    from jobledger.ledger import cache

    text = _ended(text)
    known: dict[str, tuple[int, tuple[Entry, ...]]] = {}
    old_blocks = _blocks(_ended(before))
    starts = [line for _, line in old_blocks]
    by_block: list[list[Entry]] = [[] for _ in old_blocks]
    for entry in entries:
        by_block[bisect.bisect_right(starts, entry.position.line) - 1].append(entry)
    for (block, line), kept in zip(old_blocks, by_block, strict=True):
        known.setdefault(block, (line, tuple(kept)))
    out: list[Entry] = []
    unknown: list[str] = []  # consecutive blocks to parse, as one text
    unknown_line = 0
    for block, line in [*_blocks(text), ("", 0)]:  # a last, empty block flushes `unknown`
        found = known.get(block)
        if found is None and block:
            if not unknown:
                unknown_line = line
            unknown.append(block)
            continue
        if unknown:
            parsed = _parse("".join(unknown), path, unknown_line)
            if parsed.diagnostics:
                return _parse(text, path)
            out.extend(parsed.entries)
            unknown = []
        if found is not None:
            was, same = found
            out.extend(same if was == line else cache.moved_entries(same, path, line - was))
    return ParseResult(tuple(out), ())


# A block starts at an event line whose CRC has these bits clear: about one in 32.
_BLOCK_MASK = 31


def _blocks(text: str) -> list[tuple[str, int]]:
    """`text` ("\n" line ends, a final one) cut into blocks, each with the line it starts on.
    A block starts with an event line, as a parallel piece does, so each reads as it does in the
    file; which event lines start one depends on their text alone (a hash), so an edit changes
    the blocks around it and no other."""
    lines = text.split("\n")
    lines.pop()  # "" after the final "\n"
    blocks: list[tuple[str, int]] = []
    start = 0
    for number, line in enumerate(lines):
        if (
            number
            and line[:1].isdigit()
            and not zlib.crc32(line.encode("utf-8", "surrogatepass")) & _BLOCK_MASK
        ):
            blocks.append(("\n".join(lines[start:number]) + "\n", start + 1))
            start = number
    blocks.append(("\n".join(lines[start:]) + "\n", start + 1))
    return blocks


def _ended(text: str) -> str:
    """The text as the parser reads it: "\n" line ends, a final one."""
    text = normalize_newlines(text)
    return text if text.endswith("\n") else text + "\n"


# A file this large is parsed in as many pieces as there are CPUs, at once (see _pieces).
PARALLEL_BYTES = 1 << 20
PARENT_WEIGHT = 1.3  # the parent's piece against a child's (see _pieces): measured best


def _pieces(text: str) -> list[tuple[str, int]]:
    """`text` cut into one piece per CPU, each with the line it starts on: a large file only,
    where a process of our own can be forked safely (POSIX, no other thread running). A piece
    starts with an event line (a date at the start of a line), so no statement, its metadata or
    the comments after it are cut apart: each piece reads exactly as it does within the file."""
    if len(text) < PARALLEL_BYTES or not forks.may_fork():
        return [(text, 1)]
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    count = min(cpus or 1, 8)
    # Each child also encodes its entries and sends them, and the parent decodes them after
    # its own piece: the parent's piece is the larger, so that both finish together.
    weight = PARENT_WEIGHT + count - 1
    pieces: list[tuple[str, int]] = []
    start, line = 0, 1
    for number in range(1, count):
        cut = text.find("\n", max(start, int(len(text) * (PARENT_WEIGHT + number - 1) / weight)))
        while 0 <= cut < len(text) - 1 and not text[cut + 1].isdigit():
            cut = text.find("\n", cut + 1)
        if cut < 0 or cut >= len(text) - 1:
            break
        pieces.append((text[start : cut + 1], line))
        line += text.count("\n", start, cut + 1)
        start = cut + 1
    pieces.append((text[start:], line))
    return pieces


def _parse_in_parallel(pieces: list[tuple[str, int]], path: str) -> ParseResult | None:
    """Parse the first piece here and each other one in a forked process, which sends back its
    entries as the parse cache stores them (plain data, `marshal`). None if any piece has a
    diagnostic, or a process could not be made or failed: the whole file is then parsed here,
    as one, so its diagnostics are exactly those of a file parsed in one go."""
    from jobledger.ledger import cache

    _parser()  # built once, before the fork: every process starts with it
    children: list[tuple[int, int]] = []  # (pid, read end of its pipe), until reaped
    try:
        for text, first_line in pieces[1:]:
            child = _fork_piece(text, path, first_line, [end for _, end in children])
            if child is None:
                return None
            children.append(child)
        first = _parse(pieces[0][0], path)
        if first.diagnostics:
            return None
        entries = [first.entries]
        while children:
            pid, read_end = children[0]
            with os.fdopen(read_end, "rb") as source:
                payload = source.read()
            status = forks.wait(pid)
            children.pop(0)
            if status != 0:
                return None
            try:
                entries.append(cache.decode_entries(marshal.loads(payload), path))
            except Exception:  # the piece had a diagnostic (None), or the process failed
                return None
        return ParseResult(tuple(entry for piece in entries for entry in piece), ())
    finally:  # done early, interrupted, or a child not made: none is left running
        for pid, read_end in children:
            with contextlib.suppress(OSError):
                os.close(read_end)
            forks.stop(pid)


def _fork_piece(
    text: str, path: str, first_line: int, inherited: list[int]
) -> tuple[int, int] | None:
    """A process that parses `text` and writes its entries (or None) to a pipe: (its pid, the
    pipe's read end), or None if the system would not make one (then nothing is left open)."""
    from jobledger.ledger import cache

    try:
        read_end, write_end = os.pipe()
    except OSError:
        return None

    def parse_and_send() -> None:
        result = _parse(text, path, first_line)
        data = None if result.diagnostics else cache.encode_entries(result.entries, path)
        with os.fdopen(write_end, "wb") as out:
            out.write(marshal.dumps(data))

    pid = forks.start(parse_and_send, close=(*inherited, read_end))
    os.close(write_end)
    if pid is None:
        os.close(read_end)
        return None
    return pid, read_end


def _expected(exc: UnexpectedInput) -> set[str]:
    """The terminals the parser would have accepted where it stopped."""
    if isinstance(exc, UnexpectedToken):
        return set(exc.expected)
    if isinstance(exc, UnexpectedCharacters):
        return set(exc.allowed or ())
    return set()
