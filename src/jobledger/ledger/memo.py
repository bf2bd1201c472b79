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

from collections.abc import Callable, Hashable
from typing import Any


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

    def get_or_make(self, key: Hashable, make: Callable[..., Any], *args: Any) -> Any:
        """What is kept for `key`, or `make(*args)`, then kept. The value must hold the object
        `key` names (an identity), so that the identity is not reused while it is kept."""
        found = self.get(key)
        if found is None:
            found = make(*args)
            self._current[key] = found
        return found


class ReduceMemo:
    """The reducer's last build (ledger/reducer.py): its configuration and slices, each
    application's reduction by key, and the applications in order. A save changes one slice:
    only the applications with an event in it are looked at again."""

    def __init__(self) -> None:
        self.config: Any = None
        self.read: list[Any] = []
        self.by_key: dict[Any, Any] = {}
        self.ordered: list[Any] = []
        self.hits = 0  # for tests and benchmarks
        self.misses = 0

    def remember(
        self, config: Any, read: list[Any], by_key: dict[Any, Any], ordered: list[Any]
    ) -> None:
        self.config, self.read, self.by_key, self.ordered = config, read, by_key, ordered


class Memos:
    """One memo per stage: the slices of files the reducer went through, the reducer's
    applications, the view's, the report's rows, and those rows as Markdown cells and HTML."""

    def __init__(self) -> None:
        self.slices = Memo()
        self.reduce = ReduceMemo()
        self.view = Memo()
        self.rows = Memo()
        self.markdown = Memo()
        self.html = Memo()
