"""Directives and options -> the ledger's configuration: its stages, outcomes, roles and options."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from jobledger.ledger.diagnostics import Diagnostic, Position, error, warning
from jobledger.ledger.model import (
    DEFAULT_MILESTONES,
    DEFAULT_OUTCOMES,
    DEFAULT_STAGES,
    RESERVED_KEYS,
    RESERVED_OUTCOME_KEYS,
    Config,
    Declaration,
    Entry,
    Option,
    Outcome,
    Role,
    Stage,
)
from jobledger.ledger.suggest import closest, shorten

OPTIONS = ("title", "ghost-after", "follow-up-after", "base-stage", "private")
DEFAULT_GHOST_AFTER = 30
DEFAULT_FOLLOW_UP_AFTER = 7
MAX_DAYS = 36_500  # a hundred years: anything more is a typo


def resolve_config(entries: Iterable[Entry]) -> tuple[Config, list[Diagnostic]]:
    diagnostics: list[Diagnostic] = []
    declared: dict[str, Declaration] = {}
    groups: dict[str, list[Declaration]] = {"stage": [], "outcome": [], "role": []}
    options: list[Option] = []  # every occurrence: a bad value is an error even if set again
    named: set[str] = set()
    for entry in entries:
        if isinstance(entry, Declaration):
            where = Position(entry.position.path, entry.position.line, entry.key_column)
            reserved = RESERVED_KEYS.get(entry.key)
            if reserved is None and entry.what == "outcome":
                reserved = RESERVED_OUTCOME_KEYS.get(entry.key)
            if reserved is not None:
                diagnostics.append(
                    error(
                        "JL201",
                        f"'{entry.key}' is reserved and cannot be declared as a {entry.what}",
                        where,
                        hint=f"'{entry.key}' is {reserved}; pick another key",
                    )
                )
                continue
            first = declared.get(entry.key)
            if first is not None:
                at = f"{first.position.path}:{first.position.line}"
                message = (
                    f"duplicate {entry.what} '{entry.key}'"
                    if first.what == entry.what
                    else f"'{entry.key}' is already declared as a {first.what}"
                )
                diagnostics.append(
                    error("JL202", message, where, hint=f"first declared at {at}; keys are unique")
                )
                continue
            if entry.milestone is not None and entry.what != "stage":
                diagnostics.append(
                    error(
                        "JL112",
                        f"only a stage has a second label (its milestone name), not a {entry.what}",
                        Position(entry.position.path, entry.position.line, entry.milestone_column),
                        hint=f'{entry.what} {entry.key} "{entry.label}"',
                    )
                )
            declared[entry.key] = entry
            groups[entry.what].append(entry)
        elif isinstance(entry, Option):
            if entry.name not in OPTIONS:
                guess = closest(entry.name, OPTIONS)
                diagnostics.append(
                    error(
                        "JL210",
                        f"unknown option '{shorten(entry.name)}'",
                        Position(entry.position.path, entry.position.line, entry.name_column),
                        hint=f"did you mean '{guess}'?"
                        if guess
                        else "options: " + ", ".join(OPTIONS),
                    )
                )
                continue
            if entry.name in named:
                diagnostics.append(
                    warning(
                        "JL212",
                        f"option '{entry.name}' set again; the last one wins",
                        entry.position,
                    )
                )
            named.add(entry.name)
            options.append(entry)

    stages = _pairs(groups["stage"], DEFAULT_STAGES)
    outcomes = _pairs(groups["outcome"], DEFAULT_OUTCOMES)
    # Defaults fill in for what was not declared; they must not collide with what was.
    for what, used, defaults in (
        ("stage", groups["stage"], DEFAULT_STAGES),
        ("outcome", groups["outcome"], DEFAULT_OUTCOMES),
    ):
        if used:
            continue
        for key, _ in defaults:
            if key in declared:
                clash = declared[key]
                diagnostics.append(
                    error(
                        "JL202",
                        f"'{key}' is already a default {what}",
                        Position(clash.position.path, clash.position.line, clash.key_column),
                        hint=f"declare the {what}s too, or pick another key",
                    )
                )
    if len(stages) < 2:
        first = groups["stage"][0]
        diagnostics.append(
            error(
                "JL203",
                "a funnel needs at least two stages",
                first.position,
                hint="declare the stages in order, e.g. wishlist, applied, …",
            )
        )
        stages = list(DEFAULT_STAGES)
    milestones = (
        {d.key: d.milestone for d in groups["stage"] if d.milestone}
        if groups["stage"]
        else DEFAULT_MILESTONES
    )

    keys = [key for key, _ in stages]
    base = keys.index("applied") if "applied" in keys else 1
    title, ghost_after, follow_up_after = "Job hunt", DEFAULT_GHOST_AFTER, DEFAULT_FOLLOW_UP_AFTER
    private: tuple[str, ...] = ()
    day_defaults = {"ghost-after": DEFAULT_GHOST_AFTER, "follow-up-after": DEFAULT_FOLLOW_UP_AFTER}
    for option in options:
        name = option.name
        where = Position(option.position.path, option.position.line, option.value_column)
        if name == "title":
            if option.quoted:
                title = option.value
            else:
                diagnostics.append(
                    error(
                        "JL211",
                        "option title takes a quoted string",
                        where,
                        hint=f'option title "{option.value}"',
                    )
                )
        elif name in ("ghost-after", "follow-up-after"):
            days = int(option.value) if re.fullmatch(r"[0-9]{1,6}", option.value) else 0
            if option.quoted or not 1 <= days <= MAX_DAYS:
                diagnostics.append(
                    error(
                        "JL211",
                        f"option {name} takes a whole number of days, from 1 to {MAX_DAYS}",
                        where,
                        hint=f"option {name} {day_defaults[name]}",
                    )
                )
            elif name == "ghost-after":
                ghost_after = days
            else:
                follow_up_after = days
        elif name == "private":
            keys_given = [k.strip() for k in option.value.split(",")]
            if not option.quoted or not all(re.fullmatch(r"[^\s:]+", k) for k in keys_given):
                diagnostics.append(
                    error(
                        "JL211",
                        "option private takes a quoted list of metadata keys",
                        where,
                        hint='option private "salary, contact"',
                    )
                )
            else:
                private = tuple(dict.fromkeys(k.casefold() for k in keys_given))
        elif name == "base-stage":
            if option.value in keys:
                base = keys.index(option.value)
            else:
                guess = closest(option.value, keys)
                diagnostics.append(
                    error(
                        "JL211",
                        f"option base-stage: '{shorten(option.value)}' is not a stage",
                        where,
                        hint=f"did you mean '{guess}'?" if guess else "stages: " + ", ".join(keys),
                    )
                )
    config = Config(
        title=title,
        stages=tuple(
            Stage(key, label, index, milestones.get(key) or label)
            for index, (key, label) in enumerate(stages)
        ),
        outcomes=tuple(Outcome(key, label) for key, label in outcomes),
        roles=tuple(Role(d.key, d.label) for d in groups["role"]),
        ghost_after=ghost_after,
        follow_up_after=follow_up_after,
        base=base,
        private=private,
    )
    return config, diagnostics


def _pairs(
    declarations: Sequence[Declaration], defaults: Sequence[tuple[str, str]]
) -> list[tuple[str, str]]:
    if declarations:
        return [(d.key, d.label) for d in declarations]
    return list(defaults)
