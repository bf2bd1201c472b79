"""Report -> Markdown, through templates/report.md.j2.

The template places headings, prose and tables; the tables themselves are built here, from the
typed report, because a Markdown table is padded to its widest cell: it cannot be streamed row
by row from a template, and building lists in Jinja is computing in the template.
"""

from __future__ import annotations

import os
from functools import partial
from operator import attrgetter

from jobledger.ledger.diagnostics import CONTROL_CHARACTERS
from jobledger.ledger.memo import ObjectMemo
from jobledger.records import record, replace
from jobledger.render.templates import render_template
from jobledger.render.text import days, md, md_table, table_layout
from jobledger.report.model import ApplicationRow, AttentionItem, Report
from jobledger.report.numbers import percent


def render_markdown(
    report: Report,
    template: str | None = None,
    *,
    mermaid: bool = False,
    rows: ObjectMemo | None = None,
    lines: tuple[ObjectMemo, ObjectMemo] | None = None,
) -> str:
    """With `mermaid`, the Sankey diagram as a Mermaid block (`report --mermaid`). `rows`
    (watch): the cells of each application's rows, kept from the last build (ledger/memo.py);
    `lines`: and their lines in the applications and comments tables, as last laid out."""
    if rows is not None:
        rows.start(None)  # the cells depend on the row alone
    diagram = None
    if mermaid:
        from jobledger.render.mermaid import render_mermaid

        diagram = render_mermaid(report) or None
    tables = MarkdownTables(report, _row_cells(report, rows), lines=lines)
    if template is not None:
        return render_template(
            "report.md.j2", template, report=report, tables=tables, mermaid=diagram
        )
    # The built-in template places the two tables of one or more rows per application where
    # they go in, once it is rendered: 7 MB of them for 36,000 applications are then not
    # searched for control characters as text: each cell was, when it was made (and kept).
    # Where they go: tags no ledger text can make, escaped or not (the Mermaid block is not).
    token = os.urandom(8).hex()
    applications, comments = f"<applications-{token}>", f"<comments-{token}>"
    text = render_template(
        "report.md.j2",
        None,
        report=report,
        tables=replace(tables, markers=(applications, comments)),
        mermaid=diagram,
    )
    # Each table once where its marker is (if it is: an empty ledger has neither), the whole
    # text copied once: 7 MB for 36,000 applications.
    found = sorted(
        (at, marker, make)
        for marker, make in ((applications, tables.applications), (comments, tables.comments))
        if (at := text.find(marker)) >= 0
    )
    pieces, done = [], 0
    for at, marker, make in found:
        pieces += [text[done:at], make()]
        done = at + len(marker)
    pieces.append(text[done:])
    return "".join(pieces)


@record
class MarkdownTables:
    """Each table of the Markdown report, as text; ledger text escaped."""

    report: Report
    cells: list[_RowCells]  # each application's, in order
    # The two big tables as these markers (applications, comments), put in after the render.
    markers: tuple[str, str] | None = None
    lines: tuple[ObjectMemo, ObjectMemo] | None = None  # watch: see render_markdown

    def pipeline(self) -> str:
        pipeline = self.report.pipeline
        header = [
            pipeline.row_heading,
            "Tracked",
            "No progress",
            *(md(c.key) for c in pipeline.columns[1:]),
        ]
        rows = []
        for row in pipeline.rows:
            label = f"**{md(row.label)}**" if row.emphasised else md(row.label)
            cells = [
                percent(cell.fraction)
                if cell.count is None
                else f"{cell.count} ({percent(cell.fraction)})"
                for cell in row.cells
            ]
            rows.append([label, "" if row.tracked is None else row.tracked, *cells])
        return md_table(header, rows, "l" + "r" * (len(header) - 1))

    def funnel(self) -> str:
        base = md(self.report.options.base.key)
        rows = [
            [md(s.stage.milestone), s.at, s.reached, percent(s.conversion), percent(s.of_base)]
            for s in self.report.funnel
        ]
        return md_table(["Reached", "Still there", "Count", "Step", f"Of {base}"], rows, "lrrrr")

    def endings(self) -> str:
        header = ["Stage", *(md(o.label) for o in self.report.outcomes), "Silent (inferred)"]
        rows = [
            [md(row.stage.label), *(count for _, count in row.outcomes), row.inferred]
            for row in self.report.endings
        ]
        return md_table(header, rows, "l" + "r" * (len(header) - 1))

    def stage_times(self) -> str:
        rows = [[md(s.stage.label), days(s.median_days), s.count] for s in self.report.timing.moved]
        return md_table(["Stage", "Median time there", "Moved on"], rows, "lrr")

    def weeks(self) -> str:
        rows = [[w.week, w.start.isoformat(), w.count, "█" * w.count] for w in self.report.activity]
        return md_table(["Week", "Starting", "Applied", ""], rows, "llrl")

    def sources(self) -> str:
        rows = [
            [md(s.source), s.applied, s.replied, percent(s.reply_rate)] for s in self.report.sources
        ]
        return md_table(["Source", "Applied", "Replied", "Reply rate"], rows, "lrrr")

    def follow_up(self) -> str:
        rows = [
            [md(a.name), md(_stage_label(a)), a.date.isoformat(), days(a.days)]
            for a in self.report.attention.follow_up
        ]
        return md_table(["Application", "Stage", "Last heard", "Silent"], rows, "lllr")

    def apply_or_drop(self) -> str:
        rows = [
            [md(a.name), a.date.isoformat(), days(a.days)]
            for a in self.report.attention.apply_or_drop
        ]
        return md_table(["Application", "Tracked since", "Waiting"], rows, "llr")

    def upcoming(self) -> str:
        items = self.report.attention.upcoming
        rows = [
            [a.date.isoformat(), md(a.event_label), md(a.name), f"in {days(a.days)}"] for a in items
        ]
        header = ["Date", "What", "Application", "When"]
        if any(a.comment for a in items):  # "onsite 10:00 with the analytics lead"
            header.append("Comment")
            rows = [[*row, md(a.comment or "")] for row, a in zip(rows, items, strict=True)]
        return md_table(header, rows, "lllrl")

    def comments(self) -> str:
        """Every event that carries a comment, application by application, in date order."""
        if self.markers is not None:
            return self.markers[1]
        return self._big_table(COMMENTS, 1)

    def applications(self) -> str:
        if self.markers is not None:
            return self.markers[0]
        return self._big_table(APPLICATIONS, 0)

    def _big_table(self, header: tuple[str, ...], which: int) -> str:
        """A table of one or more rows per application (`which`: 0 applications, 1 comments),
        each application's lines kept while the layout (the widest cells) stays the same."""
        widest = map(max, zip(*map(_WIDEST[which], self.cells), strict=True))
        layout, top = table_layout(header, list(widest) or [0] * len(header))
        if self.lines is None:
            made = [_lines(cells, layout, which) for cells in self.cells]
        else:
            memo = self.lines[which]
            memo.start(layout)
            made = memo.each(self.cells, partial(_lines, layout=layout, which=which))
        return "\n".join([top, *filter(None, made)])  # "": no comments


def _row_cells(report: Report, memo: ObjectMemo | None) -> list[_RowCells]:
    labels = _Labels()
    if memo is None:
        return [_RowCells.of(a, labels) for a in report.applications]
    return memo.each(report.applications, partial(_RowCells.of, labels=labels))


class _Labels(dict[str, str]):
    """Text that repeats from row to row (a role, a stage, a status), escaped once."""

    def __missing__(self, text: str) -> str:
        escaped = self[text] = _cell(text)
        return escaped


def _cell(text: str | None) -> str:
    """Ledger text for a cell: escaped, its control and bidi characters as U+FFFD, as
    render_template would make them (one character for one: the padding stays true)."""
    escaped = md(text)
    if CONTROL_CHARACTERS.search(escaped) is None:
        return escaped
    return CONTROL_CHARACTERS.sub("\ufffd", escaped)


APPLICATIONS = ("Application", "Role", "Stage", "Status", "First", "Last")
COMMENTS = ("Application", "Date", "Event", "Comment")


@record
class _RowCells:
    """One application's rows in the Markdown tables, escaped, and its widest cells in each."""

    row: ApplicationRow  # what the memo's key names
    application: tuple[str, ...]
    comments: tuple[tuple[str, ...], ...]
    widest: tuple[int, ...]  # the application row's cells' lengths
    widest_comment: tuple[int, ...]  # the longest of each column of its comments (0: none)

    @classmethod
    def of(cls, a: ApplicationRow, labels: _Labels) -> _RowCells:
        name = _cell(a.name)
        application = (
            name,
            labels[a.role.label],
            labels[a.stage.label],
            labels[a.status_text],
            a.first_date.isoformat(),
            a.last_date.isoformat(),
        )
        comments = tuple(
            (name, h.date.isoformat(), labels[h.kind], _cell(h.comment))
            for h in a.history
            if h.comment
        )
        widest_comment = (
            tuple(max(map(len, column)) for column in zip(*comments, strict=True))
            if comments
            else _NO_COMMENT
        )
        return cls(a, application, comments, tuple(map(len, application)), widest_comment)


_NO_COMMENT = (0,) * len(COMMENTS)
_WIDEST = (attrgetter("widest"), attrgetter("widest_comment"))


def _lines(cells: _RowCells, layout: str, which: int) -> str:
    """The application's line in the applications table (`which` 0), or its lines in the
    comments table (1: "" when it has none)."""
    if which == 0:
        return layout % cells.application
    return "\n".join(layout % row for row in cells.comments)


def _stage_label(item: AttentionItem) -> str:
    return "" if item.stage is None else item.stage.label
