"""The scheduled events (after the report date) as an iCalendar file (RFC 5545), for a calendar.

- One VEVENT per scheduled event: SUMMARY "Phone screen: Globex — Software Engineer",
  DESCRIPTION the event's comment and its other metadata lines, LOCATION a `location:` line.
- UID: a hash of the application's identity (its name as the ledger compares names), the
  event's kind and which of the application's events of that kind it is (the first phone
  screen, the second…), so exporting again updates the calendar's copy instead of adding a
  second one, also when the event was moved to another day. DTSTAMP is the report date, so
  the same ledger gives the same file.
- All-day (DATE) unless the event has a `time:` line: `14:30` (an hour long), `14:30-15:15`,
  `2:30 pm`, optionally followed by a time zone (`Europe/Berlin`, `UTC`, `+01:00`): with a zone
  the times are written in UTC, without one they are floating (local wherever you are). A time
  that cannot be read is a warning, and the event stays all-day.
- Text is escaped (`\\`, `;`, `,`, line breaks) and lines are folded at 75 octets; lines end
  with CRLF.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from jobledger.ledger.reducer import identity
from jobledger.records import record
from jobledger.report.model import AttentionItem, Report
from jobledger.transfer import unescape_value

PRODID = "-//jobledger//jobledger//EN"
DEFAULT_LENGTH = timedelta(hours=1)  # `time: 14:30` gives the start only
TIME_KEYS = ("time",)
LOCATION_KEYS = ("location",)

_CLOCK = r"(\d{1,2})(?:[:.](\d{2}))?\s*([ap]\.?m\.?)?"
_TIME = re.compile(
    rf"(?P<start>{_CLOCK})(?:\s*(?:-|\u2013|\u2014|to)\s*(?P<end>{_CLOCK}))?(?:\s+(?P<zone>\S+))?",
    re.I,
)
_ONE = re.compile(_CLOCK, re.I)
_OFFSET = re.compile(r"(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?", re.I)


@record
class Timed:
    start: datetime  # naive: floating, or aware
    end: datetime


def _clock(text: str) -> time | None:
    match = _ONE.fullmatch(text.strip())
    if match is None:
        return None
    hour, minute, half = int(match[1]), int(match[2] or 0), match[3]
    if half is None and match[2] is None:
        return None  # '14' alone is not a time: 14:00 or 2pm
    if half is not None:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half.lower().startswith("p") else 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def _zone(text: str) -> tzinfo | None:
    if text.upper() in ("UTC", "Z", "GMT"):
        return UTC
    offset = _OFFSET.fullmatch(text)
    if offset is not None:
        hours, minutes = int(offset[2]), int(offset[3] or 0)
        if hours > 14 or minutes > 59:
            return None
        sign = 1 if offset[1] == "+" else -1
        return timezone(sign * timedelta(hours=hours, minutes=minutes))
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def parse_time(text: str, day: date) -> Timed | None:
    """`14:30`, `14:30-15:15 Europe/Berlin`, `2:30 pm`… on `day`; None if it cannot be read."""
    match = _TIME.fullmatch(" ".join(text.split()))
    if match is None:
        return None
    start = _clock(match["start"])
    end = _clock(match["end"]) if match["end"] else None
    zone = _zone(match["zone"]) if match["zone"] else None
    if start is None or (match["end"] and end is None) or (match["zone"] and zone is None):
        return None
    begins = datetime.combine(day, start, zone)
    ends = begins + DEFAULT_LENGTH if end is None else datetime.combine(day, end, zone)
    if ends <= begins:
        return None
    return Timed(begins, ends)


def _meta(item: AttentionItem, keys: Sequence[str]) -> str | None:
    for key, value in item.meta:
        if key.casefold() in keys:
            return value
    return None


def event_uid(item: AttentionItem, ordinal: int) -> str:
    """`ordinal`: how many events of the same kind the application had before this one. Not
    the date: a rescheduled interview must update the calendar's copy, not add another."""
    company, title = identity(item.company, item.title)
    key = "\x1f".join((company, title, item.event or "", str(ordinal)))
    return hashlib.sha256(key.encode()).hexdigest()[:32] + "@jobledger"


def _ordinals(report: Report) -> list[int]:
    """For each upcoming event, the number of the application's events of its kind before it:
    those in its history (up to the report date), then the upcoming ones in date order."""
    earlier: dict[tuple[tuple[str, str], str], int] = {}
    for row in report.applications:
        name = identity(row.company, row.title)
        for past in row.history:
            key = (name, past.kind)
            earlier[key] = earlier.get(key, 0) + 1
    ordinals = []
    for item in report.attention.upcoming:
        key = (identity(item.company, item.title), item.event or "")
        ordinals.append(earlier.get(key, 0))
        earlier[key] = earlier.get(key, 0) + 1
    return ordinals


def escape_text(text: str) -> str:
    """An RFC 5545 TEXT value."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold(line: str) -> str:
    """A content line folded at 75 octets (continuations start with a blank), never inside a
    UTF-8 sequence; CRLF after each physical line."""
    data = line.encode("utf-8")
    parts: list[bytes] = []
    limit = 75
    while len(data) > limit:
        cut = limit
        while cut > 0 and (data[cut] & 0xC0) == 0x80:  # do not split a character
            cut -= 1
        parts.append(data[:cut])
        data = data[cut:]
        limit = 74  # the leading blank of a continuation counts
    parts.append(data)
    return "\r\n ".join(part.decode("utf-8") for part in parts) + "\r\n"


def _stamp(when: datetime) -> str:
    if when.tzinfo is None:
        return when.strftime("%Y%m%dT%H%M%S")
    return when.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def render_ics(report: Report) -> tuple[str, tuple[str, ...]]:
    """The calendar text and the warnings (times that could not be read)."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(report.title)}",
    ]
    warnings: list[str] = []
    stamp = report.as_of.strftime("%Y%m%dT000000Z")
    for item, ordinal in zip(report.attention.upcoming, _ordinals(report), strict=True):
        uid = event_uid(item, ordinal)
        what = item.event_label or item.event or "Event"
        lines += ["BEGIN:VEVENT", f"UID:{uid}", f"DTSTAMP:{stamp}"]
        written = _meta(item, TIME_KEYS)
        timed = None if written is None else parse_time(unescape_value(written), item.date)
        if written is not None and timed is None:
            warnings.append(
                f"{item.name}, {what.lower()} on {item.date}: 'time: {written}' is not a time "
                "(HH:MM or HH:MM-HH:MM, optionally a time zone such as Europe/Berlin); "
                "the event is all-day"
            )
        if timed is None:
            following = item.date + timedelta(days=1)
            lines += [
                f"DTSTART;VALUE=DATE:{item.date.strftime('%Y%m%d')}",
                f"DTEND;VALUE=DATE:{following.strftime('%Y%m%d')}",
                "TRANSP:TRANSPARENT",  # a reminder for the day, not a busy day
            ]
        else:
            lines += [f"DTSTART:{_stamp(timed.start)}", f"DTEND:{_stamp(timed.end)}"]
        lines.append(f"SUMMARY:{escape_text(f'{what}: {item.name}')}")
        description = [item.comment] if item.comment else []
        description += [
            f"{key}: {unescape_value(value)}"
            for key, value in item.meta
            if key.casefold() not in (*TIME_KEYS, *LOCATION_KEYS)
        ]
        if description:
            lines.append(f"DESCRIPTION:{escape_text(chr(10).join(description))}")
        location = _meta(item, LOCATION_KEYS)
        if location:
            lines.append(f"LOCATION:{escape_text(unescape_value(location))}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(fold(line) for line in lines), tuple(warnings)
