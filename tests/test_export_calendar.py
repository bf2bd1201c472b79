"""The scheduled events as an iCalendar file: valid RFC 5545 (read back by the `icalendar`
package), stable UIDs, times from `time:` lines, escaping and folding."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import icalendar
import pytest
from helpers import report

from jobledger.render.calendar import fold, parse_time, render_ics

LEDGER = """\
    2026-02-20 applied   Globex | Software Engineer
    2026-03-17 phone     Globex | Software Engineer  ; booked, with Sam; bring \\ the demo
        time: 14:30-15:15 Europe/Berlin
        location: Zoom
        agenda: intro\\nlive coding
    2026-02-21 applied   City Library | Web Developer
    2026-03-20 interview City Library | Web Developer
        time: 9:00
    2026-02-22 applied   Initech
    2026-03-23 note      Initech  ; answer the offer by today
    2026-03-24 phone     Initech
        time: soon
    2026-03-01 applied   Past | Event
"""


def calendar(text: str = LEDGER, as_of: date | None = None) -> icalendar.Calendar:
    rep = report(text) if as_of is None else report(text, as_of)
    ics, _ = render_ics(rep)
    return icalendar.Calendar.from_ical(ics)


def events(cal: icalendar.Calendar) -> dict[str, icalendar.Event]:
    return {str(e["SUMMARY"]): e for e in cal.walk("VEVENT")}


def test_it_parses_and_holds_the_scheduled_events_only() -> None:
    found = events(calendar())
    assert sorted(found) == [
        "Interview: City Library — Web Developer",
        "Note: Initech",
        "Phone screen: Globex — Software Engineer",
        "Phone screen: Initech",
    ]
    phone = found["Phone screen: Globex — Software Engineer"]
    assert str(phone["DESCRIPTION"]) == (
        "booked, with Sam; bring \\ the demo\nagenda: intro\nlive coding"
    )
    assert str(phone["LOCATION"]) == "Zoom"
    # With a zone: the instant, in UTC (Berlin is UTC+1 in March until the 29th).
    assert phone.decoded("DTSTART") == datetime(2026, 3, 17, 13, 30, tzinfo=UTC)
    assert phone.decoded("DTEND") == datetime(2026, 3, 17, 14, 15, tzinfo=UTC)
    # Without a zone: floating, an hour long.
    interview = found["Interview: City Library — Web Developer"]
    assert interview.decoded("DTSTART") == datetime(2026, 3, 20, 9, 0)
    assert interview.decoded("DTEND") == datetime(2026, 3, 20, 10, 0)
    # Without a time: all day.
    note = found["Note: Initech"]
    assert note.decoded("DTSTART") == date(2026, 3, 23)
    assert note.decoded("DTEND") == date(2026, 3, 24)
    assert str(note["DESCRIPTION"]) == "answer the offer by today"


def test_an_unreadable_time_is_a_warning_and_the_event_stays_all_day() -> None:
    text, warnings = render_ics(report(LEDGER))
    assert warnings == (
        "Initech, phone screen on 2026-03-24: 'time: soon' is not a time (HH:MM or "
        "HH:MM-HH:MM, optionally a time zone such as Europe/Berlin); the event is all-day",
    )
    phone = events(icalendar.Calendar.from_ical(text))["Phone screen: Initech"]
    assert phone.decoded("DTSTART") == date(2026, 3, 24)


def test_uids_are_stable_across_exports_and_tell_events_apart() -> None:
    before = {str(e["SUMMARY"]): str(e["UID"]) for e in calendar().walk("VEVENT")}
    # A day later, with another application and another comment: the same UIDs.
    later = LEDGER.replace("; answer the offer", "; answer the OFFER") + (
        "    2026-03-25 phone     Hooli\n    2026-03-01 applied   Hooli\n"
    )
    after = {
        str(e["SUMMARY"]): str(e["UID"]) for e in calendar(later, date(2026, 3, 16)).walk("VEVENT")
    }
    assert {name: after[name] for name in before} == before
    assert len(set(after.values())) == len(after)
    # The UID follows the application as the ledger names it: case and blanks do not matter.
    respelled = LEDGER.replace("2026-03-17 phone     Globex |", "2026-03-17 phone     GLOBEX  |")
    again = {str(e["SUMMARY"]): str(e["UID"]) for e in calendar(respelled).walk("VEVENT")}
    assert set(again.values()) == set(before.values())


def test_a_rescheduled_event_keeps_its_uid() -> None:
    """The interview moved from the 20th to the 27th: importing the new file into the calendar
    must move the event, not add a second one."""
    before = {str(e["SUMMARY"]): str(e["UID"]) for e in calendar().walk("VEVENT")}
    moved = LEDGER.replace("2026-03-20 interview City", "2026-03-27 interview City")
    after = {str(e["SUMMARY"]): str(e["UID"]) for e in calendar(moved).walk("VEVENT")}
    assert after == before
    # Once the first phone screen is past, a second one is another event (the next UID).
    text = "2026-03-01 applied A\n2026-03-10 phone A\n2026-03-20 phone A\n"
    (first_then,) = [str(e["UID"]) for e in calendar(text, date(2026, 3, 5)).walk("VEVENT")][:1]
    (second,) = [str(e["UID"]) for e in calendar(text, date(2026, 3, 15)).walk("VEVENT")]
    assert second != first_then
    assert second == [str(e["UID"]) for e in calendar(text, date(2026, 3, 5)).walk("VEVENT")][1]


def test_two_events_of_one_kind_on_one_day_get_two_uids() -> None:
    text = "2026-03-01 applied A\n2026-03-20 note A ; one\n2026-03-20 note A ; two\n"
    uids = [str(e["UID"]) for e in calendar(text).walk("VEVENT")]
    assert len(uids) == 2 and len(set(uids)) == 2


def test_text_is_escaped_as_rfc_5545_says() -> None:
    text, _ = render_ics(report('    option title "Hunt; 2026, spring"\n' + LEDGER))
    unfolded = text.replace("\r\n ", "")
    assert "X-WR-CALNAME:Hunt\\; 2026\\, spring\r\n" in unfolded
    assert (
        "DESCRIPTION:booked\\, with Sam\\; bring \\\\ the demo\\nagenda: intro\\nlive coding\r\n"
        in unfolded
    )


def test_lines_end_with_crlf_and_are_folded_at_75_octets() -> None:
    long = "Ünïcödé " * 30
    text, _ = render_ics(report(f"2026-03-01 applied A\n2026-03-20 note A ; {long.strip()}\n"))
    assert "\n" not in text.replace("\r\n", "")
    for line in text.split("\r\n"):
        assert len(line.encode("utf-8")) <= 75, line
    (event,) = icalendar.Calendar.from_ical(text).walk("VEVENT")
    assert str(event["DESCRIPTION"]) == long.strip()


def test_fold_never_splits_a_character() -> None:
    line = "DESCRIPTION:" + "é" * 100
    folded = fold(line)
    assert folded.endswith("\r\n")
    assert folded.replace("\r\n ", "").removesuffix("\r\n") == line


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("14:30", datetime(2026, 3, 17, 14, 30), datetime(2026, 3, 17, 15, 30)),
        ("14:30-15:15", datetime(2026, 3, 17, 14, 30), datetime(2026, 3, 17, 15, 15)),
        ("2:30 pm", datetime(2026, 3, 17, 14, 30), datetime(2026, 3, 17, 15, 30)),
        ("9am \u2013 10am", datetime(2026, 3, 17, 9), datetime(2026, 3, 17, 10)),
        (
            "14:30 UTC",
            datetime(2026, 3, 17, 14, 30, tzinfo=UTC),
            datetime(2026, 3, 17, 15, 30, tzinfo=UTC),
        ),
        (
            "08:00-09:00 -05:00",
            datetime(2026, 3, 17, 8, tzinfo=timezone(timedelta(hours=-5))),
            datetime(2026, 3, 17, 9, tzinfo=timezone(timedelta(hours=-5))),
        ),
    ],
)
def test_times_that_are_read(text: str, start: datetime, end: datetime) -> None:
    timed = parse_time(text, date(2026, 3, 17))
    assert timed is not None and (timed.start, timed.end) == (start, end)


@pytest.mark.parametrize(
    "text", ["soon", "14", "25:00", "14:30 Mars/Olympus", "15:00-14:00", "13pm", "14:30-"]
)
def test_times_that_are_not(text: str) -> None:
    assert parse_time(text, date(2026, 3, 17)) is None
