"""The ledger as it stands on one date: what has happened by then, what is still scheduled, and
where each application stands (its status). Every number of the report is read from this view.

This is the one place that compares events with the report date: past against scheduled,
silence long enough to count as ghosted. The date itself is an input (see cli/common.py).
"""

from __future__ import annotations

import bisect
from datetime import date, timedelta
from enum import Enum
from functools import partial
from itertools import chain, compress, pairwise
from operator import attrgetter, itemgetter, lt
from typing import NamedTuple

from jobledger.ledger.diagnostics import Diagnostic, warning
from jobledger.ledger.memo import ObjectMemo
from jobledger.ledger.model import NOTE, Application, Config, Event, Ledger, Outcome, Stage
from jobledger.records import record

# Outcomes that are the seeker's own doing, or the employer's silence: not a reply.
NOT_A_REPLY = frozenset({"withdrawn", "declined", "ghosted"})


class Standing(Enum):
    ACTIVE = "active"  # still in the running
    ACCEPTED = "accepted"  # at the last stage
    ENDED = "ended"  # an outcome was written: rejected, withdrawn, ghosted, declined…
    SILENT = "silent"  # waiting on the employer longer than ghost-after: ghosted, inferred

    # Members are singletons: hashed by identity in C, not by name in Python (Enum's own),
    # which was half the cost of counting 36,000 applications' profiles.
    __hash__ = object.__hash__


@record
class Status:
    """Where an application stands: active, accepted, ended by one declared outcome, or gone
    silent. A closed set: an outcome is an Outcome, never a string that could collide with
    "active" (such keys are refused where they are declared)."""

    standing: Standing
    outcome: Outcome | None = None  # set exactly when ENDED

    def __post_init__(self) -> None:
        if (self.standing is Standing.ENDED) != (self.outcome is not None):
            raise ValueError("an outcome goes with ENDED and only with it")

    @property
    def key(self) -> str:
        """As the JSON has it: 'active', 'accepted', an outcome key, or 'ghosted' (inferred)."""
        if self.outcome is not None:
            return self.outcome.key
        return "ghosted" if self.standing is Standing.SILENT else self.standing.value

    @property
    def inferred(self) -> bool:
        return self.standing is Standing.SILENT


ACTIVE = Status(Standing.ACTIVE)
ACCEPTED = Status(Standing.ACCEPTED)
SILENT = Status(Standing.SILENT)


class Profile(NamedTuple):
    """How an application stands, in the terms the counts of the report need: applications
    with equal profiles count the same everywhere (report/funnel.py)."""

    stage: int  # the current stage's index
    highest: int  # the highest stage's index
    standing: Standing
    outcome: str | None  # the outcome's key, when ENDED
    outcome_stage: int | None  # the stage's index when an outcome ended it
    applied: bool  # it reached the base stage
    replied: bool


@record
class ApplicationState:
    """One application as it stands on the view's date."""

    application: Application
    stage: Stage  # the current stage
    highest: Stage  # the highest stage reached
    status: Status
    outcome_stage: Stage | None  # the stage it was at when an outcome ended it
    history: tuple[Event, ...]  # events up to the date
    scheduled: tuple[Event, ...]  # events after it
    applied: Event | None  # the event by which it reached the base stage, if it did
    reply: Event | None  # the employer's first reaction after that (see first_reply)
    replied: bool  # a reply came: `reply`, or the first event was already past the base stage
    last_heard: date  # the last event that is not the seeker's own note
    profile: Profile
    # Each time it moved on to a later stage: (the stage it left, the days it spent there).
    stays: tuple[tuple[int, int], ...]
    reply_days: int | None  # from `applied` to `reply`, when both happened
    source: str  # its `source:` metadata ("" if none)

    @property
    def first_date(self) -> date:
        return self.history[0].date

    @property
    def last_date(self) -> date:
        return self.history[-1].date


@record
class Upcoming:
    event: Event
    application: Application


@record
class View:
    config: Config
    as_of: date
    applications: tuple[ApplicationState, ...]  # those with an event up to the date
    upcoming: tuple[Upcoming, ...]  # events after the date, by date, then ledger order


def view_at(ledger: Ledger, as_of: date, memo: ObjectMemo | None = None) -> View:
    """`memo` (watch): an application that is the very same object as in the last build, at
    the same date, keeps its state."""
    config = ledger.config
    rules = _Rules(config)
    if memo is None:  # one pass, no pair per application: a report's view of 36,000
        states: list[ApplicationState] = []
        upcoming: list[Upcoming] = []
        for application in ledger.applications:
            state, ahead = _standing(application, as_of, rules)
            if state is not None:
                states.append(state)
            if ahead:
                upcoming += ahead
    else:
        memo.start((config, as_of))
        each = memo.each(ledger.applications, partial(_standing, as_of=as_of, rules=rules))
        states = list(filter(None, map(_STATE, each)))
        upcoming = list(chain.from_iterable(map(_AHEAD, each)))
    upcoming.sort(key=_upcoming_date)  # stable: ledger order within a day
    return View(config, as_of, tuple(states), tuple(upcoming))


_Standing = tuple[ApplicationState | None, tuple[Upcoming, ...]]
_STATE, _AHEAD = itemgetter(0), itemgetter(1)
_EVENTS, _LAST = attrgetter("events"), itemgetter(-1)


def _standing(application: Application, as_of: date, rules: _Rules) -> _Standing:
    """The application's state at the date (None: all of it is ahead) and its events after it."""
    events = application.events
    # Events are in date order: everything after the date is scheduled.
    split = bisect.bisect_right(events, as_of, key=_DATE)
    past, scheduled = events[:split], events[split:]
    ahead = tuple(Upcoming(event, application) for event in scheduled) if scheduled else ()
    if not past:  # all of it ahead: no state yet
        return None, ahead
    return _state(application, past, scheduled, as_of, rules), ahead


_DATE = attrgetter("date")


def _upcoming_date(item: Upcoming) -> date:
    return item.event.date


class _Rules:
    """What _state reads of the configuration, looked up once per view, not per application."""

    __slots__ = ("base", "ended", "ghost_after", "last", "stage_index", "stages", "waiting_end")

    def __init__(self, config: Config) -> None:
        self.stage_index = {stage.key: stage.index for stage in config.stages}
        self.stages = config.stages
        self.base, self.last, self.waiting_end = config.base, config.last, config.waiting_end
        self.ghost_after = config.ghost_after
        self.ended = {o.key: Status(Standing.ENDED, o) for o in config.outcomes}


def _state(
    application: Application,
    past: tuple[Event, ...],
    scheduled: tuple[Event, ...],
    as_of: date,
    rules: _Rules,
) -> ApplicationState:
    stage_index = rules.stage_index
    stage = highest = 0
    ended: str | None = None  # the outcome's key
    outcome_stage: int | None = None
    last_heard = past[0].date
    for event in past:
        kind = event.kind
        if kind != NOTE:
            last_heard = event.date
        index = stage_index.get(kind)
        if index is not None:
            # After an outcome the reducer keeps only notes, or a stage when a ghosting
            # employer came back: the application resumes there.
            ended, outcome_stage = None, None
            stage = index
            if index > highest:
                highest = index
        elif kind != NOTE:
            ended, outcome_stage = kind, stage
    if ended is not None:
        status = rules.ended[ended]
    elif stage == rules.last:
        status = ACCEPTED
    else:
        silent = (as_of - last_heard).days
        # Something booked (a call next week) is not silence, however long ago the last word.
        waiting = rules.base <= stage < rules.waiting_end and not scheduled
        status = SILENT if waiting and silent > rules.ghost_after else ACTIVE
    stages = rules.stages
    applied, reply = first_reply(past, rules.base, stage_index)
    replied = reply is not None or (
        applied is not None and stage_index.get(applied.kind, -1) > rules.base
    )
    profile = Profile(
        stage,
        highest,
        status.standing,
        ended,
        outcome_stage,
        applied is not None,
        replied,
    )
    return ApplicationState(
        application=application,
        stage=stages[stage],
        highest=stages[highest],
        status=status,
        outcome_stage=None if outcome_stage is None else stages[outcome_stage],
        history=past,
        scheduled=scheduled,
        applied=applied,
        reply=reply,
        replied=replied,
        last_heard=last_heard,
        profile=profile,
        stays=_stays(past, stage_index),
        reply_days=None if applied is None or reply is None else (reply.date - applied.date).days,
        source=application.meta.get("source"),
    )


def _stays(past: tuple[Event, ...], stage_index: dict[str, int]) -> tuple[tuple[int, int], ...]:
    """The time spent at each stage before moving on to a later one: a stay that ended in a
    rejection, or is still under way, is not counted."""
    moves = [
        (index, event.date) for event in past if (index := stage_index.get(event.kind)) is not None
    ]
    return tuple(
        (here, (after_date - here_date).days)
        for (here, here_date), (after, after_date) in pairwise(moves)
        if after > here
    )


def first_reply(
    events: tuple[Event, ...], base: int, stage_index: dict[str, int]
) -> tuple[Event | None, Event | None]:
    """(applied, reply): the event by which the application reached the base stage, and the
    employer's first reaction after it — a later stage, or an outcome that is theirs (rejected,
    or a declared one), not the seeker's own (withdrawn, declined) nor a ghosting. The one
    definition of a reply: timing, replies by source and by role, and the insights use it."""
    applied: Event | None = None
    for event in events:
        if event.kind == NOTE:
            continue
        index = stage_index.get(event.kind)
        if applied is None:
            if index is not None and index >= base:
                applied = event
                if index > base:  # the first event already past the base: no wait to time
                    return applied, None
        elif index is None:
            return applied, None if event.kind in NOT_A_REPLY else event
        elif index > base:
            return applied, event
    return applied, None


FAR_FUTURE_DAYS = 366


def far_future(ledger: Ledger, as_of: date) -> list[Diagnostic]:
    """An event more than a year after the report date is most likely a typo'd year
    (2036 for 2026): it would sit among the scheduled events for years, counted nowhere."""
    found: list[Diagnostic] = []
    try:
        limit = as_of + timedelta(days=FAR_FUTURE_DAYS)
    except OverflowError:  # the report date is at the end of the calendar: nothing is after
        return found
    # Events are in date order, so only an application whose last event is past the limit has
    # one; picked in C (a Python loop over 36,000 applications cost 20 ms a save). An
    # application always has an event: its first one is always kept (ledger/reducer.py).
    apps = ledger.applications
    last_dates = map(_DATE, map(_LAST, map(_EVENTS, apps)))
    for application in compress(apps, map(partial(lt, limit), last_dates)):
        for event in reversed(application.events):
            if event.date <= limit:
                break
            found.append(
                warning(
                    "JL242",
                    f"{event.date} is more than a year after {as_of}: a typo in the year?",
                    event.position,
                    hint="events after the report date are scheduled and counted nowhere",
                )
            )
    return found
