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
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from lark import Lark, Token, Transformer, UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from jobledger import accelerators
from jobledger.ledger.diagnostics import Diagnostic, Position, error
from jobledger.ledger.lines import MAX_SYNTAX_ERRORS, normalize_newlines
from jobledger.ledger.model import (
    Comment,
    Declaration,
    Entry,
    Event,
    Include,
    Option,
)
from jobledger.ledger.syntax_errors import explain
from jobledger.records import record, replace

FIRST_RETRY_WINDOW = 64  # lines parsed after an error before the window grows again


@record
class ParseResult:
    entries: tuple[Entry, ...]
    diagnostics: tuple[Diagnostic, ...]


@record
class _Text:
    value: str
    quoted: bool
    column: int


@record
class _Meta:
    line: int
    column: int
    key: str
    value: str


class _Sink:
    """Where the transformer puts statements as LALR reduces them; survives a failed parse."""

    __slots__ = ("diagnostics", "items", "line_offset", "path", "pending")

    def __init__(self, path: str = "") -> None:
        self.path = path
        self.line_offset = 0
        self.items: list[Entry | _Meta | int] = []  # int: a line with an error
        self.diagnostics: list[Diagnostic] = []
        # The _NL just lexed, when it holds more than "\n": LALR reduces a statement when it sees
        # the _NL after it, so the statement's callback finds its own end of line here.
        self.pending: Token | None = None

    def position(self, token: Token, column: int | None = None) -> Position:
        line = (token.line or 0) + self.line_offset
        return Position(self.path, line, column if column is not None else (token.column or 1))


_ESCAPE = re.compile(r'\\(["\\])')
# The grammar has validated the APPLICATION token, so splitting it needs no more than this:
# a bare part never holds '|', a quoted one may.
_SPLIT_APPLICATION = re.compile(r'\s*("(?:[^"\\]|\\.)*"|[^|]*[^|\s])(?:\s*\|\s*(.*))?')


def split_application(written: str) -> tuple[str, str | None]:
    """An APPLICATION as written (Event.raw_application) -> its company and title parts as
    written, quotes and escapes kept; the title is None when there is no '|'."""
    match = _SPLIT_APPLICATION.match(written)
    assert match is not None, written  # the grammar matched it
    return match.group(1), match.group(2)


def _unquote(token: str) -> str:
    return _ESCAPE.sub(r"\1", token[1:-1])


_TAG = re.compile(r"#([^\s#;]+)")


def _tags(text: str | None, start: int) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """The tags of a TAGS part starting at column `start`, and the column of each '#'."""
    if text is None:
        return (), ()
    found = list(_TAG.finditer(text))
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


def _trailing_comment(nl: str) -> tuple[str | None, int]:
    """The end-of-line comment at the start of an _NL token (text after ';', stripped), and the
    offset of its ';' in the token."""
    first = nl[: nl.index("\n")]
    semicolon = first.find(";")
    if semicolon < 0:
        return None, 0
    return first[semicolon + 1 :].strip(), semicolon


class _Builder(Transformer[Token, None]):
    """Tree-less transformer: Lark calls it while parsing, no parse tree is built."""

    def __init__(self) -> None:
        super().__init__()
        self.sink = _Sink()

    # -- ends of lines (a lexer callback: it runs before the parser sees the token). Every _NL
    # sets `pending`, so one left over by a failed parse never reaches a statement.
    def newline(self, token: Token) -> Token:
        sink = self.sink
        if len(token.value) == 1:  # a bare "\n", most lines
            sink.pending = None
        elif token.line == 1:  # the chunk's leading "\n": the lines above the first statement
            sink.pending = None
            self._comment_lines(token)
        else:
            sink.pending = token
        return token

    def _end_of_line(self) -> tuple[str | None, int, Token | None]:
        """The statement's end-of-line comment and its ';' column, and the _NL to finish with."""
        nl = self.sink.pending
        if nl is None:
            return None, 0, None
        self.sink.pending = None
        comment, semicolon = _trailing_comment(nl.value)
        return comment, (nl.column or 1) + semicolon, nl

    def _comment_lines(self, nl: Token | None) -> None:
        """The comment lines an _NL swallowed after its own line end (blank lines are skipped)."""
        if nl is None:
            return
        sink = self.sink
        line = (nl.line or 0) + sink.line_offset
        for text in nl.value.split("\n")[1:-1]:
            line += 1
            stripped = text.strip()
            if stripped:
                column = len(text) - len(text.lstrip()) + 1
                sink.items.append(Comment(Position(sink.path, line, column), stripped))

    # -- values
    def bare(self, children: list[Token]) -> _Text:
        token = children[0]
        return _Text(token.value, False, token.column or 1)

    def quoted(self, children: list[Token]) -> _Text:
        token = children[0]
        return _Text(_unquote(token.value), True, token.column or 1)

    # -- statements
    def event_line(self, children: list[Token]) -> None:
        """An event line, one EVENT token: split where the lexer would have cut its terminals."""
        token = children[0]
        parts = split_event(token.value)
        column = token.column or 1
        self._event(
            token.line or 0,
            parts[0],
            parts[1],
            column + 10,
            parts[2],
            column + 10 + len(parts[1]),
            parts[3],
            column + 10 + len(parts[1]) + len(parts[2]),
        )

    def event(self, children: list[Token]) -> None:
        """An event line part by part: the `strict` grammar, which explains a bad line."""
        date_token, kind_token, application_token = children[:3]
        tags = children[3] if len(children) > 3 else None
        self._event(
            date_token.line or 0,
            date_token.value,
            kind_token.value,
            kind_token.column or 1,
            application_token.value,
            application_token.column or 1,
            None if tags is None else tags.value,
            0 if tags is None else tags.column or 1,
        )

    def _event(
        self,
        line: int,
        day: str,
        kind_text: str,
        kind_column: int,
        application: str,
        application_column: int,
        tags: str | None,
        tags_column: int,
    ) -> None:
        sink = self.sink
        nl, comment = sink.pending, None
        if nl is not None:
            sink.pending = None
            comment = _trailing_comment(nl.value)[0]
        try:
            position = Position(sink.path, line + sink.line_offset, 1)
            when = _date(day)
            if when is None:
                sink.diagnostics.append(
                    error(
                        "JL102",
                        f"'{day}' is not a calendar date",
                        position,
                        hint="dates are YYYY-MM-DD with a real month and day",
                    )
                )
                sink.items.append(position.line)
                return
            kind = kind_text.lstrip()
            company: str
            title: str | None
            raw: str | None = None
            if '"' in application:
                raw = application.lstrip()
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
                column = application_column + match.start(group)
                sink.diagnostics.append(
                    error(
                        "JL105", f"the {what} is empty", Position(sink.path, position.line, column)
                    )
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
                    *_tags(tags, tags_column),
                    (),
                    kind_column + len(kind_text) - len(kind),
                    comment,
                    raw,
                    application_column + len(application) - len(application.lstrip()),
                )
            )
        finally:  # the comment lines below come after the event, or after its error
            if nl is not None:
                self._comment_lines(nl)

    def meta_line(self, children: list[Token]) -> None:
        token = children[0]
        parts = _SPLIT_META.match(token.value)
        assert parts is not None
        self._meta(token.line or 0, token.column or 1, parts.group(1), parts.group(2))

    def meta(self, children: list[Token]) -> None:
        key_token = children[0]
        value = children[1].value if len(children) > 1 else None
        self._meta(key_token.line or 0, key_token.column or 1, key_token.value, value)

    def _meta(self, line: int, column: int, key_text: str, value_text: str | None) -> None:
        key = key_text.lstrip()
        value = value_text.strip() if value_text is not None else ""
        line += self.sink.line_offset
        column += len(key_text) - len(key)
        self.sink.items.append(_Meta(line, column, key[:-1], value))
        comment, semicolon, nl = self._end_of_line()
        if comment is not None:
            where = Position(self.sink.path, line, semicolon)
            self.sink.items.append(Comment(where, comment, trailing=True))
        self._comment_lines(nl)

    def declaration(self, children: list[Token]) -> None:
        what, key, label = children[:3]
        second = children[3] if len(children) > 3 else None
        comment, _, nl = self._end_of_line()
        self.sink.items.append(
            Declaration(
                self.sink.position(what),
                what.value,
                key.value,
                _unquote(label.value),
                key_column=key.column or 1,
                milestone=None if second is None else _unquote(second.value),
                milestone_column=0 if second is None else second.column or 1,
                comment=comment,
            )
        )
        self._comment_lines(nl)

    def include(self, children: list[Token]) -> None:
        pattern = children[0]
        comment, _, nl = self._end_of_line()
        self.sink.items.append(
            Include(self.sink.position(pattern, 1), _unquote(pattern.value), comment)
        )
        self._comment_lines(nl)

    def option(self, children: list[Any]) -> None:
        name, value = children
        comment, _, nl = self._end_of_line()
        self.sink.items.append(
            Option(
                self.sink.position(name, 1),
                name.value,
                value.value,
                value.quoted,
                value_column=value.column,
                name_column=name.column or 1,
                comment=comment,
            )
        )
        self._comment_lines(nl)


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


@cache
def _parser() -> tuple[Lark, _Builder]:
    global _SPLIT_EVENT, _SPLIT_META
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
    _SPLIT_EVENT = _splitter(lark, "DATE", "KIND", "APPLICATION", "TAGS?")
    _SPLIT_META = _splitter(lark, "META_KEY", "META_VALUE?")
    return lark, builder


_SPLIT_EVENT: re.Pattern[str]
_SPLIT_META: re.Pattern[str]


def split_event(token: str) -> tuple[str, str, str, str | None]:
    """An EVENT token -> its DATE, KIND, APPLICATION and TAGS parts (None: no tags), exactly as
    the regex made of those terminals splits it (`_SPLIT_EVENT`), but with string operations
    when no part is quoted: a tenth of the time. The token matched the grammar, so: DATE is 10
    characters; KIND is blanks and a word that ends at the next blank (APPLICATION starts with
    one); no word of APPLICATION starts with '#' after a blank, so TAGS begins with the blanks
    before the first such '#'."""
    rest = token[10:]
    if '"' in rest:
        parts = _SPLIT_EVENT.match(token)
        assert parts is not None  # the same terminals, in the same order
        return parts.group(1), parts.group(2), parts.group(3), parts.group(4)
    word = rest.lstrip()
    kind_end = len(rest) - len(word) + len(word.split(None, 1)[0])
    application = rest[kind_end:]
    tags: str | None = None
    at = application.find("#")
    while at > 0:
        if application[at - 1].isspace():
            start = at - 1
            while application[start - 1].isspace():
                start -= 1
            application, tags = application[:start], application[start:]
            break
        at = application.find("#", at + 1)
    return token[:10], rest[:kind_end], application, tags


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
    builder.sink = _Sink()
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
        sink = builder.sink = _Sink(path=path)
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
        elif isinstance(item, Comment):  # comments sit anywhere, even between metadata lines
            entries.append(item)
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


def _expected(exc: UnexpectedInput) -> set[str]:
    """The terminals the parser would have accepted where it stopped."""
    if isinstance(exc, UnexpectedToken):
        return set(exc.expected)
    if isinstance(exc, UnexpectedCharacters):
        return set(exc.allowed or ())
    return set()
