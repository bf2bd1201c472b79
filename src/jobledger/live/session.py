"""One `watch` session: what it shows after each build, with explicit state.

`step()` is the pure part: a load result and the time of day in, the outputs (OUT's text, the
served page, the line for the terminal) out; it only remembers the last good report, so a
broken ledger shows its errors over that report instead of a blank page. `rebuild()` is the
side-effect part: load the ledger, step, write OUT, hand the page to the server, print.

The report date is the session's `today()` at each build unless `--as-of` pinned it, and
`date_changed()` tells the watcher when midnight has passed: a page left open overnight says
today's date (and today's follow-ups) in the morning, without a save.
"""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Callable, Sequence
from datetime import date
from typing import TextIO

from jobledger.files import write_atomic
from jobledger.ledger.cache import open_cache
from jobledger.ledger.diagnostics import render_text
from jobledger.ledger.loader import FileCache
from jobledger.ledger.memo import Memos
from jobledger.live.server import Page
from jobledger.live.watcher import Targets
from jobledger.pipeline import Result, cyclic_gc_paused, is_ledger_file, load_report
from jobledger.records import record, replace
from jobledger.render.html import content_security_policy, encoded_page, render_text_page
from jobledger.render.markdown import render_markdown
from jobledger.report.build import ReportOptions
from jobledger.report.filters import filter_problems
from jobledger.report.model import Report

FULL_COLLECTION_EVERY = 32  # builds (see rebuild)


@record
class Outputs:
    """What one build shows."""

    text: bytes  # OUT's new content, UTF-8
    page: Page | None  # the served page (None when not serving)
    problems: str  # the diagnostics as the terminal shows them ("" if none)
    errors: int  # all of them, not only those shown
    report: Report | None  # this build's report (None: the ledger has errors)


class WatchSession:
    def __init__(
        self,
        ledgers: Sequence[str],
        *,
        output: str,
        fmt: str,
        as_of: date | None,
        today: Callable[[], date],
        serve: bool = False,
        template: str | None = None,
        shown: ReportOptions | None = None,
        use_cache: bool = True,
    ) -> None:
        self.ledgers = tuple(ledgers)  # as given: diagnostics show these paths
        self.shown_output = output
        self.output = os.path.abspath(output)
        self.fmt = fmt
        self.pinned = as_of
        self.today = today
        self.serve = serve
        self.template = template
        # What to show, but for the date: private keys, filters, rows of the pipeline.
        self.shown = shown or ReportOptions(date.min)
        awaited = {os.path.abspath(p) for p in ledgers} | {os.path.realpath(p) for p in ledgers}
        self.awaited = frozenset(awaited)
        # State: what the last build saw and showed.
        self.last_good: Report | None = None
        self.last_good_at = ""  # the time of day of the last good build, "14:02:03"
        self.built_for: date | None = None  # the report date of the last build
        self.targets = Targets(self.awaited, (), frozenset({self.output}))
        self.page = Page(b"<!DOCTYPE html><title>jobledger</title><p>Building\xe2\x80\xa6</p>")
        # Each file's parse, kept between builds: a save re-reads and re-parses only that file.
        self.files_cache = FileCache(open_cache(enabled=use_cache), memory=True, later=True)
        self.memos = Memos()  # and what depends on one application only
        self.builds = 0
        # A filter naming a role or status the ledger does not have (as of the last build
        # that read the ledger): `watch` refuses to start with one, and warns if a save
        # makes one.
        self.filter_problems: tuple[str, ...] = ()

    def report_date(self) -> date:
        return self.pinned or self.today()

    def date_changed(self) -> bool:
        """Has the day turned since the last build (and no --as-of pins it)?"""
        return self.pinned is None and self.built_for is not None and self.today() != self.built_for

    # ------------------------------------------------------------------ the pure step

    def step(self, result: Result, clock: str) -> Outputs:
        """Outputs for one load result, built at `clock` ("14:02:03"); remembers the report if
        the ledger is clean."""
        self.targets = Targets(
            self.awaited | frozenset(result.files), result.include_patterns, self.targets.ignore
        )
        if result.report is not None:
            self.last_good, self.last_good_at = result.report, clock
        report = self.last_good
        counts = (result.error_count, result.warning_count)
        report_time = self.last_good_at or None
        problems = render_text(result.diagnostics) if result.diagnostics else ""
        page: Page | None = None
        if self.fmt == "html":
            text = encoded_page(
                report,
                self.memos.html,
                template=self.template,
                diagnostics=result.diagnostics,
                report_time=report_time,
                counts=counts,
            ).body
            if self.serve:
                live = encoded_page(
                    report,
                    self.memos.html,
                    template=self.template,
                    diagnostics=result.diagnostics,
                    live=True,
                    report_time=report_time,
                    counts=counts,
                )
                page = Page(live.body, csp=live.csp)
        else:
            body = (
                render_markdown(
                    report,
                    self.template,
                    rows=self.memos.markdown,
                    lines=self.memos.markdown_lines,
                )
                if report is not None
                else ""
            )
            markdown = _markdown_with_errors(body, problems, result.error_count, self.last_good_at)
            text = markdown.encode("utf-8")
            if self.serve:
                shown = render_text_page(
                    body,
                    title=report.title if report is not None else "jobledger",
                    diagnostics=result.diagnostics,
                    counts=counts,
                    report_time=report_time,
                    as_of=None if report is None else report.as_of,
                )
                page = Page(shown.encode("utf-8"), csp=content_security_policy(shown))
        return Outputs(text, page, problems, result.error_count, result.report)

    # ------------------------------------------------------------------ with side effects

    def rebuild(self, out: TextIO, err: TextIO, notify: Callable[[], None] | None = None) -> None:
        """Load, step, write OUT, hand the page to the server (then `notify`), print a line."""
        # What the last build kept (parses, memos, the report) was frozen, hidden from the
        # cyclic collector: the build would otherwise walk a million objects again and again
        # (0.9 s on 100,000 events). Once OUT is written and served, this build's cycles are
        # collected (Jinja's macros hold a whole render in cycles: without it each save
        # leaked its render) and what is left is frozen in turn. The collection looks at this
        # build's objects only: what is frozen was alive when frozen, and the kept data (records
        # and tuples) hold no cycle that could die unseen, so walking it all again (0.9 s on
        # 100,000 events) would find nothing. Something kept that does (a --template edited
        # while watching: Jinja drops the old one, cycles and all) is collected with everything
        # every FULL_COLLECTION_EVERY builds.
        # The collector stays paused until then: resumed any earlier, its first automatic pass
        # walks everything the build made (0.1 s on 100,000 events) before OUT is written.
        self.builds += 1
        if self.builds % FULL_COLLECTION_EVERY == 0:
            gc.unfreeze()
        with cyclic_gc_paused():
            try:
                self._rebuild(out, err, notify)
            finally:
                self.files_cache.store_later()  # once OUT is out
                gc.collect()
                gc.freeze()

    def _rebuild(self, out: TextIO, err: TextIO, notify: Callable[[], None] | None) -> None:
        started = time.perf_counter()
        clock = time.strftime("%H:%M:%S")
        as_of = self.report_date()
        first = self.built_for is None
        result = load_report(
            self.ledgers,
            replace(self.shown, as_of=as_of),
            files_cache=self.files_cache,
            memos=self.memos,
        )
        self.built_for = as_of
        outputs = self.step(result, clock)
        if result.ledger is not None:
            problems = tuple(filter_problems(self.shown.filters, result.ledger.config))
            if problems and first:
                self.filter_problems = problems
                return  # watch refuses to start: nothing written
            if problems and problems != self.filter_problems:
                _say(err, f"{clock}  warning: {'; '.join(problems)}")
            self.filter_problems = problems
        written = f"→ {self.shown_output}"
        try:
            if is_ledger_file(self.output, result.files, result.include_patterns):
                raise OSError(0, "it is, or would be read as, one of the ledger's files")
            write_atomic(self.output, outputs.text)
        except OSError as exc:
            written = f"(not written: {self.shown_output}: {exc.strerror or exc})"
        if outputs.page is not None:  # after OUT is on disk: the file is what most users see
            self.page = outputs.page
            if notify is not None:
                notify()
        ms = (time.perf_counter() - started) * 1000
        gone = [os.path.relpath(p) for p in self.ledgers if not os.path.exists(p)]
        if outputs.problems and not gone:
            _say(err, outputs.problems)
        if gone:
            _say(err, f"{clock}  waiting for {' and '.join(gone)} to come back")
        elif outputs.report is None:
            kept = "no report yet"
            if self.last_good is not None:
                kept = f"showing the report from {self.last_good_at}"
            plural_s = "s" * (outputs.errors != 1)
            _say(out, f"{clock}  {outputs.errors} error{plural_s} in {ms:.0f} ms; {kept} {written}")
        else:
            _say(out, f"{clock}  rebuilt in {ms:.0f} ms: {headline(outputs.report)} {written}")


def _say(stream: TextIO, line: str) -> None:
    stream.write(line + "\n")
    stream.flush()


def headline(report: Report) -> str:
    """'17 tracked · 10 active · 11 applied · 1 offer · 0 accepted' for the terminal."""
    totals = report.totals
    parts = [f"{totals.tracked} tracked", f"{totals.active} active"]
    keys = {report.options.base.key, *(step.stage.key for step in report.funnel[-2:])}
    parts += [f"{s.reached} {s.stage.key}" for s in report.funnel if s.stage.key in keys]
    return " · ".join(parts)


def _markdown_with_errors(body: str, problems: str, errors: int, since: str) -> str:
    """The Markdown OUT never goes silently stale: errors come first, above the last good one."""
    if not errors:
        return body
    kept = f"below is the last good report ({since})" if body else "no report yet"
    plural_s = "s" * (errors != 1)
    banner = f"**jobledger: {errors} error{plural_s} in the ledger; {kept}.**\n\n"
    fence = "~~~~" if "```" in problems else "```"
    return f"{banner}{fence}text\n{problems}\n{fence}\n\n---\n\n{body}"
