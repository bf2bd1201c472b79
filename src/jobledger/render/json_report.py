"""The report as JSON: the one place where the typed report becomes plain data.

The schema is docs/json.md: keys are added, never renamed or dropped.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from typing import Any

from jobledger import accelerators
from jobledger.forks import TextMap
from jobledger.ledger.model import Outcome, Stage
from jobledger.report.filters import Filters
from jobledger.report.model import (
    ApplicationRow,
    ExitRow,
    FunnelStep,
    Group,
    PipelineCell,
    Report,
    Share,
    StatusCounts,
)

Json = dict[str, Any]


def render_json(report: Report) -> str:
    return "".join(json_chunks(report))


# Stands for the applications in the document made first (see json_chunks): a string no
# ledger text can give, its NULs written as \u0000 and its quotes unescaped.
_APPLICATIONS = "\x00applications\x00"


def json_chunks(report: Report, each: TextMap = map) -> Iterator[str]:
    """The JSON document in pieces: the applications one at a time, each encoded only when
    its turn comes. A report of 36,000 applications is a 26 MB document; made whole, with the
    plain data it is made from, it took more memory than the rest of the report. `each`: how
    the applications' text is made (forks.split_map: on two CPUs)."""
    dumps = _dumps()
    head, marker, tail = dumps(encode_report(report, _APPLICATIONS)).partition(dumps(_APPLICATIONS))
    assert marker, "the applications' place is in the document"

    def entry(app: ApplicationRow) -> str:
        # one level deeper than its own document: each line indented by four more
        return ",\n    " + dumps(_application(app)).replace("\n", "\n    ")

    yield head
    if not report.applications:
        yield "[]"
    else:
        entries = iter(each(entry, report.applications))
        yield "[" + next(entries)[1:]  # the first one's separator without its comma
        yield from entries
        yield "\n  ]"
    yield tail + "\n"


def _dumps() -> Callable[[Any], str]:
    orjson = accelerators.load("orjson")  # jobledger[fast]: the same bytes, far sooner
    if orjson is None:
        return partial(json.dumps, indent=2, ensure_ascii=False)

    def dumps(data: Any) -> str:
        dumped: bytes = orjson.dumps(data, option=orjson.OPT_INDENT_2)
        return dumped.decode("utf-8")

    return dumps


def encode_report(report: Report, applications: object = None) -> Json:
    """The report as plain data; `applications`, if given, stands for the applications."""
    totals = report.totals
    return {
        "version": report.version,
        "as_of": report.as_of.isoformat(),
        "title": report.title,
        "options": {
            "ghost_after": report.options.ghost_after,
            "follow_up_after": report.options.follow_up_after,
            "base_stage": report.options.base.key,
        },
        "stages": [
            {"key": s.key, "label": s.label, "index": s.index, "milestone": s.milestone}
            for s in report.stages
        ],
        "outcomes": [{"key": o.key, "label": o.label} for o in report.outcomes],
        "roles": [{"key": r.key, "label": r.label} for r in report.roles],
        "totals": _statuses(totals) | {"scheduled": report.scheduled},
        "never_applied": _share(report.never_applied),
        "funnel": _funnel(report.funnel),
        "headline": [
            {"key": h.stage.key, "label": h.stage.label, "reached": h.reached, "share": h.share}
            for h in report.headline
        ],
        "exits": _exits(report.exits, report.outcomes),
        "ghosted_inferred_at": {row.stage.key: row.inferred for row in report.exits},
        "groups": [_group(group, report.outcomes) for group in report.groups],
        "pipeline": {
            "by": report.pipeline.by,
            "columns": [{"key": c.key, "label": c.label} for c in report.pipeline.columns],
            "rows": [
                {
                    "key": row.key,
                    "label": row.label,
                    "kind": row.kind,
                    "tracked": row.tracked,
                    "no_progress": _cell(row.no_progress),
                    "applied": _cell(row.applied),
                    "steps": [
                        {"key": column.key, "count": cell.count, "conversion": cell.fraction}
                        for column, cell in zip(report.pipeline.columns[2:], row.steps, strict=True)
                    ],
                }
                for row in report.pipeline.rows
            ],
        },
        "timing": {
            "first_reply": {
                "median_days": report.timing.first_reply.median_days,
                "count": report.timing.first_reply.count,
                "days": list(report.timing.first_reply.days),
            },
            "stages": [
                {
                    "key": s.stage.key,
                    "label": s.stage.label,
                    "median_days": s.median_days,
                    "count": s.count,
                }
                for s in report.timing.stages
            ],
        },
        "activity": [
            {"week": w.week, "start": w.start.isoformat(), "count": w.count}
            for w in report.activity
        ],
        "sources": [
            {
                "source": s.source,
                "applied": s.applied,
                "replied": s.replied,
                "reply_rate": s.reply_rate,
            }
            for s in report.sources
        ],
        "attention": [
            {
                "kind": str(item.kind),
                "company": item.company,
                "title": item.title,
                "stage": _key(item.stage),
                "event": item.event,
                "date": item.date.isoformat(),
                "days": item.days,
                "comment": item.comment,
                "meta": dict(item.meta),
            }
            for item in report.attention.items
        ],
        "applications": [_application(app) for app in report.applications]
        if applications is None
        else applications,
        "insights": list(report.insights),
        "filters": _filters(report.filters),
        "flows": [
            {
                "stage": flow.stage.key,
                "reached": flow.inflow,
                "forward": flow.forward,
                "exits": {outcome.key: count for outcome, count in flow.exits},
                "ghosted_inferred": flow.inferred,
                "stays": flow.stays,
            }
            for flow in report.flows
        ],
    }


def _application(app: ApplicationRow) -> Json:
    return {
        "company": app.company,
        "title": app.title,
        "role": app.role.key,
        "tags": list(app.tags),
        "meta": dict(app.meta.items()),
        "stage": app.stage.key,
        "highest_stage": app.highest.key,
        "status": app.status.key,
        "inferred": app.status.inferred,
        "outcome_stage": _key(app.outcome_stage),
        "first_date": app.first_date.isoformat(),
        "last_date": app.last_date.isoformat(),
        "history": [
            {"date": h.date.isoformat(), "kind": h.kind, "comment": h.comment} for h in app.history
        ],
    }


def _key(stage: Stage | None) -> str | None:
    return None if stage is None else stage.key


def _share(share: Share) -> Json:
    return {"count": share.count, "share": share.share}


def _cell(cell: PipelineCell) -> Json:
    return {"count": cell.count, "share": cell.fraction}


def _statuses(counts: StatusCounts) -> Json:
    return {
        "tracked": counts.tracked,
        "active": counts.active,
        "accepted": counts.accepted,
        "ghosted_inferred": counts.ghosted_inferred,
        "outcomes": {outcome.key: count for outcome, count in counts.outcomes},
    }


def _funnel(funnel: Sequence[FunnelStep]) -> list[Json]:
    return [
        {
            "key": step.stage.key,
            "label": step.stage.label,
            "index": step.stage.index,
            "at": step.at,
            "reached": step.reached,
            "conversion": step.conversion,
            "of_base": step.of_base,
        }
        for step in funnel
    ]


def _exits(rows: Sequence[ExitRow], outcomes: Sequence[Outcome]) -> Json:
    """{outcome key: {stage key: count}}, every stage of every outcome."""
    table: Json = {outcome.key: {} for outcome in outcomes}
    for row in rows:
        for outcome, count in row.outcomes:
            table[outcome.key][row.stage.key] = count
    return table


def _group(group: Group, outcomes: Sequence[Outcome]) -> Json:
    return {
        "key": group.role.key,
        "label": group.role.label,
        **_statuses(group.counts),
        "funnel": _funnel(group.funnel),
        "exits": _exits(group.exits, outcomes),
        "never_applied": _share(group.never_applied),
        "applied": group.applied,
        "replied": group.replied,
    }


def _filters(filters: Filters) -> Json:
    return {
        "roles": list(filters.roles),
        "tags": list(filters.tags),
        "company": filters.company or None,
        "status": filters.status or None,
        "since": None if filters.since is None else filters.since.isoformat(),
        "until": None if filters.until is None else filters.until.isoformat(),
    }
