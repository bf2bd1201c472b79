"""What needs the job seeker today: what is coming up, who to follow up with, and what was
never applied to."""

from __future__ import annotations

from functools import partial
from itertools import compress
from operator import attrgetter, eq, is_, itemgetter

from jobledger.ledger.model import NOTE
from jobledger.report.model import Attention, AttentionItem, AttentionKind
from jobledger.report.view import Standing, View


def compute_attention(view: View) -> Attention:
    config, as_of = view.config, view.as_of
    stages = {stage.key: stage.index for stage in config.stages}
    follow_up: list[AttentionItem] = []
    apply_or_drop: list[AttentionItem] = []
    apps = view.applications
    # Picked in C: an active application with nothing booked (a call, an interview is not a
    # silence to chase); a Python loop over 36,000 applications cost 20 ms a save.
    active = compress(apps, map(_IS_ACTIVE, map(_STANDING, apps)))
    for app in active:
        if app.scheduled:
            continue
        application, stage = app.application, app.stage
        silent = (as_of - app.last_heard).days  # the seeker's own notes are not word from them
        if config.base <= stage.index < config.waiting_end and silent >= config.follow_up_after:
            follow_up.append(
                AttentionItem(
                    AttentionKind.FOLLOW_UP,
                    application.company,
                    application.title,
                    stage,
                    None,
                    None,
                    app.last_heard,
                    silent,
                )
            )
        elif (
            stage.index == 0
            and (waiting := (as_of - app.first_date).days) >= config.follow_up_after
        ):
            apply_or_drop.append(
                AttentionItem(
                    AttentionKind.APPLY_OR_DROP,
                    application.company,
                    application.title,
                    stage,
                    None,
                    None,
                    app.first_date,
                    waiting,
                )
            )
    upcoming = tuple(
        AttentionItem(
            AttentionKind.UPCOMING,
            item.application.company,
            item.application.title,
            None,
            item.event.kind,
            config.label_of(item.event.kind),
            item.event.date,
            (item.event.date - as_of).days,
            item.event.comment,
            item.event.meta,
        )
        for item in view.upcoming
    )
    # Today's calls, interviews and reminders: dated the report date, so not scheduled. The
    # history ends at the date: only its last event can be on it.
    last_dates = map(_DATE, map(_LAST, map(_HISTORY, apps)))
    ending_today = compress(apps, map(partial(eq, as_of), last_dates))
    today = tuple(
        AttentionItem(
            AttentionKind.UPCOMING,
            app.application.company,
            app.application.title,
            None,
            event.kind,
            config.label_of(event.kind),
            event.date,
            0,
            event.comment,
        )
        for app in ending_today
        for event in app.history
        if event.date == as_of and _business(event.kind, config.base, config.waiting_end, stages)
    )

    def longest_first(item: AttentionItem) -> tuple[int, str]:
        return (-item.days, item.company.casefold())

    return Attention(
        upcoming=upcoming,
        follow_up=tuple(sorted(follow_up, key=longest_first)),
        apply_or_drop=tuple(sorted(apply_or_drop, key=longest_first)),
        today=today,
    )


_STANDING = attrgetter("status.standing")
_IS_ACTIVE = partial(is_, Standing.ACTIVE)
_HISTORY = attrgetter("history")
_LAST = itemgetter(-1)
_DATE = attrgetter("date")


def _business(kind: str, base: int, waiting_end: int, stages: dict[str, int]) -> bool:
    """Is an event of this kind something to attend to on its day: a note (a reminder), or a
    stage after the base one and before the offer (a reply to answer, a call, an interview)?"""
    return kind == NOTE or base < stages.get(kind, -1) < waiting_end
