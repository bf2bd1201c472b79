"""The statements of a ledger, built from their tokens: the half of parsing that does not need
Lark. `ledger/parser.py` runs these methods as Lark's transformer; `quick_lines` runs them on
event and metadata lines it reads with the grammar's own terminal patterns, for `add`, which
would otherwise import Lark (about 60 ms) to read back the line it appends."""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Protocol

from jobledger.ledger.diagnostics import Diagnostic, Position, error
from jobledger.ledger.model import (
    Comment,
    Declaration,
    Entry,
    Event,
    Include,
    Option,
)
from jobledger.records import record, replace


class Token(Protocol):
    """What the statements read of a token: Lark's Token, lark-cython's, or `quick_lines`'."""

    @property
    def value(self) -> Any: ...
    @property
    def line(self) -> int | None: ...
    @property
    def column(self) -> int | None: ...


class _Splitters:
    """Regexes made of the grammar's own terminals (see parser._splitter), set once the grammar
    is known: by the parser when it is built, or by `quick_lines` from the patterns it is given."""

    event: re.Pattern[str]
    meta: re.Pattern[str]


SPLITTERS = _Splitters()


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


class Sink:
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


class Statements:
    """What each statement of the grammar makes, from its tokens. The parser's transformer
    is this class plus Lark's (Lark calls these methods while it parses, no parse tree is built);
    `quick_lines` calls the same methods for the lines it reads without Lark."""

    def __init__(self) -> None:
        super().__init__()
        self.sink = Sink()

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
        parts = SPLITTERS.meta.match(token.value)
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


def split_event(token: str) -> tuple[str, str, str, str | None]:
    """An EVENT token -> its DATE, KIND, APPLICATION and TAGS parts (None: no tags), exactly as
    the regex made of those terminals splits it (`SPLITTERS.event`), but with string operations
    when no part is quoted: a tenth of the time. The token matched the grammar, so: DATE is 10
    characters; KIND is blanks and a word that ends at the next blank (APPLICATION starts with
    one); no word of APPLICATION starts with '#' after a blank, so TAGS begins with the blanks
    before the first such '#'."""
    rest = token[10:]
    if '"' in rest:
        parts = SPLITTERS.event.match(token)
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


def attach_metadata(
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


# ---------------------------------------------------------------- lines read without Lark

# The terminals `quick_lines` needs, as parser.terminal_patterns gives them.
QUICK_TERMINALS = ("EVENT", "META", "_NL", "split_event", "split_meta")


@record
class _QuickToken:
    value: str
    line: int
    column: int


def quick_lines(
    text: str, path: str, first_line: int, patterns: dict[str, str]
) -> tuple[Entry, ...] | None:
    """The entries of `text` ("\\n" line ends, a final one) as the parser reads them at line
    `first_line` of `path`, when every line is an event line or a metadata line (each may end
    in a comment): the grammar's own terminals (`patterns`, from parser.terminal_patterns)
    cut the lines into the tokens Lark's lexer would make, and the statements' methods build
    the entries. None for any other line, or one that would not read cleanly: parse it then."""
    if not text.endswith("\n") or any(name not in patterns for name in QUICK_TERMINALS):
        return None
    try:
        event, meta, newline = (re.compile(patterns[n]) for n in ("EVENT", "META", "_NL"))
        if not hasattr(SPLITTERS, "event"):  # no parser built in this process
            SPLITTERS.event = re.compile(patterns["split_event"])
            SPLITTERS.meta = re.compile(patterns["split_meta"])
    except (re.error, TypeError):
        return None
    builder = Statements()
    sink = builder.sink = Sink(path=path)
    sink.line_offset = first_line - 2  # as parse_text: its chunk starts with a "\n", line 1
    chunk = "\n" + text
    builder.newline(_QuickToken("\n", 1, 1))
    position, line = 1, 2
    while position < len(chunk):
        first = chunk[position]
        if first.isdigit():
            terminal, statement = event, builder.event_line
        elif first in " \t":
            terminal, statement = meta, builder.meta_line
        else:
            return None
        found = terminal.match(chunk, position)
        if found is None:
            return None
        end = newline.match(chunk, found.end())
        if end is None:
            return None
        column = found.end() - position + 1
        builder.newline(_QuickToken(end.group(), line, column))
        statement([_QuickToken(found.group(), line, 1)])
        line += end.group().count("\n")
        position = end.end()
    if sink.diagnostics or any(isinstance(item, int) for item in sink.items):
        return None
    entries, diagnostics = attach_metadata(sink.items, [], path)
    return None if diagnostics else entries
