"""Results per application, kept from one build of `watch` to the next.

A save changes one file; most applications keep the very same Event objects (the loader's cache
in memory gives them back), so what was computed from them alone can be reused: the reducer's
step for one application, the application's state at the report date, its row in the report.
Keys are object identities; each value holds the objects its key names, so an identity cannot be
reused by another object while it is remembered. A build keeps what it used and drops the rest;
anything that depends on more than the one application (the configuration, the report date) is
part of the generation, and a change of it forgets everything.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from itertools import compress
from operator import itemgetter, not_
from typing import Any, TypeVar

_T = TypeVar("_T")
_V = TypeVar("_V")
_VALUE = itemgetter(1)


class Memo:
    def __init__(self) -> None:
        self.generation: Hashable = None
        self._previous: dict[Hashable, Any] = {}
        self._current: dict[Hashable, Any] = {}
        self.hits = 0  # for tests and benchmarks
        self.misses = 0

    def start(self, generation: Hashable) -> None:
        """A new build: what the last one used is what this one may find. A different
        `generation` (configuration, date) forgets everything."""
        if generation != self.generation:
            self._previous, self._current = {}, {}
            self.generation = generation
        else:
            self._previous, self._current = self._current, {}

    def get(self, key: Hashable) -> Any:
        found = self._current.get(key)
        if found is None:
            found = self._previous.get(key)
            if found is None:
                self.misses += 1
                return None
            self._current[key] = found
        self.hits += 1
        return found

    def put(self, key: Hashable, value: Any) -> None:
        self._current[key] = value


class ObjectMemo:
    """A value made from each of a build's objects (applications, their states, their rows),
    by identity: the value made for the very same object in an earlier build is reused."""

    def __init__(self) -> None:
        self.generation: Hashable = None
        self._kept: dict[int, tuple[Any, Any]] = {}  # id(object) -> (object, value)
        self.hits = 0  # for tests and benchmarks
        self.misses = 0

    def start(self, generation: Hashable) -> None:
        """A new build; a different `generation` (configuration, date) forgets everything."""
        if generation != self.generation:
            self._kept = {}
            self.generation = generation

    def each(self, objects: Sequence[_T], make: Callable[[_T], _V]) -> list[_V]:
        """`make(o)` for each of `objects`, or the value kept for `o`. The whole build's use of
        the memo in one call, so that the look-ups run at C speed (36,000 of them in a few ms
        on a save), and only the misses in Python."""
        keys = list(map(id, objects))
        kept = self._kept
        found: list[tuple[_T, _V] | None] = list(map(kept.get, keys))
        missed = 0
        if not all(found):  # a pair is never false: only a miss (None) is
            for at in compress(range(len(found)), map(not_, found)):
                subject = objects[at]
                found[at] = kept[keys[at]] = (subject, make(subject))
                missed += 1
        # What no build uses any more (an application before its save) is let go once it is
        # a fifth of what is kept; until then it holds its object, so its id is not reused.
        if len(kept) * 4 > len(keys) * 5 + 256:
            self._kept = dict(zip(keys, found, strict=True))  # type: ignore[arg-type]
        self.hits += len(keys) - missed
        self.misses += missed
        return list(map(_VALUE, found))  # type: ignore[arg-type]


class ReduceMemo:
    """The reducer's last build (ledger/reducer.py): its configuration and slices, each
    application's reduction by key, and the applications in order. A save changes one slice:
    only the applications with an event in it are looked at again."""

    def __init__(self) -> None:
        self.config: Any = None
        self.read: list[Any] = []
        self.by_key: dict[Any, Any] = {}
        self.ordered: list[Any] = []
        self.flagged: dict[Any, Any] = {}  # the reductions with diagnostics, by key
        self.candidates: set[Any] = set()  # the keys of names that may be typos
        self.hits = 0  # for tests and benchmarks
        self.misses = 0

    def remember(
        self,
        config: Any,
        read: list[Any],
        by_key: dict[Any, Any],
        ordered: list[Any],
        flagged: dict[Any, Any],
        candidates: set[Any],
    ) -> None:
        self.config, self.read, self.by_key, self.ordered = config, read, by_key, ordered
        self.flagged, self.candidates = flagged, candidates


class Memos:
    """One memo per stage: the slices of files the reducer went through, the reducer's
    applications, the view's, the report's rows, and those rows as Markdown cells (and their
    lines in its two big tables) and HTML."""

    def __init__(self) -> None:
        self.slices = Memo()
        self.reduce = ReduceMemo()
        self.view = ObjectMemo()
        self.rows = ObjectMemo()
        self.markdown = ObjectMemo()
        self.markdown_lines = (ObjectMemo(), ObjectMemo())  # applications, comments
        self.html = ObjectMemo()
