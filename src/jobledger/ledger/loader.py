"""Files on disk -> entries: reading, decoding, includes. The only stage that touches the disk."""

from __future__ import annotations

import codecs
import errno
import os
import re
import stat
from collections.abc import Sequence
from dataclasses import dataclass

from jobledger.ledger import globs
from jobledger.ledger.diagnostics import Diagnostic, Position, error
from jobledger.ledger.model import Entry, Include
from jobledger.ledger.parser import MAX_SYNTAX_ERRORS, normalize_newlines, parse_text


@dataclass(frozen=True, slots=True)
class Loaded:
    entries: tuple[Entry, ...]
    diagnostics: tuple[Diagnostic, ...]
    sources: tuple[tuple[str, str], ...]  # (path as shown, decoded text) of every file read
    files: tuple[str, ...]  # absolute paths of every file read
    include_patterns: tuple[str, ...]  # absolute include patterns, so a watcher sees new matches


# A byte-order mark and the codec it names. Notepad's "Unicode" is UTF-16 with a BOM.
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_LINE_BREAK = re.compile(rb"\r\n|\r|\n")


def byte_order_mark(data: bytes) -> tuple[bytes, str]:
    """The file's byte-order mark (b"" if none) and the codec of the bytes after it."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return bom, codec
    return b"", "utf-8"


def decode(data: bytes, path: str) -> tuple[str, list[Diagnostic]]:
    """UTF-8 (BOM optional) or UTF-16 with a BOM -> text with "\n" line breaks (CRLF and a lone
    CR are line breaks too). Undecodable or NUL-holding lines become blank lines, so the rest of
    the file still parses and line numbers stay true."""
    bom, codec = byte_order_mark(data)
    data = data[len(bom) :]
    if codec != "utf-8":  # UTF-16: one pass to UTF-8, then the same checks as any file
        try:
            data = data.decode(codec).encode("utf-8")
        except UnicodeError as exc:
            at = exc.start if isinstance(exc, UnicodeDecodeError) else 0
            message = f"invalid UTF-16 (at byte {at + len(bom)})"
            return "", [error("JL001", message, Position(path, 1, 1), "save the file as UTF-8")]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = ""
    else:
        if "\x00" not in text:
            return normalize_newlines(text), []
    diagnostics: list[Diagnostic] = []
    lines: list[str] = []
    for number, raw in enumerate(_LINE_BREAK.split(data), start=1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            column = len(raw[: exc.start].decode("utf-8", "replace")) + 1
            code, message = "JL001", f"invalid UTF-8 (byte 0x{raw[exc.start]:02x})"
            hint = "save the file as UTF-8"
            line = ""
        else:
            if "\x00" not in line:
                lines.append(line)
                continue
            column = line.index("\x00") + 1
            code, message = "JL002", "NUL byte in the text"
            hint, line = "is this a binary file?", ""
        lines.append(line)
        if len(diagnostics) < MAX_SYNTAX_ERRORS:
            shown = raw.decode("utf-8", "replace").replace("\x00", "\ufffd")
            diagnostics.append(
                error(code, message, Position(path, number, column), hint, source_line=shown)
            )
    return "\n".join(lines), diagnostics


@dataclass(slots=True)
class _State:
    diagnostics: list[Diagnostic]
    sources: list[tuple[str, str]]
    files: list[str]
    patterns: list[str]
    seen: set[str]


def load_files(paths: Sequence[str]) -> Loaded:
    state = _State([], [], [], [], set())
    entries: list[Entry] = []
    for path in paths:
        entries.extend(_load(path, None, (), state))
    return Loaded(
        tuple(entries),
        tuple(state.diagnostics),
        tuple(state.sources),
        tuple(state.files),
        tuple(state.patterns),
    )


def _load(
    path: str, included_at: Include | None, stack: tuple[str, ...], state: _State
) -> list[Entry]:
    real = os.path.realpath(path)
    where = included_at.position if included_at else Position(path, 1, 1)
    if real in stack:
        chain = " -> ".join(os.path.basename(p) for p in (*stack, real))
        state.diagnostics.append(
            error("JL012", f"include cycle: {chain}", where, hint="remove one of the includes")
        )
        return []
    if real in state.seen:  # reached twice through two globs: read once
        return []
    if len(stack) >= MAX_INCLUDE_DEPTH:
        state.diagnostics.append(
            error(
                "JL013",
                f"includes nested more than {MAX_INCLUDE_DEPTH} deep",
                where,
                hint="include the files from one main ledger instead of from each other",
            )
        )
        return []
    state.seen.add(real)
    try:
        data = read_file(path)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        reason = reason[:1].lower() + reason[1:]  # "No such file" reads on after the colon
        state.diagnostics.append(error("JL010", f"cannot read '{path}': {reason}", where))
        return []
    text, problems = decode(data, path)
    state.diagnostics.extend(problems)
    state.sources.append((path, text))
    state.files.append(real)
    parsed = parse_text(text, path)
    state.diagnostics.extend(parsed.diagnostics)
    entries: list[Entry] = []
    for entry in parsed.entries:
        if isinstance(entry, Include):
            for target in _resolve(entry, path, state):
                entries.extend(_load(target, entry, (*stack, real), state))
        else:
            entries.append(entry)
    return entries


MAX_INCLUDE_DEPTH = 100  # a chain this deep is a mistake; deeper would exhaust the stack
MAX_FILE_BYTES = 64 * 1024 * 1024  # ten times a ledger of a million events: not a ledger
READ_ATTEMPTS = 3  # a file that changes while it is read is read again, this many times at most


def read_file(path: str) -> bytes:
    """The bytes of a regular file, read whole, or OSError with a reason a user can act on.
    A FIFO or a device is refused before it is read (reading one can block forever), a huge
    file before it fills the memory, and a file that changes while it is read (an editor
    saving) is read again."""
    # O_NONBLOCK: opening a FIFO must not wait for a writer; a regular file ignores it.
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as handle:
        for _ in range(READ_ATTEMPTS):
            before = os.fstat(fd)
            if stat.S_ISDIR(before.st_mode):
                raise IsADirectoryError(errno.EISDIR, "is a directory")
            if not stat.S_ISREG(before.st_mode):
                raise OSError(errno.EINVAL, "not a regular file (a pipe or a device?)")
            if before.st_size > MAX_FILE_BYTES:
                megabytes = before.st_size // (1024 * 1024)
                raise OSError(
                    errno.EFBIG,
                    f"it is {megabytes} MB; a ledger file over {MAX_FILE_BYTES // 1024 // 1024} "
                    "MB is refused (split it with include, or is it not a ledger?)",
                )
            handle.seek(0)
            data = handle.read(MAX_FILE_BYTES + 1)
            after = os.fstat(fd)
            if len(data) == after.st_size and (before.st_mtime_ns, before.st_size) == (
                after.st_mtime_ns,
                after.st_size,
            ):
                return data
        raise OSError(errno.EAGAIN, "it kept changing while it was read; try again")


def _resolve(include: Include, including: str, state: _State) -> list[str]:
    base = os.path.dirname(including)
    pattern = os.path.join(base, os.path.expanduser(include.pattern))
    state.patterns.append(os.path.abspath(pattern))
    if not globs.has_magic(pattern):
        if os.path.isdir(pattern):
            state.diagnostics.append(
                error(
                    "JL011",
                    f'include "{include.pattern}" is a directory',
                    include.position,
                    hint=f'include "{os.path.join(include.pattern, "*.jobs")}"',
                )
            )
            return []
        if not os.path.exists(pattern):
            state.diagnostics.append(
                error("JL011", f'include "{include.pattern}": no such file', include.position)
            )
            return []
        return [os.path.normpath(pattern)]
    # A glob beside its own file ("*.jobs") means the others: it never includes itself.
    itself = os.path.realpath(including)
    matches = [p for p in globs.expand(pattern) if os.path.realpath(p) != itself]
    if not matches:
        state.diagnostics.append(
            error("JL011", f'include "{include.pattern}" matches no file', include.position)
        )
    return [os.path.normpath(p) for p in matches]
