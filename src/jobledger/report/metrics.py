"""Ledger state -> the report: funnel, pipeline table, exits, timing, activity, attention, insights.

The report is a plain JSON-ready dict (documented in docs/json.md); every renderer reads it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from itertools import pairwise
from typing import Any

from jobledger.ledger.model import NOTE, OTHER_LABEL, OTHER_ROLE, Config, Event, display_name
from jobledger.ledger.reducer import ACCEPTED, ACTIVE, Application, Ledger

Report = dict[str, Any]
MIN_SAMPLE = 3  # below this many applications, a rate is an anecdote
REPORT_VERSION = 1  # bumped when a key of the JSON report changes meaning or goes away


def ratio(part: int, whole: int) -> float | None:
    return None if whole == 0 else part / whole


def percent(value: float | None) -> str:
    """0.625 -> '63%', half up as spreadsheets round; None (0/0) -> '—'."""
    if value is None:
        return "—"
    # repr() gives the shortest decimal that round-trips: 5/8 stays exactly 0.625.
    whole = (Decimal(repr(value)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return f"{whole}%"


def _mean(fractions: Sequence[tuple[int, int]]) -> float | None:
    """Plain mean of part/whole pairs, skipping 0/0, computed exactly: in floats,
    (1 + 2/5 + 5/8) / 3 comes out just under 0.675 and would round to 67%, not 68%."""
    present = [Fraction(part, whole) for part, whole in fractions if whole]
    return float(sum(present) / len(present)) if present else None


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


def median(values: Sequence[int]) -> float | int | None:
    """The middle value (mean of the middle two); `statistics` costs 15 ms to import."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return _number((ordered[middle - 1] + ordered[middle]) / 2)


# ---------------------------------------------------------------- funnel


def funnel(apps: Sequence[Application], config: Config) -> list[dict[str, Any]]:
    at = Counter(app.stage for app in apps)
    highest = Counter(app.highest for app in apps)
    reached: list[int] = []
    running = 0
    for stage in reversed(config.stages):
        running += highest[stage.index]
        reached.append(running)
    reached.reverse()
    base_count = reached[config.base]
    return [
        {
            "key": stage.key,
            "label": stage.label,
            "index": stage.index,
            "at": at[stage.index],
            "reached": reached[stage.index],
            "conversion": ratio(reached[stage.index], reached[stage.index - 1])
            if stage.index > 0
            else None,
            "of_base": ratio(reached[stage.index], base_count)
            if stage.index >= config.base
            else None,
        }
        for stage in config.stages
    ]


def statuses(apps: Sequence[Application], config: Config) -> dict[str, Any]:
    count = Counter(app.status for app in apps if not app.inferred)
    return {
        "tracked": len(apps),
        "active": count[ACTIVE],
        "accepted": count[ACCEPTED],
        "ghosted_inferred": sum(1 for app in apps if app.inferred),
        "outcomes": {outcome.key: count[outcome.key] for outcome in config.outcomes},
    }


def exits(apps: Sequence[Application], config: Config) -> dict[str, dict[str, int]]:
    table = {o.key: {s.key: 0 for s in config.stages} for o in config.outcomes}
    for app in apps:
        if app.outcome_stage is not None and not app.inferred and app.status in table:
            table[app.status][config.stages[app.outcome_stage].key] += 1
    return table


def never_applied(apps: Sequence[Application], config: Config) -> dict[str, Any]:
    count = sum(1 for app in apps if app.highest < config.base)
    return {"count": count, "share": ratio(count, len(apps))}


# ---------------------------------------------------------------- pipeline table (the Blueprint's)


def _pipeline_row(
    key: str, label: str, kind: str, apps: Sequence[Application], config: Config
) -> dict[str, Any]:
    steps = funnel(apps, config)
    tracked = len(apps)
    applied = steps[config.base]["reached"]
    return {
        "key": key,
        "label": label,
        "kind": kind,
        "tracked": tracked,
        "no_progress": {"count": tracked - applied, "share": ratio(tracked - applied, tracked)},
        "applied": {"count": applied, "share": ratio(applied, tracked)},
        "steps": [
            {"key": step["key"], "count": step["reached"], "conversion": step["conversion"]}
            for step in steps[config.base + 1 :]
        ],
    }


def _before(row: dict[str, Any], step: int) -> int:
    """The count a pipeline step converts from: the base stage, then the step before."""
    return int(row["applied"]["count"] if step == 0 else row["steps"][step - 1]["count"])


def pipeline(
    groups: dict[str, list[Application]], config: Config, apps: Sequence[Application]
) -> dict[str, Any]:
    rows = [
        _pipeline_row(role.key, role.label, "role", groups[role.key], config)
        for role in config.roles
    ]
    rows.append(_pipeline_row(OTHER_ROLE, OTHER_LABEL, "other", groups[OTHER_ROLE], config))
    averaged = [row for row in rows if row["tracked"] > 0]
    total = _pipeline_row("total", "Total", "total", apps, config)
    average = {
        "key": "average",
        "label": "Average of roles",
        "kind": "average",
        "tracked": None,
        "no_progress": {
            "count": None,
            "share": _mean([(r["no_progress"]["count"], r["tracked"]) for r in averaged]),
        },
        "applied": {
            "count": None,
            "share": _mean([(r["applied"]["count"], r["tracked"]) for r in averaged]),
        },
        "steps": [
            {
                "key": step["key"],
                "count": None,
                "conversion": _mean([(r["steps"][i]["count"], _before(r, i)) for r in averaged]),
            }
            for i, step in enumerate(total["steps"])
        ],
    }
    columns = [
        {"key": "no_progress", "label": "No progress"},
        {"key": config.stages[config.base].key, "label": config.stages[config.base].label},
    ]
    columns += [{"key": s.key, "label": s.label} for s in config.stages[config.base + 1 :]]
    return {"columns": columns, "rows": [*rows, total, average]}


# ---------------------------------------------------------------- timing and activity


def _base_entry(app: Application, config: Config, stage_index: dict[str, int]) -> int | None:
    """Index in history of the event by which the application reached the base stage."""
    for position, event in enumerate(app.history):
        if stage_index.get(event.kind, -1) >= config.base:
            return position
    return None


# Outcomes that end the wait without an answer from the employer: not a "reply".
NOT_A_REPLY = frozenset({"withdrawn", "ghosted"})


def timing(apps: Sequence[Application], config: Config) -> dict[str, Any]:
    stage_index = {stage.key: stage.index for stage in config.stages}
    replies: list[int] = []
    stays: dict[int, list[int]] = {stage.index: [] for stage in config.stages}
    for app in apps:
        moves = [event for event in app.history if event.kind != NOTE]
        for here, after in pairwise(moves):
            index = stage_index.get(here.kind)
            if index is not None:
                stays[index].append((after.date - here.date).days)
        reply = _first_reply(moves, config.base, stage_index)
        if reply is not None:
            replies.append(reply)
    replies.sort()
    return {
        "first_reply": {"median_days": median(replies), "count": len(replies), "days": replies},
        "stages": [
            {
                "key": stage.key,
                "label": stage.label,
                "median_days": median(stays[stage.index]),
                "count": len(stays[stage.index]),
            }
            for stage in config.stages[:-1]
        ],
    }


def _first_reply(moves: Sequence[Event], base: int, stage_index: dict[str, int]) -> int | None:
    """Days from entering the base stage to the employer's first answer: a later stage, or an
    outcome such as a rejection. Withdrawing or being ghosted ends the wait with no answer."""
    start: Event | None = None
    for event in moves:
        index = stage_index.get(event.kind)
        if start is None:
            if index == base:
                start = event
        elif index is None:
            return None if event.kind in NOT_A_REPLY else (event.date - start.date).days
        elif index > base:
            return (event.date - start.date).days
    return None


def activity(apps: Sequence[Application], config: Config, as_of: date) -> list[dict[str, Any]]:
    stage_index = {stage.key: stage.index for stage in config.stages}
    mondays: Counter[date] = Counter()
    for app in apps:
        entry = _base_entry(app, config, stage_index)
        if entry is not None:
            day = app.history[entry].date
            mondays[day - timedelta(days=day.weekday())] += 1
    if not mondays:
        return []
    week = min(mondays)
    last = max(mondays)
    this_week = as_of - timedelta(days=as_of.weekday())
    if last < this_week <= last + timedelta(weeks=12):  # show the recent quiet weeks too
        last = this_week
    weeks = []
    while week <= last:
        year, number, _ = week.isocalendar()
        weeks.append(
            {"week": f"{year}-W{number:02d}", "start": week.isoformat(), "count": mondays[week]}
        )
        week += timedelta(weeks=1)
    return weeks


def sources(apps: Sequence[Application], config: Config) -> list[dict[str, Any]]:
    """Reply rate by the `source:` metadata (referral, job board…): who answers whom."""
    applied: Counter[str] = Counter()
    replied: Counter[str] = Counter()
    spelling: dict[str, str] = {}
    for app in apps:
        source = dict(app.meta).get("source")
        if not source or app.highest < config.base:
            continue
        key = source.casefold()
        spelling.setdefault(key, source)
        applied[key] += 1
        replied[key] += app.highest > config.base
    return [
        {
            "source": spelling[key],
            "applied": applied[key],
            "replied": replied[key],
            "reply_rate": ratio(replied[key], applied[key]),
        }
        for key in sorted(applied, key=lambda k: (-applied[k], k))
    ]


# ---------------------------------------------------------------- attention


def attention(ledger: Ledger) -> list[dict[str, Any]]:
    config, as_of = ledger.config, ledger.as_of
    follow_up, apply_or_drop = [], []
    for app in ledger.applications:
        # Something already booked (a call, an interview) is not a silence to chase.
        if app.status != ACTIVE or app.scheduled:
            continue
        silent = (as_of - app.last_date).days
        item = {
            "company": app.company,
            "title": app.title,
            "stage": config.stages[app.stage].key,
            "event": None,
        }
        if config.base <= app.stage < config.waiting_end and silent >= config.follow_up_after:
            follow_up.append(
                {"kind": "follow-up", **item, "date": app.last_date.isoformat(), "days": silent}
            )
        elif app.stage == 0 and (as_of - app.first_date).days >= config.follow_up_after:
            apply_or_drop.append(
                {
                    "kind": "apply-or-drop",
                    **item,
                    "date": app.first_date.isoformat(),
                    "days": (as_of - app.first_date).days,
                }
            )
    upcoming = [
        {
            "kind": "upcoming",
            "company": item.company,
            "title": item.title,
            "stage": None,
            "event": item.event.kind,
            "date": item.event.date.isoformat(),
            "days": (item.event.date - as_of).days,
        }
        for item in ledger.upcoming
    ]

    def by_days(item: dict[str, Any]) -> tuple[int, str]:
        return (-item["days"], item["company"].casefold())

    return [*upcoming, *sorted(follow_up, key=by_days), *sorted(apply_or_drop, key=by_days)]


# ---------------------------------------------------------------- insights

ADVICE = {
    "inertia": "apply to them this week or strike them off; a maybe on a list still costs "
    "attention",
    "no-reply": "an application rarely speaks for itself; find someone at the company who can "
    "put your name forward, or ask for a referral",
    "no-call": "your résumé gets read but may not show you clear the bar; tailor it to each "
    "posting and keep the conversation going",
    "no-interview": "the first call leaves them unsure you qualify; bring concrete evidence, such "
    "as a project, a number, a portfolio piece",
    "no-offer": "they believe you can do the job; now show why you, for this team, now: "
    "stories, research into their problems, plain enthusiasm",
}


ADVICE_AFTER = {  # the default stages: advice for a funnel that stalls after each
    "wishlist": "inertia",
    "applied": "no-reply",
    "response": "no-call",
    "phone": "no-interview",
    "interview": "no-offer",
    "second": "no-offer",
    "offer": "no-offer",
}


def _advice(step: int, config: Config) -> str:
    """Advice for a funnel that stalls on its way into stage index `step`: by the name of the
    stage it stalls after when that is one of the defaults, else by its distance from the base."""
    after = config.stages[step - 1].key
    if after in ADVICE_AFTER:
        return ADVICE[ADVICE_AFTER[after]]
    past_base = step - config.base
    if past_base <= 0:
        return ADVICE["inertia"]
    order = ("no-reply", "no-call", "no-interview")
    return ADVICE[order[past_base - 1]] if past_base <= len(order) else ADVICE["no-offer"]


def _of(part: int, whole: int) -> str:
    return f"{part} of {whole} ({percent(ratio(part, whole))})"


def insights(report: Report, config: Config) -> list[str]:
    said: list[str] = []
    tracked = report["totals"]["tracked"]
    if tracked == 0:
        return ["No applications yet: add a line like `2026-02-03 applied Company | Title`."]
    if tracked < MIN_SAMPLE:
        said.append(
            f"Only {tracked} application{'s' * (tracked != 1)} so far: too few to draw "
            f"conclusions; the numbers start to speak from {MIN_SAMPLE} or so."
        )
        return said + _follow_ups(report, config)
    stages = config.stages
    groups = report["groups"]

    # Roles: where they differ most.
    small = [g for g in groups if 0 < g["tracked"] < MIN_SAMPLE]
    best: tuple[float, int, dict[str, Any], dict[str, Any]] | None = None
    for k in range(1, len(stages)):
        rows = [
            g
            for g in groups
            if g["tracked"] >= MIN_SAMPLE and g["funnel"][k - 1]["reached"] >= MIN_SAMPLE
        ]
        if len(rows) < 2:
            continue
        rows.sort(key=lambda g: g["funnel"][k]["conversion"])
        spread = rows[-1]["funnel"][k]["conversion"] - rows[0]["funnel"][k]["conversion"]
        if spread > 0 and (best is None or spread > best[0]):
            best = (spread, k, rows[-1], rows[0])
    if best is not None:
        _, k, top, bottom = best
        said.append(
            f"Roles differ most on the step to {stages[k].label}: {top['label']} converts best, "
            f"{_of(top['funnel'][k]['reached'], top['funnel'][k - 1]['reached'])}; "
            f"{bottom['label']} worst, "
            f"{_of(bottom['funnel'][k]['reached'], bottom['funnel'][k - 1]['reached'])}."
        )
    elif len([g for g in groups if g["tracked"]]) > 1:
        said.append(
            f"Too few applications to compare roles yet: a role needs at least {MIN_SAMPLE} "
            "at a stage before its rate means much."
        )
    if small:
        names = ", ".join(f"{g['label']} ({g['tracked']})" for g in small)
        said.append(f"Sample too small to judge: {names}; fewer than {MIN_SAMPLE} applications.")

    # Inertia.
    inert = report["never_applied"]
    if inert["count"]:
        line = f"Inertia: {_of(inert['count'], tracked)} tracked applications were never applied to"
        worst = max(
            (g for g in groups if g["tracked"] >= MIN_SAMPLE),
            key=lambda g: g["never_applied"]["share"] or 0,
            default=None,
        )
        if worst is not None and (worst["never_applied"]["share"] or 0) >= 0.5:
            line += (
                f"; in {worst['label']}, {_of(worst['never_applied']['count'], worst['tracked'])}"
            )
        said.append(line + (f": {ADVICE['inertia']}." if (inert["share"] or 0) >= 0.25 else "."))

    # Where the funnel loses most.
    overall = report["funnel"]
    leaks = [
        (overall[k]["conversion"], k)
        for k in range(config.base + 1, len(stages))
        if overall[k - 1]["reached"] >= MIN_SAMPLE
    ]
    if leaks:
        _, k = min(leaks)
        said.append(
            f"The funnel loses most after {stages[k - 1].label}: "
            f"{_of(overall[k]['reached'], overall[k - 1]['reached'])} went on to "
            f"{stages[k].label}. Advice: {_advice(k, config)}."
        )
    elif overall[config.base]["reached"]:
        said.append(
            f"Too few applications past {stages[config.base].label} to say where the "
            f"funnel leaks (needs {MIN_SAMPLE} at a stage)."
        )

    # Reply times.
    reply = report["timing"]["first_reply"]
    if reply["count"] >= MIN_SAMPLE:
        said.append(
            f"First replies take a median of {reply['median_days']} days "
            f"({reply['count']} replies, {reply['days'][0]} to {reply['days'][-1]} days)."
        )
    elif reply["count"]:
        said.append(
            f"Only {reply['count']} first repl{'y' if reply['count'] == 1 else 'ies'} "
            "so far: too few for a typical reply time."
        )

    # Sources.
    rated = [s for s in report["sources"] if s["applied"] >= MIN_SAMPLE]
    if len(rated) >= 2:
        parts = [f"{s['source']} {_of(s['replied'], s['applied'])}" for s in rated]
        said.append("Replies by source: " + "; ".join(parts) + ".")

    return said + _follow_ups(report, config)


def _follow_ups(report: Report, config: Config) -> list[str]:
    due = [a for a in report["attention"] if a["kind"] == "follow-up"]
    if not due:
        return []
    names = ", ".join(_name(a) for a in due[:5]) + (" …" if len(due) > 5 else "")
    return [
        f"{len(due)} application{'s are' if len(due) != 1 else ' is'} due a follow-up "
        f"(silent {config.follow_up_after}+ days): {names}."
    ]


def _name(item: dict[str, Any]) -> str:
    return display_name(item["company"], item["title"])


# ---------------------------------------------------------------- the report


def _application(app: Application, config: Config) -> dict[str, Any]:
    return {
        "company": app.company,
        "title": app.title,
        "role": app.role,
        "tags": list(app.tags),
        "meta": dict(app.meta),
        "stage": config.stages[app.stage].key,
        "highest_stage": config.stages[app.highest].key,
        "status": app.status,
        "inferred": app.inferred,
        "outcome_stage": None
        if app.outcome_stage is None
        else config.stages[app.outcome_stage].key,
        "first_date": app.first_date.isoformat(),
        "last_date": app.last_date.isoformat(),
        "history": [{"date": e.date.isoformat(), "kind": e.kind} for e in app.history],
    }


def compute_report(ledger: Ledger) -> Report:
    config, apps = ledger.config, ledger.applications
    by_role: dict[str, list[Application]] = {role.key: [] for role in config.roles}
    by_role[OTHER_ROLE] = []
    for app in apps:
        by_role[app.role].append(app)
    labels = {role.key: role.label for role in config.roles} | {OTHER_ROLE: OTHER_LABEL}

    def group(key: str) -> dict[str, Any]:
        members = by_role[key]
        return {
            "key": key,
            "label": labels[key],
            **statuses(members, config),
            "funnel": funnel(members, config),
            "exits": exits(members, config),
            "never_applied": never_applied(members, config),
        }

    overall = funnel(apps, config)
    report: Report = {
        "version": REPORT_VERSION,
        "as_of": ledger.as_of.isoformat(),
        "title": config.title,
        "options": {
            "ghost_after": config.ghost_after,
            "follow_up_after": config.follow_up_after,
            "base_stage": config.stages[config.base].key,
        },
        "stages": [{"key": s.key, "label": s.label, "index": s.index} for s in config.stages],
        "outcomes": [{"key": o.key, "label": o.label} for o in config.outcomes],
        "roles": [{"key": r.key, "label": r.label} for r in config.roles],
        "totals": statuses(apps, config) | {"scheduled": len(ledger.upcoming)},
        "never_applied": never_applied(apps, config),
        "funnel": overall,
        "headline": [
            {
                "key": overall[k]["key"],
                "label": overall[k]["label"],
                "reached": overall[k]["reached"],
                "share": ratio(overall[k]["reached"], len(apps)),
            }
            for k in sorted(
                {config.base, min(config.base + 1, config.last), config.waiting_end, config.last}
            )
        ],
        "exits": exits(apps, config),
        "ghosted_inferred_at": {
            stage.key: sum(1 for app in apps if app.inferred and app.stage == stage.index)
            for stage in config.stages
        },
        "groups": [group(key) for key in by_role],
        "pipeline": pipeline(by_role, config, apps),
        "timing": timing(apps, config),
        "activity": activity(apps, config, ledger.as_of),
        "sources": sources(apps, config),
        "attention": attention(ledger),
        "applications": [_application(app, config) for app in apps],
    }
    report["insights"] = insights(report, config)
    return report
