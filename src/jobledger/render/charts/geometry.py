"""What every chart shares: the text metrics the layout is planned for, word wrap, rounding.

Chart geometry is computed in Python (this package) so the layout is testable without a
browser; templates only draw it. Coordinates are SVG user units in a viewBox of the chart's
`width` x `height`, planned for 13 px text (`FONT`); the page scales each viewBox to its box.
"""

from __future__ import annotations

from jobledger.ledger.suggest import shorten

FONT = 13  # px: the size the page's CSS gives chart text
CHAR = 7.5  # average advance of a 13 px system-ui character: enough to wrap and space labels
LINE = 16  # baseline to baseline
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def wrap(text: str, chars: int, lines: int = 2) -> tuple[str, ...]:
    """Greedy word wrap into at most `lines` lines of about `chars` characters. What does not
    fit is cut with an ellipsis: a chart label must not run into its neighbour, and the chart's
    description and data table carry the whole label."""
    words = text.split()
    out: list[str] = []
    current = ""
    for position, word in enumerate(words):
        if current and len(current) + 1 + len(word) > chars:
            out.append(current)
            if len(out) == lines - 1:  # the last line takes every remaining word
                out.append(shorten(" ".join(words[position:]), chars))
                return tuple(out)
            current = word
        else:
            current = f"{current} {word}" if current else word
    if current:
        out.append(shorten(current, chars))
    return tuple(out) or ("",)


def r1(value: float) -> float:
    """One decimal is plenty for a viewBox and keeps the page small."""
    return round(value, 1)
