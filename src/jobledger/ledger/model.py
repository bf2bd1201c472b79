"""Immutable data passed between the stages: entries from the parser, the ledger's configuration."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from jobledger.ledger.diagnostics import Position

DeclarationKind = Literal["stage", "outcome", "role"]


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
class Declaration:
    position: Position
    what: DeclarationKind
    key: str
    label: str
    key_column: int = 0
    comment: str | None = None  # the end-of-line comment, as for events


@dataclass(frozen=True, slots=True)
class Include:
    position: Position
    pattern: str
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class Option:
    position: Position
    name: str
    value: str
    quoted: bool
    value_column: int = 0
    name_column: int = 0
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class Comment:
    """A comment that belongs to no event or directive, kept so `fmt` can write it back: a comment
    line (`; …` or `# …`, at column 0 or indented), or the end-of-line comment of a metadata line
    (metadata are plain `(key, value)` pairs). Blank lines are not entries."""

    position: Position  # a comment line: where its ';' or '#' is; trailing: where the ';' is
    text: str  # a comment line: the line without indentation or trailing blanks ('; text')
    # trailing: the text after ';', stripped, as for Event.comment
    trailing: bool = False  # at the end of a metadata line (the line at `position`)


Entry = Event | Declaration | Include | Option | Comment


@dataclass(frozen=True, slots=True)
class Stage:
    key: str
    label: str
    index: int


@dataclass(frozen=True, slots=True)
class Outcome:
    key: str
    label: str


@dataclass(frozen=True, slots=True)
class Role:
    key: str
    label: str


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

DEFAULT_OUTCOMES: tuple[tuple[str, str], ...] = (
    ("rejected", "Rejected"),
    ("withdrawn", "Withdrawn"),
    ("ghosted", "Ghosted"),
    ("declined", "Declined"),
)

NOTE = "note"


def display_name(company: str, title: str | None) -> str:
    """How reports and messages name an application: 'Company' or 'Company | Title'."""
    return company if title is None else f"{company} | {title}"


OTHER_ROLE = "other"
OTHER_LABEL = "Other"


@dataclass(frozen=True, slots=True)
class Config:
    title: str
    stages: tuple[Stage, ...]
    outcomes: tuple[Outcome, ...]
    roles: tuple[Role, ...]
    ghost_after: int
    follow_up_after: int
    base: int  # index of the base stage

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

    def stage_index(self, key: str) -> int | None:
        for stage in self.stages:
            if stage.key == key:
                return stage.index
        return None
