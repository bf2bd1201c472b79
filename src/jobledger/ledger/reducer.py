"""Entries -> the ledger: its configuration and every application with its full history.

Date-free: which events are past and which are scheduled is decided by the report, at the date
it is made for (report/view.py). Everything that depends only on the text is checked here.
"""

from __future__ import annotations

import bisect
import unicodedata
from collections.abc import Sequence
from datetime import date
from itertools import chain
from operator import attrgetter, itemgetter

from jobledger.ledger.config import resolve_config
from jobledger.ledger.diagnostics import Diagnostic, Position, error, warning
from jobledger.ledger.memo import Memos, ReduceMemo
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
    again; when one file changed, only the applications with an event in its slice (before or
    after the save) are looked at again; and an application whose events are the very same
    objects is not reduced again. The result is always a whole build's."""
    if memos is not None:
        memos.slices.start(None)
    read = [_read_slice(*piece, memos) for piece in slices]
    config, diagnostics = resolve_config(entry for piece in read for entry in piece.settings)
    roles = {role.key: role for role in config.roles}
    context = (config, {stage.key: stage.index for stage in config.stages}, roles)
    for piece in read:
        diagnostics.extend(piece.grouped(config)[1])  # unknown kinds
    last = memos.reduce if memos is not None else None
    changed = _changed_keys(last, read, config)
    # Each application's reduction: the last build's (watch), if its events are the very same
    # objects and the configuration is the same; made otherwise.
    kept: dict[tuple[str, str], _Reduction] = {}
    if last is not None and last.config == config:
        kept = last.by_key
    names: list[tuple[str, Event, int]] = []
    application_diagnostics: list[Diagnostic] = []
    ordered: list[tuple[tuple[date, tuple[str, str]], Application]] = []
    by_key: dict[tuple[str, str], _Reduction] = {}
    if changed is None:  # everything is gone through again
        for key, part in _parts(read, config).items():
            reduction = _reduction(key, part, kept.get(key), context, last)
            if last is not None:  # kept for the next build; else let go at once (memory)
                by_key[key] = reduction
            diagnostics.extend(reduction.repeated)
            application_diagnostics.extend(reduction.own)
            names.append(reduction.name)
            ordered.append((reduction.order, reduction.application))
        ordered.sort(key=_ORDER)
    else:  # watch, a file saved: only the applications with an event in what changed
        assert last is not None
        by_key = dict(kept)
        ordered = [item for item in last.ordered if item[0][1] not in changed]
        for key in changed:
            events = _part_of(key, read, config)
            if events is None:
                by_key.pop(key, None)  # its last event went
                continue
            reduction = by_key[key] = _reduction(key, events, kept.get(key), context, last)
            bisect.insort(ordered, (reduction.order, reduction.application), key=_ORDER)
        # In the order a whole build meets the applications (their first event's file and
        # line): the order of the diagnostics and of the name comparisons below.
        by_key = {key: by_key[key] for key in _keys_in_order(read, config)}
        last.hits += len(by_key) - len(changed & by_key.keys())
        for reduction in by_key.values():
            diagnostics.extend(reduction.repeated)
            application_diagnostics.extend(reduction.own)
            names.append(reduction.name)
    diagnostics.extend(application_diagnostics)
    diagnostics.extend(_close_names(names, config))
    if last is not None:
        last.remember(config, read, by_key, ordered)
    return Ledger(config, tuple(application for _, application in ordered)), diagnostics


_ORDER = itemgetter(0)
Part = tuple[Event, ...] | list[tuple[Event, ...]]


class _Reduction:
    """One application reduced: what the ledger and the diagnostics take from it, and the
    events it was made from (their identities say whether it can be reused)."""

    __slots__ = ("application", "identities", "name", "order", "own", "part", "repeated")

    def __init__(
        self,
        part: Part,
        identities: tuple[int, ...],
        order: tuple[date, tuple[str, str]],
        application: Application,
        repeated: Sequence[Diagnostic],
        own: Sequence[Diagnostic],
        name: tuple[str, Event, int],
    ) -> None:
        self.part = part  # holds the events `identities` names
        self.identities = identities
        self.order, self.application = order, application
        self.repeated, self.own, self.name = repeated, own, name


def _reduction(
    key: tuple[str, str],
    part: Part,
    before: _Reduction | None,
    context: tuple[Config, dict[str, int], dict[str, Role]],
    memo: ReduceMemo | None,
) -> _Reduction:
    grouped = part if isinstance(part, tuple) else tuple(chain.from_iterable(part))
    identities = tuple(map(id, grouped)) if memo is not None else ()
    if before is not None and before.identities == identities:
        if memo is not None:
            memo.hits += 1
        return before
    if memo is not None:
        memo.misses += 1
    config, stage_index, roles = context
    events = sorted(grouped, key=_DATE)  # stable: same-date events keep file order
    own: list[Diagnostic] = []
    application = _reduce_one(events, config, stage_index, roles, own)
    first = events[0]
    name = (" | ".join(key), first, stage_index.get(first.kind, -1))
    # Most applications have no diagnostic: one shared empty tuple, not two lists each.
    repeated = (_repeated_lines(events) if len(events) > 1 else None) or ()
    order = (first.date, key)
    return _Reduction(part, identities, order, application, repeated, own or (), name)


def _parts(read: list[_Slice], config: Config) -> dict[tuple[str, str], Part]:
    """Each application's events, as the slices' groups that hold them (one group, mostly)."""
    parts: dict[tuple[str, str], Part] = {}
    for piece in read:
        for key, group in piece.grouped(config)[0].items():
            earlier = parts.get(key)
            if earlier is None:
                parts[key] = group
            elif type(earlier) is list:
                earlier.append(group)
            else:
                parts[key] = [earlier, group]  # type: ignore[list-item]
    return parts


def _part_of(key: tuple[str, str], read: list[_Slice], config: Config) -> Part | None:
    groups = [group for piece in read if (group := piece.grouped(config)[0].get(key))]
    if not groups:
        return None
    return groups[0] if len(groups) == 1 else groups


def _keys_in_order(read: list[_Slice], config: Config) -> dict[tuple[str, str], None]:
    return dict.fromkeys(chain.from_iterable(piece.grouped(config)[0] for piece in read))


def _changed_keys(
    last: ReduceMemo | None, read: list[_Slice], config: Config
) -> set[tuple[str, str]] | None:
    """The applications with an event in a slice that is not the very same as in the last
    build at its place (a saved file: the slice before and after), if that is all that
    changed; None when everything must be gone through again (no last build, another
    configuration, a file more or less, or most applications touched)."""
    if last is None or last.config != config or len(last.read) != len(read):
        return None
    changed: set[tuple[str, str]] = set()
    for before, now in zip(last.read, read, strict=True):
        if before is now:
            continue
        old, new = before.grouped(config)[0], now.grouped(config)[0]
        # An edit keeps the other lines' events (the very same objects): their groups compare
        # equal element by element, by identity first.
        changed.update(key for key, group in new.items() if old.get(key) != group)
        changed.update(key for key in old if key not in new)
    return changed if len(changed) * 4 < len(last.by_key) else None


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
