"""Time: how long replies take, how long applications stay at each stage, how many were sent
each week, and who answers whom (by `source:`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date, timedelta
from itertools import pairwise

from jobledger.ledger.model import NOTE, Config, Event
from jobledger.report.model import FirstReply, SourceRate, StageTime, Timing, Week
from jobledger.report.numbers import median, ratio
from jobledger.report.view import ApplicationState

# Outcomes that end the wait without an answer from the employer: not a "reply".
NOT_A_REPLY = frozenset({"withdrawn", "ghosted"})


def compute_timing(apps: Sequence[ApplicationState], config: Config) -> Timing:
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
    return Timing(
        first_reply=FirstReply(median(replies), tuple(replies)),
        stages=tuple(
            StageTime(stage, median(stays[stage.index]), len(stays[stage.index]))
            for stage in config.stages[:-1]
        ),
    )


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


def base_date(app: ApplicationState, base: int, stage_index: dict[str, int]) -> date | None:
    """The date the application reached the base stage (was applied to), if it did."""
    for event in app.history:
        if stage_index.get(event.kind, -1) >= base:
            return event.date
    return None


def compute_activity(
    apps: Sequence[ApplicationState], config: Config, as_of: date
) -> tuple[Week, ...]:
    """Applications reaching the base stage per ISO week; quiet weeks listed with 0, up to this
    week when the last application was sent in the last twelve weeks."""
    stage_index = {stage.key: stage.index for stage in config.stages}
    mondays: Counter[date] = Counter()
    for app in apps:
        day = base_date(app, config.base, stage_index)
        if day is not None:
            mondays[day - timedelta(days=day.weekday())] += 1
    if not mondays:
        return ()
    week = min(mondays)
    last = max(mondays)
    this_week = as_of - timedelta(days=as_of.weekday())
    if last < this_week <= last + timedelta(weeks=12):  # show the recent quiet weeks too
        last = this_week
    weeks = []
    while week <= last:
        year, number, _ = week.isocalendar()
        weeks.append(Week(f"{year}-W{number:02d}", week, mondays[week]))
        week += timedelta(weeks=1)
    return tuple(weeks)


def compute_sources(apps: Sequence[ApplicationState], config: Config) -> tuple[SourceRate, ...]:
    """Reply rate by the `source:` metadata (referral, job board…): who answers whom."""
    applied: Counter[str] = Counter()
    replied: Counter[str] = Counter()
    spelling: dict[str, str] = {}
    for app in apps:
        source = dict(app.application.meta).get("source")
        if not source or app.highest.index < config.base:
            continue
        key = source.casefold()
        spelling.setdefault(key, source)
        applied[key] += 1
        replied[key] += app.highest.index > config.base
    return tuple(
        SourceRate(spelling[key], applied[key], replied[key], ratio(replied[key], applied[key]))
        for key in sorted(applied, key=lambda k: (-applied[k], k))
    )
