"""The report in one screen: the ledger viewed at a date -> every number -> the insights."""

from __future__ import annotations

from collections import Counter
from datetime import date
from operator import attrgetter

from jobledger.ledger.memo import Memos, ObjectMemo
from jobledger.ledger.model import OTHER, Config, Event, Ledger, Role
from jobledger.records import record, replace
from jobledger.report.attention import compute_attention
from jobledger.report.filters import NO_FILTERS, Filters
from jobledger.report.funnel import (
    compute_exits,
    compute_flows,
    compute_funnel,
    compute_group,
    count_statuses,
    group_of,
    never_applied,
)
from jobledger.report.insights import write_insights
from jobledger.report.model import (
    ApplicationRow,
    Group,
    HeadlineStep,
    HistoryItem,
    Options,
    Report,
)
from jobledger.report.numbers import ratio
from jobledger.report.pipeline_table import compute_pipeline
from jobledger.report.timing import compute_activity, compute_sources, compute_timing
from jobledger.report.view import ApplicationState, Profile, View, view_at

BY = ("role", "source", "tag", "month")  # what the pipeline table's rows can be


@record
class ReportOptions:
    """What a report is made for: the date it is as of, which applications it is about, how
    its pipeline table is cut, and what it leaves out."""

    as_of: date
    private: frozenset[str] = frozenset()  # metadata keys left out, case-folded
    filters: Filters = NO_FILTERS
    by: str = "role"  # one of BY


def build_report(ledger: Ledger, options: ReportOptions, memos: Memos | None = None) -> Report:
    """`memos` (watch): what depends on one application only is reused from the last build
    when that application has not changed (ledger/memo.py)."""
    private = options.private | frozenset(ledger.config.private)
    if private:  # private keys never enter the report, so no output can show them
        ledger = replace(
            ledger,
            applications=tuple(
                replace(
                    app,
                    meta=app.meta.without(private),
                    events=tuple(_without(event, private) for event in app.events),
                )
                for app in ledger.applications
            ),
        )
    view = select(
        view_at(ledger, options.as_of, None if memos is None else memos.view), options.filters
    )
    report = compute_report(view, options.by, None if memos is None else memos.rows)
    return replace(report, insights=write_insights(report), filters=options.filters)


def _without(event: Event, private: frozenset[str]) -> Event:
    """The event without its private metadata lines (a scheduled event's show in exports)."""
    if not any(key.casefold() in private for key, _ in event.meta):
        return event
    return replace(event, meta=tuple((k, v) for k, v in event.meta if k.casefold() not in private))


def select(view: View, filters: Filters) -> View:
    """The view with only the applications the filters keep (and their scheduled events)."""
    if not filters:
        return view
    kept = tuple(app for app in view.applications if filters.matches(app))
    chosen = {id(app.application) for app in kept}
    return replace(
        view,
        applications=kept,
        upcoming=tuple(u for u in view.upcoming if id(u.application) in chosen),
    )


def compute_report(view: View, by: str = "role", rows: ObjectMemo | None = None) -> Report:
    config, apps = view.config, view.applications
    if rows is not None:
        rows.start(None)
    # (role, profile) pairs, counted in C: a few hundred kinds however many applications.
    counted = Counter(zip(map(_ROLE_KEY, apps), map(_PROFILE, apps), strict=True))
    by_role: dict[str, Counter[Profile]] = {role.key: Counter() for role in (*config.roles, OTHER)}
    for (role_key, profile), count in counted.items():
        by_role[role_key][profile] = count
    # Every declared role, and Other when some application has no role.
    roles = (*config.roles, OTHER) if by_role[OTHER.key] else config.roles
    everyone = sum(by_role.values(), Counter[Profile]())
    groups = tuple(group_of(role, by_role[role.key], config) for role in roles)
    funnel = compute_funnel(everyone, config)
    headline = sorted(
        {config.base, min(config.base + 1, config.last), config.waiting_end, config.last}
    )
    return Report(
        as_of=view.as_of,
        title=config.title,
        options=Options(config.ghost_after, config.follow_up_after, config.base_stage),
        stages=config.stages,
        outcomes=config.outcomes,
        roles=config.roles,
        totals=count_statuses(everyone, config),
        scheduled=len(view.upcoming),
        never_applied=never_applied(everyone, config),
        funnel=funnel,
        headline=tuple(
            HeadlineStep(funnel[k].stage, funnel[k].reached, ratio(funnel[k].reached, len(apps)))
            for k in headline
        ),
        exits=compute_exits(everyone, config),
        flows=compute_flows(everyone, funnel, config),
        groups=groups,
        pipeline=compute_pipeline(
            groups if by == "role" else by_groups(apps, config, by), funnel, config, by
        ),
        timing=compute_timing(apps, config),
        activity=compute_activity(apps, config, view.as_of),
        sources=compute_sources(apps, config),
        attention=compute_attention(view),
        applications=tuple(_row(app) for app in apps) if rows is None else _rows(apps, rows),
    )


_ROLE_KEY = attrgetter("application.role.key")
_PROFILE = attrgetter("profile")


def _rows(apps: tuple[ApplicationState, ...], memo: ObjectMemo) -> tuple[ApplicationRow, ...]:
    return tuple(memo.each(apps, _row))


def _row(app: ApplicationState) -> ApplicationRow:
    application = app.application
    return ApplicationRow(
        company=application.company,
        title=application.title,
        role=application.role,
        tags=application.tags,
        meta=application.meta,
        stage=app.stage,
        highest=app.highest,
        status=app.status,
        outcome_stage=app.outcome_stage,
        first_date=app.first_date,
        last_date=app.last_date,
        history=tuple(HistoryItem(event.date, event.kind, event.comment) for event in app.history),
    )


NONE = {"source": "(no source)", "tag": "(no tag)", "month": "(never applied)"}


def by_groups(apps: tuple[ApplicationState, ...], config: Config, by: str) -> tuple[Group, ...]:
    """The pipeline's rows cut by `source:`, by tag (an application with two tags counts in
    both rows) or by the month it was applied in; the rest in a last row."""
    rows: dict[str, list[ApplicationState]] = {}
    labels: dict[str, str] = {}
    for app in apps:
        for key, label in _keys(app, by):
            labels.setdefault(key, label)
            rows.setdefault(key, []).append(app)
    ordered = sorted(rows, key=lambda key: (key == "", key))  # "" (none) last
    return tuple(
        compute_group(Role(key or "none", labels[key] or NONE[by]), rows[key], config)
        for key in ordered
    )


def _keys(app: ApplicationState, by: str) -> list[tuple[str, str]]:
    if by == "source":
        source = app.application.meta.get("source")
        return [(source.casefold(), source)]
    if by == "tag":
        return [(tag.casefold(), f"#{tag}") for tag in app.application.tags] or [("", "")]
    if app.applied is None:  # month
        return [("", "")]
    month = app.applied.date.strftime("%Y-%m")
    return [(month, month)]
