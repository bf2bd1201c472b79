"""Files on disk -> entries: reading, decoding, includes. The only stage that touches the disk."""

from __future__ import annotations

import codecs
import errno
import hashlib
import marshal
import os
import re
import stat
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

from jobledger import forks
from jobledger.ledger import cache, globs
from jobledger.ledger.diagnostics import Diagnostic, Position, error
from jobledger.ledger.lines import MAX_SYNTAX_ERRORS, normalize_newlines
from jobledger.ledger.model import Entry, Include
from jobledger.records import record

if TYPE_CHECKING:
    from jobledger.ledger.statements import ParseResult


@record
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


def _looks_like_utf16(data: bytes) -> bool:
    """Text in UTF-16 has a NUL in every other byte (ASCII letters are one byte and a NUL):
    nothing written in UTF-8 does."""
    sample = data[:4096]
    if len(sample) < 4:
        return False
    evens, odds = sample[0::2], sample[1::2]

    def mostly_nul(half: bytes) -> bool:
        return half.count(0) * 4 >= len(half) * 3

    def hardly_nul(half: bytes) -> bool:  # a file of zeros is binary, not UTF-16
        return half.count(0) * 10 <= len(half)

    return (mostly_nul(odds) and hardly_nul(evens)) or (mostly_nul(evens) and hardly_nul(odds))


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
    elif _looks_like_utf16(data):  # one error, not a NUL byte on every line
        message = "this file looks like UTF-16 without a byte-order mark"
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


class Parsed:
    """One file's parse: its includes at once, its other entries when asked. A record from the
    disk cache decodes its entries only then: a warm `check` whose result is cached needs only
    the includes, to know which files the ledger is made of."""

    __slots__ = ("_entries", "_rows", "diagnostics", "includes", "path", "text")

    def __init__(
        self,
        path: str,
        text: str,
        includes: tuple[tuple[int, Include], ...],
        diagnostics: tuple[Diagnostic, ...],
        entries: tuple[Entry, ...] | None = None,
        rows: memoryview | None = None,
    ) -> None:
        self.path, self.text = path, text
        self.includes = includes  # (index in entries(), the include)
        self.diagnostics = diagnostics
        self._entries, self._rows = entries, rows

    @classmethod
    def of(cls, result: ParseResult, path: str, text: str) -> Parsed:
        includes = tuple((i, e) for i, e in enumerate(result.entries) if isinstance(e, Include))
        return cls(path, text, includes, result.diagnostics, entries=result.entries)

    def entries(self) -> tuple[Entry, ...]:
        if self._entries is None:
            try:
                self._entries = cache.decode_entries(marshal.loads(self._rows or b""), self.path)
            except Exception:  # a record we cannot read after all: parse the text again
                from jobledger.ledger.parser import parse_text

                self._entries = parse_text(self.text, self.path).entries
            self._rows = None
        return self._entries

    def record(self) -> tuple[tuple[Any, ...], bytes] | None:
        """This parse as plain data for the disk cache (the includes and diagnostics, and the
        entries as a blob decoded only when asked for); None when it cannot be stored."""
        entries = cache.encode_entries(self.entries(), self.path)
        diagnostics = cache.encode_diagnostics(self.diagnostics, self.path)
        if entries is None or diagnostics is None:
            return None
        includes = tuple((i, cache.encode_entries((e,), self.path)) for i, e in self.includes)
        return (includes, diagnostics), marshal.dumps(entries)

    @classmethod
    def from_record(cls, record: Any, blob: memoryview, path: str, text: str) -> Parsed:
        include_rows, diagnostic_rows = record
        includes = tuple(
            (index, include)
            for index, row in include_rows
            for include in cache.decode_entries(row, path)
            if isinstance(include, Include)
        )
        if len(includes) != len(include_rows):
            raise ValueError("not a parse record")
        diagnostics = cache.decode_diagnostics(diagnostic_rows, path)
        return cls(path, text, includes, diagnostics, rows=blob)


@record
class _File:
    """A file as read: what the in-memory cache of `watch` keeps per path."""

    stamp: tuple[int, ...]  # (device, inode, size, mtime, ctime) before it was read
    settled: bool  # modified long enough before it was read for the stamp to be trusted
    digest: str  # sha256 of its bytes
    problems: tuple[Diagnostic, ...]  # from decoding
    parsed: Parsed


# A file modified less than this before we looked may change again within the same timestamp
# tick (coarse on some file systems): its stat is not trusted until it is older ("racy git").
SETTLE_NS = 2_000_000_000


class FileCache:
    """Where the loader finds a file's parse again instead of parsing: on disk (the parse cache,
    by content hash) and, for `watch`, in memory by path: a file whose stat has not changed is not
    even read again, one whose bytes have not changed keeps the very same entries (so the stages
    after the parse can tell what changed by identity)."""

    def __init__(
        self, disk: cache.DiskCache | None = None, *, memory: bool = False, later: bool = False
    ) -> None:
        self.disk = disk
        self.memory: dict[str, _File] | None = {} if memory else None
        # `later` (watch): parses are stored on disk once the build is out (store_later)
        self.later: list[tuple[str, tuple[object, ...], Parsed]] | None = [] if later else None
        self.parsed = 0  # files parsed (not found in a cache): for tests and benchmarks
        self._terminals_kept = False

    def load(self, path: str) -> _File:
        """The file at `path`, read and parsed, or from a cache. OSError as read_file."""
        known = self.memory.get(path) if self.memory is not None else None
        stamp: tuple[int, ...] = ()
        if self.memory is not None:
            try:
                info = os.stat(path)
                stamp = (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)
            except OSError:
                stamp = ()
            if known is not None and stamp and known.stamp == stamp and known.settled:
                return known
        looked = time.time_ns()
        data = read_file(path)
        digest = hashlib.sha256(data).hexdigest()
        settled = bool(stamp) and stamp[3] < looked - SETTLE_NS
        if known is not None and known.digest == digest:
            found = _File(stamp, settled, digest, known.problems, known.parsed)
        else:
            text, problems = decode(data, path)
            # watch: the file's last parse, if clean, spares parsing what the save did not touch
            before = known.parsed if known is not None and not known.parsed.diagnostics else None
            parsed = self._parse(digest, text, path, before)
            found = _File(stamp, settled, digest, tuple(problems), parsed)
        if self.memory is not None:
            self.memory[path] = found
        return found

    def _parse(self, digest: str, text: str, path: str, before: Parsed | None = None) -> Parsed:
        name, key = _parse_record(digest)
        if self.disk is not None:
            found = self.disk.get(name, key)
            if found is not None:
                try:
                    return Parsed.from_record(*found, path, text)
                except Exception:  # not a record of ours after all: a miss
                    pass
        self.parsed += 1
        # Lark only when a file is not cached
        from jobledger.ledger.parser import parse_changed, parse_text

        if before is None:
            parsed = Parsed.of(parse_text(text, path), path, text)
        else:
            parsed = Parsed.of(parse_changed(text, path, before.text, before.entries()), path, text)
        if self.disk is not None:
            if self.later is not None:
                self.later.append((name, key, parsed))
            else:
                self._store(name, key, parsed)
            if not self._terminals_kept:  # for the next `add` (see terminal_patterns)
                from jobledger.ledger.parser import terminal_patterns

                self.disk.put(*_terminals_record(), terminal_patterns())
                self._terminals_kept = True
        return parsed

    def store_later(self) -> None:
        """Store the parses this cache made since the last call (watch calls it once a build
        is written: encoding 20,000 entries for the disk cache is no reason to wait)."""
        if self.later is None:
            return
        made, self.later = self.later, []
        self._store_all(made)

    def store_in_background(self) -> Callable[[], object]:
        """Store the parses this cache made since the last call from a child process, while
        this one goes on to make the report (encoding 100,000 entries and writing them takes a
        third of a second): a function that waits for the child, to call before exiting so that
        the next command finds them. Stored here and now if no process can be made."""
        if not self.later:
            return _nothing_to_wait_for
        made, self.later = self.later, []
        child = forks.start(lambda: self._store_all(made)) if forks.may_fork() else None
        if child is None:
            self._store_all(made)
            return _nothing_to_wait_for
        return partial(forks.wait, child)

    def _store_all(self, made: list[tuple[str, tuple[object, ...], Parsed]]) -> None:
        for name, key, parsed in made:
            self._store(name, key, parsed)

    def _store(self, name: str, key: tuple[object, ...], parsed: Parsed) -> None:
        record = parsed.record()
        if record is not None and self.disk is not None:
            self.disk.put(name, key, *record)

    def remember(self, path: str, data: bytes, entries: tuple[Entry, ...]) -> None:
        """Keep in the disk cache the parse of a file just written whose entries are known
        without parsing it (`add`): the next command finds it there instead of parsing it."""
        text, problems = decode(data, path)
        if self.disk is None or problems:
            return
        from jobledger.ledger.statements import ParseResult

        record = Parsed.of(ParseResult(entries, ()), path, text).record()
        if record is not None:
            self.disk.put(*_parse_record(hashlib.sha256(data).hexdigest()), *record)

    def parse_of(self, path: str) -> Parsed | None:
        """The parse of the file loaded as `path`, if this cache keeps files in memory."""
        known = self.memory.get(path) if self.memory is not None else None
        return None if known is None else known.parsed

    def terminal_patterns(self) -> dict[str, str] | None:
        """The grammar's terminals that `statements.quick_lines` reads lines with: from the
        parser if this process built it, else as the last parse stored them in the disk cache;
        None if neither (then Lark reads the lines)."""
        if "jobledger.ledger.parser" in sys.modules:
            from jobledger.ledger.parser import terminal_patterns

            return terminal_patterns()
        if self.disk is None:
            return None
        found = self.disk.get(*_terminals_record())
        if found is None or not isinstance(found[0], dict):
            return None
        patterns: dict[str, str] = found[0]
        return patterns

    def forget(self, keep: Iterable[str]) -> None:
        """Drop the files not in `keep` from memory (they are no longer part of the ledger)."""
        if self.memory is not None:
            kept = set(keep)
            for path in [p for p in self.memory if p not in kept]:
                del self.memory[path]


def _nothing_to_wait_for() -> None:
    pass


def _parse_record(digest: str) -> tuple[str, tuple[object, ...]]:
    """The name and key of the parse of a file whose bytes have this sha256."""
    key = (cache.FORMAT, digest, cache.code_id())
    return cache.record_name("parse", *map(str, key)), key


def _terminals_record() -> tuple[str, tuple[str, ...]]:
    key = ("terminals", cache.code_id())
    return cache.record_name(*key), key


class _State:
    """What the walk over a ledger's files gathers as it goes."""

    __slots__ = (
        "diagnostics",
        "files",
        "files_cache",
        "patterns",
        "pieces",
        "seen",
        "sources",
        "trace",
    )

    def __init__(self, files_cache: FileCache) -> None:
        self.files_cache = files_cache
        self.diagnostics: list[Diagnostic] = []
        self.sources: list[tuple[str, str]] = []
        self.files: list[str] = []
        self.patterns: list[str] = []
        self.seen: set[str] = set()
        # The ledger's entries, as slices of each file's: (file, start, stop) with the included
        # files' slices between them, where their includes were.
        self.pieces: list[tuple[Parsed, int, int | None]] = []
        # Everything the walk learnt from the file system, in order: which files it read (with
        # their hashes), what each include matched, what went wrong. The same trace, the same
        # entries.
        self.trace: list[tuple[object, ...]] = []

    def problem(self, diagnostic: Diagnostic) -> None:
        self.diagnostics.append(diagnostic)
        where = diagnostic.position
        self.trace.append((diagnostic.code, diagnostic.message, where.path, where.line))


@record
class Walk:
    """The files of a ledger as read, before their entries are put together."""

    pieces: tuple[tuple[Parsed, int, int | None], ...]
    diagnostics: tuple[Diagnostic, ...]
    sources: tuple[tuple[str, str], ...]
    files: tuple[str, ...]
    include_patterns: tuple[str, ...]
    # A hash of the walk's trace: equal fingerprints, equal entries and diagnostics (the files
    # read, their contents and what every include matched were the same).
    fingerprint: str

    def entries(self) -> tuple[Entry, ...]:
        entries: list[Entry] = []
        for parsed, start, stop in self.pieces:
            entries.extend(parsed.entries()[start:stop])
        return tuple(entries)

    def loaded(self) -> Loaded:
        return Loaded(
            self.entries(), self.diagnostics, self.sources, self.files, self.include_patterns
        )


def load_files(paths: Sequence[str], files_cache: FileCache | None = None) -> Loaded:
    return walk_files(paths, files_cache).loaded()


def walk_files(paths: Sequence[str], files_cache: FileCache | None = None) -> Walk:
    """Read every file of the ledger (following includes) and parse it, or find it in a cache."""
    state = _State(files_cache or FileCache())
    for path in paths:
        _load(path, None, (), state)
    state.files_cache.forget(path for path, _ in state.sources)  # no longer in the ledger
    fingerprint = hashlib.sha256(repr((tuple(paths), state.trace)).encode()).hexdigest()
    return Walk(
        tuple(state.pieces),
        tuple(state.diagnostics),
        tuple(state.sources),
        tuple(state.files),
        tuple(state.patterns),
        fingerprint,
    )


def _load(path: str, included_at: Include | None, stack: tuple[str, ...], state: _State) -> None:
    real = os.path.realpath(path)
    where = included_at.position if included_at else Position(path, 1, 1)
    if real in stack:
        chain = " -> ".join(os.path.basename(p) for p in (*stack, real))
        state.problem(
            error("JL012", f"include cycle: {chain}", where, hint="remove one of the includes")
        )
        return
    if real in state.seen:  # reached twice through two globs: read once
        return
    if len(stack) >= MAX_INCLUDE_DEPTH:
        state.problem(
            error(
                "JL013",
                f"includes nested more than {MAX_INCLUDE_DEPTH} deep",
                where,
                hint="include the files from one main ledger instead of from each other",
            )
        )
        return
    state.seen.add(real)
    try:
        found = state.files_cache.load(path)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        reason = reason[:1].lower() + reason[1:]  # "No such file" reads on after the colon
        state.problem(error("JL010", f"cannot read '{path}': {reason}", where))
        return
    parsed = found.parsed
    state.trace.append(("read", path, real, found.digest))
    state.diagnostics.extend(found.problems)
    state.sources.append((path, parsed.text))
    state.files.append(real)
    state.diagnostics.extend(parsed.diagnostics)
    start = 0
    for index, include in parsed.includes:
        state.pieces.append((parsed, start, index))
        for target in _resolve(include, path, state):
            _load(target, include, (*stack, real), state)
        start = index + 1
    state.pieces.append((parsed, start, None))


MAX_INCLUDE_DEPTH = 100  # a chain this deep is a mistake; deeper would exhaust the stack
MAX_FILE_BYTES = 32 * 1024 * 1024  # over half a million events: years of coaching fit in a tenth
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
    targets = _targets(include, including, state)
    state.trace.append(("include", include.pattern, tuple(targets)))
    return targets


def _targets(include: Include, including: str, state: _State) -> list[str]:
    base = os.path.dirname(including)
    pattern = os.path.join(base, os.path.expanduser(include.pattern))
    state.patterns.append(os.path.abspath(pattern))
    if not globs.has_magic(pattern):
        if os.path.isdir(pattern):
            state.problem(
                error(
                    "JL011",
                    f'include "{include.pattern}" is a directory',
                    include.position,
                    hint=f'include "{os.path.join(include.pattern, "*.jobs")}"',
                )
            )
            return []
        if not os.path.exists(pattern):
            state.problem(
                error("JL011", f'include "{include.pattern}": no such file', include.position)
            )
            return []
        return [os.path.normpath(pattern)]
    # A glob beside its own file ("*.jobs") means the others: it never includes itself.
    itself = os.path.realpath(including)
    matches = [p for p in globs.expand(pattern) if os.path.realpath(p) != itself]
    if not matches:
        state.problem(
            error("JL011", f'include "{include.pattern}" matches no file', include.position)
        )
    return [os.path.normpath(p) for p in matches]
