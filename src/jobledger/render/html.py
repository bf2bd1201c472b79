"""Report -> one self-contained HTML page: inline CSS, inline SVG charts, a little inline JS.

Nothing on the page makes a request: no fonts, no images, no CDN. The page carries its own
Content-Security-Policy (a <meta>, with sha256 hashes of its inline <style> and <script> blocks),
and `content_security_policy()` gives the same value for a server's header. Hence no style=""
or on*="" attributes anywhere: a hash covers only <style>/<script> element text.

This module prepares what the templates show (chart geometry, the application rows with their
links and markers, the error banner); the templates only format it. Ledger text reaches the page
only through Jinja2's autoescape, and a metadata value becomes a link only when it is an http(s)
URL (links.py). Every page, the report and the plain-text page that `watch --format md --serve`
shows, comes from here with its policy and, when live, the one reload script.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from functools import partial
from itertools import chain, islice
from operator import attrgetter
from typing import Any, ParamSpec, overload

from markupsafe import Markup, escape

from jobledger.forks import TextMap
from jobledger.ledger.diagnostics import CONTROL_CHARACTERS, Diagnostic
from jobledger.ledger.memo import ObjectMemo
from jobledger.ledger.suggest import shorten
from jobledger.records import record
from jobledger.render.charts.columns import ColumnChart, reply_chart, weekly_chart
from jobledger.render.charts.funnel import FunnelChart, funnel_chart
from jobledger.render.charts.roles import roles_chart
from jobledger.render.charts.sankey import sankey_chart
from jobledger.render.links import safe_href
from jobledger.render.templates import render_template
from jobledger.report.model import ApplicationRow, AttentionItem, Report

P = ParamSpec("P")
REPORT_TEMPLATE = "report.html.j2"
TEXT_TEMPLATE = "text.html.j2"
# Rendered into the page's CSP <meta>, then replaced by the policy computed from the rendered
# page. The <meta> comes before any ledger text, so the first occurrence is always ours.
CSP_PLACEHOLDER = "jobledger-csp-placeholder"
ATTENTION_SHOWN = 8  # per group; the rest fold into a <details>, so a long list can't bury the page
# Where the applications table's rows go (see html_chunks): a tag, which no ledger text can
# put on the page, autoescaped as it is.
ROWS_MARKER = "<jobledger-application-rows>"
ROWS_MARKER_UTF8 = ROWS_MARKER.encode("utf-8")
INFERRED = "~inferred"  # the status filter value of inferred ghosts: '~' can't start a ledger key

_INLINE = re.compile(r"<(style|script)\b[^>]*>(.*?)</\1\s*>", re.S | re.I)
_CODE = re.compile(r"`([^`]+)`")


def _sha256(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def content_security_policy(page: str) -> str:
    """The Content-Security-Policy value for exactly this page: its inline <style> and <script>
    blocks by hash (no 'unsafe-inline'), EventSource to its own origin, nothing else."""
    hashes: dict[str, list[str]] = {"style": [], "script": []}
    for match in _INLINE.finditer(page):
        hashes[match.group(1).lower()].append(_sha256(match.group(2)))

    def sources(kind: str) -> str:
        return " ".join(dict.fromkeys(hashes[kind])) or "'none'"

    return (
        f"default-src 'none'; style-src {sources('style')}; script-src {sources('script')}; "
        "connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'"
    )


# ---------------------------------------------------------------- what the templates show


@record
class Problem:
    """A diagnostic as the banner shows it."""

    where: str  # path:line:col
    severity: str
    code: str
    message: str
    hint: str | None
    source: str | None  # the offending line, clipped like the terminal's
    caret: str | None


@record
class Meta:
    key: str
    value: str
    href: str | None  # only for http(s) URLs
    text: str  # the link text: host and path, without the scheme


@record
class AppRow:
    """An application as the table shows it: the report's row, plus its filter value, marker
    and links."""

    row: ApplicationRow
    status: str  # a filter value: "active", "accepted", an outcome key or "~inferred"
    status_style: str  # CSS class of its marker: "active", "accepted", "o0".."o5", "inferred"
    meta: tuple[Meta, ...]


@record
class Choice:
    value: str
    label: str
    count: int


@record
class AttentionGroup:
    kind: str
    heading: str
    note: str
    shown: tuple[AttentionItem, ...]
    more: tuple[AttentionItem, ...]

    @property
    def total(self) -> int:
        return len(self.shown) + len(self.more)

    @property
    def more_count(self) -> int:
        return len(self.more)


@record
class RoleFunnel:
    key: str
    label: str
    tracked: int
    chart: FunnelChart


@record
class Banner:
    problems: tuple[Problem, ...]
    errors: int  # all of them, not only those listed
    warnings: int
    report_time: str | None  # when the report shown was made ("14:02:03"), in watch mode
    as_of: date | None  # the date of the report shown under it; None: no report


def _meta(key: str, value: str) -> Meta:
    href = safe_href(value)
    text = value
    if href is not None:
        text = value.strip().split("://", 1)[1].rstrip("/")
        text = shorten(text, 40)
    return Meta(key, value, href, text)


def _problem(diagnostic: Diagnostic) -> Problem:
    source, caret = None, None
    excerpt = diagnostic.excerpt()
    if excerpt is not None:
        source, column = excerpt
        caret = " " * max(column - 1, 0) + "^"
    return Problem(
        where=str(diagnostic.position),
        severity=str(diagnostic.severity),
        code=diagnostic.code,
        message=diagnostic.message,
        hint=diagnostic.hint,
        source=source,
        caret=caret,
    )


def banner(
    diagnostics: Sequence[Diagnostic],
    *,
    counts: tuple[int, int] | None = None,
    report_time: str | None = None,
    as_of: date | None = None,
) -> Banner:
    """`counts` (errors, warnings) when the diagnostics are only the first of each file."""
    problems = tuple(_problem(d) for d in diagnostics)
    errors = sum(1 for p in problems if p.severity == "error")
    errors, warnings = counts or (errors, len(problems) - errors)
    return Banner(problems, errors, warnings, report_time, as_of)


def _code_spans(text: str) -> Markup:
    """Insights mark ledger syntax with backticks, as Markdown does: escape, then <code>."""
    return Markup(_CODE.sub(r"<code>\1</code>", str(escape(text))))


def outcome_styles(report: Report) -> dict[str, str]:
    """Outcome key -> its colour-and-pattern class, by position (outcomes are user-declared)."""
    return {o.key: f"o{i % 6}" for i, o in enumerate(report.outcomes)}


def _styles(report: Report) -> dict[str, str]:
    return outcome_styles(report) | {"active": "active", "accepted": "accepted"}


def _kept_rows(report: Report, memo: ObjectMemo) -> list[tuple[AppRow, bytes]]:
    """Each application as the table shows it and its row's HTML as UTF-8, kept from the last
    build (watch) for a row that is the very same (ledger/memo.py)."""
    styles = _styles(report)
    memo.start(tuple(styles.items()))  # the markers' classes follow the declared outcomes
    return memo.each(report.applications, partial(_kept_row, styles=styles))


class _AppRows(Sequence[AppRow]):
    """The applications as the table shows them, each made when asked for: the page's own
    template only asks whether there are any, and each row's HTML is made from its
    application (html_chunks), half of them in another process. A template of the user's
    gets them as a list."""

    def __init__(self, applications: Sequence[ApplicationRow], styles: dict[str, str]) -> None:
        self.applications, self.styles = applications, styles

    def __len__(self) -> int:
        return len(self.applications)

    @overload
    def __getitem__(self, index: int) -> AppRow: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[AppRow]: ...
    def __getitem__(self, index: int | slice) -> AppRow | Sequence[AppRow]:
        if isinstance(index, slice):
            return [_app_row(app, self.styles) for app in self.applications[index]]
        return _app_row(self.applications[index], self.styles)


def _status(app: ApplicationRow) -> str:
    """The application's status as the table's filter has it."""
    return INFERRED if app.status.inferred else app.status.key


def _app_row(app: ApplicationRow, styles: dict[str, str]) -> AppRow:
    status = _status(app)
    return AppRow(
        row=app,
        status=status,
        status_style="inferred" if app.status.inferred else styles[status],
        meta=tuple(_meta(key, value) for key, value in app.meta.items()),
    )


def _kept_row(app: ApplicationRow, styles: dict[str, str]) -> tuple[AppRow, bytes]:
    shown = _app_row(app, styles)
    return shown, _row_html(shown).encode("utf-8")


def _application_html(app: ApplicationRow, styles: dict[str, str]) -> str:
    return _row_html(_app_row(app, styles))


# What Jinja's autoescape (MarkupSafe) writes for each character that HTML gives a meaning to.
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "'": "&#39;", '"': "&#34;"})
_NEEDS_CARE = re.compile("[&<>'\"]|" + CONTROL_CHARACTERS.pattern)


def _text(text: str) -> str:
    """Ledger text for the page, as the template would put it: escaped, and its control and
    bidi-override characters made U+FFFD (render_template's rule). Most text has neither, so
    one search decides: 36,000 rows hold 360,000 pieces of text."""
    if _NEEDS_CARE.search(text) is None:
        return text
    return CONTROL_CHARACTERS.sub("\ufffd", text).translate(_ESCAPES)


def _meta_html(m: Meta) -> str:
    if m.href is None:
        return _text(m.value)
    return f'<a href="{_text(m.href)}" rel="noopener noreferrer">{_text(m.text)}</a>'


def _row_html(a: AppRow) -> str:
    """One row of the applications table. Built here, not in a template: a Jinja loop over
    36,000 rows took most of a big page's time, and watch keeps each row's HTML. Every piece
    of text goes through `_text`, as it would through the template."""
    row = a.row
    details = ""
    if row.tags:
        tags = "".join(f'<span class="tag">#{_text(tag)}</span>' for tag in row.tags)
        details += f'<span class="tags">{tags}</span>'
    if a.meta:
        items = "".join(
            f'<li><span class="k">{_text(m.key)}:</span> {_meta_html(m)}</li>' for m in a.meta
        )
        details += f'<ul class="meta">{items}</ul>'
    commented = row.commented
    if commented:
        items = "".join(
            f'<li><time datetime="{h.date}">{h.date}</time> '
            f"{_text(h.kind)}: {_text(h.comment or '')}</li>"
            for h in commented
        )
        details += f'<ul class="history">{items}</ul>'
    stage, role = row.stage, row.role
    return (
        f'<tr data-role="{_text(role.key)}" data-status="{_text(a.status)}" '
        f'data-stage="{_text(stage.key)}">\n'
        f'<th scope="row">{_text(row.name)}</th>\n'
        f'<td data-label="Role">{_text(role.label)}</td>\n'
        f'<td data-label="Stage" data-key="{stage.index}">{_text(stage.label)}</td>\n'
        f'<td data-label="Status"><span class="pill {_text(a.status_style)}">'
        f"{_text(row.status_text)}</span></td>\n"
        f'<td data-label="First" class="date">{row.first_date}</td>\n'
        f'<td data-label="Last" class="date">{row.last_date}</td>\n'
        f'<td data-label="Details" class="details">{details}</td>\n'
        "</tr>\n"
    )


_ROLE_KEY, _STAGE_KEY = attrgetter("role.key"), attrgetter("stage.key")
_SHOWN_STATUS = attrgetter("status")


def _filters(report: Report, rows: Sequence[AppRow]) -> dict[str, list[Choice]]:
    """Choices for the table's selects: only values some application has, in ledger order.
    `rows`: the table's (watch keeps them made, with their statuses)."""
    roles = [(g.role.key, g.role.label) for g in report.groups]
    statuses = [("active", "active"), ("accepted", "accepted")]
    statuses += [(o.key, o.label.lower()) for o in report.outcomes]
    statuses.append((INFERRED, "ghosted (inferred)"))
    stages = [(s.key, s.label) for s in report.stages]
    apps = report.applications
    counted = {  # in C where it can be: a pass over 36,000 rows in Python costs 10 ms a save
        "role": Counter(map(_ROLE_KEY, apps)),
        "status": Counter(  # a row made already has its status; the lazy ones are not made
            map(_status, apps) if isinstance(rows, _AppRows) else map(_SHOWN_STATUS, rows)
        ),
        "stage": Counter(map(_STAGE_KEY, apps)),
    }

    def choices(pairs: Sequence[tuple[str, str]], field: str) -> list[Choice]:
        counts = counted[field]
        return [Choice(value, label, counts[value]) for value, label in pairs if value in counts]

    return {
        "role": choices(roles, "role"),
        "status": choices(statuses, "status"),
        "stage": choices(stages, "stage"),
    }


def _attention(report: Report) -> list[AttentionGroup]:
    days = report.options.follow_up_after
    attention = report.attention
    groups = []
    for kind, heading, note, items in (
        ("upcoming", "Coming up", "Booked after the as-of date.", attention.upcoming),
        ("follow-up", "Follow up", f"Waiting and silent {days}+ days.", attention.follow_up),
        (
            "apply-or-drop",
            "Apply or drop",
            f"On the list {days}+ days, never applied to.",
            attention.apply_or_drop,
        ),
    ):
        groups.append(
            AttentionGroup(kind, heading, note, items[:ATTENTION_SHOWN], items[ATTENTION_SHOWN:])
        )
    return groups


def page_context(report: Report, rows: Sequence[AppRow]) -> dict[str, Any]:
    """Everything report.html.j2 shows of the report, computed once here."""
    reply = report.timing.first_reply
    replies: ColumnChart | None = reply_chart(reply.days, reply.median_days)
    role_funnels = [
        RoleFunnel(g.role.key, g.role.label, g.counts.tracked, funnel_chart(g.funnel))
        for g in report.groups_with_applications
    ]
    return {
        "attention": _attention(report),
        "insights": [_code_spans(line) for line in report.insights],
        "funnel": funnel_chart(report.funnel),
        "role_funnels": role_funnels,
        "compare_roles": len(role_funnels) > 1,
        "sankey": sankey_chart(report.flows, report.outcomes),
        "outcome_styles": outcome_styles(report),
        "roles_chart": roles_chart(report),
        "weekly": weekly_chart(report.activity),
        "replies": replies,
        "applications": rows,
        "application_rows": Markup(ROWS_MARKER),
        "filters": _filters(report, rows),
    }


def html_chunks(
    report: Report | None,
    *,
    template: str | None = None,
    diagnostics: Sequence[Diagnostic] = (),
    live: bool = False,
    report_time: str | None = None,
    counts: tuple[int, int] | None = None,
    each: TextMap = map,
) -> Iterator[str]:
    """The page in pieces: the applications' rows one at a time. `report` None: only the
    error banner (the ledger never loaded). `diagnostics`: a banner on top listing every one,
    over the last good report if there is one; watch mode passes `report_time` ("14:02") so
    the banner can say how old that report is, and `counts` (errors, warnings) when the
    diagnostics shown are only the first of each file. `live`: a script reloads the page when
    the server's /events stream says "reload". `each` makes the rows (forks.split_map: on two
    CPUs)."""
    context = _context(report, diagnostics, live, report_time, counts)
    if report is None:
        yield _with_policy(render_template(REPORT_TEMPLATE, template, **context))
        return
    styles = _styles(report)
    shown: Sequence[AppRow] = _AppRows(report.applications, styles)
    if template is not None:  # a template of the user's may do anything a list can
        shown = list(shown)
    context |= page_context(report, shown)

    def rows_html() -> Iterator[str]:
        return iter(each(partial(_application_html, styles=styles), report.applications))

    # The rows are started before the page is rendered: with forks.split_map, the second half
    # is made meanwhile in another process.
    made = rows_html()
    started = tuple(islice(made, 1))
    page = _with_policy(render_template(REPORT_TEMPLATE, template, **context))
    # The rows go in last: a big page (20 MB for 36,000 applications) is then not scanned for
    # control characters, style and script blocks, and the policy's placeholder, nor copied,
    # again and again, nor held whole. Each row is clean already (_row_html); none holds a
    # <style> or <script>.
    first, *rest = page.split(ROWS_MARKER)
    yield first
    for number, after in enumerate(rest):  # where the rows go: once, unless in the user's
        yield from chain(started, made) if number == 0 else rows_html()
        yield after


@record
class EncodedPage:
    body: bytes  # UTF-8
    csp: str  # its Content-Security-Policy value


def encoded_page(
    report: Report | None,
    rows: ObjectMemo,
    *,
    template: str | None = None,
    diagnostics: Sequence[Diagnostic] = (),
    live: bool = False,
    report_time: str | None = None,
    counts: tuple[int, int] | None = None,
) -> EncodedPage:
    """watch: the page of html_chunks (the same arguments), as UTF-8 and with its policy, each
    application's row kept from the last build as UTF-8: a save's 20 MB page is then neither
    encoded nor scanned again, only joined."""
    context = _context(report, diagnostics, live, report_time, counts)
    kept = _kept_rows(report, rows) if report is not None else []
    if report is not None:
        context |= page_context(report, [row for row, _ in kept])
    # The rows hold no <style> or <script>: the policy of the page without them is theirs too.
    page, csp = _placed_policy(render_template(REPORT_TEMPLATE, template, **context))
    first, *rest = page.encode("utf-8").split(ROWS_MARKER_UTF8)
    rows_utf8 = [html for _, html in kept]
    pieces = [first]
    for after in rest:  # where the rows go: once, unless in the user's template
        pieces += rows_utf8
        pieces.append(after)
    return EncodedPage(b"".join(pieces), csp)


def _context(
    report: Report | None,
    diagnostics: Sequence[Diagnostic],
    live: bool,
    report_time: str | None,
    counts: tuple[int, int] | None,
) -> dict[str, Any]:
    return {
        "report": report,
        "live": live,
        "csp": CSP_PLACEHOLDER,
        "banner": banner(
            diagnostics,
            counts=counts,
            report_time=report_time,
            as_of=None if report is None else report.as_of,
        ),
        "page_title": "jobledger" if report is None else report.title,
    }


def _joined(pieces: Callable[P, Iterator[str]]) -> Callable[P, str]:
    def joined(*args: P.args, **kwargs: P.kwargs) -> str:
        return "".join(pieces(*args, **kwargs))

    joined.__doc__ = "The whole page: html_chunks, joined (its arguments are the same)."
    return joined


render_html = _joined(html_chunks)


def render_text_page(
    text: str,
    *,
    title: str,
    diagnostics: Sequence[Diagnostic] = (),
    counts: tuple[int, int] | None = None,
    report_time: str | None = None,
    as_of: date | None = None,
    live: bool = True,
) -> str:
    """A plain-text document (the Markdown report of `as_of`, None if there is none yet) as a
    page, with the same banner as the HTML report and, when `live`, the same reload script."""
    page = render_template(
        TEXT_TEMPLATE,
        None,
        text=text,
        page_title=title,
        live=live,
        csp=CSP_PLACEHOLDER,
        report=None,
        banner=banner(diagnostics, counts=counts, report_time=report_time, as_of=as_of),
    )
    return _with_policy(page)


def _with_policy(page: str) -> str:
    return _placed_policy(page)[0]


def _placed_policy(page: str) -> tuple[str, str]:
    """(the page with its Content-Security-Policy in place of the placeholder, the policy)."""
    policy = content_security_policy(page)
    return page.replace(CSP_PLACEHOLDER, policy, 1), policy
