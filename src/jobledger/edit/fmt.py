"""`jobledger fmt`: rewrite a ledger in the canonical layout without losing a thing.

`format_text` is pure: a file's text in, the formatted text out, or the reasons it was left
alone. It works line by line from the parser's entries, so it never changes what a line says,
only its spacing; then it parses its own output and gives up if any entry, comment or blank-line
group came out different. `run_fmt` does the reading and the (atomic) writing.

The layout (docs/format.md, "Formatting"):

- One space between the parts of a line. Event lines are aligned within a *block*: a run of
  lines with no blank line and no directive in it (comment and metadata lines do not end a
  block). In a block, kinds are padded so the applications line up; tags start in one column,
  two spaces after the longest event head that has tags or a comment; end-of-line comments
  start in one column, two spaces after the longest text before a comment (never left of the
  tag column). Metadata lines are indented by four spaces, their comments aligned apart.
- In a run of directives, declarations of one kind (`stage`, `outcome`, `role`) pad their keys
  so the labels line up, and end-of-line comments are aligned.
- Comment lines are kept as written: at column 0, or indented by four spaces if they were
  indented at all. Blank lines: runs become one, none at the start or the end of the file.
- Quoted names, labels and values are kept exactly as written; bare names have their runs of
  blanks folded to one (which is how the parser reads them anyway).
- The file keeps its line ending (that of its first line) and ends with one.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Literal, TextIO

from jobledger.files import write_atomic
from jobledger.ledger.diagnostics import Diagnostic, Position, error, render_text
from jobledger.ledger.lines import normalize_newlines
from jobledger.ledger.loader import byte_order_mark, decode
from jobledger.ledger.model import Comment, Declaration, Entry, Event, Include, Option
from jobledger.ledger.statements import split_application
from jobledger.records import record, replace

INDENT = "    "  # metadata, and comment lines that were indented
GAP = "  "  # the least space before aligned tags and comments


@record
class FormatResult:
    text: str  # the formatted text; the input itself when it was not formatted
    changed: bool
    # Why the text was not formatted: its syntax errors, or JL900 (fmt's own output did not read
    # back the same). Empty when it was.
    diagnostics: tuple[Diagnostic, ...] = ()

    @property
    def formatted(self) -> bool:
        return not self.diagnostics


RowKind = Literal["blank", "comment", "meta", "event", "directive"]


class _Row:
    """One output line while the layout is computed (and changed in place): its text before any
    alignment padding, split where padding may go."""

    __slots__ = ("block", "comment", "group", "head", "kind", "kind_or_key", "rest", "tags", "text")

    def __init__(
        self,
        kind: RowKind,
        head: str = "",  # event: DATE; declaration: WHAT; else the whole line before tags/comment
        kind_or_key: str = "",  # event: KIND; declaration: KEY (padded per block)
        rest: str = "",  # event: APPLICATION; declaration: LABEL
        tags: str = "",
        comment: str | None = None,
        group: str = "",  # declarations: what keys are padded with (stage, outcome, role)
    ) -> None:
        self.kind = kind
        self.head = head
        self.kind_or_key = kind_or_key
        self.rest = rest
        self.tags = tags
        self.comment = comment
        self.group = group
        self.block = 0
        self.text = ""  # the finished line


def format_text(text: str, path: str) -> FormatResult:
    """The canonical layout of one file's text (decoded, without a byte-order mark)."""
    from jobledger.ledger.parser import parse_text  # Lark: `add` lays out lines without it

    newline = _newline_of(text)
    parsed = parse_text(text, path)
    lines = _split_lines(text)
    if parsed.diagnostics:
        return FormatResult(text, False, tuple(_with_source(parsed.diagnostics, lines)))
    rows = _rows(lines, parsed.entries)
    output = _render(rows)
    problem = _compare(parsed.entries, lines, output, path)
    if problem is not None:
        return FormatResult(text, False, (problem,))
    if newline != "\n":
        output = output.replace("\n", newline)
    return FormatResult(output, output != text)


def layout(text: str, entries: Sequence[Entry]) -> str:
    """fmt's layout of `text` whose parse (without an error) is `entries`, neither parsed nor
    checked here: for `add`, which knows both and reads back what it writes."""
    output = _render(_rows(_split_lines(text), entries))
    newline = _newline_of(text)
    return output if newline == "\n" else output.replace("\n", newline)


# ---------------------------------------------------------------- lines -> rows


def _rows(lines: Sequence[str], entries: Iterable[Entry]) -> list[_Row]:
    at: dict[int, Entry] = {}
    trailing: dict[int, str] = {}  # metadata lines' comments
    for item in entries:
        if isinstance(item, Comment) and item.trailing:
            trailing[item.position.line] = item.text
        else:
            at[item.position.line] = item
    rows: list[_Row] = []
    event: Event | None = None
    meta = 0  # how many of the event's metadata lines are behind us
    for number, line in enumerate(lines, start=1):
        entry = at.get(number)
        if entry is None:
            if not line.strip():
                rows.append(_Row("blank"))
                continue
            # Every other line is a metadata line, the next one of the event above.
            assert event is not None, number
            key, value = event.meta[meta]
            meta += 1
            body = f"{INDENT}{key}: {value}" if value else f"{INDENT}{key}:"
            rows.append(_Row("meta", body, comment=trailing.get(number)))
        elif isinstance(entry, Comment):
            indent = INDENT if entry.position.column > 1 else ""
            rows.append(_Row("comment", indent + entry.text))
        elif isinstance(entry, Event):
            event, meta = entry, 0
            tags = " ".join("#" + tag for tag in entry.tags)
            date = entry.date.isoformat()
            rows.append(_Row("event", date, entry.kind, _application(entry), tags, entry.comment))
        else:
            rows.append(_directive(line, entry))
    return rows


def _application(event: Event) -> str:
    """COMPANY | TITLE: a quoted part as written, a bare one with its blanks folded."""
    if event.raw_application is None:
        parts = [event.company] if event.title is None else [event.company, event.title]
    else:
        written = split_application(event.raw_application)
        parts = [p if p[:1] == '"' else " ".join(p.split()) for p in written if p is not None]
    return " | ".join(parts)


_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')  # grammar/jobs.lark's STRING


def _directive(line: str, entry: Declaration | Include | Option) -> _Row:
    """A directive with one space between its parts, its quoted string as written."""
    if isinstance(entry, Declaration):
        label = _quoted_at(line, entry.key_column - 1 + len(entry.key))
        if entry.milestone is not None:  # a stage's second label, as written
            label += " " + _quoted_at(line, entry.milestone_column - 1)
        return _Row("directive", entry.what, entry.key, label, "", entry.comment, entry.what)
    if isinstance(entry, Include):
        pattern = _quoted_at(line, len("include"))
        return _Row("directive", f"include {pattern}", comment=entry.comment)
    start = entry.value_column - 1
    value = _quoted_at(line, start) if entry.quoted else line[start:].split(None, 1)[0]
    return _Row("directive", f"option {entry.name} {value}", comment=entry.comment)


def _quoted_at(line: str, start: int) -> str:
    """The double-quoted string that starts after the blanks at `start`."""
    match = _STRING.match(line, len(line) - len(line[start:].lstrip()))
    assert match is not None, line  # the parser read one there
    return match.group(0)


# ---------------------------------------------------------------- rows -> text


def _render(rows: list[_Row]) -> str:
    rows = _squeeze_blank_lines(rows)
    _number_blocks(rows)
    blocks: dict[int, list[_Row]] = {}
    for row in rows:
        if row.kind != "blank":
            blocks.setdefault(row.block, []).append(row)
    for block in blocks.values():
        _align_events([r for r in block if r.kind == "event"])
        _align_comments([r for r in block if r.kind == "meta"])
        _align_directives([r for r in block if r.kind == "directive"])
    for row in rows:
        if row.kind in ("blank", "comment"):
            row.text = row.head
    return "".join(row.text + "\n" for row in rows)


def _squeeze_blank_lines(rows: list[_Row]) -> list[_Row]:
    kept: list[_Row] = []
    for row in rows:
        if row.kind == "blank" and (not kept or kept[-1].kind == "blank"):
            continue
        kept.append(row)
    while kept and kept[-1].kind == "blank":
        kept.pop()
    return kept


def _number_blocks(rows: list[_Row]) -> None:
    """A block ends at a blank line and where events give way to directives or back."""
    block, mode = 0, ""
    for row in rows:
        if row.kind == "blank":
            block, mode = block + 1, ""
            continue
        now = {"event": "events", "meta": "events", "directive": "directives"}.get(row.kind, mode)
        if mode and now != mode:
            block += 1
        mode = now
        row.block = block


def _align_events(rows: list[_Row]) -> None:
    if not rows:
        return
    kinds = max(_width(r.kind_or_key) for r in rows)
    for row in rows:
        row.head = f"{row.head} {_pad(row.kind_or_key, kinds)} {row.rest}"
    trailed = [_width(r.head) for r in rows if r.tags or r.comment is not None]
    tag_column = max(trailed, default=0) + len(GAP)
    for row in rows:
        if row.tags:
            row.head = _pad(row.head, tag_column) + row.tags
    _align_comments(rows, at_least=tag_column)


def _align_comments(rows: list[_Row], at_least: int = 0) -> None:
    """End-of-line comments in one column; rows without a comment are done as they are."""
    commented = [_width(r.head) for r in rows if r.comment is not None]
    column = max(at_least, max(commented, default=0) + len(GAP))
    for row in rows:
        if row.comment is None:
            row.text = row.head
        else:
            row.text = _pad(row.head, column) + (f"; {row.comment}" if row.comment else ";")


def _align_directives(rows: list[_Row]) -> None:
    keys: dict[str, int] = {}
    for row in rows:
        if row.group:
            keys[row.group] = max(keys.get(row.group, 0), _width(row.kind_or_key))
    for row in rows:
        if row.group:
            row.head = f"{row.head} {_pad(row.kind_or_key, keys[row.group])} {row.rest}"
    _align_comments(rows)


def _width(text: str) -> int:
    """Columns on a terminal: East Asian wide characters take two, combining marks none."""
    if text.isascii():
        return len(text)
    width = 0
    for char in text:
        if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


# ---------------------------------------------------------------- the check before writing


def _compare(
    before: Sequence[Entry], lines: Sequence[str], output: str, path: str
) -> Diagnostic | None:
    """JL900 unless the output reads back as the same entries, comments and blank-line groups.
    Positions are compared by their order among the non-blank lines (fmt only ever drops blank
    lines), columns not at all (aligning moves them)."""
    from jobledger.ledger.parser import parse_text

    after = parse_text(output, path)
    out_lines = _split_lines(output)
    if after.diagnostics:
        first = after.diagnostics[0]
        return _refusal(
            path, 1, f"its output does not parse ({first.message} at line {first.position.line})"
        )
    old = _comparable(before, lines)
    new = _comparable(after.entries, out_lines)
    for index, (a, b) in enumerate(zip(old, new, strict=False)):
        if a != b:
            return _refusal(path, before[index].position.line, f"it would change this {_what(a)}")
    if len(old) != len(new):
        index = min(len(old), len(new))
        line = before[index].position.line if index < len(before) else len(lines)
        return _refusal(path, line, f"it would leave {len(new)} entries where there are {len(old)}")
    gaps_before, gaps_after = _blank_groups(lines), _blank_groups(out_lines)
    if gaps_before != gaps_after:
        rank = min(gaps_before ^ gaps_after)
        numbers = [n for n, text in enumerate(lines, start=1) if text.strip()]
        line = numbers[min(rank, len(numbers) - 1)]
        return _refusal(path, line, "it would add or remove a blank line before this line")
    return None


def _comparable(entries: Sequence[Entry], lines: Sequence[str]) -> list[Entry]:
    ranks: dict[int, int] = {}
    for number, text in enumerate(lines, start=1):
        if text.strip():
            ranks[number] = len(ranks)
    found: list[Entry] = []
    for entry in entries:
        where = entry.position
        indented = 0 if isinstance(entry, Comment) and entry.trailing else min(where.column, 2)
        position = Position("", ranks[where.line], indented)
        if isinstance(entry, Event):
            raw = None if entry.raw_application is None else _application(entry)
            entry = replace(
                entry, tag_columns=(), kind_column=0, name_column=0, raw_application=raw
            )
        elif isinstance(entry, Declaration):
            entry = replace(entry, key_column=0, milestone_column=0)
        elif isinstance(entry, Option):
            entry = replace(entry, value_column=0, name_column=0)
        found.append(replace(entry, position=position))
    return found


def _blank_groups(lines: Sequence[str]) -> set[int]:
    """The non-blank lines (by rank) that have a blank line above them, past the first."""
    groups: set[int] = set()
    rank, blank_above = 0, False
    for text in lines:
        if not text.strip():
            blank_above = True
            continue
        if blank_above and rank:
            groups.add(rank)
        rank, blank_above = rank + 1, False
    return groups


def _what(entry: Entry) -> str:
    if isinstance(entry, Comment):
        return "comment"
    return "event" if isinstance(entry, Event) else "directive"


def _refusal(path: str, line: int, why: str) -> Diagnostic:
    return error(
        "JL900",
        f"not formatted: {why}",
        Position(path, line, 1),
        hint="this is a bug in jobledger fmt; the file is left as it was (please report it)",
    )


# ---------------------------------------------------------------- text helpers

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _newline_of(text: str) -> str:
    """The file's line ending: that of its first line (LF if it has one line)."""
    match = _LINE_BREAK.search(text)
    return match.group(0) if match else "\n"


def _split_lines(text: str) -> list[str]:
    """Lines as the parser numbers them: LF, CRLF and a lone CR end a line."""
    text = normalize_newlines(text)
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return lines


def _with_source(diagnostics: Iterable[Diagnostic], lines: Sequence[str]) -> list[Diagnostic]:
    shown: list[Diagnostic] = []
    for d in diagnostics:
        if d.source_line is None and 0 < d.position.line <= len(lines):
            d = replace(d, source_line=lines[d.position.line - 1])
        shown.append(d)
    return shown


# ---------------------------------------------------------------- files


def run_fmt(paths: Sequence[str], *, check: bool, diff: bool, out: TextIO, err: TextIO) -> int:
    """Format each file in place: 0 when all is well, 1 when a file has errors, could not be
    written or (with `check`) would change. `check` and `diff` write nothing; `diff` prints a
    unified diff of what would change."""
    status = 0
    for path in paths:
        status = max(status, _fmt_file(path, check=check, diff=diff, out=out, err=err))
    return status


def _fmt_file(path: str, *, check: bool, diff: bool, out: TextIO, err: TextIO) -> int:
    try:
        if os.path.isdir(path):
            raise IsADirectoryError("is a directory")
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        err.write(f"{path}: error: cannot read: {(exc.strerror or str(exc)).lower()}\n")
        return 1
    bom, codec = byte_order_mark(data)
    try:
        text: str | None = data[len(bom) :].decode(codec)
    except UnicodeDecodeError:
        text = None
    if text is None or "\x00" in text:
        _, problems = decode(data, path)
        err.write(render_text(problems) + f"\n{path}: not formatted: it is not valid text\n")
        return 1
    result = format_text(text, path)
    if not result.formatted:
        errors = len(result.diagnostics)
        err.write(render_text(result.diagnostics) + "\n")
        if result.diagnostics[0].code != "JL900":
            noun = "error" if errors == 1 else "errors"
            err.write(f"{path}: not formatted: fix the {noun} above first\n")
        return 1
    if not result.changed:
        return 0
    if diff:
        out.write(unified_diff(text, result.text, path))
    if check:
        err.write(f"would reformat {path}\n")
        return 1
    if diff:
        return 0
    try:
        write_atomic(path, bom + result.text.encode(codec), expect=data)
    except OSError as exc:
        err.write(f"{path}: error: {exc}; not formatted\n")
        return 1
    err.write(f"reformatted {path}\n")
    return 0


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def unified_diff(before: str, after: str, path: str) -> str:
    """A unified diff (patch-compatible) with every line ended by LF, whatever the file uses."""
    import difflib  # only for --diff

    lines = difflib.unified_diff(
        _LINE.findall(before), _LINE.findall(after), path, path, "(original)", "(formatted)"
    )
    shown: list[str] = []
    for line in lines:
        body = line.rstrip("\r\n")
        shown.append(body + "\n")
        if line[:1] in " +-" and not line.endswith(("\n", "\r")):
            shown.append("\\ No newline at end of file\n")
    return "".join(shown)
