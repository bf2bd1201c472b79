"""What needs the job seeker today: what is coming up, who to follow up with, and what was
never applied to."""

from __future__ import annotations

from jobledger.report.model import Attention, AttentionItem, AttentionKind
from jobledger.report.view import Standing, View


def compute_attention(view: View) -> Attention:
    config, as_of = view.config, view.as_of
    follow_up: list[AttentionItem] = []
    apply_or_drop: list[AttentionItem] = []
    for app in view.applications:
        # Something already booked (a call, an interview) is not a silence to chase.
        if app.status.standing is not Standing.ACTIVE or app.scheduled:
            continue
        application, stage = app.application, app.stage
        silent = (as_of - app.last_heard).days  # the seeker's own notes are not word from them
        waiting = (as_of - app.first_date).days
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

    def longest_first(item: AttentionItem) -> tuple[int, str]:
        return (-item.days, item.company.casefold())

    return Attention(
        upcoming=upcoming,
        follow_up=tuple(sorted(follow_up, key=longest_first)),
        apply_or_drop=tuple(sorted(apply_or_drop, key=longest_first)),
    )
