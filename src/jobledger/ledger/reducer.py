"""Entries -> the ledger's state: its configuration and every application with its history."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from jobledger.ledger.diagnostics import Diagnostic, Position, error, warning
from jobledger.ledger.model import (
    DEFAULT_OUTCOMES,
    DEFAULT_STAGES,
    NOTE,
    OTHER_ROLE,
    Config,
    Declaration,
    Entry,
    Event,
    Option,
    Outcome,
    Role,
    Stage,
    display_name,
)
from jobledger.ledger.suggest import closest, shorten

OPTIONS = ("title", "ghost-after", "follow-up-after", "base-stage")
DEFAULT_GHOST_AFTER = 30
DEFAULT_FOLLOW_UP_AFTER = 7
MAX_DAYS = 36_500  # a hundred years: anything more is a typo

ACTIVE = "active"
ACCEPTED = "accepted"
GHOSTED = "ghosted"


@dataclass(frozen=True, slots=True)
class Application:
    company: str  # as spelled in its earliest event
    title: str | None
    role: str  # a role key, or "other"
    tags: tuple[str, ...]
    meta: tuple[tuple[str, str], ...]
    stage: int  # current stage index
    highest: int  # highest stage index reached
    status: str  # "active", "accepted", an outcome key, or "ghosted" when inferred
    inferred: bool  # status "ghosted" inferred from silence, not written in the ledger
    outcome_stage: int | None  # the stage it was at when an outcome ended it
    first_date: date
    last_date: date
    history: tuple[Event, ...]  # events up to the as-of date, by date then file order
    scheduled: tuple[Event, ...]  # events after the as-of date


@dataclass(frozen=True, slots=True)
class Upcoming:
    event: Event
    company: str
    title: str | None


@dataclass(frozen=True, slots=True)
class Ledger:
    config: Config
    as_of: date
    applications: tuple[Application, ...]  # with at least one event up to the as-of date
    upcoming: tuple[Upcoming, ...]  # events after the as-of date, by date


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split()).casefold()


def identity(company: str, title: str | None) -> tuple[str, str]:
    """Two spellings name one application when equal after NFC, blank folding and case folding."""
    return _fold(company), _fold(title or "")


# ---------------------------------------------------------------- configuration


def resolve_config(entries: Iterable[Entry]) -> tuple[Config, list[Diagnostic]]:
    diagnostics: list[Diagnostic] = []
    declared: dict[str, Declaration] = {}
    groups: dict[str, list[Declaration]] = {"stage": [], "outcome": [], "role": []}
    options: list[Option] = []  # every occurrence: a bad value is an error even if set again
    named: set[str] = set()
    for entry in entries:
        if isinstance(entry, Declaration):
            where = Position(entry.position.path, entry.position.line, entry.key_column)
            if entry.key == NOTE:
                diagnostics.append(
                    error("JL201", "'note' is a reserved kind and cannot be declared", where)
                )
                continue
            first = declared.get(entry.key)
            if first is not None:
                at = f"{first.position.path}:{first.position.line}"
                message = (
                    f"duplicate {entry.what} '{entry.key}'"
                    if first.what == entry.what
                    else f"'{entry.key}' is already declared as a {first.what}"
                )
                diagnostics.append(
                    error("JL202", message, where, hint=f"first declared at {at}; keys are unique")
                )
                continue
            declared[entry.key] = entry
            groups[entry.what].append(entry)
        elif isinstance(entry, Option):
            if entry.name not in OPTIONS:
                guess = closest(entry.name, OPTIONS)
                diagnostics.append(
                    error(
                        "JL210",
                        f"unknown option '{shorten(entry.name)}'",
                        Position(entry.position.path, entry.position.line, entry.name_column),
                        hint=f"did you mean '{guess}'?"
                        if guess
                        else "options: " + ", ".join(OPTIONS),
                    )
                )
                continue
            if entry.name in named:
                diagnostics.append(
                    warning(
                        "JL212",
                        f"option '{entry.name}' set again; the last one wins",
                        entry.position,
                    )
                )
            named.add(entry.name)
            options.append(entry)

    stages = _pairs(groups["stage"], DEFAULT_STAGES)
    outcomes = _pairs(groups["outcome"], DEFAULT_OUTCOMES)
    # Defaults fill in for what was not declared; they must not collide with what was.
    for what, used, defaults in (
        ("stage", groups["stage"], DEFAULT_STAGES),
        ("outcome", groups["outcome"], DEFAULT_OUTCOMES),
    ):
        if used:
            continue
        for key, _ in defaults:
            if key in declared:
                clash = declared[key]
                diagnostics.append(
                    error(
                        "JL202",
                        f"'{key}' is already a default {what}",
                        Position(clash.position.path, clash.position.line, clash.key_column),
                        hint=f"declare the {what}s too, or pick another key",
                    )
                )
    if len(stages) < 2:
        first = groups["stage"][0]
        diagnostics.append(
            error(
                "JL203",
                "a funnel needs at least two stages",
                first.position,
                hint="declare the stages in order, e.g. wishlist, applied, …",
            )
        )
        stages = list(DEFAULT_STAGES)

    keys = [key for key, _ in stages]
    base = keys.index("applied") if "applied" in keys else 1
    title, ghost_after, follow_up_after = "Job hunt", DEFAULT_GHOST_AFTER, DEFAULT_FOLLOW_UP_AFTER
    day_defaults = {"ghost-after": DEFAULT_GHOST_AFTER, "follow-up-after": DEFAULT_FOLLOW_UP_AFTER}
    for option in options:
        name = option.name
        where = Position(option.position.path, option.position.line, option.value_column)
        if name == "title":
            if option.quoted:
                title = option.value
            else:
                diagnostics.append(
                    error(
                        "JL211",
                        "option title takes a quoted string",
                        where,
                        hint=f'option title "{option.value}"',
                    )
                )
        elif name in ("ghost-after", "follow-up-after"):
            days = int(option.value) if re.fullmatch(r"[0-9]{1,6}", option.value) else 0
            if option.quoted or not 1 <= days <= MAX_DAYS:
                diagnostics.append(
                    error(
                        "JL211",
                        f"option {name} takes a whole number of days, from 1 to {MAX_DAYS}",
                        where,
                        hint=f"option {name} {day_defaults[name]}",
                    )
                )
            elif name == "ghost-after":
                ghost_after = days
            else:
                follow_up_after = days
        elif name == "base-stage":
            if option.value in keys:
                base = keys.index(option.value)
            else:
                guess = closest(option.value, keys)
                diagnostics.append(
                    error(
                        "JL211",
                        f"option base-stage: '{shorten(option.value)}' is not a stage",
                        where,
                        hint=f"did you mean '{guess}'?" if guess else "stages: " + ", ".join(keys),
                    )
                )
    config = Config(
        title=title,
        stages=tuple(Stage(key, label, index) for index, (key, label) in enumerate(stages)),
        outcomes=tuple(Outcome(key, label) for key, label in outcomes),
        roles=tuple(Role(d.key, d.label) for d in groups["role"]),
        ghost_after=ghost_after,
        follow_up_after=follow_up_after,
        base=base,
    )
    return config, diagnostics


def _pairs(
    declarations: Sequence[Declaration], defaults: Sequence[tuple[str, str]]
) -> list[tuple[str, str]]:
    if declarations:
        return [(d.key, d.label) for d in declarations]
    return list(defaults)


# ---------------------------------------------------------------- applications


def reduce_entries(entries: Sequence[Entry], as_of: date) -> tuple[Ledger, list[Diagnostic]]:
    config, diagnostics = resolve_config(entries)
    stage_index = {stage.key: stage.index for stage in config.stages}
    outcome_keys = {outcome.key for outcome in config.outcomes}
    role_keys = {role.key for role in config.roles}
    kinds = [*stage_index, *outcome_keys, NOTE]

    by_application: dict[tuple[str, str], list[Event]] = {}
    keys: dict[tuple[str, str | None], tuple[str, str]] = {}
    for entry in entries:
        if not isinstance(entry, Event):
            continue
        if entry.kind not in stage_index and entry.kind not in outcome_keys and entry.kind != NOTE:
            guess = closest(entry.kind, kinds)
            diagnostics.append(
                error(
                    "JL220",
                    f"unknown kind '{shorten(entry.kind)}'",
                    Position(entry.position.path, entry.position.line, entry.kind_column),
                    hint=f"did you mean '{guess}'?" if guess else "kinds: " + ", ".join(kinds),
                )
            )
            continue
        spelling = (entry.company, entry.title)
        key = keys.get(spelling)
        if key is None:  # an application's lines repeat one spelling: fold it once
            key = keys[spelling] = identity(entry.company, entry.title)
        by_application.setdefault(key, []).append(entry)

    applications: list[Application] = []
    upcoming: list[Upcoming] = []
    for events in by_application.values():
        # sorted() is stable: same-date events keep file order.
        events.sort(key=lambda event: event.date)
        application = _reduce_one(events, config, stage_index, role_keys, as_of, diagnostics)
        first = events[0]
        upcoming.extend(
            Upcoming(event, first.company, first.title) for event in events if event.date > as_of
        )
        if application is not None:
            applications.append(application)

    diagnostics.extend(_close_names(by_application, config))
    applications.sort(key=lambda a: (a.first_date, keys[(a.company, a.title)]))
    upcoming.sort(key=lambda u: u.event.date)
    return Ledger(config, as_of, tuple(applications), tuple(upcoming)), diagnostics


def _reduce_one(
    events: list[Event],
    config: Config,
    stage_index: dict[str, int],
    role_keys: set[str],
    as_of: date,
    diagnostics: list[Diagnostic],
) -> Application | None:
    """One application's events, by date, -> its state. Scheduled events (after the as-of date)
    are checked like the others but move nothing."""
    role: str | None = None
    tags: dict[str, str] = {}  # case-folded -> as first written
    meta: dict[str, str] = {}
    ended: Event | None = None  # the outcome event, scheduled or not
    past: list[Event] = []
    scheduled: list[Event] = []
    stage = highest = 0
    moved = False
    outcome_stage: int | None = None
    for event in events:
        kind = event.kind
        if ended is not None and kind != NOTE:
            diagnostics.append(_after_outcome(event, ended))
            continue
        if event.tags:
            role = _tag(event, tags, role, role_keys, diagnostics)
        if event.meta:
            meta.update(event.meta)
        index = stage_index.get(kind)
        if index is None and kind != NOTE:
            ended = event
        if event.date > as_of:
            scheduled.append(event)
            continue
        past.append(event)
        if index is not None:
            if moved and index < stage:
                diagnostics.append(
                    warning(
                        "JL241",
                        f"stage went back from '{config.stages[stage].key}' to '{kind}'",
                        event.position,
                        hint="fine if it really happened; the highest stage is kept",
                    )
                )
            stage, moved = index, True
            if index > highest:
                highest = index
        elif ended is event:
            outcome_stage = stage

    if not past:
        return None
    last_date = past[-1].date
    inferred = False
    if outcome_stage is not None and ended is not None:
        status = ended.kind
    elif stage == config.last:
        status = ACCEPTED
    else:
        status = ACTIVE
        silent = (as_of - last_date).days
        # Something booked (a call next week) is not silence, however long ago the last word.
        waiting = config.base <= stage < config.waiting_end and not scheduled
        if waiting and silent > config.ghost_after:
            status, inferred = GHOSTED, True
    first = events[0]
    return Application(
        company=first.company,
        title=first.title,
        role=role or OTHER_ROLE,
        tags=tuple(tags.values()),
        meta=tuple(meta.items()),
        stage=stage,
        highest=highest,
        status=status,
        inferred=inferred,
        outcome_stage=outcome_stage,
        first_date=past[0].date,
        last_date=last_date,
        history=tuple(past),
        scheduled=tuple(scheduled),
    )


def _after_outcome(event: Event, ended: Event) -> Diagnostic:
    name = display_name(event.company, event.title)
    return error(
        "JL240",
        f"'{name}' already ended ({ended.kind} on {ended.date}); only a note can follow",
        event.position,
        hint="a new attempt is a new application: give it a distinct name, e.g. "
        f"{name} ({event.date.year})",
    )


def _tag(
    event: Event,
    tags: dict[str, str],
    role: str | None,
    role_keys: set[str],
    diagnostics: list[Diagnostic],
) -> str | None:
    """Accumulate the event's tags; a tag naming a declared role sets the role (once)."""
    for number, tag in enumerate(event.tags):
        folded = tag.casefold()
        tags.setdefault(folded, tag)  # the first spelling of a tag is the one shown
        if folded not in role_keys:
            continue
        if role is None:
            role = folded
        elif folded != role:
            column = event.tag_columns[number] if number < len(event.tag_columns) else 1
            diagnostics.append(
                error(
                    "JL230",
                    f"two roles on one application: '{role}' and '{folded}'",
                    Position(event.position.path, event.position.line, column),
                    hint="an application has one role; keep one role tag",
                )
            )
    return role


CLOSE_NAME_CUTOFF = 0.8
CLOSE_NAME_BUDGET = 20_000  # name comparisons at most (~15 µs each): a hint must not cost seconds


def _close_names(
    by_application: dict[tuple[str, str], list[Event]],
    config: Config,
) -> list[Diagnostic]:
    """An application first seen past the base stage may be a typo of another one's name: look
    for a close name among the applications that started at or before the base stage."""
    stage_index = {stage.key: stage.index for stage in config.stages}
    by_length: dict[int, list[tuple[str, Event]]] = {}
    candidates: list[tuple[str, Event]] = []
    for key, events in by_application.items():
        first = events[0]
        index = stage_index.get(first.kind)
        if index is None:
            continue
        name = " | ".join(key)
        if index > config.base:
            candidates.append((name, first))
        else:
            by_length.setdefault(len(name), []).append((name, first))
    found: list[Diagnostic] = []
    budget = CLOSE_NAME_BUDGET
    matcher = difflib.SequenceMatcher(autojunk=False)
    for name, first in candidates:
        matcher.set_seq2(name)
        best: tuple[float, Event] | None = None
        # A ratio of 0.8 allows a length difference of at most a fifth of the total.
        spread = len(name) // 4 + 1
        for length in range(len(name) - spread, len(name) + spread + 1):
            for other_name, other in by_length.get(length, ()):
                budget -= 1
                matcher.set_seq1(other_name)
                if (
                    matcher.real_quick_ratio() >= CLOSE_NAME_CUTOFF
                    and matcher.quick_ratio() >= CLOSE_NAME_CUTOFF
                    and (ratio := matcher.ratio()) >= CLOSE_NAME_CUTOFF
                    and (best is None or ratio > best[0])
                ):
                    best = (ratio, other)
        if best is not None:
            other = best[1]
            found.append(
                warning(
                    "JL250",
                    f"this application starts at '{first.kind}' with no earlier stage",
                    first.position,
                    hint=f"did you mean '{display_name(other.company, other.title)}'?",
                )
            )
        if budget <= 0:
            break
    return found
