"""The ledger's data: entries from the parser, the configuration they declare, and the ledger
itself, every application with its full history. Nothing here knows what day it is: "today" is
an input of the report (report/view.py), never part of the ledger."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Literal

from jobledger.ledger.diagnostics import Position
from jobledger.records import record

DeclarationKind = Literal["stage", "outcome", "role"]


@record
class Event:
    position: Position
    date: date
    kind: str
    company: str
    title: str | None
    tags: tuple[str, ...] = ()
    tag_columns: tuple[int, ...] = ()  # where each tag's '#' is, for carets
    meta: tuple[tuple[str, str], ...] = ()
    kind_column: int = 0  # where KIND starts, for "unknown kind" carets
    comment: str | None = None  # the end-of-line comment: the text after ' ;', stripped
    # The APPLICATION as written, kept only when a part is double-quoted (so `fmt` can keep the
    # quotes and escapes as typed); None when both parts are bare.
    raw_application: str | None = None
    name_column: int = 0  # where the APPLICATION starts, for carets about the name


@record
class Declaration:
    position: Position
    what: DeclarationKind
    key: str
    label: str
    key_column: int = 0
    milestone: str | None = None  # a stage's second label: "Phone screen"
    milestone_column: int = 0
    comment: str | None = None  # the end-of-line comment, as for events


@record
class Include:
    position: Position
    pattern: str
    comment: str | None = None


@record
class Option:
    position: Position
    name: str
    value: str
    quoted: bool
    value_column: int = 0
    name_column: int = 0
    comment: str | None = None


@record
class Comment:
    """A comment that belongs to no event or directive, kept so `fmt` can write it back: a comment
    line (`; …` or `# …`, at column 0 or indented), or the end-of-line comment of a metadata line
    (metadata are plain `(key, value)` pairs). Blank lines are not entries."""

    position: Position  # a comment line: where its ';' or '#' is; trailing: where the ';' is
    text: str  # a comment line: the line without indentation or trailing blanks ('; text')
    # trailing: the text after ';', stripped, as for Event.comment
    trailing: bool = False  # at the end of a metadata line (the line at `position`)


Entry = Event | Declaration | Include | Option | Comment


@record
class Stage:
    key: str
    label: str  # the state: "Applied, No Reply", as the Blueprint sheet names it
    index: int
    milestone: str  # what reaching it is called: "Applied"; the label when not declared


@record
class Outcome:
    key: str
    label: str


@record
class Role:
    key: str
    label: str


OTHER = Role("other", "Other")  # untagged applications


DEFAULT_STAGES: tuple[tuple[str, str], ...] = (
    ("wishlist", "Never Applied"),
    ("applied", "Applied, No Reply"),
    ("response", "Response, No Interview Yet"),
    ("phone", "Phone Interview"),
    ("interview", "Job Interview"),
    ("second", "Second Interview"),
    ("offer", "Job Offer"),
    ("accepted", "Accepted"),
)
# The labels name states, as the sheet does; the funnel names milestones: "Applied: 11", not
# "Applied, No Reply: 11". Reaching `response` is a positive reply: a "reply" alone counts a
# rejection too (report/view.py, first_reply), and one word must not mean two numbers.
DEFAULT_MILESTONES: dict[str, str] = {
    "wishlist": "Tracked",
    "applied": "Applied",
    "response": "Positive reply",
    "phone": "Phone screen",
    "interview": "Interview",
    "second": "Second interview",
    "offer": "Offer",
    "accepted": "Accepted",
}

DEFAULT_OUTCOMES: tuple[tuple[str, str], ...] = (
    ("rejected", "Rejected"),
    ("withdrawn", "Withdrawn"),
    ("ghosted", "Ghosted"),
    ("declined", "Declined"),
)

NOTE = "note"

# Words a stage, outcome or role key may not be: each already means something to jobledger.
# `note` is a kind; `active` (and `accepted`, for an outcome) a status, which shares the JSON's
# `status` field with outcome keys; `other` the bucket of untagged applications; `total` and
# `average` rows and `no_progress` a column of the pipeline table.
RESERVED_KEYS: dict[str, str] = {
    NOTE: "a kind: a dated note on an application",
    "active": "a status: still in the running",
    "other": "the role of applications without a role tag",
    "total": "a row of the pipeline table",
    "average": "a row of the pipeline table",
    "no_progress": "a column of the pipeline table",
}
RESERVED_OUTCOME_KEYS: dict[str, str] = {"accepted": "a status: at the last stage"}


def display_name(company: str, title: str | None) -> str:
    """How reports and messages name an application: 'Company' or 'Company | Title'."""
    return company if title is None else f"{company} | {title}"


@record
class Config:
    title: str
    stages: tuple[Stage, ...]
    outcomes: tuple[Outcome, ...]
    roles: tuple[Role, ...]
    ghost_after: int
    follow_up_after: int
    base: int  # index of the base stage
    private: tuple[str, ...] = ()  # metadata keys left out of every output, case-folded

    @property
    def last(self) -> int:
        return len(self.stages) - 1

    @property
    def waiting_end(self) -> int:
        """Stages in [base, waiting_end) wait on the employer: the offer stage, else the last."""
        for stage in self.stages:
            if stage.key == "offer":
                return stage.index
        return self.last

    @property
    def base_stage(self) -> Stage:
        return self.stages[self.base]

    def label_of(self, kind: str) -> str:
        """What an event of this kind is called: a stage's milestone ("Phone screen"), an
        outcome's label; a note is a "Note"."""
        for stage in self.stages:
            if stage.key == kind:
                return stage.milestone
        for outcome in self.outcomes:
            if outcome.key == kind:
                return outcome.label
        return kind.capitalize()


@record
class Metadata:
    """An application's `key: value` lines. Keys match case-insensitively and keep their first
    spelling (`Source:` and `source:` are one key); the last value written wins. A key that is
    not there reads as "" (a template asking for `salary` gets nothing, not an error)."""

    pairs: tuple[tuple[str, str], ...] = ()

    def get(self, key: str, default: str = "") -> str:
        folded = key.casefold()
        for name, value in self.pairs:
            if name.casefold() == folded:
                return value
        return default

    def __getitem__(self, key: str) -> str:
        return self.get(key)

    def __getattr__(self, key: str) -> str:
        if key.startswith("__"):
            raise AttributeError(key)
        return self.get(key)

    def items(self) -> tuple[tuple[str, str], ...]:
        return self.pairs

    def keys(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.pairs)

    def __iter__(self) -> Iterator[str]:  # as a mapping iterates: its keys
        return iter(self.keys())

    def __bool__(self) -> bool:
        return bool(self.pairs)

    def __len__(self) -> int:
        return len(self.pairs)

    def without(self, keys: frozenset[str]) -> Metadata:
        """Leave out these (case-folded) keys."""
        return Metadata(tuple((k, v) for k, v in self.pairs if k.casefold() not in keys))


@record
class Application:
    """One application and everything that happened to it, in date order (same-date events in
    file order). Its events are only the valid ones: an unknown kind or an event after an
    outcome is an error, reported by the reducer and left out here."""

    company: str  # as spelled in its earliest event
    title: str | None
    role: Role  # from a role tag; OTHER without one
    tags: tuple[str, ...]  # first spelling of each, in order of appearance
    meta: Metadata
    events: tuple[Event, ...]

    @property
    def name(self) -> str:
        return display_name(self.company, self.title)


@record
class Ledger:
    """Every application, ordered by its first event, with the configuration."""

    config: Config
    applications: tuple[Application, ...]
