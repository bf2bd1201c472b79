"""How far applications got: the funnel, where they stand, where they stopped, and the flows
between stages that the Sankey diagram draws."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from jobledger.ledger.model import Config, Role
from jobledger.report.model import ExitRow, FunnelStep, Group, Share, StageFlow, StatusCounts
from jobledger.report.numbers import ratio
from jobledger.report.view import ApplicationState, Profile, Standing

Profiles = Counter[Profile]


def profiles(apps: Iterable[ApplicationState]) -> Profiles:
    """How many applications stand each way (see ApplicationState.profile): every count of the
    funnel, the statuses and the exits is a sum over these, a few hundred at most however many
    applications there are."""
    return Counter([app.profile for app in apps])


def compute_funnel(profiles: Profiles, config: Config) -> tuple[FunnelStep, ...]:
    """reached(k): applications whose highest stage is k or later, counted from the history,
    not from where they stand now."""
    at: Counter[int] = Counter()
    highest: Counter[int] = Counter()
    for profile, count in profiles.items():
        at[profile.stage] += count
        highest[profile.highest] += count
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


def count_statuses(profiles: Profiles, config: Config) -> StatusCounts:
    standing: Counter[Standing] = Counter()
    ended: Counter[str] = Counter()
    for profile, count in profiles.items():
        standing[profile.standing] += count
        if profile.outcome is not None:
            ended[profile.outcome] += count
    return StatusCounts(
        tracked=profiles.total(),
        active=standing[Standing.ACTIVE],
        accepted=standing[Standing.ACCEPTED],
        ghosted_inferred=standing[Standing.SILENT],
        outcomes=tuple((outcome, ended[outcome.key]) for outcome in config.outcomes),
    )


def compute_exits(profiles: Profiles, config: Config) -> tuple[ExitRow, ...]:
    """Where the no's happen: each ending counted at the stage the application was at."""
    ended: Counter[tuple[int, str]] = Counter()
    silent: Counter[int] = Counter()
    for profile, count in profiles.items():
        if profile.outcome is not None and profile.outcome_stage is not None:
            ended[profile.outcome_stage, profile.outcome] += count
        elif profile.standing is Standing.SILENT:
            silent[profile.stage] += count
    rows = []
    for stage in config.stages:
        counts = tuple((o, ended[stage.index, o.key]) for o in config.outcomes)
        inferred = silent[stage.index]
        total = sum(count for _, count in counts) + inferred
        rows.append(ExitRow(stage, counts, inferred, total))
    return tuple(rows)


def never_applied(profiles: Profiles, config: Config) -> Share:
    count = sum(n for profile, n in profiles.items() if profile.highest < config.base)
    return Share(count, ratio(count, profiles.total()))


def compute_group(role: Role, apps: Sequence[ApplicationState], config: Config) -> Group:
    return group_of(role, profiles(apps), config)


def group_of(role: Role, profiles: Profiles, config: Config) -> Group:
    return Group(
        role=role,
        counts=count_statuses(profiles, config),
        funnel=compute_funnel(profiles, config),
        exits=compute_exits(profiles, config),
        never_applied=never_applied(profiles, config),
        applied=sum(n for profile, n in profiles.items() if profile.applied),
        replied=sum(n for profile, n in profiles.items() if profile.replied),
    )


def stays_label(stage: int, config: Config) -> str:
    if stage == config.last:
        return "Accepted"
    return "Not applied yet" if stage < config.base else "Active"


def compute_flows(
    profiles: Profiles, funnel: Sequence[FunnelStep], config: Config
) -> tuple[StageFlow, ...]:
    """Per-stage flows: reached(k) from the funnel, and how those that stopped at k (their
    highest stage) stand now."""
    ended: Counter[tuple[int, str]] = Counter()
    inferred: Counter[int] = Counter()
    stays: Counter[int] = Counter()
    for profile, count in profiles.items():
        k = profile.highest
        if profile.outcome is not None:
            ended[k, profile.outcome] += count
        elif profile.standing is Standing.SILENT:
            inferred[k] += count
        else:
            stays[k] += count
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
