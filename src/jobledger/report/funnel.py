"""How far applications got: the funnel, where they stand, where they stopped, and the flows
between stages that the Sankey diagram draws."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from jobledger.ledger.model import Config, Role
from jobledger.report.model import ExitRow, FunnelStep, Group, Share, StageFlow, StatusCounts
from jobledger.report.numbers import ratio
from jobledger.report.view import ApplicationState, Standing


def compute_funnel(apps: Sequence[ApplicationState], config: Config) -> tuple[FunnelStep, ...]:
    """reached(k): applications whose highest stage is k or later, counted from the history,
    not from where they stand now."""
    at = Counter(app.stage.index for app in apps)
    highest = Counter(app.highest.index for app in apps)
    reached = [0] * len(config.stages)
    running = 0
    for stage in reversed(config.stages):
        running += highest[stage.index]
        reached[stage.index] = running
    base_count = reached[config.base]
    return tuple(
        FunnelStep(
            stage=stage,
            at=at[stage.index],
            reached=reached[stage.index],
            conversion=ratio(reached[stage.index], reached[stage.index - 1])
            if stage.index > 0
            else None,
            of_base=ratio(reached[stage.index], base_count) if stage.index >= config.base else None,
        )
        for stage in config.stages
    )


def count_statuses(apps: Sequence[ApplicationState], config: Config) -> StatusCounts:
    standing = Counter(app.status.standing for app in apps)
    ended = Counter(app.status.outcome for app in apps if app.status.outcome is not None)
    return StatusCounts(
        tracked=len(apps),
        active=standing[Standing.ACTIVE],
        accepted=standing[Standing.ACCEPTED],
        ghosted_inferred=standing[Standing.SILENT],
        outcomes=tuple((outcome, ended[outcome]) for outcome in config.outcomes),
    )


def compute_exits(apps: Sequence[ApplicationState], config: Config) -> tuple[ExitRow, ...]:
    """Where the no's happen: each ending counted at the stage the application was at."""
    ended: Counter[tuple[int, str]] = Counter()
    silent: Counter[int] = Counter()
    for app in apps:
        if app.status.outcome is not None and app.outcome_stage is not None:
            ended[app.outcome_stage.index, app.status.outcome.key] += 1
        elif app.status.inferred:
            silent[app.stage.index] += 1
    rows = []
    for stage in config.stages:
        counts = tuple((o, ended[stage.index, o.key]) for o in config.outcomes)
        inferred = silent[stage.index]
        total = sum(count for _, count in counts) + inferred
        rows.append(ExitRow(stage, counts, inferred, total))
    return tuple(rows)


def never_applied(apps: Sequence[ApplicationState], config: Config) -> Share:
    count = sum(1 for app in apps if app.highest.index < config.base)
    return Share(count, ratio(count, len(apps)))


def compute_group(role: Role, apps: Sequence[ApplicationState], config: Config) -> Group:
    return Group(
        role=role,
        counts=count_statuses(apps, config),
        funnel=compute_funnel(apps, config),
        exits=compute_exits(apps, config),
        never_applied=never_applied(apps, config),
        applied=sum(1 for app in apps if app.applied is not None),
        replied=sum(1 for app in apps if app.replied),
    )


def stays_label(stage: int, config: Config) -> str:
    if stage == config.last:
        return "Accepted"
    return "Not applied yet" if stage < config.base else "Active"


def compute_flows(
    apps: Sequence[ApplicationState], funnel: Sequence[FunnelStep], config: Config
) -> tuple[StageFlow, ...]:
    """Per-stage flows: reached(k) from the funnel, and how those that stopped at k (their
    highest stage) stand now."""
    ended: Counter[tuple[int, str]] = Counter()
    inferred: Counter[int] = Counter()
    stays: Counter[int] = Counter()
    for app in apps:
        k = app.highest.index
        if app.status.outcome is not None:
            ended[k, app.status.outcome.key] += 1
        elif app.status.inferred:
            inferred[k] += 1
        else:
            stays[k] += 1
    last = config.last
    return tuple(
        StageFlow(
            stage=step.stage,
            inflow=step.reached,
            forward=funnel[k + 1].reached if k < last else 0,
            exits=tuple((o, ended[k, o.key]) for o in config.outcomes),
            inferred=inferred[k],
            stays=stays[k],
            stays_label=stays_label(k, config),
        )
        for k, step in enumerate(funnel)
    )
