"""Report -> one self-contained HTML page: inline CSS, inline SVG charts, a little inline JS.

Nothing on the page makes a request: no fonts, no images, no CDN. The page carries its own
Content-Security-Policy (a <meta>, with sha256 hashes of its inline <style> and <script> blocks),
and `content_security_policy()` gives the same value for a server's header. Hence no style=""
or on*="" attributes anywhere: a hash covers only <style>/<script> element text.

This module prepares what the templates show (chart geometry from charts.py, rows for the tables,
the error banner); the templates only format it. Ledger text reaches the page only through
Jinja2's autoescape, and a metadata value becomes a link only when it is an http(s) URL.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from markupsafe import Markup, escape

from jobledger.ledger.diagnostics import Diagnostic
from jobledger.ledger.model import display_name
from jobledger.ledger.suggest import shorten
from jobledger.render import charts
from jobledger.render.markdown import labels, render_template
from jobledger.report.metrics import Report

TEMPLATE = "report.html.j2"
# Rendered into the page's CSP <meta>, then replaced by the policy computed from the rendered
# page. The <meta> comes before any ledger text, so the first occurrence is always ours.
CSP_PLACEHOLDER = "jobledger-csp-placeholder"
ATTENTION_SHOWN = 8  # per group; the rest fold into a <details>, so a long list can't bury the page
INFERRED = charts.INFERRED

_INLINE = re.compile(r"<(style|script)\b[^>]*>(.*?)</\1\s*>", re.S | re.I)
_CODE = re.compile(r"`([^`]+)`")
# Characters an href keeps as they are; everything else (spaces, quotes, non-ASCII…) is
# percent-encoded so the attribute is a valid URL for the Nu validator and for browsers.
_URL_SAFE = ":/?#[]@!$&'()*+,;=%~-._"


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


@dataclass(frozen=True, slots=True)
class Problem:
    """A diagnostic as the banner shows it."""

    where: str  # path:line:col
    severity: str
    code: str
    message: str
    hint: str | None
    source: str | None  # the offending line, clipped like the terminal's
    caret: str | None


@dataclass(frozen=True, slots=True)
class Meta:
    key: str
    value: str
    href: str | None  # only for http(s) URLs
    text: str  # the link text: host and path, without the scheme


@dataclass(frozen=True, slots=True)
class AppRow:
    name: str
    role: str
    role_label: str
    stage: str
    stage_label: str
    stage_index: int
    status: str  # a filter value: "active", "accepted", an outcome key or "~inferred"
    status_text: str
    status_style: str  # CSS class of its marker: "active", "accepted", "o0".."o5", "inferred"
    first_date: str
    last_date: str
    tags: tuple[str, ...]
    meta: tuple[Meta, ...]


@dataclass(frozen=True, slots=True)
class Option:
    value: str
    label: str
    count: int


@dataclass(frozen=True, slots=True)
class AttentionGroup:
    kind: str
    heading: str
    note: str
    shown: tuple[Mapping[str, Any], ...]
    more: tuple[Mapping[str, Any], ...]


@dataclass(frozen=True, slots=True)
class RoleFunnel:
    key: str
    label: str
    tracked: int
    chart: charts.FunnelChart


def safe_href(value: str) -> str | None:
    """`value` as an href when it is a well-formed absolute http(s) URL with a real host name,
    else None (it is then shown as text): a ledger must never make a javascript:, data: or
    relative link, and a malformed one would fail HTML validation."""
    text = value.strip()
    if any(
        ord(c) < 0x20 or c.isspace() or c in '<>"`\\' or unicodedata.category(c) in ("Cc", "Cf")
        for c in text
    ):
        return None
    if _BAD_ESCAPE.search(text) or text.count("#") > 1:
        return None
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 -- raises on a malformed port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    if parts.netloc.count("@") > 1 or "[" in text.replace(f"[{parts.hostname}]", "", 1):
        return None
    host = _ascii_host(parts.hostname)
    if host is None:
        return None
    if not parts.hostname.isascii():  # an internationalised name goes in as IDNA, not %-escapes
        userinfo = parts.netloc.rpartition("@")[0]
        port = f":{parts.port}" if parts.port is not None else ""
        text = urlunsplit(parts._replace(netloc=(userinfo + "@" if userinfo else "") + host + port))
    return quote(text, safe=_URL_SAFE)


_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")


def _ascii_host(host: str) -> str | None:
    """The host as ASCII when it is an IP address or a valid DNS name (internationalised ones
    through IDNA), else None."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return f"[{host}]" if address.version == 6 else host
    try:
        ascii_host = host.rstrip(".").encode("idna").decode("ascii")
    except UnicodeError:
        return None
    for label in ascii_host.split("."):
        if not _LABEL.fullmatch(label):
            return None
        if label.lower().startswith("xn--"):
            try:
                label[4:].encode("ascii").decode("punycode")
            except UnicodeError:
                return None
    return ascii_host


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


def _code_spans(text: str) -> Markup:
    """Insights mark ledger syntax with backticks, as Markdown does: escape, then <code>."""
    return Markup(_CODE.sub(r"<code>\1</code>", str(escape(text))))


def _outcome_styles(report: Report) -> dict[str, str]:
    """Outcome key -> its colour-and-pattern class, by position (outcomes are user-declared)."""
    return {o["key"]: f"o{i % 6}" for i, o in enumerate(report["outcomes"])}


def _applications(report: Report, names: Mapping[str, Mapping[str, str]]) -> list[AppRow]:
    stage_index = {stage["key"]: stage["index"] for stage in report["stages"]}
    styles = _outcome_styles(report) | {
        "active": "active",
        "accepted": "accepted",
        INFERRED: "inferred",
    }
    rows = []
    for app in report["applications"]:
        name = display_name(app["company"], app["title"])
        if app["inferred"]:
            status, text = INFERRED, "ghosted (inferred)"
        else:
            status = app["status"]
            text = status
            if app["outcome_stage"] is not None:
                text += " at " + names["stage"][app["outcome_stage"]]
        rows.append(
            AppRow(
                name=name,
                role=app["role"],
                role_label=names["role"][app["role"]],
                stage=app["stage"],
                stage_label=names["stage"][app["stage"]],
                stage_index=stage_index[app["stage"]],
                status=status,
                status_text=text,
                status_style=styles.get(status, ""),
                first_date=app["first_date"],
                last_date=app["last_date"],
                tags=tuple(app["tags"]),
                meta=tuple(_meta(key, value) for key, value in app["meta"].items()),
            )
        )
    return rows


def _filters(report: Report, rows: Sequence[AppRow]) -> dict[str, list[Option]]:
    """Choices for the table's selects: only values some application has, in ledger order."""
    roles = [(g["key"], g["label"]) for g in report["groups"]]
    statuses = [("active", "active"), ("accepted", "accepted")]
    statuses += [(o["key"], o["label"].lower()) for o in report["outcomes"]]
    statuses.append((INFERRED, "ghosted (inferred)"))
    stages = [(s["key"], s["label"]) for s in report["stages"]]

    def options(pairs: Sequence[tuple[str, str]], field: str) -> list[Option]:
        counts: dict[str, int] = {}
        for row in rows:
            value = getattr(row, field)
            counts[value] = counts.get(value, 0) + 1
        return [Option(value, label, counts[value]) for value, label in pairs if value in counts]

    return {
        "role": options(roles, "role"),
        "status": options(statuses, "status"),
        "stage": options(stages, "stage"),
    }


def _attention(report: Report) -> list[AttentionGroup]:
    kinds = (
        ("upcoming", "Coming up", "Booked after the as-of date."),
        (
            "follow-up",
            "Follow up",
            f"Waiting and silent {report['options']['follow_up_after']}+ days.",
        ),
        (
            "apply-or-drop",
            "Apply or drop",
            f"On the list {report['options']['follow_up_after']}+ days, never applied to.",
        ),
    )
    groups = []
    for kind, heading, note in kinds:
        items = tuple(a for a in report["attention"] if a["kind"] == kind)
        groups.append(
            AttentionGroup(kind, heading, note, items[:ATTENTION_SHOWN], items[ATTENTION_SHOWN:])
        )
    return groups


def _endings(report: Report) -> list[dict[str, Any]]:
    """The "where the no's happen" rows, as in the Markdown report: stages where any ended."""
    rows = []
    for stage in report["stages"]:
        counts = [report["exits"][o["key"]][stage["key"]] for o in report["outcomes"]]
        inferred = report["ghosted_inferred_at"][stage["key"]]
        if sum(counts) + inferred:
            rows.append({"label": stage["label"], "counts": counts, "inferred": inferred})
    return rows


def page_context(
    report: Report | None,
    diagnostics: Sequence[Diagnostic] = (),
    *,
    live: bool = False,
    report_time: str | None = None,
    counts: tuple[int, int] | None = None,
) -> dict[str, Any]:
    """Everything report.html.j2 shows, computed once here."""
    problems = [_problem(d) for d in diagnostics]
    errors = sum(1 for p in problems if p.severity == "error")
    errors, warnings = counts or (errors, len(problems) - errors)
    context: dict[str, Any] = {
        "report": report,
        "live": live,
        "csp": CSP_PLACEHOLDER,
        "problems": problems,
        "errors": errors,
        "warnings": warnings,
        "report_time": report_time,
        "page_title": "jobledger" if report is None else report["title"],
    }
    if report is None:
        return context
    names = labels(report)
    rows = _applications(report, names)
    flows = charts.sankey_flows(report)
    reply = report["timing"]["first_reply"]
    context.update(
        labels=names,
        base_label=names["stage"][report["options"]["base_stage"]],
        headline=report["headline"],
        attention=_attention(report),
        insights=[_code_spans(line) for line in report["insights"]],
        funnel=charts.funnel_chart(report["funnel"]),
        role_funnels=[
            RoleFunnel(g["key"], g["label"], g["tracked"], charts.funnel_chart(g["funnel"]))
            for g in report["groups"]
            if g["tracked"]
        ],
        flows=flows,
        endings=_endings(report),
        sankey=charts.sankey_chart(flows, {o["key"]: o["label"] for o in report["outcomes"]}),
        outcome_styles=_outcome_styles(report),
        roles_chart=charts.roles_chart(report),
        weekly=charts.weekly_chart(report["activity"]),
        weekly_total=sum(week["count"] for week in report["activity"]),
        replies=charts.reply_chart(reply["days"], reply["median_days"]),
        applications=rows,
        filters=_filters(report, rows),
    )
    return context


def render_html(
    report: Report | None,
    *,
    template: str | None = None,
    diagnostics: Sequence[Diagnostic] = (),
    live: bool = False,
    report_time: str | None = None,
    counts: tuple[int, int] | None = None,
) -> str:
    """The page. `report` None: only the error banner (the ledger never loaded). `diagnostics`:
    a banner on top listing every one, over the last good report if there is one; watch mode
    passes `report_time` ("14:02") so the banner can say how old that report is, and `counts`
    (errors, warnings) when the diagnostics shown are only the first of each file. `live`: a
    script reloads the page when the server's /events stream says "reload"."""
    context = page_context(report, diagnostics, live=live, report_time=report_time, counts=counts)
    page = render_template(TEMPLATE, template, **context)
    return page.replace(CSP_PLACEHOLDER, content_security_policy(page), 1)
