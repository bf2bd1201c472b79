"""Fractions, medians and percentages, computed and rounded the way the Blueprint sheet does."""

from __future__ import annotations

from collections.abc import Sequence
from math import lcm


def ratio(part: int, whole: int) -> float | None:
    """part / whole; None for 0/0, which is "no data", not zero."""
    return None if whole == 0 else part / whole


def percent(value: float | None) -> str:
    """0.625 -> '63%', half up as spreadsheets round; None (0/0) -> '—'."""
    if value is None:
        return "—"
    from decimal import ROUND_HALF_UP, Decimal  # imported when first needed: 4 ms

    # repr() gives the shortest decimal that round-trips: 5/8 stays exactly 0.625.
    whole = (Decimal(repr(value)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return f"{whole}%"


def of(part: int, whole: int) -> str:
    """'3 of 8 (38%)': a count with what it is a share of."""
    return f"{part} of {whole} ({percent(ratio(part, whole))})"


def mean_of_fractions(fractions: Sequence[tuple[int, int]]) -> float | None:
    """Plain mean of part/whole pairs, skipping 0/0, computed exactly: in floats,
    (1 + 2/5 + 5/8) / 3 comes out just under 0.675 and would round to 67%, not 68%. The sum is
    taken over a common denominator, in integers, and divided once (int / int rounds correctly)."""
    present = [(part, whole) for part, whole in fractions if whole]
    if not present:
        return None
    common = lcm(*(whole for _, whole in present))
    total = sum(part * (common // whole) for part, whole in present)
    return total / (common * len(present))


def median(values: Sequence[int]) -> float | int | None:
    """The middle value (mean of the middle two); `statistics` costs 15 ms to import."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    total = ordered[middle - 1] + ordered[middle]
    return total // 2 if total % 2 == 0 else total / 2
