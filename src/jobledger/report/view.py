"""The ledger as it stands on one date: what has happened by then, what is still scheduled, and
where each application stands (its status). Every number of the report is read from this view.

This is the one place that compares events with the report date: past against scheduled,
silence long enough to count as ghosted. The date itself is an input (see cli/common.py).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import date
from enum import Enum

from jobledger.ledger.model import NOTE, Application, Config, Event, Ledger, Outcome, Stage


class Standing(Enum):
    ACTIVE = "active"  # still in the running
    ACCEPTED = "accepted"  # at the last stage
    ENDED = "ended"  # an outcome was written: rejected, withdrawn, ghosted, declined…
    SILENT = "silent"  # waiting on the employer longer than ghost-after: ghosted, inferred


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
class ApplicationState:
    """One application as it stands on the view's date."""

    application: Application
    stage: Stage  # the current stage
    highest: Stage  # the highest stage reached
    status: Status
    outcome_stage: Stage | None  # the stage it was at when an outcome ended it
    history: tuple[Event, ...]  # events up to the date
    scheduled: tuple[Event, ...]  # events after it

    @property
    def first_date(self) -> date:
        return self.history[0].date

    @property
    def last_date(self) -> date:
        return self.history[-1].date


@dataclass(frozen=True, slots=True)
class Upcoming:
    event: Event
    application: Application


@dataclass(frozen=True, slots=True)
class View:
    config: Config
    as_of: date
    applications: tuple[ApplicationState, ...]  # those with an event up to the date
    upcoming: tuple[Upcoming, ...]  # events after the date, by date, then ledger order


def view_at(ledger: Ledger, as_of: date) -> View:
    config = ledger.config
    stage_index = {stage.key: stage.index for stage in config.stages}
    outcomes = {outcome.key: outcome for outcome in config.outcomes}
    states: list[ApplicationState] = []
    upcoming: list[Upcoming] = []
    for application in ledger.applications:
        events = application.events
        # Events are in date order: everything after the date is scheduled.
        split = bisect.bisect_right(events, as_of, key=_event_date)
        past, scheduled = events[:split], events[split:]
        upcoming.extend(Upcoming(event, application) for event in scheduled)
        if past:
            states.append(
                _state(application, past, scheduled, as_of, config, stage_index, outcomes)
            )
    upcoming.sort(key=lambda item: item.event.date)  # stable: ledger order within a day
    return View(config, as_of, tuple(states), tuple(upcoming))


def _event_date(event: Event) -> date:
    return event.date


def _state(
    application: Application,
    past: tuple[Event, ...],
    scheduled: tuple[Event, ...],
    as_of: date,
    config: Config,
    stage_index: dict[str, int],
    outcomes: dict[str, Outcome],
) -> ApplicationState:
    stage = highest = 0
    ended: Outcome | None = None
    outcome_stage: int | None = None
    for event in past:
        index = stage_index.get(event.kind)
        if index is not None:
            stage = index
            highest = max(highest, index)
        elif event.kind != NOTE:  # the reducer keeps nothing but notes after an outcome
            ended, outcome_stage = outcomes[event.kind], stage
    if ended is not None:
        status = Status(Standing.ENDED, ended)
    elif stage == config.last:
        status = ACCEPTED
    else:
        silent = (as_of - past[-1].date).days
        # Something booked (a call next week) is not silence, however long ago the last word.
        waiting = config.base <= stage < config.waiting_end and not scheduled
        status = SILENT if waiting and silent > config.ghost_after else ACTIVE
    stages = config.stages
    return ApplicationState(
        application=application,
        stage=stages[stage],
        highest=stages[highest],
        status=status,
        outcome_stage=None if outcome_stage is None else stages[outcome_stage],
        history=past,
        scheduled=scheduled,
    )
