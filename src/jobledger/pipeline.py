"""The whole run in one screen: files -> entries -> ledger -> report at a date, with diagnostics.

`load_ledger` reads (everything `check` needs); `load_report` adds the report at a date. The
command line, the watcher and the server call only these and the renderers.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from typing import TYPE_CHECKING, Any

from jobledger.ledger import cache, globs
from jobledger.ledger.diagnostics import (
    MAX_PER_FILE,
    Diagnostic,
    Position,
    Severity,
    limit_per_file,
    promote_warnings,
    sorted_diagnostics,
)
from jobledger.ledger.loader import FileCache, Walk, walk_files
from jobledger.ledger.memo import Memos
from jobledger.ledger.model import Ledger
from jobledger.ledger.reducer import reduce_slices
from jobledger.records import fields, record, replace
from jobledger.report.view import far_future

if TYPE_CHECKING:  # the report's modules are imported when a report is made
    from jobledger.report.build import ReportOptions
    from jobledger.report.model import Report


@record
class Checked:
    """What `check` shows: the diagnostics and what was read."""

    diagnostics: tuple[Diagnostic, ...]  # sorted by file, line, column; at most 200 per file
    files: tuple[str, ...]  # absolute paths of every file read
    include_patterns: tuple[str, ...]  # absolute include globs (a watcher wants new matches)
    error_count: int  # before the per-file limit on what is shown
    warning_count: int

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.is_error)


@record
class Loaded(Checked):
    ledger: Ledger | None  # None when the ledger has errors


@record
class Result(Loaded):
    report: Report | None = None  # None when the ledger has errors


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """A load allocates about ten objects a line and none of them in a reference cycle, yet
    Python's cyclic collector walks them again and again: a third of the time on 100,000
    events. Reference counting still frees everything; the collector resumes afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def load_ledger(
    paths: Sequence[str],
    as_of: date,
    *,
    strict: bool = False,
    use_cache: bool = True,
    files_cache: FileCache | None = None,
    memos: Memos | None = None,
    walk: Walk | None = None,
) -> Loaded:
    """Read, parse and reduce the ledger. `as_of`: the report date, against which dates are
    checked (a year typo). `strict`: warnings count as errors. `use_cache`: look for each file's
    parse in the user's cache, and store it there (ledger/cache.py); `files_cache` instead: the
    caller's (watch keeps one across rebuilds, and `memos`: ledger/memo.py). `walk`: the files
    as the caller has already read them (the report cache keys on that very reading)."""
    if files_cache is None:
        files_cache = FileCache(cache.open_cache(enabled=use_cache))
    with cyclic_gc_paused():
        if walk is None:
            walk = walk_files(paths, files_cache)
        return _reduce(walk, as_of, strict, memos)


def _reduce(loaded: Walk, as_of: date, strict: bool, memos: Memos | None = None) -> Loaded:
    ledger, reduced = reduce_slices(
        [(parsed.entries(), start, stop) for parsed, start, stop in loaded.pieces], memos
    )
    diagnostics = [*loaded.diagnostics, *reduced, *far_future(ledger, as_of)]
    if strict:
        diagnostics = promote_warnings(diagnostics)
    errors = sum(1 for d in diagnostics if d.is_error)
    shown = limit_per_file(sorted_diagnostics(diagnostics), MAX_PER_FILE)
    return Loaded(
        ledger=None if errors else ledger,
        diagnostics=tuple(_with_source_lines(shown, dict(loaded.sources))),
        files=loaded.files,
        include_patterns=loaded.include_patterns,
        error_count=errors,
        warning_count=len(diagnostics) - errors,
    )


def check_ledger(
    paths: Sequence[str], as_of: date, *, strict: bool = False, use_cache: bool = True
) -> Checked:
    """What `check` says about the ledger: load_ledger's diagnostics. A second run over the same
    files finds them in the cache, keyed by the walk's fingerprint (every file read and its
    hash, what every include matched), the date, --strict and the code: no entry is decoded."""
    disk = cache.open_cache(enabled=use_cache)
    files_cache = FileCache(disk, later=True)
    with cyclic_gc_paused():
        walk = walk_files(paths, files_cache)
    # New parses go to the disk cache from another process while this one checks the ledger.
    stored = files_cache.store_in_background()
    try:
        key = (cache.FORMAT, cache.code_id(), walk.fingerprint, as_of.toordinal(), strict)
        name = cache.record_name("check", *map(str, key))
        if disk is not None:
            found = disk.get(name, key)
            if found is not None:
                try:
                    return _checked_from_record(found[0])
                except Exception:  # not a record of ours after all: a miss
                    pass
        with cyclic_gc_paused():
            loaded = _reduce(walk, as_of, strict)
        if disk is not None:
            disk.put(name, key, _checked_record(loaded))
    finally:
        stored()
    return Checked(
        loaded.diagnostics,
        loaded.files,
        loaded.include_patterns,
        loaded.error_count,
        loaded.warning_count,
    )


def _checked_record(checked: Checked) -> tuple[object, ...]:
    diagnostics = tuple(
        (str(d.severity), d.code, d.message, *_position(d.position), d.hint, d.source_line)
        for d in checked.diagnostics
    )
    return (
        diagnostics,
        checked.files,
        checked.include_patterns,
        checked.error_count,
        checked.warning_count,
    )


def _position(position: Position) -> tuple[str, int, int]:
    return position.path, position.line, position.column


def _checked_from_record(record: Any) -> Checked:
    diagnostics, files, patterns, errors, warnings = record
    return Checked(
        tuple(
            Diagnostic(Severity(severity), code, message, Position(path, line, column), hint, src)
            for severity, code, message, path, line, column, hint, src in diagnostics
        ),
        tuple(str(f) for f in files),
        tuple(str(p) for p in patterns),
        int(errors),
        int(warnings),
    )


def load_report(
    paths: Sequence[str],
    options: ReportOptions | date,
    *,
    strict: bool = False,
    use_cache: bool = True,
    files_cache: FileCache | None = None,
    memos: Memos | None = None,
    walk: Walk | None = None,
) -> Result:
    """Read the ledger and, when it has no errors, make its report (a date: as of that date)."""
    from jobledger.report.build import ReportOptions, build_report

    if isinstance(options, date):
        options = ReportOptions(options)
    loaded = load_ledger(
        paths,
        options.as_of,
        strict=strict,
        use_cache=use_cache,
        files_cache=files_cache,
        memos=memos,
        walk=walk,
    )
    report = None
    if loaded.ledger is not None:
        with cyclic_gc_paused():
            report = build_report(loaded.ledger, options, memos)
    return Result(**{name: getattr(loaded, name) for name in fields(Loaded)}, report=report)


def is_ledger_file(target: str, files: Sequence[str], patterns: Sequence[str]) -> bool:
    """Is `target` a file of the ledger (`files`, even through a symbolic link), or would an
    include glob (`patterns`) read it back as one? An output must never land there."""
    real = os.path.realpath(target)
    if real in files:
        return True
    return any(globs.matches(path, pattern) for path in (target, real) for pattern in patterns)


def _with_source_lines(diagnostics: list[Diagnostic], texts: dict[str, str]) -> list[Diagnostic]:
    """Stages after the parser know positions, not lines: fill the line in for the caret."""
    split: dict[str, list[str]] = {}
    filled = []
    for diagnostic in diagnostics:
        path, line = diagnostic.position.path, diagnostic.position.line
        if diagnostic.source_line is None and path in texts:
            if path not in split:
                split[path] = texts[path].split("\n")
            lines = split[path]
            if 0 < line <= len(lines):
                diagnostic = replace(diagnostic, source_line=lines[line - 1].rstrip("\r"))
        filled.append(diagnostic)
    return filled
