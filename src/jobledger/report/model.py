"""The report: every number jobledger shows, as typed, immutable values.

Markdown, HTML, JSON and the terminal all render this one value; none of them computes. The
JSON encoder (render/json.py) is the only place that turns it into plain data, following the
schema in docs/json.md.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum
from typing import Literal

from jobledger.ledger.model import Metadata, Outcome, Role, Stage
from jobledger.records import record
from jobledger.report.filters import NO_FILTERS, Filters
from jobledger.report.view import Status

REPORT_VERSION = 1  # bumped when a key of the JSON report changes meaning or goes away


def report_name(company: str, title: str | None) -> str:
    """An application as reports show it: 'Company — Title'. The ledger's 'Company | Title'
    would need escaping in every Markdown table."""
    return company if title is None else f"{company} — {title}"


@record
class Share:
    """A count and its share of a whole (None for 0/0)."""

    count: int
    share: float | None


# ---------------------------------------------------------------- funnel and statuses


@record
class FunnelStep:
    stage: Stage
    at: int  # applications whose current stage is this one
    reached: int  # applications whose highest stage is this one or later
    conversion: float | None  # reached / reached of the stage before; None for stage 0 or 0/0
    of_base: float | None  # reached / reached of the base stage; None before the base stage


@record
class StatusCounts:
    """How many applications stand where; the counts add up to `tracked`."""

    tracked: int
    active: int
    accepted: int
    ghosted_inferred: int
    outcomes: tuple[tuple[Outcome, int], ...]  # every declared outcome, in order


@record
class ExitRow:
    """At one stage: how many applications ended there, by outcome, and went silent there."""

    stage: Stage
    outcomes: tuple[tuple[Outcome, int], ...]
    inferred: int
    total: int  # ended or went silent here, all outcomes together


@record
class StageFlow:
    """Where the applications that reached one stage went: on to the next stage, out through an
    outcome, silent (inferred ghost), or still here. An application counts at the HIGHEST stage
    it reached, as the funnel counts it, so `inflow` is the funnel's reached(k) and every stage
    balances: inflow = forward + exits + inferred + stays. (The exit table counts an outcome at
    the stage the application was at when it ended; the two agree unless an application went
    back a stage, which the ledger warns about.)"""

    stage: Stage
    inflow: int
    forward: int  # on to the next stage: reached(k + 1)
    exits: tuple[tuple[Outcome, int], ...]
    inferred: int  # ghosted: silent longer than ghost-after, inferred, not written
    stays: int  # still here: active, or accepted at the last stage
    stays_label: str  # what staying means here: "Active", "Not applied yet" or "Accepted"

    @property
    def outflow(self) -> int:
        return self.forward + sum(count for _, count in self.exits) + self.inferred


@record
class Group:
    """The numbers of one role (or Other)."""

    role: Role
    counts: StatusCounts
    funnel: tuple[FunnelStep, ...]
    exits: tuple[ExitRow, ...]  # one per stage
    never_applied: Share
    applied: int  # reached the base stage
    replied: int  # of those, how many got a reply (see report/view.py, first_reply)

    @property
    def reply_rate(self) -> float | None:
        return None if self.applied == 0 else self.replied / self.applied


@record
class HeadlineStep:
    stage: Stage
    reached: int
    share: float | None  # of tracked


# ---------------------------------------------------------------- the Blueprint sheet's table


@record
class PipelineCell:
    count: int | None  # None in the average row, which has only fractions
    fraction: float | None  # a share of the row's applications, or a step conversion


@record
class PipelineColumn:
    key: str
    label: str
    stage: Stage | None  # None for "No progress"


@record
class PipelineRow:
    key: str
    label: str
    kind: Literal["role", "other", "group", "total", "average"]  # group: rows cut by --by
    tracked: int | None
    no_progress: PipelineCell  # fraction: share of the row's applications
    applied: PipelineCell  # the base stage; fraction: share of the row's applications
    steps: tuple[PipelineCell, ...]  # each later stage; fraction: step from the column before

    @property
    def cells(self) -> tuple[PipelineCell, ...]:
        return (self.no_progress, self.applied, *self.steps)

    @property
    def emphasised(self) -> bool:
        return self.kind in ("total", "average")


@record
class Pipeline:
    columns: tuple[PipelineColumn, ...]  # no progress, the base stage, then each later stage
    rows: tuple[PipelineRow, ...]  # each declared role, Other, total, average
    by: str = "role"  # what the rows are: role, source, tag or month

    @property
    def row_heading(self) -> str:
        return self.by.capitalize()


# ---------------------------------------------------------------- timing and activity


@record
class FirstReply:
    median_days: float | int | None
    days: tuple[int, ...]  # sorted

    @property
    def count(self) -> int:
        return len(self.days)

    @property
    def fastest(self) -> int | None:
        return self.days[0] if self.days else None

    @property
    def slowest(self) -> int | None:
        return self.days[-1] if self.days else None


@record
class StageTime:
    stage: Stage
    median_days: float | int | None
    count: int  # finished stays: applications that moved on from this stage


@record
class Timing:
    first_reply: FirstReply
    stages: tuple[StageTime, ...]  # every stage but the last

    @property
    def moved(self) -> tuple[StageTime, ...]:
        """The stages some application has moved on from."""
        return tuple(stage for stage in self.stages if stage.count)


@record
class Week:
    week: str  # ISO week, "2026-W06"
    start: date  # its Monday
    count: int  # applications that reached the base stage that week


@record
class Pace:
    """This week's applications against the weekly average of the weeks before it."""

    this_week: int  # reached the base stage in the week of the report date (Monday on)
    since: date  # that week's Monday
    weeks: int  # full weeks from the first week applied up to this one
    before: int  # applications in those weeks

    @property
    def average(self) -> float | None:
        return None if self.weeks == 0 else self.before / self.weeks


@record
class SourceRate:
    source: str  # as first spelled
    applied: int
    replied: int
    reply_rate: float | None


# ---------------------------------------------------------------- attention


class AttentionKind(StrEnum):
    UPCOMING = "upcoming"
    FOLLOW_UP = "follow-up"
    APPLY_OR_DROP = "apply-or-drop"


@record
class AttentionItem:
    kind: AttentionKind
    company: str
    title: str | None
    stage: Stage | None  # follow-up and apply-or-drop: the current stage
    event: str | None  # upcoming: the scheduled event's kind
    event_label: str | None  # and its label ("Phone Interview", "Note")
    date: date  # upcoming: when; follow-up: last heard; apply-or-drop: first tracked
    days: int  # until it (upcoming) or since then
    comment: str | None = None  # upcoming: the scheduled event's end-of-line comment
    meta: tuple[tuple[str, str], ...] = ()  # upcoming: its own metadata lines (`time: 14:30`)

    @property
    def name(self) -> str:
        return report_name(self.company, self.title)


@record
class Attention:
    upcoming: tuple[AttentionItem, ...]  # soonest first
    follow_up: tuple[AttentionItem, ...]  # longest silent first
    apply_or_drop: tuple[AttentionItem, ...]  # longest waiting first
    # Calls, interviews and notes dated the report date itself: they count as happened (they
    # are not scheduled), but they are today's business. Not in `items`: the report lists
    # them with the application's history; `todo` shows them first.
    today: tuple[AttentionItem, ...] = ()

    @property
    def items(self) -> tuple[AttentionItem, ...]:
        return (*self.upcoming, *self.follow_up, *self.apply_or_drop)


# ---------------------------------------------------------------- applications


@record
class HistoryItem:
    date: date
    kind: str
    comment: str | None = None  # the event's end-of-line comment


@record
class ApplicationRow:
    company: str
    title: str | None
    role: Role
    tags: tuple[str, ...]
    meta: Metadata  # without the keys made private
    stage: Stage
    highest: Stage
    status: Status
    outcome_stage: Stage | None
    first_date: date
    last_date: date
    history: tuple[HistoryItem, ...]  # events up to the report date

    @property
    def name(self) -> str:
        return report_name(self.company, self.title)

    @property
    def commented(self) -> tuple[HistoryItem, ...]:
        """The events of its history that carry a comment."""
        return tuple(item for item in self.history if item.comment)

    @property
    def status_text(self) -> str:
        """'active', 'accepted', 'rejected at Phone screen', 'ghosted (inferred)'."""
        if self.status.inferred:
            return "ghosted (inferred)"
        if self.outcome_stage is not None:
            return f"{self.status.key} at {self.outcome_stage.milestone}"
        return self.status.key


# ---------------------------------------------------------------- the report


@record
class Options:
    ghost_after: int
    follow_up_after: int
    base: Stage


@record
class Report:
    as_of: date
    title: str
    options: Options
    stages: tuple[Stage, ...]
    outcomes: tuple[Outcome, ...]
    roles: tuple[Role, ...]  # declared, without Other
    totals: StatusCounts
    scheduled: int  # events after the report date
    never_applied: Share
    funnel: tuple[FunnelStep, ...]
    headline: tuple[HeadlineStep, ...]
    exits: tuple[ExitRow, ...]  # one per stage
    flows: tuple[StageFlow, ...]  # one per stage
    groups: tuple[Group, ...]  # each declared role, then Other
    pipeline: Pipeline
    timing: Timing
    activity: tuple[Week, ...]
    sources: tuple[SourceRate, ...]
    attention: Attention
    applications: tuple[ApplicationRow, ...]
    insights: tuple[str, ...] = ()  # written from the numbers by report/insights.py
    filters: Filters = NO_FILTERS  # which applications the report is about
    version: int = REPORT_VERSION

    @property
    def endings(self) -> tuple[ExitRow, ...]:
        """The exit rows of the stages where something ended."""
        return tuple(row for row in self.exits if row.total)

    @property
    def groups_with_applications(self) -> tuple[Group, ...]:
        return tuple(group for group in self.groups if group.counts.tracked)

    @property
    def applied_total(self) -> int:
        """Applications counted in the weekly activity."""
        return sum(week.count for week in self.activity)

    @property
    def has_comments(self) -> bool:
        return any(app.commented for app in self.applications)

    @property
    def week_count(self) -> int:
        """Weeks the weekly activity spans."""
        return len(self.activity)

    @property
    def pace(self) -> Pace | None:
        """This week against the weeks before it, counted from the weekly activity (quiet weeks
        included, even those the activity table leaves out); None before anything was applied."""
        if not self.activity:
            return None
        monday = self.as_of - timedelta(days=self.as_of.weekday())
        this_week = sum(week.count for week in self.activity if week.start == monday)
        before = sum(week.count for week in self.activity if week.start < monday)
        weeks = max(0, (monday - self.activity[0].start).days // 7)
        return Pace(this_week, monday, weeks, before)
