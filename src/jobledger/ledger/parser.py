"""One file's text -> entries with source positions, plus diagnostics. Only this module knows Lark.

Lark's LALR parser stops at the first error. To report every error, we restart after the bad line;
later windows are cut at line boundaries (the grammar is one statement a line) and grow while they
parse cleanly, so a file full of junk costs O(errors x small window), never O(errors x file).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from lark import Lark, Token, Transformer, UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from jobledger.ledger.diagnostics import Diagnostic, Position, error
from jobledger.ledger.model import Declaration, Entry, Event, Include, Option
from jobledger.ledger.suggest import closest, shorten

MAX_SYNTAX_ERRORS = 200  # per file: past this a file is junk, not a ledger with typos
FIRST_RETRY_WINDOW = 64  # lines parsed after an error before the window grows again
DIRECTIVES = ("stage", "outcome", "role", "include", "option")


@dataclass(frozen=True, slots=True)
class ParseResult:
    entries: tuple[Entry, ...]
    diagnostics: tuple[Diagnostic, ...]


@dataclass(frozen=True, slots=True)
class _Text:
    value: str
    quoted: bool
    column: int


@dataclass(slots=True)
class _Meta:
    line: int
    column: int
    key: str
    value: str


@dataclass(slots=True)
class _Sink:
    """Where the transformer puts statements as LALR reduces them; survives a failed parse."""

    path: str = ""
    line_offset: int = 0
    items: list[Entry | _Meta | int] = field(default_factory=list)  # int: a line with an error
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def position(self, token: Token, column: int | None = None) -> Position:
        line = (token.line or 0) + self.line_offset
        return Position(self.path, line, column if column is not None else (token.column or 1))


_ESCAPE = re.compile(r'\\(["\\])')
# The grammar has validated the APPLICATION token, so splitting it needs no more than this:
# a bare part never holds '|', a quoted one may.
_SPLIT_APPLICATION = re.compile(r'\s*("(?:[^"\\]|\\.)*"|[^|]*[^|\s])(?:\s*\|\s*(.*))?')


def _unquote(token: str) -> str:
    return _ESCAPE.sub(r"\1", token[1:-1])


_TAG = re.compile(r"#([^\s#;]+)")


def _tags(token: Token | None) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """The tags of a TAGS token and the column of each '#'."""
    if token is None:
        return (), ()
    found = list(_TAG.finditer(token))
    start = token.column or 1
    return tuple(m.group(1) for m in found), tuple(start + m.start() for m in found)


def _name(part: str) -> str:
    if part[:1] == '"':
        part = _unquote(part)
    return " ".join(part.split())


_dates: dict[str, date | None] = {}  # a ledger has far fewer distinct dates than lines


def _date(text: str) -> date | None:
    try:
        return _dates[text]
    except KeyError:
        pass
    try:
        value: date | None = date.fromisoformat(text)
    except ValueError:
        value = None
    if len(_dates) < 100_000:
        _dates[text] = value
    return value


class _Builder(Transformer[Token, None]):
    """Tree-less transformer: Lark calls it while parsing, no parse tree is built."""

    def __init__(self) -> None:
        super().__init__()
        self.sink = _Sink()

    # -- values
    def bare(self, children: list[Token]) -> _Text:
        token = children[0]
        return _Text(str(token), False, token.column or 1)

    def quoted(self, children: list[Token]) -> _Text:
        token = children[0]
        return _Text(_unquote(str(token)), True, token.column or 1)

    # -- statements
    def event(self, children: list[Token]) -> None:
        date_token, kind_token, application = children[:3]
        sink = self.sink
        position = Position(sink.path, date_token.line + sink.line_offset, 1)  # type: ignore[operator]
        when = _date(date_token)
        if when is None:
            sink.diagnostics.append(
                error(
                    "JL102",
                    f"'{date_token}' is not a calendar date",
                    position,
                    hint="dates are YYYY-MM-DD with a real month and day",
                )
            )
            sink.items.append(position.line)
            return
        kind = kind_token.lstrip()
        company: str
        title: str | None
        if '"' in application:
            match = _SPLIT_APPLICATION.match(application)
            assert match is not None  # the grammar already matched the token
            company, title = match.groups()
            company = _name(company)
            title = None if title is None else _name(title)
        else:  # the common case, and a bare part never holds '|': no regex needed
            company, bar, rest = application.partition("|")
            company = " ".join(company.split())
            title = " ".join(rest.split()) if bar else None
        if not company or title == "":
            what, group = ("company", 1) if not company else ("title", 2)
            match = _SPLIT_APPLICATION.match(application)
            assert match is not None
            column = (application.column or 1) + match.start(group)
            sink.diagnostics.append(
                error("JL105", f"the {what} is empty", Position(sink.path, position.line, column))
            )
            sink.items.append(position.line)
            return
        sink.items.append(
            Event(
                position,
                when,
                kind,
                company,
                title,
                *_tags(children[3] if len(children) > 3 else None),
                (),
                (kind_token.column or 1) + len(kind_token) - len(kind),
            )
        )

    def meta(self, children: list[Token]) -> None:
        key_token = children[0]
        key = key_token.lstrip()
        value = children[1].strip() if len(children) > 1 else ""
        line = (key_token.line or 0) + self.sink.line_offset
        column = (key_token.column or 1) + len(key_token) - len(key)
        self.sink.items.append(_Meta(line, column, key[:-1], value))

    def declaration(self, children: list[Token]) -> None:
        what, key, label = children
        self.sink.items.append(
            Declaration(
                self.sink.position(what),
                str(what),  # type: ignore[arg-type]  # the grammar allows only the three words
                str(key),
                _unquote(str(label)),
                key_column=key.column or 1,
            )
        )

    def include(self, children: list[Token]) -> None:
        pattern = children[0]
        self.sink.items.append(Include(self.sink.position(pattern, 1), _unquote(str(pattern))))

    def option(self, children: list[Any]) -> None:
        name, value = children
        self.sink.items.append(
            Option(
                self.sink.position(name, 1),
                str(name),
                value.value,
                value.quoted,
                value_column=value.column,
                name_column=name.column or 1,
            )
        )


def _grammar_text() -> str:
    packaged = resources.files("jobledger") / "grammar" / "jobs.lark"
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    # Running from a source checkout: the grammar lives at the top of the repository.
    return (Path(__file__).resolve().parents[3] / "grammar" / "jobs.lark").read_text("utf-8")


@cache
def _parser() -> tuple[Lark, _Builder]:
    builder = _Builder()
    lark = Lark(
        _grammar_text(),
        parser="lalr",
        lexer="contextual",
        transformer=builder,
        maybe_placeholders=False,
        cache=True,
    )
    return lark, builder


_lock = threading.Lock()  # the transformer's sink is shared state


def parse_text(text: str, path: str) -> ParseResult:
    """Parse one file's text. Never raises on bad input: problems come back as diagnostics."""
    if not text.endswith("\n"):
        text += "\n"
    with _lock:
        lark, builder = _parser()
        sink = builder.sink = _Sink(path=path)
        lines: list[str] | None = None
        start_line, window, chunk = 1, 0, text
        syntax_errors = 0
        while True:
            sink.line_offset = start_line - 2  # the "\n" we prepend is line 1 of the chunk
            try:
                lark.parse("\n" + chunk)
            except UnexpectedInput as exc:
                if lines is None:
                    lines = text.split("\n")[:-1]
                bad_line = max(start_line, (exc.line if exc.line > 0 else 2) + sink.line_offset)
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
                line = lines[bad_line - 1].removesuffix("\r")
                sink.diagnostics.append(explain(exc, line, path, bad_line))
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
        builder.sink = _Sink()
    return ParseResult(*_attach_metadata(items, diagnostics, path))


def _attach_metadata(
    items: list[Entry | _Meta | int], diagnostics: list[Diagnostic], path: str
) -> tuple[tuple[Entry, ...], tuple[Diagnostic, ...]]:
    """Indented `key: value` lines belong to the event above them."""
    entries: list[Entry] = []
    meta: dict[int, list[tuple[str, str]]] = {}
    owner: int | None = None  # index in entries of the event that metadata attaches to
    after_error = False
    for item in items:
        if isinstance(item, int):
            owner, after_error = None, True
        elif isinstance(item, _Meta):
            if owner is not None:
                meta.setdefault(owner, []).append((item.key, item.value))
            elif not after_error:  # under a broken line, the broken line is the error to show
                diagnostics.append(
                    error(
                        "JL106",
                        f"metadata '{item.key}:' has no event above it",
                        Position(path, item.line, item.column),
                        hint="indented 'key: value' lines go right under a dated event",
                    )
                )
        else:
            owner = len(entries) if isinstance(item, Event) else None
            after_error = False
            entries.append(item)
    for index, pairs in meta.items():
        event = entries[index]
        assert isinstance(event, Event)
        entries[index] = replace(event, meta=tuple(pairs))
    return tuple(entries), tuple(diagnostics)


# ---------------------------------------------------------------- explaining syntax errors

_DATE_LIKE = re.compile(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def explain(exc: UnexpectedInput, line: str, path: str, line_number: int) -> Diagnostic:
    """Turn Lark's parser state into a message about what the line is missing."""
    column = exc.column if exc.column and exc.column > 0 else 1
    column = min(column, len(line) + 1)
    while line[column - 1 : column].isspace():  # terminals carry their leading blanks
        column += 1
    quote = _unclosed_quote(line, column)
    if quote is not None:
        code, message = "JL103", "unterminated string: no closing '\"' on this line"
        hint: str | None = 'close it with "'
        column = quote
    else:
        code, message, hint, column = _classify(exc, line, column, line[column - 1 : column])
    return error(code, message, Position(path, line_number, column), hint=hint, source_line=line)


_CLOSED_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def _unclosed_quote(line: str, column: int) -> int | None:
    """Column of a '"' at or after `column` that no later '"' closes, if any."""
    position = column - 1
    while (start := line.find('"', position)) != -1:
        closed = _CLOSED_STRING.match(line, start)
        if closed is None:
            return start + 1
        position = closed.end()
    return None


Explained = tuple[str, str, str | None, int]  # code, message, hint, column


def _classify(exc: UnexpectedInput, line: str, column: int, at: str) -> Explained:
    stripped = line.strip()
    first = stripped.split()[0] if stripped else ""
    if line[:1].isspace():
        return _classify_indented(line, column, first)
    if first[:1].isdigit() or _DATE_LIKE.match(first):
        return _classify_event(exc, line, column, first)
    word = re.match(r"[A-Za-z_-]+", first)
    directive = word.group(0) if word else ""
    if directive.lower() in DIRECTIVES:
        if directive != directive.lower():
            return (
                "JL100",
                f"directives are lowercase: '{directive.lower()}', not '{directive}'",
                f"write '{directive.lower()}'",
                1,
            )
        if len(stripped.split()) == 1 and directive != "include":
            return "JL111", f"{directive} needs a key", None, column
        return _classify_directive(exc, directive, column, at)
    hint = None
    if directive:
        guess = closest(directive.lower(), DIRECTIVES)
        if guess:
            hint = f"did you mean '{guess}'?"
        else:
            hint = "an event starts with a date: 2026-02-03 applied Company | Title"
    return (
        "JL100",
        "not a valid line: expected an event, a directive, indented metadata or a comment",
        hint,
        column,
    )


def _classify_indented(line: str, column: int, first: str) -> Explained:
    start = len(line) - len(line.lstrip()) + 1
    if _DATE.match(first) or first in DIRECTIVES:
        return (
            "JL101",
            "events and directives start in column 0",
            "remove the indentation (indented lines are 'key: value' metadata)",
            start,
        )
    if ":" in line:
        key = line.strip().split(":", 1)[0]
        return (
            "JL107",
            "a metadata key is one word (no blanks or quotes) followed by ':'",
            f"write {re.sub(r'[^A-Za-z0-9_.-]+', '-', key).strip('-') or 'key'}: …",
            start,
        )
    return "JL107", "metadata lines are 'key: value'", "add a ':' after the key", start


def _expected(exc: UnexpectedInput) -> set[str]:
    if isinstance(exc, UnexpectedToken):
        return set(exc.expected)
    if isinstance(exc, UnexpectedCharacters):
        return set(exc.allowed or ())
    return set()


def _classify_event(exc: UnexpectedInput, line: str, column: int, first: str) -> Explained:
    if not _DATE.fullmatch(first):
        if _DATE.match(first):
            return "JL101", "expected a space after the date", None, 11
        return (
            "JL102",
            f"'{shorten(first)}' is not a date: dates are YYYY-MM-DD",
            "write the date like 2026-02-03",
            1,
        )
    expected = _expected(exc)
    before = line[: column - 1].rstrip()
    words = line.split()
    at = line[column - 1 : column]
    if len(words) == 1:
        return (
            "JL104",
            "the event has no kind",
            "add what happened: 2026-02-03 applied Company",
            column,
        )
    if "KIND" in expected and at == '"':
        kind = line[column:].split('"', 1)[0]
        return "JL104", "the kind is a plain word, not quoted", f"write {kind}", column
    rest = line[column - 1 :].strip()
    if rest.startswith("|"):
        if len(before.split()) == 2:
            return "JL105", "the company is empty", "write the company before '|'", column
        tag = re.search(r"\s(#\S+)$", before)
        if tag:
            company = before.split(None, 2)[2]
            return (
                "JL105",
                f"'{shorten(tag.group(1))}' is read as a tag, so the name cannot go on",
                f'quote a name that holds " #": "{company}" {rest}',
                tag.start(1) + 1,
            )
        if rest == "|":
            return (
                "JL105",
                "nothing after '|': the title is empty",
                "write a title or drop the '|'",
                column,
            )
        return "JL105", "a second '|' in the name", 'quote a name that contains "|"', column
    if "APPLICATION" in expected or len(words) == 2:
        hint = "name the company after the kind: DATE KIND Company | Title"
        if at == "#":
            hint = f'a name that starts with "#" is quoted: "{shorten(rest.split()[0])}"'
        return "JL105", "the event has no application", hint, column
    if "KIND" in expected and len(before) == 10:
        return "JL101", "expected a space after the date", None, column
    if at == "#":
        return "JL108", "a tag is '#' followed by letters, with a space before it", None, column
    return "JL100", f"unexpected {_describe(line, column)} in this event", None, column


def _classify_directive(exc: UnexpectedInput, directive: str, column: int, at: str) -> Explained:
    expected = _expected(exc)
    if "_NL" in expected and at.strip():
        return (
            "JL113" if directive == "option" else "JL100",
            f"unexpected text at the end of the {directive} line",
            "a comment after a directive starts with ' ;'",
            column,
        )
    if directive == "include":
        return "JL110", "include takes a quoted path", 'include "2025/*.jobs"', column
    if "KEY" in expected:
        if at and not at.isspace():
            return (
                "JL111",
                f"invalid key for {directive}: keys are lowercase letters, digits, '_' and '-'",
                f'{directive} devrel "Developer Advocate"'
                if directive != "option"
                else "option ghost-after 30",
                column,
            )
        return "JL111", f"{directive} needs a key", None, column
    at_end = not at.strip()
    if ("STRING" in expected or (at_end and "_SEP" in expected)) and directive != "option":
        return (
            "JL112",
            f"{directive} needs a quoted label",
            f'{directive} KEY "Label shown in reports"',
            column,
        )
    if directive == "option":
        return "JL113", "option needs a name and a value", "option ghost-after 30", column
    return "JL100", f"unexpected text in the {directive} directive", None, column


def _describe(line: str, column: int) -> str:
    rest = line[column - 1 :]
    if not rest.strip():
        return "end of line"
    return "'" + rest.split()[0][:30] + "'"
