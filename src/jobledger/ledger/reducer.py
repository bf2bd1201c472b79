"""Entries -> the ledger: its configuration and every application with its full history.

Date-free: which events are past and which are scheduled is decided by the report, at the date
it is made for (report/view.py). Everything that depends only on the text is checked here.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import date
from itertools import chain
from operator import attrgetter, itemgetter
from typing import Any

from jobledger.ledger.config import resolve_config
from jobledger.ledger.diagnostics import Diagnostic, Position, error, warning
from jobledger.ledger.memo import Memos
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
    entries: Sequence[Entry], memos: Memos | None = None
) -> tuple[Ledger, list[Diagnostic]]:
    return reduce_slices(((entries, 0, None),), memos)


Slice = tuple[Sequence[Entry], int, int | None]  # a file's entries, from start to stop


def reduce_slices(
    slices: Sequence[Slice], memos: Memos | None = None
) -> tuple[Ledger, list[Diagnostic]]:
    """The ledger's entries, as slices of its files' entries (loader.Walk) -> the ledger.

    `memos` (watch): a slice that is the very same as in the last build is not gone through
    again, and an application whose events are the very same objects is not reduced again."""
    if memos is not None:
        memos.slices.start(None)
    read = [_read_slice(*piece, memos) for piece in slices]
    config, diagnostics = resolve_config(entry for piece in read for entry in piece.settings)
    stage_index = {stage.key: stage.index for stage in config.stages}
    roles = {role.key: role for role in config.roles}

    # Each application's events, as the slices' groups that hold them (one group, mostly).
    parts: dict[tuple[str, str], tuple[Event, ...] | list[tuple[Event, ...]]] = {}
    for piece in read:
        groups, unknown = piece.grouped(config)
        diagnostics.extend(unknown)
        for key, group in groups.items():
            earlier = parts.get(key)
            if earlier is None:
                parts[key] = group
            elif type(earlier) is list:
                earlier.append(group)
            else:
                parts[key] = [earlier, group]  # type: ignore[list-item]

    memo = None if memos is None else memos.reduce
    if memo is not None:
        memo.start(config)
    reduced: list[tuple[tuple[date, tuple[str, str]], Application]] = []
    names: list[tuple[str, Event, int]] = []
    application_diagnostics: list[Diagnostic] = []
    for key, part in parts.items():
        # The events' identities: a slice gone through again (a file saved) groups the same
        # events into new tuples.
        grouped = part if isinstance(part, tuple) else tuple(chain.from_iterable(part))
        found: Any = None
        if memo is not None:
            identities = tuple(map(id, grouped))
            found = memo.get(identities)
        if found is None:
            events = sorted(grouped, key=_DATE)  # stable: same-date events keep file order
            repeated = _repeated_lines(events) if len(events) > 1 else []
            own: list[Diagnostic] = []
            application = _reduce_one(events, config, stage_index, roles, own)
            first = events[0]
            name = (" | ".join(key), first, stage_index.get(first.kind, -1))
            # the value holds the groups its key names
            found = (part, (first.date, key), application, repeated, own, name)
            if memo is not None:
                memo.put(identities, found)
        _, order, application, repeated, own, name = found
        diagnostics.extend(repeated)
        application_diagnostics.extend(own)
        reduced.append((order, application))
        names.append(name)
    diagnostics.extend(application_diagnostics)
    diagnostics.extend(_close_names(names, config))
    reduced.sort(key=itemgetter(0))
    return Ledger(config, tuple(application for _, application in reduced)), diagnostics


class _Slice:
    """A slice of one file's entries, gone through once: its settings (declarations and
    options), and its events grouped by application for the configuration last asked for."""

    __slots__ = ("_config", "_grouped", "entries", "settings", "source")

    def __init__(self, source: Sequence[Entry], start: int, stop: int | None) -> None:
        self.source = source  # the file's entries: a memo's value holds what its key names
        entries = self.entries = source[start:stop]
        self.settings = [entry for entry in entries if type(entry) is not Event]
        self._config: Config | None = None
        self._grouped: tuple[dict[tuple[str, str], tuple[Event, ...]], list[Diagnostic]] = (
            {},
            [],
        )

    def grouped(
        self, config: Config
    ) -> tuple[dict[tuple[str, str], tuple[Event, ...]], list[Diagnostic]]:
        """(the events of each application, in file order; the unknown kinds' errors)."""
        if self._config is None or self._config != config:
            self._grouped = _group(self.entries, config)
            self._config = config
        return self._grouped


def _read_slice(
    entries: Sequence[Entry], start: int, stop: int | None, memos: Memos | None
) -> _Slice:
    if memos is None:
        return _Slice(entries, start, stop)
    key = (id(entries), start, stop)
    found: _Slice | None = memos.slices.get(key)
    if found is None:
        found = _Slice(entries, start, stop)
        memos.slices.put(key, found)
    return found


def _group(
    entries: Sequence[Entry], config: Config
) -> tuple[dict[tuple[str, str], tuple[Event, ...]], list[Diagnostic]]:
    kinds = [*(stage.key for stage in config.stages), *(o.key for o in config.outcomes), NOTE]
    known = frozenset(kinds)  # `kinds` keeps the order, for the hint
    diagnostics: list[Diagnostic] = []
    by_application: dict[tuple[str, str], list[Event]] = {}
    keys: dict[tuple[str, str | None], tuple[str, str]] = {}
    for entry in entries:
        if type(entry) is not Event:
            continue
        if entry.kind not in known:
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
    return {key: tuple(events) for key, events in by_application.items()}, diagnostics


_DATE = attrgetter("date")


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


def _repeated_lines(events: list[Event]) -> list[Diagnostic]:
    """One application's events: the same date and kind twice is most likely a line pasted
    twice. (Notes are left alone: two notes on one day are ordinary.)"""
    found = []
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


def _close_names(names: list[tuple[str, Event, int]], config: Config) -> list[Diagnostic]:
    """An application first seen past the base stage may be a typo of another one's name: look
    for a close name among the applications that started at or before the base stage. `names`:
    each application's folded name, first event, and the stage index of its kind (-1: none)."""
    base = config.base
    candidates = [(name, first) for name, first, index in names if index > base]
    if not candidates:
        return []
    by_length: dict[int, list[tuple[str, Event]]] = {}
    for name, first, index in names:
        if 0 <= index <= base:
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
