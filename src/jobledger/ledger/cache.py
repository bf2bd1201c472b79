"""The parse cache: one file's parse result on disk, found again by the hash of its bytes.

A record is keyed by the sha256 of the file's bytes, jobledger's version and `code_id()` (a hash
of the grammar and of the modules whose output is cached), so an edited file, an upgrade or an
edited checkout never meets an old record. Records hold data only: `marshal` of tuples of str,
int and None (dates as ordinals), never pickle, and they are checked (magic, CRC, the full key)
before use. Anything wrong with a record (truncated, corrupt, foreign, from another version) is a
miss, never an error.

Where: `$XDG_CACHE_HOME/jobledger`, else `~/.cache/jobledger` (macOS: `~/Library/Caches/
jobledger`); created 0700 and used only if it is a directory of ours that no one else may write
to (not group- or world-writable), opened once and then used only through that descriptor, so no
one can swap it under us. Windows: no cache (its permissions are ACLs that this check cannot
read). Writes go to a temporary file renamed into place, so a concurrent run sees the old record,
the new one or none. The directory is kept under `MAX_BYTES`: least recently used first out.
`JOBLEDGER_NO_CACHE=1` or `--no-cache` turns it off.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import stat
import sys
import time
import zlib
from collections.abc import Iterable, Sequence
from datetime import date
from functools import cache
from operator import attrgetter
from typing import Any

from jobledger import __version__, accelerators
from jobledger.ledger.diagnostics import Diagnostic, Position, Severity
from jobledger.ledger.model import (
    Comment,
    Declaration,
    Entry,
    Event,
    Include,
    Option,
)

NO_CACHE_ENV = "JOBLEDGER_NO_CACHE"
# Least recently used records go past this: room for a dozen versions of a 100,000-event ledger
# (8 MB a record) while staying small next to anything else in ~/.cache.
MAX_BYTES = 100 * 1024 * 1024
MAX_RECORD_BYTES = 1024 * 1024 * 1024  # a record larger than this is not ours
STALE_TEMP_SECONDS = 3600  # a temporary file this old was left by a killed run
FORMAT = 3  # bumped when the layout of a record changes
MAGIC = b"jobledger-cache\x00"
SUFFIX = ".jlc"


def cache_home() -> str | None:
    """The directory jobledger caches in, or None where there is no safe one (Windows)."""
    if sys.platform == "win32":
        return None
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    if os.path.isabs(xdg):  # the XDG spec: a relative path is invalid and ignored
        return os.path.join(xdg, "jobledger")
    home = os.path.expanduser("~")
    if not os.path.isabs(home):
        return None
    if sys.platform == "darwin":
        return os.path.join(home, "Library", "Caches", "jobledger")
    return os.path.join(home, ".cache", "jobledger")


def trusted(info: os.stat_result) -> bool:
    """A directory (or file) we may use: ours, and no one else may write to it."""
    return info.st_uid == os.getuid() and not info.st_mode & 0o022


_DIR_FD_FUNCTIONS = (os.open, os.unlink, os.rename, os.stat)  # os.replace: as os.rename


def open_cache(*, enabled: bool = True) -> DiskCache | None:
    """The user's cache, or None: turned off (`enabled`, $JOBLEDGER_NO_CACHE), no safe place,
    or the directory is not ours or is writable by others (then it is never read or written)."""
    if not enabled or os.environ.get(NO_CACHE_ENV, "") not in ("", "0"):
        return None
    where = cache_home()
    if where is None or not all(f in os.supports_dir_fd for f in _DIR_FD_FUNCTIONS):
        return None
    try:
        os.makedirs(os.path.dirname(where), mode=0o700, exist_ok=True)
        with contextlib.suppress(FileExistsError):
            os.mkdir(where, 0o700)
        flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
        fd = os.open(where, flags)
    except OSError:
        return None
    info = os.fstat(fd)
    if not stat.S_ISDIR(info.st_mode) or not trusted(info):
        os.close(fd)
        return None
    return DiskCache(fd, where)


class DiskCache:
    """Records by name in one trusted directory, read and written through its descriptor."""

    def __init__(self, fd: int, path: str) -> None:
        self.fd = fd
        self.path = path
        # Bytes written since the directory was last swept, None before the first write: a run
        # sweeps after its first write, then after every quarter of MAX_BYTES (a ledger of 500
        # small files must not list the directory 500 times).
        self.unswept: int | None = None

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self.close()

    def get(self, name: str, key: tuple[Any, ...]) -> tuple[Any, memoryview] | None:
        """The value and the blob stored under `name` with exactly this key, or None (a miss)."""
        try:
            fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW, dir_fd=self.fd)
        except OSError:
            return None
        try:
            with os.fdopen(fd, "rb") as handle:
                info = os.fstat(handle.fileno())
                if not stat.S_ISREG(info.st_mode) or not trusted(info):
                    return None
                if info.st_size > MAX_RECORD_BYTES:
                    return None
                data = handle.read()
                with contextlib.suppress(OSError):
                    os.utime(handle.fileno())  # recently used: evicted last
        except OSError:
            return None
        # MAGIC, CRC-32 of the rest, the header's length, the header (marshal: key and value),
        # the blob (bytes the caller decodes when it needs them).
        start = len(MAGIC) + 8
        if len(data) < start or not data.startswith(MAGIC):
            return None
        view = memoryview(data)
        crc = int.from_bytes(view[len(MAGIC) : len(MAGIC) + 4], "big")
        if zlib.crc32(view[len(MAGIC) + 4 :]) != crc:
            return None
        end = start + int.from_bytes(view[len(MAGIC) + 4 : start], "big")
        try:
            stored_key, value = marshal.loads(view[start:end])
        except Exception:  # corrupt in a way the CRC missed, or not a pair: a miss
            return None
        if stored_key != key:
            return None
        return value, view[end:]

    def put(self, name: str, key: tuple[Any, ...], value: Any, blob: bytes = b"") -> None:
        """Store `value` (plain data) and `blob` under `name`, atomically; failures are ignored."""
        try:
            header = marshal.dumps((key, value))
        except ValueError:  # not plain data: a bug, but the cache must never be the failure
            return
        rest = len(header).to_bytes(4, "big") + header
        crc = zlib.crc32(blob, zlib.crc32(rest))
        temp = f".tmp-{os.getpid()}-{os.urandom(6).hex()}"
        try:
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
            fd = os.open(temp, flags, 0o600, dir_fd=self.fd)
            with os.fdopen(fd, "wb") as handle:
                handle.write(MAGIC + crc.to_bytes(4, "big") + rest)
                handle.write(blob)
            os.replace(temp, name, src_dir_fd=self.fd, dst_dir_fd=self.fd)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(temp, dir_fd=self.fd)
            return
        written = len(rest) + len(blob)
        if self.unswept is None or self.unswept + written > MAX_BYTES // 4:
            self.evict()
            self.unswept = 0
        else:
            self.unswept += written

    def evict(self, limit: int | None = None) -> None:
        """Delete the least recently used records until the rest fit in `limit` bytes (default:
        MAX_BYTES), and any temporary file a killed run left behind."""
        limit = MAX_BYTES if limit is None else limit
        now = time.time()
        records: list[tuple[float, int, str]] = []
        try:
            with os.scandir(self.fd) as entries:
                for entry in entries:
                    try:
                        info = entry.stat(follow_symlinks=False)
                    except OSError:  # renamed or evicted by another run meanwhile
                        continue
                    if entry.name.startswith(".tmp-"):
                        if now - info.st_mtime > STALE_TEMP_SECONDS:
                            with contextlib.suppress(OSError):
                                os.unlink(entry.name, dir_fd=self.fd)
                    elif entry.name.endswith(SUFFIX) and stat.S_ISREG(info.st_mode):
                        records.append((info.st_mtime, info.st_size, entry.name))
        except OSError:
            return
        total = sum(size for _, size, _ in records)
        for _, size, name in sorted(records):
            if total <= limit:
                break
            with contextlib.suppress(OSError):
                os.unlink(name, dir_fd=self.fd)
            total -= size


def record_name(kind: str, *parts: str) -> str:
    """A record's file name: `kind` and a hash of everything its key holds."""
    digest = hashlib.sha256("\x00".join(parts).encode("utf-8", "surrogateescape")).hexdigest()
    return f"{kind}-{digest[:48]}{SUFFIX}"


# ---------------------------------------------------------------- what the records depend on

# os.path, not pathlib: pathlib costs 6 ms to import and nothing else on a cache hit needs it.
_PACKAGE = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
# The modules whose output a record holds: the reading stages (ledger/), the pipeline and the
# view's far-future check (both make `check`'s diagnostics), and `add`, which stores the parse
# of the file it wrote (edit/add.py, with fmt's layout).
_CODE = ("ledger", "pipeline.py", "report/view.py", "edit/add.py", "edit/fmt.py")


@cache
def code_id() -> str:
    """jobledger's version and a hash of the grammar and of the code whose results are cached: a
    record made by other code (an upgrade, an edited checkout) is never used."""
    digest = hashlib.sha256(__version__.encode())
    digest.update(grammar_bytes())
    digest.update(_parser_id())
    for relative in _CODE:
        path = os.path.join(_PACKAGE, relative)
        if os.path.isdir(path):
            _add_files(digest, path, [n for n in sorted(os.listdir(path)) if n.endswith(".py")])
        else:
            _add_files(digest, _PACKAGE, [relative])
    return f"{__version__}-{digest.hexdigest()[:32]}"


def _add_files(digest: Any, directory: str, names: Iterable[str]) -> None:
    """Each file's name (from the package's top) and bytes, into `digest`."""
    for name in names:
        path = os.path.join(directory, name)
        digest.update(os.path.relpath(path, _PACKAGE).encode() + b"\x00")
        try:
            with open(path, "rb") as source:
                digest.update(source.read())
        except OSError:
            digest.update(b"unreadable")


def _parser_id() -> bytes:
    """What else decides a parse: Python (its Unicode tables fold names), Lark's version and
    whether lark-cython parses (the installed files, found without importing them)."""
    parts = [sys.version, _installed("lark")]
    if accelerators.turned_off():
        parts.append("lark_cython: turned off")
    else:
        parts.append(_installed("lark_cython"))
    return "\n".join(parts).encode()


def _installed(name: str) -> str:
    """Which copy of a library is installed, found without importing it (its file's stat)."""
    import importlib.util

    spec = importlib.util.find_spec(name)
    try:
        found = os.stat(spec.origin) if spec is not None and spec.origin else None
    except OSError:
        found = None
    where = "none" if found is None or spec is None else spec.origin
    return f"{name}: {where} {found and found.st_size} {found and found.st_mtime_ns}"


@cache
def package_id() -> str:
    """Everything a rendered report depends on besides the ledger and the options: jobledger's
    version and every file of the package (code, templates, the grammar), Python, and the
    libraries that shape the output (Lark, Jinja2, MarkupSafe). About 5 ms: every file is read."""
    digest = hashlib.sha256(__version__.encode())
    digest.update(grammar_bytes())
    digest.update(_parser_id())
    digest.update("\n".join(_installed(name) for name in ("jinja2", "markupsafe")).encode())
    for root, directories, names in os.walk(_PACKAGE):
        directories[:] = sorted(d for d in directories if d != "__pycache__")
        _add_files(digest, root, sorted(names))
    return f"{__version__}-{digest.hexdigest()[:32]}"


def grammar_path() -> str:
    packaged = os.path.join(_PACKAGE, "grammar", "jobs.lark")
    if os.path.isfile(packaged):
        return packaged
    # Running from a source checkout: the grammar lives at the top of the repository.
    return os.path.join(os.path.dirname(os.path.dirname(_PACKAGE)), "grammar", "jobs.lark")


def grammar_bytes() -> bytes:
    with open(grammar_path(), "rb") as grammar:
        return grammar.read()


# ---------------------------------------------------------------- one file's parse, as plain data
# Positions are stored without their path (every position of a file's parse is in that file):
# the same bytes read under another name are the same record.

EVENT, DECLARATION, INCLUDE, OPTION, COMMENT = range(5)
_KINDS = {
    Event: EVENT,
    Declaration: DECLARATION,
    Include: INCLUDE,
    Option: OPTION,
    Comment: COMMENT,
}
_POSITION = attrgetter("position")
_PATH, _LINE, _COLUMN = attrgetter("path"), attrgetter("line"), attrgetter("column")
_DATE = attrgetter("date")
# An event's fields after its position and date, in the order Event takes them. By columns
# and through attrgetter, encoding costs a tenth of building a tuple per event in Python.
_EVENT_REST = attrgetter(
    "kind", "company", "title", "tags", "tag_columns", "meta", "kind_column", "comment",
    "raw_application", "name_column",
)  # fmt: skip


def encode_entries(entries: Sequence[Entry], path: str) -> tuple[Any, ...] | None:
    """Entries -> plain data, by columns: the kind of each entry, each one's line and column,
    the events' date ordinals and other fields, the other entries as tuples. None if some
    position is not in `path` (never cached)."""
    positions = list(map(_POSITION, entries))
    if any(where != path for where in map(_PATH, positions)):
        return None
    kinds = bytes([_KINDS[type(entry)] for entry in entries])
    events = [entry for entry in entries if type(entry) is Event]
    others: list[tuple[Any, ...]] = []
    for entry in entries:
        if isinstance(entry, Declaration):
            others.append(
                (
                    entry.what,
                    entry.key,
                    entry.label,
                    entry.key_column,
                    entry.milestone,
                    entry.milestone_column,
                    entry.comment,
                )
            )
        elif isinstance(entry, Include):
            others.append((entry.pattern, entry.comment))
        elif isinstance(entry, Option):
            others.append(
                (
                    entry.name,
                    entry.value,
                    entry.quoted,
                    entry.value_column,
                    entry.name_column,
                    entry.comment,
                )
            )
        elif isinstance(entry, Comment):
            others.append((entry.text, entry.trailing))
    return (
        kinds,
        list(map(_LINE, positions)),
        list(map(_COLUMN, positions)),
        list(map(date.toordinal, map(_DATE, events))),
        list(map(_EVENT_REST, events)),
        others,
    )


def decode_entries(data: Any, path: str) -> tuple[Entry, ...]:
    """The inverse of encode_entries, for the file at `path`. Raises on anything malformed (the
    caller treats that as a miss)."""
    kinds, lines, columns, ordinals, rests, others = data
    if not len(kinds) == len(lines) == len(columns) or len(ordinals) != len(rests):
        raise ValueError("columns of different lengths")
    dates: dict[int, date] = {}
    out: list[Entry] = []
    append = out.append
    next_event, next_other = 0, 0
    for kind, line, column in zip(kinds, lines, columns, strict=True):
        where = Position(path, line, column)
        if kind == EVENT:
            ordinal = ordinals[next_event]
            day = dates.get(ordinal)
            if day is None:
                day = dates[ordinal] = date.fromordinal(ordinal)
            append(Event(where, day, *rests[next_event]))
            next_event += 1
            continue
        rest = others[next_other]
        next_other += 1
        if kind == DECLARATION:
            append(Declaration(where, *rest))
        elif kind == INCLUDE:
            append(Include(where, *rest))
        elif kind == OPTION:
            append(Option(where, *rest))
        elif kind == COMMENT:
            append(Comment(where, *rest))
        else:
            raise ValueError(f"unknown entry kind {kind!r}")
    if next_event != len(ordinals) or next_other != len(others):
        raise ValueError("entries left over")
    return tuple(out)


def moved_entries(entries: Sequence[Entry], path: str, lines: int) -> tuple[Entry, ...]:
    """The entries of the file at `path`, each `lines` lines further down (an edit above them
    added or removed lines)."""
    data = encode_entries(entries, path)
    if data is None:
        raise ValueError(f"an entry is not in {path}")
    kinds, at, *rest = data
    return decode_entries((kinds, [line + lines for line in at], *rest), path)


def encode_diagnostics(
    diagnostics: Sequence[Diagnostic], path: str
) -> tuple[tuple[object, ...], ...] | None:
    out = []
    for d in diagnostics:
        if d.position.path != path:
            return None
        out.append(
            (
                str(d.severity),
                d.code,
                d.message,
                d.position.line,
                d.position.column,
                d.hint,
                d.source_line,
            )
        )
    return tuple(out)


def decode_diagnostics(rows: Any, path: str) -> tuple[Diagnostic, ...]:
    return tuple(
        Diagnostic(Severity(severity), code, message, Position(path, line, column), hint, source)
        for severity, code, message, line, column, hint, source in rows
    )
