"""The ledger at a date: past against scheduled, where each application stands, and the closed
set of statuses (issue 6)."""

from __future__ import annotations

from datetime import date

import pytest
from helpers import ledger, view

from jobledger.ledger.model import Outcome
from jobledger.report.view import ACTIVE, Standing, Status, view_at


def only(text: str, as_of: date = date(2026, 3, 15)):  # type: ignore[no-untyped-def]
    (app,) = view(text, as_of).applications
    return app


def test_stage_from_the_history_and_the_highest_kept() -> None:
    app = only("2026-02-03 interview A\n2026-02-05 phone A\n")
    assert (app.stage.key, app.highest.key) == ("phone", "interview")


def test_outcome_remembers_its_stage() -> None:
    app = only(
        """\
        2026-02-03 applied A
        2026-02-05 phone A
        2026-02-09 rejected A
        2026-02-10 note A
        """
    )
    assert (app.status.key, app.outcome_stage.key, app.stage.key) == ("rejected", "phone", "phone")
    assert app.status.standing is Standing.ENDED and app.status.outcome == Outcome(
        "rejected", "Rejected"
    )
    assert app.last_date == date(2026, 2, 10)


def test_last_stage_is_accepted() -> None:
    assert only("2026-02-03 offer A\n2026-02-05 accepted A\n").status.key == "accepted"


def test_note_changes_only_the_last_date() -> None:
    app = only("2026-02-03 applied A\n2026-03-01 note A\n", as_of=date(2026, 3, 5))
    assert (app.stage.key, app.status, app.last_date) == ("applied", ACTIVE, date(2026, 3, 1))
    assert app.last_heard == date(2026, 2, 3)


def test_a_note_is_no_word_from_the_employer() -> None:
    """Silence is counted from the last event that is not the seeker's own note (issue 7)."""
    app = only("2026-02-03 applied A\n2026-03-01 note A ; I emailed them\n")  # 40 days
    assert app.status.inferred


def test_scheduled_events_count_in_no_number() -> None:
    state = view(
        """\
        2026-02-03 applied A
        2026-03-20 phone A
        2026-03-25 applied B
        """
    )
    (a,) = state.applications
    assert a.stage.key == "applied" and [e.kind for e in a.scheduled] == ["phone"]
    assert [(u.event.kind, u.application.company) for u in state.upcoming] == [
        ("phone", "A"),
        ("applied", "B"),
    ]


def test_the_same_ledger_seen_at_two_dates() -> None:
    """One date-free ledger; the view decides what is past."""
    state = ledger("2026-02-03 applied A\n2026-03-20 phone A\n")
    before, after = view_at(state, date(2026, 3, 15)), view_at(state, date(2026, 3, 20))
    assert before.applications[0].stage.key == "applied" and len(before.upcoming) == 1
    assert after.applications[0].stage.key == "phone" and after.upcoming == ()


def test_inferred_ghosting_window() -> None:
    text = """\
        option ghost-after 30
        2026-02-01 wishlist W
        2026-02-01 applied A
        2026-02-12 applied B
        2026-02-01 offer O
        2026-02-01 applied R
        2026-02-02 rejected R
        2026-02-01 applied S
        2026-04-01 phone S
        """
    state = view(text, as_of=date(2026, 3, 4))  # A: 31 days silent, B: 20
    status = {
        app.application.company: (app.status.key, app.status.inferred) for app in state.applications
    }
    assert status == {
        "W": ("active", False),  # before the base stage: never applied, not ghosted
        "A": ("ghosted", True),
        "B": ("active", False),
        "O": ("active", False),  # an offer waits on you, not on them
        "R": ("rejected", False),
        "S": ("active", False),  # a call is booked: not silence
    }
    exactly = view(text, as_of=date(2026, 3, 3))  # 30 days is not "more than 30"
    assert {a.application.company: a.status.key for a in exactly.applications}["A"] == "active"


def test_explicit_ghosted_stays_distinct_from_inferred() -> None:
    app = only("2026-02-01 applied A\n2026-03-01 ghosted A\n")
    assert (app.status.key, app.status.inferred, app.status.standing) == (
        "ghosted",
        False,
        Standing.ENDED,
    )


def test_custom_outcome_and_last_stage() -> None:
    state = view(
        """\
        stage lead "Lead"
        stage sent "Sent"
        stage hired "Hired"
        outcome lost "Lost"
        2026-02-01 sent A
        2026-02-02 lost A
        2026-02-01 hired B
        """
    )
    assert {a.application.company: a.status.key for a in state.applications} == {
        "A": "lost",
        "B": "accepted",
    }


def test_all_future_applications_are_upcoming_not_tracked() -> None:
    state = view("2026-04-01 applied A\n")
    assert state.applications == () and len(state.upcoming) == 1


@pytest.mark.parametrize(
    ("standing", "outcome"),
    [
        (Standing.ENDED, None),
        (Standing.ACTIVE, Outcome("rejected", "Rejected")),
        (Standing.SILENT, Outcome("ghosted", "Ghosted")),
    ],
)
def test_a_status_is_a_closed_set(standing: Standing, outcome: Outcome | None) -> None:
    with pytest.raises(ValueError):
        Status(standing, outcome)


def test_status_keys() -> None:
    assert [Status(s).key for s in (Standing.ACTIVE, Standing.ACCEPTED, Standing.SILENT)] == [
        "active",
        "accepted",
        "ghosted",
    ]
    assert Status(Standing.ENDED, Outcome("lost", "Lost")).key == "lost"
