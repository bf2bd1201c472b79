"""A ledger as data (what an import produces) -> `.jobs` text that our own parser reads back to
the same applications, events, tags and metadata.

Layout, one event a line, as the README shows ledgers:

    role swe "Software Engineer"

    2026-01-22 applied   Acme | "Engineer | Platform"  #swe  ; a comment
        ; the comment's second line
        notes: first line\\nsecond line
"""

from __future__ import annotations

import re
from datetime import date

from jobledger.ledger.model import DEFAULT_OUTCOMES, DEFAULT_STAGES, NOTE, Role
from jobledger.records import record


@record
class DraftEvent:
    date: date
    kind: str  # a stage key, an outcome key or "note"
    comment: str | None = None  # may hold line breaks: continued on indented comment lines
    meta: tuple[tuple[str, str], ...] = ()  # values may hold anything: escape_value() is applied


@record
class DraftApplication:
    company: str
    title: str | None
    tags: tuple[str, ...]  # written on the first event; a role key among them sets the role
    events: tuple[DraftEvent, ...]  # in the order they happened (same-date events keep it)
    row: int = 0  # the source row it came from, 0 if none: for messages


@record
class DraftLedger:
    roles: tuple[Role, ...]
    applications: tuple[DraftApplication, ...]

    @property
    def event_count(self) -> int:
        return sum(len(app.events) for app in self.applications)


# The widest kind a default ledger knows ("interview", "withdrawn"): the KIND column lines up
# the same way in every file, whichever kinds this one happens to use.
KIND_WIDTH = max(len(key) for key, _ in (*DEFAULT_STAGES, *DEFAULT_OUTCOMES, (NOTE, "")))


def clean_name(text: str) -> str:
    """Blanks folded as the parser folds them (str.split's white space is the grammar's \\s):
    what we write is what it reads back."""
    return " ".join(text.split())


# Where a bare part would end or be misread (docs/format.md, "APPLICATION"): a '|', a quote, a
# leading '#' or ';', or a blank followed by '#' or ';'.
_NEEDS_QUOTES = re.compile(r'[|"]|^[#;]|\s[#;]')


def name_part(text: str) -> str:
    """A company or a title as the format writes it: bare when it can be, else double-quoted
    with `\\` and `"` escaped."""
    text = clean_name(text)
    if not _NEEDS_QUOTES.search(text):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def label(text: str) -> str:
    """A directive's double-quoted label."""
    return '"' + clean_name(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


# A metadata value runs to the end of the line, and a ';' after a blank starts a comment there.
_COMMENT_START = re.compile(r"(^|\s);")
_ESCAPED = re.compile(r"\\([\\n;])")


def escape_value(text: str) -> str:
    """A metadata value on one line, losslessly (docs/import.md): a backslash is written `\\\\`,
    a line break `\\n`, and a `;` that would start a comment `\\;`."""
    escaped = text.replace("\\", "\\\\").replace("\n", "\\n")
    return _COMMENT_START.sub(lambda m: m.group(1) + "\\;", escaped)


def unescape_value(text: str) -> str:
    """The inverse of escape_value(), for whoever reads the value back (an export)."""
    return _ESCAPED.sub(lambda m: "\n" if m.group(1) == "n" else m.group(1), text)


_TAG_JUNK = re.compile(r"[\s#;]+")


def clean_tag(text: str) -> str:
    """A tag is '#' and then anything but blanks, '#' and ';': those become '-'."""
    return _TAG_JUNK.sub("-", text).strip("-")


def _event_lines(app: DraftApplication, event: DraftEvent, first: bool) -> list[str]:
    name = name_part(app.company)
    if app.title is not None:
        name += " | " + name_part(app.title)
    line = f"{event.date.isoformat()} {event.kind.ljust(KIND_WIDTH)} {name}"
    if first and app.tags:
        line += "  " + " ".join("#" + tag for tag in app.tags)
    comment = (event.comment or "").split("\n")
    if comment[0]:
        line += "  ; " + comment[0]
    lines = [line]
    lines += ["    ; " + more if more else "    ;" for more in comment[1:]]
    lines += [f"    {key}: {escape_value(value)}" for key, value in event.meta]
    return lines


def write_ledger(ledger: DraftLedger) -> str:
    """Directives first, then every event in date order; an application's events on one date
    keep their order, so the history reads as it happened."""
    lines: list[str] = []
    if ledger.roles:
        width = max(len(role.key) for role in ledger.roles)
        lines += [f"role {role.key.ljust(width)} {label(role.label)}" for role in ledger.roles]
        lines.append("")
    timeline = sorted(
        (
            (event.date, number, index)
            for number, app in enumerate(ledger.applications)
            for index, event in enumerate(app.events)
        ),
    )
    for _, number, index in timeline:
        app = ledger.applications[number]
        lines += _event_lines(app, app.events[index], first=index == 0)
    return "\n".join(lines) + "\n"
