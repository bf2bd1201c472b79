"""Events -> the state of every application (issue 2, section 3)."""

from __future__ import annotations

from datetime import date

from helpers import ledger

from jobledger.ledger.parser import parse_text
from jobledger.ledger.reducer import identity, reduce_entries


def only(text: str, as_of: date = date(2026, 3, 15)):  # type: ignore[no-untyped-def]
    (app,) = ledger(text, as_of).applications
    return app


def test_events_are_taken_by_date_not_file_order() -> None:
    app = only(
        """\
        2026-02-10 phone A
        2026-02-03 applied A
        """
    )
    assert [e.kind for e in app.history] == ["applied", "phone"]
    assert (app.stage, app.highest) == (3, 3)


def test_same_date_keeps_file_order() -> None:
    app = only(
        """\
        2026-02-03 applied A
        2026-02-03 response A
        """
    )
    assert app.stage == 2


def test_skipping_stages_and_going_back_keeps_the_highest() -> None:
    app = only(
        """\
        2026-02-03 interview A
        2026-02-05 phone A
        """
    )
    assert (app.stage, app.highest) == (3, 4)


def test_outcome_remembers_its_stage() -> None:
    app = only(
        """\
        2026-02-03 applied A
        2026-02-05 phone A
        2026-02-09 rejected A
        2026-02-10 note A
        """
    )
    assert (app.status, app.outcome_stage, app.stage) == ("rejected", 3, 3)
    assert app.last_date == date(2026, 2, 10)


def test_last_stage_is_accepted() -> None:
    app = only("2026-02-03 offer A\n2026-02-05 accepted A\n")
    assert app.status == "accepted"


def test_note_changes_only_the_last_date() -> None:
    app = only("2026-02-03 applied A\n2026-03-01 note A\n")
    assert (app.stage, app.highest, app.status, app.last_date) == (
        1,
        1,
        "active",
        date(2026, 3, 1),
    )


def test_spellings_fold_to_one_application() -> None:
    state = ledger(
        """\
        2026-02-03 applied Café  Co | Dev  Rel
        2026-02-05 phone CAFÉ co | dev rel
        2026-02-06 note Cafe\u0301 Co | Dev Rel
        """
    )
    (app,) = state.applications
    assert (app.company, app.title, app.stage) == ("Café Co", "Dev Rel", 3)
    assert len(app.history) == 3
    assert identity("\uff38", None) != identity("X", None)  # NFC, not NFKC


def test_company_alone_differs_from_company_with_title() -> None:
    state = ledger("2026-02-03 applied A\n2026-02-03 applied A | B\n")
    assert len(state.applications) == 2


def test_roles_from_tags_and_other() -> None:
    state = ledger(
        """\
        role swe "Software Engineer"
        2026-02-03 applied A #SWE #remote
        2026-02-04 applied B #remote
        2026-02-05 phone A #onsite
        """
    )
    a, b = state.applications
    assert (a.role, a.tags) == ("swe", ("SWE", "remote", "onsite"))
    assert b.role == "other"


def test_metadata_later_wins() -> None:
    app = only(
        """\
        2026-02-03 applied A
            source: job board
            url: https://a.example
        2026-02-05 phone A
            source: referral
        """
    )
    assert dict(app.meta) == {"source": "referral", "url": "https://a.example"}


def test_scheduled_events_count_in_no_number() -> None:
    state = ledger(
        """\
        2026-02-03 applied A
        2026-03-20 phone A
        2026-03-25 applied B
        """
    )
    (a,) = state.applications
    assert a.stage == 1 and [e.kind for e in a.scheduled] == ["phone"]
    assert [(u.event.kind, u.company) for u in state.upcoming] == [("phone", "A"), ("applied", "B")]


def test_inferred_ghosting_window() -> None:
    text = """\
        option ghost-after 30
        2026-02-01 wishlist W
        2026-02-01 applied A
        2026-02-12 applied B
        2026-02-01 offer O
        2026-02-01 applied R
        2026-02-02 rejected R
        """
    state = ledger(text, as_of=date(2026, 3, 4))  # A: 31 days silent, B: 20
    status = {app.company: (app.status, app.inferred) for app in state.applications}
    assert status == {
        "W": ("active", False),  # before the base stage: never applied, not ghosted
        "A": ("ghosted", True),
        "B": ("active", False),
        "O": ("active", False),  # an offer waits on you, not on them
        "R": ("rejected", False),
    }
    exactly = ledger(text, as_of=date(2026, 3, 3))  # 30 days is not "more than 30"
    assert {a.company: a.status for a in exactly.applications}["A"] == "active"


def test_explicit_ghosted_stays_distinct() -> None:
    app = only("2026-02-01 applied A\n2026-03-01 ghosted A\n")
    assert (app.status, app.inferred) == ("ghosted", False)


def test_custom_stages_and_base() -> None:
    state = ledger(
        """\
        stage lead "Lead"
        stage sent "Sent"
        stage screen "Screen"
        stage hired "Hired"
        outcome lost "Lost"
        option base-stage sent
        2026-02-01 sent A
        2026-02-02 lost A
        2026-02-01 hired B
        """
    )
    config = state.config
    assert [s.key for s in config.stages] == ["lead", "sent", "screen", "hired"]
    assert [o.key for o in config.outcomes] == ["lost"]
    assert config.base == 1 and config.waiting_end == 3
    assert {a.company: a.status for a in state.applications} == {"A": "lost", "B": "accepted"}


def test_base_defaults_to_the_second_stage_without_applied() -> None:
    state = ledger('stage a "A"\nstage b "B"\nstage c "C"\n')
    assert state.config.base == 1


def test_event_after_outcome_is_dropped_with_an_error() -> None:
    parsed = parse_text(
        "2026-02-01 applied A\n2026-02-02 rejected A\n2026-02-05 phone A\n", "t.jobs"
    )
    state, diagnostics = reduce_entries(parsed.entries, date(2026, 3, 1))
    assert [d.code for d in diagnostics] == ["JL240"]
    assert state.applications[0].status == "rejected"
