"""Syntax errors explained: where the parser stopped and what it expected -> a message, a hint
and the column to point at. Knows the grammar's terminal names, not Lark."""

from __future__ import annotations

import re

from jobledger.ledger.diagnostics import Diagnostic, Position, error
from jobledger.ledger.suggest import closest, shorten

DIRECTIVES = ("stage", "outcome", "role", "include", "option")

_DATE_LIKE = re.compile(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def explain(line: str, column: int, expected: set[str], path: str, line_number: int) -> Diagnostic:
    """A message about what the line is missing, from where the parser stopped (`column`) and
    the terminals it would have accepted there (`expected`, names from grammar/jobs.lark)."""
    column = column if column > 0 else 1
    column = min(column, len(line) + 1)
    while line[column - 1 : column].isspace():  # terminals carry their leading blanks
        column += 1
    quote = _unclosed_quote(line, column)
    if quote is not None:
        code, message = "JL103", "unterminated string: no closing '\"' on this line"
        hint: str | None = 'close it with "'
        column = quote
    else:
        code, message, hint, column = _classify(expected, line, column, line[column - 1 : column])
    return error(code, message, Position(path, line_number, column), hint=hint, source_line=line)


_META_KEY = re.compile(r"[^\s:;#\"|]+:(\s|$)")  # `source: referral`, typed at column 0
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


def _classify(expected: set[str], line: str, column: int, at: str) -> Explained:
    stripped = line.strip()
    first = stripped.split()[0] if stripped else ""
    if line[:1].isspace():
        return _classify_indented(line, column, first)
    if first[:1].isdigit() or _DATE_LIKE.match(first):
        return _classify_event(expected, line, column, first)
    if _META_KEY.match(line):
        key = line.split(":", 1)[0]
        return (
            "JL109",
            f"metadata '{shorten(key)}:' at the start of a line: metadata is indented under its "
            "event",
            f"indent it, e.g. four spaces: '    {shorten(line.strip(), 60)}', right under the "
            "event it belongs to",
            1,
        )
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
        return _classify_directive(expected, directive, column, at)
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


def _classify_event(expected: set[str], line: str, column: int, first: str) -> Explained:
    if not _DATE.fullmatch(first):
        if _DATE.match(first):
            return "JL101", "expected a space after the date", None, 11
        return (
            "JL102",
            f"'{shorten(first)}' is not a date: dates are YYYY-MM-DD",
            "write the date like 2026-02-03",
            1,
        )
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


def _classify_directive(expected: set[str], directive: str, column: int, at: str) -> Explained:
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
