"""`jobledger add`: one event appended to the ledger, as carefully as git treats a repository.

Before anything is written the event is checked as `check` would check it, in the ledger it
joins: an unknown kind, an event after an outcome, a name that looks like a typo of another
application's are refused with the message `check` would give. The file is then changed in
one atomic rename, keeping its encoding, byte-order mark and line endings, and only if it
still holds what was read (another `add` or an editor's save in between: read it again and
retry), and only if the result reads back with the new event and nothing else changed.
"""

from __future__ import annotations

import difflib
import fcntl
import os
from collections.abc import Sequence
from datetime import date

from jobledger.edit.fmt import format_text, layout
from jobledger.files import write_atomic
from jobledger.ledger.diagnostics import Diagnostic, Position, error
from jobledger.ledger.lines import normalize_newlines
from jobledger.ledger.loader import FileCache, Parsed, byte_order_mark, decode
from jobledger.ledger.model import NOTE, Application, Entry, Event, Ledger
from jobledger.ledger.reducer import identity, reduce_entries
from jobledger.ledger.statements import quick_lines
from jobledger.ledger.suggest import closest, shorten
from jobledger.records import record, replace
from jobledger.transfer.ledger_text import clean_tag, escape_value, name_part

CLOSE_NAME = 0.8  # as the reducer's JL250: a name this close to another is most likely a typo
ATTEMPTS = 10  # a file changed under us is read again this many times


class Refused(Exception):
    """The event was not written; `diagnostics` say why, as `check` would."""

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        super().__init__(diagnostics[0].message if diagnostics else "refused")
        self.diagnostics = tuple(diagnostics)


@record
class NewEvent:
    when: date
    kind: str
    company: str
    title: str | None
    tags: tuple[str, ...] = ()
    meta: tuple[tuple[str, str], ...] = ()
    comment: str | None = None


@record
class Added:
    path: str  # the file the event went to
    line: int  # its line there
    text: str  # the lines written
    application: str  # the application, as the ledger spells it
    warnings: tuple[Diagnostic, ...] = ()  # what `check` now says of the new line


def plan(
    event: NewEvent, ledger: Ledger, main: str, *, to: str | None, new: bool, line: int = 1
) -> NewEvent:
    """The event as it will be written (an existing application keeps its first spelling),
    or Refused: an unknown kind, or a name close to another application's without `new`.
    `line`: where a new application's event would go, for the message."""
    config = ledger.config
    kinds = [*(s.key for s in config.stages), *(o.key for o in config.outcomes), NOTE]
    shown = event_text(event).splitlines()[0]
    path = to or main
    if event.kind not in kinds:
        guess = closest(event.kind, kinds)
        hint = f"did you mean '{guess}'?" if guess else "kinds: " + ", ".join(kinds)
        where = Position(path, line, 12)
        message = f"unknown kind '{shorten(event.kind)}'"
        raise Refused([error("JL220", message, where, hint, source_line=shown)])
    existing = _find(ledger.applications, event.company, event.title)
    if existing is not None:
        return replace(event, company=existing.company, title=existing.title)
    if not new:
        near = _near(ledger.applications, event.company, event.title)
        if near is not None:
            name = near.name
            raise Refused(
                [
                    error(
                        "JL250",
                        f"no application is called '{_name(event)}'",
                        Position(path, line, 13 + len(event.kind)),
                        hint=f"did you mean '{name}'? (--new adds it as a new application)",
                        source_line=shown,
                    )
                ]
            )
    return event


def target_file(event: NewEvent, ledger: Ledger, main: str, to: str | None) -> str:
    """An existing application's event goes to the file of its latest event; a new one to
    `to`, else the main ledger."""
    existing = _find(ledger.applications, event.company, event.title)
    if existing is not None:
        return existing.events[-1].position.path
    return to or main


def event_text(event: NewEvent) -> str:
    """The event's lines, as `fmt` would lay them out on their own."""
    name = name_part(event.company)
    if event.title is not None:
        name += " | " + name_part(event.title)
    line = f"{event.when.isoformat()} {event.kind} {name}"
    tags = [clean_tag(tag) for tag in event.tags if clean_tag(tag)]
    if tags:
        line += "  " + " ".join("#" + tag for tag in tags)
    if event.comment:
        line += "  ; " + " ".join(event.comment.split())
    lines = [line] + [f"    {key}: {escape_value(value)}" for key, value in event.meta]
    return "\n".join(lines) + "\n"


def append(
    path: str,
    text: str,
    ledger_entries: Sequence[Entry],
    name: str,
    *,
    files: FileCache | None = None,
) -> Added:
    """Append `text` (one event and its metadata, "\\n" line breaks) to the file at `path`
    and write it back atomically, or raise Refused / OSError. `ledger_entries`: the whole
    ledger's entries as read, to check the event in it. `files`: the cache the ledger was loaded
    through: a file unchanged since is not parsed again, the new lines are read back without
    Lark (`quick_lines`) unless they need it, and the new file's parse is kept for the next
    command."""
    for _ in range(ATTEMPTS):
        with open(path, "rb") as handle:
            # Another `add` holds this lock while it checks and renames: wait for it, then see
            # whether the file we opened is still the one at `path` (it renamed a new one in).
            fcntl.flock(handle, fcntl.LOCK_EX)
            if os.fstat(handle.fileno()).st_ino != os.stat(path).st_ino:
                continue
            before = handle.read()
            quick = None
            if files is not None:
                quick = _quick_append(
                    path, before, text, files.parse_of(path), files.terminal_patterns()
                )
            known: tuple[Entry, ...] | None = None  # the new file's entries, when read without Lark
            if quick is not None:
                after, line, known, new_text = quick
                warnings = _verify(path, line, known, ledger_entries, new_text)
            else:
                after, line = _appended(before, text, path)
                warnings = _check(path, before, after, text, ledger_entries)
            try:
                write_atomic(path, after, expect=before)
            except OSError as exc:
                if "changed on disk" in str(exc):
                    continue  # an editor saved meanwhile: read it again
                raise
            if known is not None and files is not None:
                files.remember(path, after, known)
            return Added(path, line, text, name, warnings)
    raise OSError(f"cannot write {path}: it kept changing; nothing written")


@record
class _Opened:
    """A file's bytes, read for an append: its byte-order mark and codec, its text as it is,
    that text ended by a line break (`body`, the text is appended to it), its line ending, and
    the line the appended text starts on."""

    bom: bytes
    codec: str
    original: str
    body: str
    newline: str
    line: int


def _opened(data: bytes, path: str) -> _Opened:
    bom, codec = byte_order_mark(data)
    try:
        original = body = data[len(bom) :].decode(codec)
    except UnicodeDecodeError:  # changed since it was checked: never write what we cannot read
        raise OSError(f"cannot write {path}: it is not valid {codec.upper()}") from None
    newline = _newline(body)
    if body and not body.endswith(("\n", "\r")):
        body += newline
    # Every line break counts, whichever it is: a file may mix them (CRLF, then an LF line).
    line = normalize_newlines(body).count("\n") + 1
    return _Opened(bom, codec, original, body, newline, line)


def next_line(data: bytes, path: str) -> int:
    """The line an event appended to a file holding `data` starts on. OSError if it is not
    text in its encoding."""
    return _opened(data, path).line


def _appended(data: bytes, text: str, path: str) -> tuple[bytes, int]:
    """The file with `text` at its end, in its own encoding and line ending, a final newline
    first if it lacked one; and the line number the text starts on. A file in `fmt`'s layout
    stays in it (its last block is aligned again), so a `fmt --check` hook keeps passing."""
    opened = _opened(data, path)
    original, newline = opened.original, opened.newline
    body = opened.body + text.replace("\n", newline)
    if original and not format_text(original, path).changed:
        formatted = format_text(body, path)
        if formatted.formatted:  # fmt squeezes no blank line here: the line number holds
            body = formatted.text
    return opened.bom + body.encode(opened.codec), opened.line


def _newline(text: str) -> str:
    """The file's line ending: the one its first line ends with ("\n" for a one-line file)."""
    end = next((i for i, char in enumerate(text) if char in "\r\n"), None)
    if end is None or text[end] == "\n":
        return "\n"
    return "\r\n" if text[end : end + 2] == "\r\n" else "\r"


def _check(
    path: str, before: bytes, after: bytes, text: str, entries: Sequence[Entry]
) -> tuple[Diagnostic, ...]:
    """Refuse unless the new file reads back as the old entries plus exactly the new event,
    and the whole ledger with it has no error; return the warnings on the new line (a year
    typo, a tag close to a role, a stage going back)."""
    old_text, old_problems = decode(before, path)
    new_text, new_problems = decode(after, path)
    if new_problems and not old_problems:
        raise Refused(new_problems)
    from jobledger.ledger.parser import parse_text  # Lark: the long way round

    old = parse_text(old_text, path)
    new = parse_text(new_text, path)
    added = parse_text(text, path)
    errors = [d for d in new.diagnostics if d.is_error]
    if errors or len(added.entries) != 1 or len(new.entries) != len(old.entries) + 1:
        raise Refused(errors or [error("JL900", "the event would not read back", _at(path))])
    (event,) = new.entries[len(old.entries) :]
    assert isinstance(event, Event)
    return _verify(path, event.position.line, new.entries, entries, new_text)


def _verify(
    path: str,
    line: int,
    file_entries: Sequence[Entry],
    ledger_entries: Sequence[Entry],
    text: str,
) -> tuple[Diagnostic, ...]:
    """What `check` would say of the whole ledger with this file's entries now `file_entries`
    (the new event at `line`): Refused if it finds an error, else its warnings on the new line.
    The ledger had no error before: any error now is the new event's doing, even one reported
    at another line (a `rejected` dated before that application's interview). This file's
    entries are the ones just read under the lock, not the ones loaded before it (another `add`
    may have written in between). `text`: the new file's text, for the caret under a warning."""
    here = os.path.realpath(path)
    others = [e for e in ledger_entries if os.path.realpath(e.position.path) != here]
    _, diagnostics = reduce_entries([*others, *file_entries])
    found = [d for d in diagnostics if d.is_error]
    if found:
        raise Refused(found)
    shown = text.split("\n")[line - 1]  # for the caret under it
    return tuple(
        replace(d, source_line=d.source_line or shown)
        for d in diagnostics
        if os.path.realpath(d.position.path) == here and d.position.line == line
    )


def _quick_append(
    path: str, data: bytes, text: str, read: Parsed | None, patterns: dict[str, str] | None
) -> tuple[bytes, int, tuple[Entry, ...], str] | None:
    """What _appended and _check make, without Lark: the new file, the line `text` starts on,
    the file's entries then and its text ("\n" line breaks). The file must still be the one
    the ledger was loaded from (its entries are known), the new lines must read as one event
    and its metadata, and fmt's layout, if the file is in it, must change no line above them.
    None otherwise: the caller then parses the whole file, as it always may."""
    if read is None or patterns is None or read.diagnostics:
        return None
    old_text, problems = decode(data, path)
    if problems or old_text != read.text:
        return None
    opened = _opened(data, path)  # decode() has just read it: no OSError
    body, newline, line = opened.body, opened.newline, opened.line
    old_entries = read.entries()
    added = _one_event(quick_lines(text, path, line, patterns))
    if added is None:
        return None
    new_text = body + text.replace("\n", newline)
    original = opened.original
    if original and layout(original, old_entries) == original:  # in fmt's layout: keep it so
        laid = layout(new_text, (*old_entries, *added))
        if not laid.startswith(body):
            return None  # lines above are aligned again: they need reading back too
        added = _one_event(
            quick_lines(laid[len(body) :].replace(newline, "\n"), path, line, patterns)
        )
        if added is None:
            return None
        new_text = laid
    after = opened.bom + new_text.encode(opened.codec)
    if decode(after, path)[1]:  # a NUL byte, say: the long way says what is wrong
        return None
    return after, line, (*old_entries, *added), normalize_newlines(new_text)


def _one_event(entries: tuple[Entry, ...] | None) -> tuple[Entry, ...] | None:
    """`entries` if they are one event (with its comments), else None."""
    if entries is None or sum(isinstance(e, Event) for e in entries) != 1:
        return None
    return entries


def _find(apps: Sequence[Application], company: str, title: str | None) -> Application | None:
    wanted = identity(company, title)
    return next((a for a in apps if identity(a.company, a.title) == wanted), None)


def _near(apps: Sequence[Application], company: str, title: str | None) -> Application | None:
    wanted = " | ".join(identity(company, title))
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(wanted)
    best: tuple[float, Application] | None = None
    for app in apps:
        matcher.set_seq1(" | ".join(identity(app.company, app.title)))
        if (
            matcher.quick_ratio() >= CLOSE_NAME
            and (ratio := matcher.ratio()) >= CLOSE_NAME
            and (best is None or ratio > best[0])
        ):
            best = (ratio, app)
    return None if best is None else best[1]


def _name(event: NewEvent) -> str:
    return event.company if event.title is None else f"{event.company} | {event.title}"


def _at(path: str) -> Position:
    return Position(path, 1, 0)
