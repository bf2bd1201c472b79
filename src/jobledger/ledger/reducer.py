"""Entries -> the ledger: its configuration and every application with its full history.

Date-free: which events are past and which are scheduled is decided by the report, at the date
it is made for (report/view.py). Everything that depends only on the text is checked here.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import date

from jobledger.ledger.config import resolve_config
from jobledger.ledger.diagnostics import Diagnostic, Position, error, warning
from jobledger.ledger.memo import Memo
from jobledger.ledger.model import (
    NOTE,
    OTHER,
    Application,
    Config,
    Entry,
    Event,
    Ledger,
    Metadata,
    Role,
    display_name,
)
from jobledger.ledger.suggest import closest, shorten


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split()).casefold()


def identity(company: str, title: str | None) -> tuple[str, str]:
    """Two spellings name one application when equal after NFC, blank folding and case folding."""
    return _fold(company), _fold(title or "")


def reduce_entries(
    entries: Sequence[Entry], memo: Memo | None = None
) -> tuple[Ledger, list[Diagnostic]]:
    """`memo` (watch): an application whose events are the very same objects as in the last
    build is not reduced again."""
    config, diagnostics = resolve_config(entries)
    stage_index = {stage.key: stage.index for stage in config.stages}
    outcome_keys = {outcome.key for outcome in config.outcomes}
    roles = {role.key: role for role in config.roles}
    kinds = [
        *stage_index,
        *(outcome.key for outcome in config.outcomes),
        NOTE,
    ]  # not the set's order

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

    applications: list[tuple[tuple[str, str], Application]] = []
    reduced: list[Diagnostic] = []
    if memo is not None:
        memo.start(config)
    for key, events in by_application.items():
        # sorted() is stable: same-date events keep file order.
        events.sort(key=_event_date)
        ids = tuple(map(id, events)) if memo is not None else ()
        found = memo.get(ids) if memo is not None else None
        if found is None:
            repeated = _repeated_lines({key: events})
            own: list[Diagnostic] = []
            application = _reduce_one(events, config, stage_index, roles, own)
            found = (events, application, repeated, own)
            if memo is not None:
                memo.put(ids, found)
        _, application, repeated, own = found
        diagnostics.extend(repeated)
        reduced.extend(own)
        applications.append((key, application))
    diagnostics.extend(reduced)

    diagnostics.extend(_close_names(by_application, config))
    applications.sort(key=lambda item: (item[1].events[0].date, item[0]))
    return Ledger(config, tuple(app for _, app in applications)), diagnostics


def _event_date(event: Event) -> date:
    return event.date


def _reduce_one(
    events: list[Event],
    config: Config,
    stage_index: dict[str, int],
    roles: dict[str, Role],
    diagnostics: list[Diagnostic],
) -> Application:
    """One application's events, by date -> the application: its role, tags and metadata, and
    its valid events. Nothing may follow an outcome but a note."""
    role: Role | None = None
    tags: dict[str, str] = {}  # case-folded -> as first written
    meta: dict[str, tuple[str, str]] = {}  # case-folded key -> (first spelling, last value)
    ended: Event | None = None
    kept: list[Event] = []
    stage: int | None = None
    for event in events:
        kind = event.kind
        if ended is not None and kind != NOTE:
            if ended.kind == GHOSTED and kind in stage_index:
                ended = None  # they came back: the application resumes at this stage
            else:
                diagnostics.append(_after_outcome(event, ended))
                continue
        if event.tags:
            role = _tag(event, tags, role, roles, diagnostics)
        for key, value in event.meta:
            folded = key.casefold()
            meta[folded] = (meta[folded][0] if folded in meta else key, value)
        kept.append(event)
        index = stage_index.get(kind)
        if index is not None:
            if stage is not None and index < stage:
                diagnostics.append(
                    warning(
                        "JL241",
                        f"stage went back from '{config.stages[stage].key}' to '{kind}'",
                        event.position,
                        hint="fine if it really happened; the highest stage is kept",
                    )
                )
            stage = index
        elif kind != NOTE:
            ended = event
    first = events[0]
    return Application(
        company=first.company,
        title=first.title,
        role=role or OTHER,
        tags=tuple(tags.values()),
        meta=Metadata(tuple(meta.values())),
        events=tuple(kept),
    )


GHOSTED = "ghosted"  # an explicit ghosting: the company may still come back


def _repeated_lines(by_application: dict[tuple[str, str], list[Event]]) -> list[Diagnostic]:
    """The same date, kind and application twice: most likely a line pasted twice. (Notes are
    left alone: two notes on one day are ordinary.)"""
    found = []
    for events in by_application.values():
        first: dict[tuple[date, str], Event] = {}
        for event in events:
            if event.kind == NOTE:
                continue
            seen = first.setdefault((event.date, event.kind), event)
            if seen is not event:
                where = f"{seen.position.path}:{seen.position.line}"
                found.append(
                    warning(
                        "JL243",
                        f"the same event again: {event.date} {event.kind} "
                        f"{display_name(event.company, event.title)}",
                        event.position,
                        hint=f"first written at {where}; delete one if it was pasted twice",
                    )
                )
    return found


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
    role: Role | None,
    roles: dict[str, Role],
    diagnostics: list[Diagnostic],
) -> Role | None:
    """Accumulate the event's tags; a tag naming a declared role sets the role (once)."""
    for number, tag in enumerate(event.tags):
        folded = tag.casefold()
        tags.setdefault(folded, tag)  # the first spelling of a tag is the one shown
        tagged = roles.get(folded)
        if tagged is None:
            guess = closest(folded, roles, cutoff=ROLE_TAG_CUTOFF)
            if guess is not None:
                column = event.tag_columns[number] if number < len(event.tag_columns) else 1
                diagnostics.append(
                    warning(
                        "JL231",
                        f"'#{shorten(tag)}' is not a declared role",
                        Position(event.position.path, event.position.line, column),
                        hint=f"did you mean #{guess}?",
                    )
                )
            continue
        if role is None:
            role = tagged
        elif tagged is not role:
            column = event.tag_columns[number] if number < len(event.tag_columns) else 1
            diagnostics.append(
                error(
                    "JL230",
                    f"two roles on one application: '{role.key}' and '{folded}'",
                    Position(event.position.path, event.position.line, column),
                    hint="an application has one role; keep one role tag",
                )
            )
    return role


ROLE_TAG_CUTOFF = 0.8  # "#devrell" is a typo of the role devrel; "#remote" is just a tag
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
    import difflib  # only when there are names to compare

    matcher = difflib.SequenceMatcher(autojunk=False)
    for name, first in candidates:
        # A ratio of 0.8 allows a length difference of at most a fifth of the total.
        spread = len(name) // 4 + 1
        others = [
            other
            for length in range(len(name) - spread, len(name) + spread + 1)
            for other in by_length.get(length, ())
        ]
        if not others:
            continue
        matcher.set_seq2(name)  # difflib indexes seq2 once per candidate: worth it only here
        best: tuple[float, Event] | None = None
        for other_name, other in others:
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
                    Position(first.position.path, first.position.line, first.name_column or 1),
                    hint=f"did you mean '{display_name(other.company, other.title)}'?",
                )
            )
        if budget <= 0:
            break
    return found
