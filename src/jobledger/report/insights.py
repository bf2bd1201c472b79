"""What the numbers mean, in a few sentences, and the sheet's advice for where a funnel stalls.

Reads only the typed report: every sentence cites numbers the report shows."""

from __future__ import annotations

from jobledger.report.model import FunnelStep, Group, Report
from jobledger.report.numbers import of, percent

MIN_SAMPLE = 3  # below this many applications, a rate is an anecdote

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


def advice(step: int, report: Report) -> str:
    """Advice for a funnel that stalls on its way into stage index `step`: by the name of the
    stage it stalls after when that is one of the defaults, else by its distance from the base."""
    after = report.stages[step - 1].key
    if after in ADVICE_AFTER:
        return ADVICE[ADVICE_AFTER[after]]
    past_base = step - report.options.base.index
    if past_base <= 0:
        return ADVICE["inertia"]
    order = ("no-reply", "no-call", "no-interview")
    return ADVICE[order[past_base - 1]] if past_base <= len(order) else ADVICE["no-offer"]


def write_insights(report: Report) -> tuple[str, ...]:
    tracked = report.totals.tracked
    if tracked == 0:
        return ("No applications yet: add a line like `2026-02-03 applied Company | Title`.",)
    if tracked < MIN_SAMPLE:
        return (
            f"Only {tracked} application{'s' * (tracked != 1)} so far: too few to draw "
            f"conclusions; the numbers start to speak from {MIN_SAMPLE} or so.",
            *_follow_ups(report),
        )
    roles, compared_at = _roles(report)
    said = [
        *roles,
        *_where_replies_come(report, compared_at),
        *_inertia(report),
        *_leak(report),
        *_average_of_roles(report),
        *_reply_times(report),
        *_sources(report),
        *_follow_ups(report),
    ]
    return tuple(said)


def _roles(report: Report) -> tuple[list[str], int | None]:
    """Where the roles differ most, on the employer's steps (after the base stage: applying is
    the seeker's own step, and inertia speaks of it), and which are too small to judge."""
    said = []
    stages = report.stages
    best: tuple[float, int, Group, Group] | None = None
    for k in range(report.options.base.index + 1, len(stages)):
        rows = [
            g
            for g in report.groups
            if g.counts.tracked >= MIN_SAMPLE and g.funnel[k - 1].reached >= MIN_SAMPLE
        ]
        if len(rows) < 2:
            continue
        rows.sort(key=lambda g: _conversion(g.funnel[k]))
        spread = _conversion(rows[-1].funnel[k]) - _conversion(rows[0].funnel[k])
        if spread > 0 and (best is None or spread > best[0]):
            best = (spread, k, rows[-1], rows[0])
    compared_at = None
    if best is not None:
        _, k, top, bottom = best
        compared_at = k
        action = ""
        if k == report.options.base.index + 1:  # the first answer: the post's own action
            action = f": aim your next applications at {top.role.label}, where they get answered"
        said.append(
            f"Roles differ most on the step to {stages[k].milestone}: {top.role.label} converts "
            f"best, {_step(top.funnel, k)}; {bottom.role.label} worst, "
            f"{_step(bottom.funnel, k)}{action}."
        )
    elif len(report.groups_with_applications) > 1:
        said.append(
            f"Too few applications to compare roles yet: a role needs at least {MIN_SAMPLE} "
            "at a stage before its rate means much."
        )
    small = [g for g in report.groups if 0 < g.counts.tracked < MIN_SAMPLE]
    if small:
        names = ", ".join(f"{g.role.label} ({g.counts.tracked})" for g in small)
        said.append(f"Sample too small to judge: {names}; fewer than {MIN_SAMPLE} applications.")
    return said, compared_at


def _where_replies_come(report: Report, compared_at: int | None) -> list[str]:
    """The post's action: put the next applications where employers say yes to a first look —
    the step just past the base stage. When the role comparison was about that very step, the
    action ends that sentence instead (see _roles)."""
    k = report.options.base.index + 1
    if k >= len(report.stages) or compared_at == k:
        return []
    rated = [
        g
        for g in report.groups
        if g.counts.tracked >= MIN_SAMPLE and g.funnel[k - 1].reached >= MIN_SAMPLE
    ]
    if len(rated) < 2:
        return []
    rated.sort(key=lambda g: _conversion(g.funnel[k]))
    worst, best = rated[0], rated[-1]
    if _conversion(best.funnel[k]) <= _conversion(worst.funnel[k]):
        return []
    milestone = report.stages[k].milestone.lower()
    return [
        f"Aim your next applications at {best.role.label}, where they get answered: "
        f"{_step(best.funnel, k)} reached a {milestone}, against {_step(worst.funnel, k)} in "
        f"{worst.role.label}."
    ]


def _average_of_roles(report: Report) -> list[str]:
    """The sheet's average row is a plain mean of the roles: when it is 10 points or more from
    the weighted total at a step, say so, with both numbers."""
    rows = {row.kind: row for row in report.pipeline.rows}
    average, total = rows.get("average"), rows.get("total")
    if average is None or total is None or (total.applied.count or 0) < MIN_SAMPLE:
        return []
    columns = report.pipeline.columns[1:]  # the base stage, then each later one
    gaps = []
    wholes = [total.tracked or 0, *(cell.count or 0 for cell in total.cells[1:])]
    for i, (column, mean, weighted) in enumerate(
        zip(columns, average.cells[1:], total.cells[1:], strict=True)
    ):
        if mean.fraction is None or weighted.fraction is None or column.stage is None:
            continue
        if i == 0 and report.pipeline.by == "month":
            continue  # a month is the month of applying: every month row applied, trivially
        gap = abs(round(mean.fraction * 100) - round(weighted.fraction * 100))
        if gap >= 10:
            gaps.append((gap, column.stage.milestone, mean.fraction, weighted, wholes[i]))
    if not gaps:
        return []
    _, milestone, mean_fraction, weighted, weighted_whole = max(gaps, key=lambda g: g[0])
    by = report.pipeline.by
    mean_of = "the Blueprint sheet's average of roles" if by == "role" else f"the average of {by}s"
    return [
        f"For the step to {milestone}, {mean_of} says "
        f"{percent(mean_fraction)}, but across all applications it is "
        f"{of(weighted.count or 0, weighted_whole)}: the average weighs a small {by} as much "
        f"as a large one."
    ]


def _conversion(step: FunnelStep) -> float:
    # Rows compared here have at least MIN_SAMPLE at the stage before: never 0/0.
    return step.conversion or 0.0


def _step(funnel: tuple[FunnelStep, ...], k: int) -> str:
    return of(funnel[k].reached, funnel[k - 1].reached)


def _inertia(report: Report) -> list[str]:
    inert = report.never_applied
    if not inert.count:
        return []
    line = f"Inertia: {of(inert.count, report.totals.tracked)} tracked applications were never "
    line += "applied to"
    worst = max(
        (g for g in report.groups if g.counts.tracked >= MIN_SAMPLE),
        key=lambda g: g.never_applied.share or 0,
        default=None,
    )
    if worst is not None and (worst.never_applied.share or 0) >= 0.5:
        line += f"; in {worst.role.label}, {of(worst.never_applied.count, worst.counts.tracked)}"
    return [line + (f": {ADVICE['inertia']}." if (inert.share or 0) >= 0.25 else ".")]


def _leak(report: Report) -> list[str]:
    """Where the funnel loses most, past the base stage."""
    funnel, stages, base = report.funnel, report.stages, report.options.base.index
    leaks = [
        (_conversion(funnel[k]), k)
        for k in range(base + 1, len(stages))
        if funnel[k - 1].reached >= MIN_SAMPLE
    ]
    if leaks:
        _, k = min(leaks)
        return [
            f"The funnel loses most after {stages[k - 1].milestone}: "
            f"{_step(funnel, k)} went on to {stages[k].milestone}. Advice: {advice(k, report)}."
        ]
    if funnel[base].reached:
        return [
            f"Too few applications past {stages[base].milestone} to say where the "
            f"funnel leaks (needs {MIN_SAMPLE} at a stage)."
        ]
    return []


def _reply_times(report: Report) -> list[str]:
    reply = report.timing.first_reply
    if reply.count >= MIN_SAMPLE:
        return [
            f"First replies take a median of {reply.median_days} days "
            f"({reply.count} replies, {reply.fastest} to {reply.slowest} days)."
        ]
    if reply.count:
        return [
            f"Only {reply.count} first repl{'y' if reply.count == 1 else 'ies'} "
            "so far: too few for a typical reply time."
        ]
    return []


def _sources(report: Report) -> list[str]:
    rated = [s for s in report.sources if s.applied >= MIN_SAMPLE]
    if len(rated) < 2:
        return []
    return [
        "Replies by source: "
        + "; ".join(f"{s.source} {of(s.replied, s.applied)}" for s in rated)
        + "."
    ]


def _follow_ups(report: Report) -> list[str]:
    due = report.attention.follow_up
    if not due:
        return []
    names = ", ".join(item.name for item in due[:5]) + (" …" if len(due) > 5 else "")
    return [
        f"{len(due)} application{'s are' if len(due) != 1 else ' is'} due a follow-up "
        f"(silent {report.options.follow_up_after}+ days): {names}."
    ]
