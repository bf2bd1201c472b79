"""The report on a terminal: `status` (a table of the applications) and `todo` (what to do
today). Plain text that fits the terminal's width — the widest column gives way, with "…",
and no line ever wraps — coloured only when asked to (cli/ decides, from --color, NO_COLOR and
whether the output is a terminal). Text from the ledger never drives the terminal: control
characters become U+FFFD.

Like every renderer this reads the typed report and computes nothing it could not show.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from datetime import date

from jobledger.records import record
from jobledger.render.text import plural
from jobledger.report.model import ApplicationRow, AttentionItem, Report
from jobledger.report.view import Standing

ELLIPSIS = "…"
GAP = "  "  # between columns
MIN_COLUMN = 6  # a column never shrinks below this (or its widest cell, when narrower)
TODO_DAYS = 7  # `todo` shows what is coming up in this many days

# Characters that could drive a terminal or reorder what it shows: C0 and C1 controls (tab and
# line breaks too: a table cell is one line), DEL, and the bidirectional overrides.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")

# Select Graphic Rendition codes.
BOLD, DIM, GREEN, YELLOW = "1", "2", "32", "33"


def visible(text: str) -> str:
    """Ledger text made safe to print: one U+FFFD for each control character."""
    return _UNSAFE.sub("\ufffd", text)


def char_width(char: str) -> int:
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def width(text: str) -> int:
    """Columns the text takes on a terminal (wide East Asian characters take two)."""
    return sum(map(char_width, text)) if not text.isascii() else len(text)


def truncate(text: str, columns: int) -> str:
    """The text cut to `columns`, ending in "…" when something was cut."""
    if width(text) <= columns:
        return text
    if columns <= 0:
        return ""
    kept, used = [], 0
    for char in text:
        used += char_width(char)
        if used > columns - 1:
            break
        kept.append(char)
    return "".join(kept) + ELLIPSIS


def pad(text: str, columns: int, align: str = "l") -> str:
    fill = " " * max(0, columns - width(text))
    return fill + text if align == "r" else text + fill


@record
class Painter:
    """Wraps text in SGR codes when colour is on, and leaves it alone when it is off."""

    on: bool

    def __call__(self, text: str, *codes: str) -> str:
        if not self.on or not codes or not text:
            return text
        return f"\x1b[{';'.join(codes)}m{text}\x1b[0m"


def fit(
    widths: Sequence[int],
    available: int,
    floors: Sequence[int],
    weights: Sequence[int] | None = None,
) -> list[int]:
    """Column widths that fit `available` columns (0: no limit) with GAP between them. The
    widest column gives way first, one column at a time, down to its floor; a column of weight
    2 counts half as wide (it keeps twice the room: the application's name)."""
    widths = list(widths)
    if available <= 0:
        return widths
    weights = weights or [1] * len(widths)
    widths = [max(floor, min(w, available)) for w, floor in zip(widths, floors, strict=True)]
    excess = sum(widths) + len(GAP) * (len(widths) - 1) - available
    while excess > 0:
        shrinkable = [i for i, w in enumerate(widths) if w > floors[i]]
        if not shrinkable:
            break
        widest = max(shrinkable, key=lambda i: (widths[i] / weights[i], -i))  # ties: leftmost
        widths[widest] -= 1
        excess -= 1
    return widths


def table(
    header: Sequence[str] | None,
    rows: Sequence[Sequence[str]],
    *,
    align: str = "",
    weights: Sequence[int] | None = None,
    available: int = 0,
    paint: Painter | None = None,
    styles: Sequence[Sequence[tuple[str, ...]]] | None = None,
    indent: str = "",
) -> list[str]:
    """Aligned columns, fitted to `available` columns (0: no limit). `align` has a letter a
    column: l or r, upper case for a column never cut (a date, a number). `styles[r][c]` are the
    SGR codes of a cell; the header is bold. Cells are made visible (no control characters)."""
    paint = paint or Painter(False)
    cells = [[visible(c) for c in row] for row in rows]
    head = [visible(c) for c in header] if header is not None else None
    every = ([head] if head is not None else []) + cells
    if not every:
        return []
    count = len(every[0])
    natural = [max(width(row[i]) for row in every) for i in range(count)]
    letters = [(align[i] if i < len(align) else "l") for i in range(count)]
    sides = [letter.lower() for letter in letters]
    floors = [
        natural[i] if letters[i].isupper() else min(natural[i], MIN_COLUMN) for i in range(count)
    ]
    room = max(1, available - width(indent)) if available > 0 else 0
    widths = fit(natural, room, floors, weights)

    def line(row: Sequence[str], codes: Sequence[tuple[str, ...]]) -> str:
        parts = [
            paint(pad(truncate(cell, w), w, side), *style)
            for cell, w, side, style in zip(row, widths, sides, codes, strict=True)
        ]
        return (indent + GAP.join(parts)).rstrip(" ")

    lines = []
    if head is not None:
        lines.append(line(head, [(BOLD,)] * count))
    for r, row in enumerate(cells):
        lines.append(line(row, styles[r] if styles is not None else [()] * count))
    if available > 0 and sum(widths) + len(GAP) * (count - 1) + width(indent) > available:
        lines = [clip(text, available) for text in lines]  # even the floors do not fit
    return lines


def clip(text: str, columns: int) -> str:
    """A line cut to the terminal's width, escape codes kept whole (and closed)."""
    if "\x1b" not in text:
        return truncate(text, columns)
    out, used, cut = [], 0, False
    for piece in re.split(r"(\x1b\[[0-9;]*m)", text):
        if piece.startswith("\x1b["):
            out.append(piece)
            continue
        room = columns - used
        if width(piece) > room:
            out.append(truncate(piece, room))
            cut = True
            break
        out.append(piece)
        used += width(piece)
    return "".join(out) + ("\x1b[0m" if cut else "")


# ---------------------------------------------------------------- status

SORTS = ("last", "first", "name", "role", "stage", "status")


def kind_labels(report: Report) -> dict[str, str]:
    """What an event of each kind is called, as the report's "Coming up" says it."""
    labels = {stage.key: stage.milestone for stage in report.stages}
    labels.update((outcome.key, outcome.label) for outcome in report.outcomes)
    labels["note"] = "Note"
    return labels


def sort_key(report: Report, by: str) -> Callable[[ApplicationRow], tuple[object, ...]]:
    """How `status --sort` orders the rows; ties go to the most recent activity, then the name.
    last, first: most recent first; name: A to Z; role: as declared, Other last; stage: the
    furthest along first; status: active, gone silent, accepted, then each outcome as
    declared."""
    roles = {role.key: i for i, role in enumerate(report.roles)}
    outcomes = {outcome.key: i for i, outcome in enumerate(report.outcomes)}
    standing = {Standing.ACTIVE: 0, Standing.SILENT: 1, Standing.ACCEPTED: 2, Standing.ENDED: 3}

    def tie(row: ApplicationRow) -> tuple[int, str]:
        return (-row.last_date.toordinal(), row.name.casefold())

    keys: dict[str, Callable[[ApplicationRow], tuple[object, ...]]] = {
        "last": lambda row: tie(row),
        "first": lambda row: (-row.first_date.toordinal(), *tie(row)),
        "name": lambda row: (row.name.casefold(), row.name),
        "role": lambda row: (roles.get(row.role.key, len(roles)), *tie(row)),
        "stage": lambda row: (-row.stage.index, *tie(row)),
        "status": lambda row: (
            standing[row.status.standing],
            outcomes.get(row.status.key, -1) if row.status.outcome else -1,
            *tie(row),
        ),
    }
    return keys[by]


STATUS_STYLE: dict[Standing, tuple[str, ...]] = {
    Standing.ACTIVE: (),
    Standing.SILENT: (YELLOW,),
    Standing.ACCEPTED: (GREEN, BOLD),
    Standing.ENDED: (DIM,),
}


def render_status(report: Report, *, sort: str, available: int, color: bool) -> str:
    """The applications as a table: application, role, stage, status, last event, days ago."""
    paint = Painter(color)
    if not report.applications:
        chosen = report.filters.describe()
        return (f"no applications match: {visible(chosen)}" if chosen else "no applications") + "\n"
    labels = kind_labels(report)
    due = {(item.company, item.title) for item in report.attention.follow_up}
    rows = sorted(report.applications, key=sort_key(report, sort))
    cells, styles = [], []
    for row in rows:
        last = row.history[-1].kind
        cells.append(
            [
                row.name,
                row.role.label,
                row.stage.label,
                row.status_text,
                labels.get(last, last),
                str((report.as_of - row.last_date).days),
            ]
        )
        plain: tuple[str, ...] = (DIM,) if row.status.standing is Standing.ENDED else ()
        ago = (YELLOW,) if (row.company, row.title) in due else plain
        styles.append([plain, plain, plain, STATUS_STYLE[row.status.standing], plain, ago])
    header = ["Application", "Role", "Stage", "Status", "Last event", "Days"]
    lines = table(
        header,
        cells,
        align="lllllR",
        weights=(2, 1, 1, 1, 1, 1),
        available=available,
        paint=paint,
        styles=styles,
    )
    shown = f"{plural(len(rows), 'application')} as of {report.as_of}"
    if report.filters:
        shown += f" · only {report.filters.describe()}"
    lines.append(paint(clip(visible(shown), available) if available else visible(shown), DIM))
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- todo


def _when(item: AttentionItem) -> str:
    if item.days == 0:
        return "today"
    return "tomorrow" if item.days == 1 else f"in {item.days} days"


def _day(day: date) -> str:
    return f"{day:%a} {day.isoformat()}"


def _comment(item: AttentionItem) -> str:
    return f"; {item.comment}" if item.comment else ""


def coming_up(report: Report) -> tuple[AttentionItem, ...]:
    """Today's calls and reminders, then what is booked in the next TODO_DAYS days."""
    soon = tuple(item for item in report.attention.upcoming if item.days <= TODO_DAYS)
    return (*report.attention.today, *soon)


def render_todo(report: Report, *, available: int, color: bool) -> str:
    """What to do today: what is coming up, who to follow up with, what to apply to or drop,
    then this week's pace. "nothing due" when there is nothing to do."""
    paint = Painter(color)
    attention = report.attention
    follow_after = report.options.follow_up_after
    # (title, rows, align, weights): the name keeps the most room, a comment gives way first
    sections: list[tuple[str, list[list[str]], str, tuple[int, ...]]] = []
    upcoming = coming_up(report)
    if upcoming:
        rows = [
            [_day(i.date), _when(i), i.event_label or "", i.name, _comment(i)] for i in upcoming
        ]
        sections.append((f"Coming up (next {TODO_DAYS} days)", rows, "LLlll", (1, 1, 2, 3, 1)))
    if attention.follow_up:
        rows = [
            [i.name, i.stage.label if i.stage else "", f"silent {plural(i.days, 'day')}",
             f"since {i.date}"]
            for i in attention.follow_up
        ]  # fmt: skip
        sections.append((f"Follow up (silent {follow_after}+ days)", rows, "llRL", (2, 1, 1, 1)))
    if attention.apply_or_drop:
        rows = [
            [i.name, f"tracked {plural(i.days, 'day')}", f"since {i.date}"]
            for i in attention.apply_or_drop
        ]
        sections.append(("Apply or drop (never applied to)", rows, "lRL", (1, 1, 1)))
    lines: list[str] = []
    for title, rows, align, weights in sections:
        if lines:
            lines.append("")
        lines.append(paint(clip(title, available) if available else title, BOLD))
        lines += table(
            None, rows, align=align, weights=weights, available=available, paint=paint, indent="  "
        )
    if not sections:
        lines.append("nothing due")
    pace = pace_line(report)
    if pace:
        pace = visible(pace)  # a stage's milestone is ledger text
        lines += ["", clip(pace, available) if available else pace]
    return "\n".join(lines) + "\n"


def pace_line(report: Report) -> str | None:
    """'This week: 0 applied since Monday 2026-03-09; your average is 1.6 a week (11 in 7
    weeks).' None before anything was applied to."""
    pace = report.pace
    if pace is None:
        return None
    base = report.options.base.milestone.lower()
    start = f"This week: {pace.this_week} {base} since Monday {pace.since}"
    if pace.average is None:
        return f"{start} (your first week)."
    average = f"{pace.average:.1f}".removesuffix(".0")
    return (
        f"{start}; your average is {average} a week "
        f"({pace.before} in {plural(pace.weeks, 'week')})."
    )


def color_wanted(choice: str, is_tty: bool, environ: Mapping[str, str]) -> bool:
    """--color always/never win; auto: only on a terminal, and not when NO_COLOR is set to
    anything (no-color.org) or TERM is dumb."""
    if choice == "always":
        return True
    if choice == "never":
        return False
    return is_tty and not environ.get("NO_COLOR") and environ.get("TERM") != "dumb"
