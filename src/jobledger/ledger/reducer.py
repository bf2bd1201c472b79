"""Entries -> the ledger: its configuration and every application with its full history.

Date-free: which events are past and which are scheduled is decided by the report, at the date
it is made for (report/view.py). Everything that depends only on the text is checked here.
"""

from __future__ import annotations

import bisect
import unicodedata
from collections.abc import Sequence
from datetime import date
from itertools import chain, compress
from operator import attrgetter, itemgetter, not_

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
    last = memos.reduce if memos is not None else None
    if last is not None and len(last.read) == len(read):
        for before, now in zip(last.read, read, strict=True):
            # A saved file's new slice, regrouped from its old one (lines compare only
            # within one file: a slice of another file in its place is grouped afresh).
            if now is not before and now._config is None and _path(now) == _path(before):
                now.before = before
    config, diagnostics = resolve_config(entry for piece in read for entry in piece.settings)
    roles = {role.key: role for role in config.roles}
    context = (config, {stage.key: stage.index for stage in config.stages}, roles)
    for piece in read:
        diagnostics.extend(piece.grouped(config)[1])  # unknown kinds
    changed = _changed_keys(last, read, config)
    # Each application's reduction: the last build's (watch), if its events are the very same
    # objects and the configuration is the same; made otherwise.
    kept: dict[tuple[str, str], _Reduction] = {}
    if last is not None and last.config == config:
        kept = last.by_key
    names: list[tuple[str, Event, int]] = []
    application_diagnostics: list[Diagnostic] = []
    flagged: dict[tuple[str, str], _Reduction] = {}  # those with diagnostics (watch)
    candidates: set[tuple[str, str]] = set()  # those whose name may be a typo (watch)
    ordered: list[tuple[tuple[date, tuple[str, str]], Application]] = []
    by_key: dict[tuple[str, str], _Reduction] = {}
    if changed is None:  # everything is gone through again
        for key, part in _parts(read, config).items():
            reduction = _reduction(key, part, kept.get(key), context, last)
            if last is not None:  # kept for the next build; else let go at once (memory)
                by_key[key] = reduction
                _note(key, reduction, flagged, candidates, config)
            diagnostics.extend(reduction.repeated)
            application_diagnostics.extend(reduction.own)
            names.append(reduction.name)
            ordered.append((reduction.order, reduction.application))
        ordered.sort(key=_ORDER)
    else:  # watch, a file saved: only the applications with an event in what changed
        assert last is not None
        appended = _appended_in_order(last, read, config)
        by_key = dict(kept)
        ordered = list(last.ordered)
        for key in changed & kept.keys():
            _remove(ordered, kept[key])
        for key in changed:
            events = _part_of(key, read, config)
            if events is None:
                by_key.pop(key, None)  # its last event went
                continue
            reduction = by_key[key] = _reduction(key, events, kept.get(key), context, last)
            bisect.insort(ordered, (reduction.order, reduction.application), key=_ORDER)
        # In the order a whole build meets the applications (their first event's file and
        # line): the order of the diagnostics and of the name comparisons below. Mostly the
        # last build's, with the new applications at its end, in the order they were written.
        if appended is not None:
            for key in appended:
                by_key[key] = by_key.pop(key)
        else:
            by_key = {key: by_key[key] for key in _keys_in_order(read, config)}
        last.hits += len(by_key) - len(changed & by_key.keys())
        # Only the applications with diagnostics, and the names only if one may be a typo:
        # looking at 36,000 reductions costs 10 ms a pass, even in C. Diagnostics are sorted
        # by position later, and no two applications share one: their order here is free.
        flagged, candidates = dict(last.flagged), set(last.candidates)
        for key in changed:
            flagged.pop(key, None)
            candidates.discard(key)
            if key in by_key:
                _note(key, by_key[key], flagged, candidates, config)
        diagnostics.extend(chain.from_iterable(map(_REPEATED, flagged.values())))
        application_diagnostics.extend(chain.from_iterable(map(_OWN, flagged.values())))
        names = list(map(_NAME, by_key.values())) if candidates else []
    for piece in read:
        piece.delta = None  # it says how the slice differs from the last build's only
    diagnostics.extend(application_diagnostics)
    diagnostics.extend(_close_names(names, config))
    if last is not None:
        last.remember(config, read, by_key, ordered, flagged, candidates)
    return Ledger(config, tuple(map(_APPLICATION, ordered))), diagnostics


def _note(
    key: tuple[str, str],
    reduction: _Reduction,
    flagged: dict[tuple[str, str], _Reduction],
    candidates: set[tuple[str, str]],
    config: Config,
) -> None:
    """Remember whether the application has diagnostics, and whether its name is one that
    _close_names compares (it starts past the base stage)."""
    if reduction.repeated or reduction.own:
        flagged[key] = reduction
    if reduction.name[2] > config.base:
        candidates.add(key)


def _remove(
    ordered: list[tuple[tuple[date, tuple[str, str]], Application]], reduction: _Reduction
) -> None:
    """Take the reduction's application out of the ordered list (its order is unique)."""
    at = bisect.bisect_left(ordered, reduction.order, key=_ORDER)
    if at < len(ordered) and ordered[at][1] is reduction.application:
        del ordered[at]
    else:  # not where its order says: look for it
        ordered[:] = [item for item in ordered if item[1] is not reduction.application]


def _appended_in_order(
    last: ReduceMemo, read: list[_Slice], config: Config
) -> list[tuple[str, str]] | None:
    """The applications new to this build, in the order a whole build meets them, when that
    order is the last build's with them at its end: each saved slice was regrouped from the
    last build's (_Delta), no application left a slice for another, and a new application
    is new to the whole ledger and in the last slice with events, or already in an earlier
    slice. None when the whole order must be found again."""
    appended: list[tuple[str, str]] = []
    for number, (before, now) in enumerate(zip(last.read, read, strict=True)):
        if before is now:
            continue
        delta = now.delta
        if delta is None:
            return None
        for key in delta.gone:  # still elsewhere: its place may have moved
            if any(key in piece.grouped(config)[0] for piece in read):
                return None
        after = any(piece.grouped(config)[0] for piece in read[number + 1 :])
        for key in delta.appended:
            if key not in last.by_key:
                if after:  # an application in a later slice is met after it
                    return None
                appended.append(key)
            elif not any(key in piece.grouped(config)[0] for piece in read[:number]):
                return None  # its first event is in this slice now, not in a later one
    return appended


_REPEATED, _OWN, _NAME = attrgetter("repeated"), attrgetter("own"), attrgetter("name")
_ORDER, _APPLICATION = itemgetter(0), itemgetter(1)
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
        if now.delta is not None:  # regrouped from `before`: it says which changed
            changed |= now.delta.touched
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

    __slots__ = ("_config", "_grouped", "before", "delta", "entries", "settings", "source")

    def __init__(self, source: Sequence[Entry], start: int, stop: int | None) -> None:
        self.source = source  # the file's entries: a memo's value holds what its key names
        entries = self.entries = source[start:stop]
        self.settings = [entry for entry in entries if type(entry) is not Event]
        self._config: Config | None = None
        self._grouped: tuple[dict[tuple[str, str], tuple[Event, ...]], list[Diagnostic]] = (
            {},
            [],
        )
        self.before: _Slice | None = None  # the slice this one replaces (watch: a save)
        self.delta: _Delta | None = None  # how its groups differ from `before`'s

    def grouped(
        self, config: Config
    ) -> tuple[dict[tuple[str, str], tuple[Event, ...]], list[Diagnostic]]:
        """(the events of each application, in file order; the unknown kinds' errors)."""
        if self._config is None or self._config != config:
            self.delta = None
            regrouped = _regrouped(self.before, self.entries, config)
            if regrouped is not None:
                groups, self.delta = regrouped
                self._grouped = (groups, [])
            else:
                self._grouped = _group(self.entries, config)
            self._config = config
            self.before = None  # let the last build's slice go
        return self._grouped


def _path(piece: _Slice) -> str | None:
    """The file a slice is of (None: an empty file)."""
    return piece.source[0].position.path if piece.source else None


class _Delta:
    """How a slice's groups differ from those of the slice it replaces: the applications
    whose events changed, those gone from it, and those new to it (at its end, in order)."""

    __slots__ = ("appended", "gone", "touched")

    def __init__(
        self,
        touched: set[tuple[str, str]],
        gone: list[tuple[str, str]],
        appended: list[tuple[str, str]],
    ) -> None:
        self.touched, self.gone, self.appended = touched, gone, appended


REGROUP_SHARE = 4  # regroup from the last build's slice when at most 1/4 of its entries changed


def _regrouped(
    before: _Slice | None, entries: Sequence[Entry], config: Config
) -> tuple[dict[tuple[str, str], tuple[Event, ...]], _Delta] | None:
    """The groups of `entries` made from those of `before` (the same file's slice in the last
    build, grouped for `config` without a diagnostic), when a save changed a few entries: the
    entries it kept are the very same objects. Found by identity, in C. None when that does
    not apply, or when the groups' order (their first events') would not simply extend."""
    if before is None or before._config != config or before._grouped[1]:
        return None
    old_entries = before.entries
    old_ids = set(map(id, old_entries))
    added = list(compress(entries, map(not_, map(old_ids.__contains__, map(id, entries)))))
    new_ids = set(map(id, entries))
    gone = list(compress(old_entries, map(not_, map(new_ids.__contains__, map(id, old_entries)))))
    if (len(added) + len(gone)) * REGROUP_SHARE > max(len(entries), 256):
        return None
    known = frozenset(_kinds(config))
    touched: dict[tuple[str, str], list[Event]] = {}  # key -> its added events, file order
    for event in added:
        if type(event) is Event:
            if event.kind not in known:
                return None  # an error to report: _group does
            touched.setdefault(identity(event.company, event.title), []).append(event)
    gone_ids = set()
    for event in gone:
        if type(event) is Event:
            gone_ids.add(id(event))
            touched.setdefault(identity(event.company, event.title), [])
    old_groups = before._grouped[0]
    groups = dict(old_groups)
    emptied: list[tuple[str, str]] = []
    appended: list[tuple[tuple[int, tuple[str, str]], tuple[Event, ...]]] = []
    for key, new_events in touched.items():
        old_group = old_groups.get(key, ())
        events = [event for event in old_group if id(event) not in gone_ids] + new_events
        events.sort(key=_LINE)  # one file's slice: lines are in file order
        if not events:
            del groups[key]
            emptied.append(key)
        elif not old_group:
            appended.append(((events[0].position.line, key), tuple(events)))
        elif events[0].position.line == old_group[0].position.line:
            # Its first event is on the same line (parsed again, or the very same), and so
            # are those of the other groups: its place among them is the same.
            groups[key] = tuple(events)
        else:
            return None  # its first event moved: its place among the groups may too
    if appended:
        appended.sort(key=_FIRST)
        # The groups are in the order of their first events: the last one's is the latest.
        last_first = next(reversed(groups.values()))[0].position.line if groups else 0
        if appended[0][0][0] < last_first:
            return None  # a new application before another's first event: not at the end
        for (_, key), events_of in appended:
            groups[key] = events_of
    new_keys = [key for (_, key), _ in appended]
    return groups, _Delta(set(touched), emptied, new_keys)


_LINE = attrgetter("position.line")
_FIRST = itemgetter(0)


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


def _kinds(config: Config) -> list[str]:
    """Every kind an event may have: the stages, the outcomes and the note, in that order."""
    return [*(stage.key for stage in config.stages), *(o.key for o in config.outcomes), NOTE]


def _group(
    entries: Sequence[Entry], config: Config
) -> tuple[dict[tuple[str, str], tuple[Event, ...]], list[Diagnostic]]:
    kinds = _kinds(config)
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


_INDEX = itemgetter(2)
ROLE_TAG_CUTOFF = 0.8  # "#devrell" is a typo of the role devrel; "#remote" is just a tag
CLOSE_NAME_CUTOFF = 0.8
CLOSE_NAME_BUDGET = 20_000  # name comparisons at most (~15 µs each): a hint must not cost seconds


def _close_names(names: list[tuple[str, Event, int]], config: Config) -> list[Diagnostic]:
    """An application first seen past the base stage may be a typo of another one's name: look
    for a close name among the applications that started at or before the base stage. `names`:
    each application's folded name, first event, and the stage index of its kind (-1: none)."""
    base = config.base
    # Picked in C: 36,000 names are looked at on every save (watch).
    indexes = list(map(_INDEX, names))
    candidates = [(name, first) for name, first, _ in compress(names, map(base.__lt__, indexes))]
    if not candidates:
        return []
    by_length: dict[int, list[tuple[str, Event]]] = {}
    for name, first, _ in compress(names, map(range(base + 1).__contains__, indexes)):
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
