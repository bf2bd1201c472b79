"""The whole load in one screen: files -> entries -> ledger state -> report, with diagnostics."""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date

from jobledger.ledger.diagnostics import (
    MAX_PER_FILE,
    Diagnostic,
    limit_per_file,
    promote_warnings,
    sorted_diagnostics,
)
from jobledger.ledger.loader import load_files
from jobledger.ledger.reducer import Ledger, reduce_entries
from jobledger.report.metrics import Report, compute_report


@dataclass(frozen=True, slots=True)
class Result:
    report: Report | None  # None when the ledger has errors
    ledger: Ledger | None
    diagnostics: tuple[Diagnostic, ...]  # sorted by file, line, column
    files: tuple[str, ...]  # absolute paths of every file read
    include_patterns: tuple[str, ...]  # absolute include globs (a watcher wants new matches)
    error_count: int = 0  # before the per-file limit on what is shown
    warning_count: int = 0

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.is_error)


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
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
    paths: Sequence[str], as_of: date, *, strict: bool = False, metrics: bool = True
) -> Result:
    """Load, parse and reduce the ledger; compute the report unless `metrics` is False (check)."""
    with _cyclic_gc_paused():
        return _load_ledger(paths, as_of, strict=strict, metrics=metrics)


def _load_ledger(paths: Sequence[str], as_of: date, *, strict: bool, metrics: bool) -> Result:
    loaded = load_files(paths)
    ledger, reduced = reduce_entries(loaded.entries, as_of)
    diagnostics = [*loaded.diagnostics, *reduced]
    if strict:
        diagnostics = promote_warnings(diagnostics)
    errors = sum(1 for d in diagnostics if d.is_error)
    warnings = len(diagnostics) - errors
    shown = limit_per_file(sorted_diagnostics(diagnostics), MAX_PER_FILE)
    diagnostics = _with_source_lines(shown, dict(loaded.sources))
    failed = errors > 0
    return Result(
        report=None if failed or not metrics else compute_report(ledger),
        ledger=None if failed else ledger,
        diagnostics=tuple(diagnostics),
        files=loaded.files,
        include_patterns=loaded.include_patterns,
        error_count=errors,
        warning_count=warnings,
    )


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
