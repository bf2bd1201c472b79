"""Entries -> the ledger: applications with their full history, date-free (issue 2, section 3;
issue 6: "today" is not part of the ledger)."""

from __future__ import annotations

import inspect

import pytest
from helpers import ledger
from hypothesis import given, settings
from hypothesis import strategies as st

from jobledger.ledger.config import resolve_config
from jobledger.ledger.model import Application, Event
from jobledger.ledger.parser import parse_text
from jobledger.ledger.reducer import _group, _Slice, identity, reduce_entries, reduce_slices
from jobledger.records import replace


def only(text: str) -> Application:
    (app,) = ledger(text).applications
    return app


def test_the_reducer_takes_no_date() -> None:
    # memos: watch's results per slice and application from the last build (ledger/memo.py)
    assert list(inspect.signature(reduce_entries).parameters) == ["entries", "memos"]
    assert list(inspect.signature(reduce_slices).parameters) == ["slices", "memos"]


def test_events_are_kept_in_date_order_not_file_order() -> None:
    app = only(
        """\
        2026-02-10 phone A
        2026-02-03 applied A
        2026-09-01 interview A
        """
    )
    assert [e.kind for e in app.events] == ["applied", "phone", "interview"]  # future ones too


def test_same_date_keeps_file_order() -> None:
    app = only("2026-02-03 applied A\n2026-02-03 response A\n")
    assert [e.kind for e in app.events] == ["applied", "response"]


def test_spellings_fold_to_one_application() -> None:
    state = ledger(
        """\
        2026-02-03 applied Café  Co | Dev  Rel
        2026-02-05 phone CAFÉ co | dev rel
        2026-02-06 note Cafe\u0301 Co | Dev Rel
        """
    )
    (app,) = state.applications
    assert (app.company, app.title, app.name) == ("Café Co", "Dev Rel", "Café Co | Dev Rel")
    assert len(app.events) == 3
    assert identity("\uff38", None) != identity("X", None)  # NFC, not NFKC


def test_company_alone_differs_from_company_with_title() -> None:
    state = ledger("2026-02-03 applied A\n2026-02-03 applied A | B\n")
    assert len(state.applications) == 2


def test_applications_are_ordered_by_their_first_event() -> None:
    state = ledger("2026-03-01 applied B\n2026-02-01 applied C\n2026-02-01 applied A\n")
    assert [a.company for a in state.applications] == ["A", "C", "B"]


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
    assert (a.role.key, a.role.label, a.tags) == (
        "swe",
        "Software Engineer",
        ("SWE", "remote", "onsite"),
    )
    assert (b.role.key, b.role.label) == ("other", "Other")


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


def test_custom_stages_and_base() -> None:
    state = ledger(
        """\
        stage lead "Lead"
        stage sent "Sent"
        stage screen "Screen"
        stage hired "Hired"
        outcome lost "Lost"
        option base-stage sent
        """
    )
    config = state.config
    assert [s.key for s in config.stages] == ["lead", "sent", "screen", "hired"]
    assert [o.key for o in config.outcomes] == ["lost"]
    assert config.base == 1 and config.waiting_end == 3


def test_base_defaults_to_the_second_stage_without_applied() -> None:
    state = ledger('stage a "A"\nstage b "B"\nstage c "C"\n')
    assert state.config.base == 1


def test_event_after_outcome_is_dropped_with_an_error() -> None:
    parsed = parse_text(
        "2026-02-01 applied A\n2026-02-02 rejected A\n2026-02-03 note A\n2026-02-05 phone A\n",
        "t.jobs",
    )
    state, diagnostics = reduce_entries(parsed.entries)
    assert [(d.code, d.position.line) for d in diagnostics] == [("JL240", 4)]
    assert [e.kind for e in state.applications[0].events] == ["applied", "rejected", "note"]


def test_a_stage_going_back_warns_even_when_scheduled() -> None:
    parsed = parse_text("2026-02-01 phone A\n2099-02-02 applied A\n", "t.jobs")
    _, diagnostics = reduce_entries(parsed.entries)
    assert [(d.code, d.position.line) for d in diagnostics] == [("JL241", 2)]


@pytest.mark.parametrize(
    ("line", "column"),
    [
        ('outcome active "Still going"', 9),
        ('outcome accepted "Took it"', 9),
        ('stage note "A note"', 7),
        ('role other "Misc"', 6),
        ('role total "Everything"', 6),
        ('role average "Middling"', 6),
        ('stage no_progress "Nothing"', 7),
        ('stage active "Active"', 7),
    ],
)
def test_reserved_keys_are_refused_where_declared(line: str, column: int) -> None:
    parsed = parse_text(f"; a ledger\n{line}\n", "t.jobs")
    _, diagnostics = resolve_config(parsed.entries)
    (diagnostic,) = diagnostics
    assert diagnostic.is_error and diagnostic.code == "JL201"
    assert (diagnostic.position.line, diagnostic.position.column) == (2, column)
    assert "reserved" in diagnostic.message and "pick another key" in (diagnostic.hint or "")


def test_accepted_stays_a_valid_stage_key() -> None:
    text = 'stage wishlist "W"\nstage applied "A"\nstage accepted "Yes"\n'
    _, diagnostics = resolve_config(parse_text(text, "t.jobs").entries)
    assert diagnostics == []


# ---------------------------------------------------------------- watch: a saved slice regrouped

NAMES = ["Acme", "Beta | Dev", "Gamma", "acme", "Delta | SRE", "Eps"]
SAVE_KINDS = ["applied", "phone", "interview", "rejected", "note", "aplied"]
SLICE_EDITS = st.lists(
    st.tuples(
        st.sampled_from(["delete", "insert", "rekind", "append"]),
        st.integers(0, 10_000),
        st.sampled_from(SAVE_KINDS),
        st.sampled_from([*NAMES, "New 1", "New 2"]),
    ),
    min_size=1,
    max_size=4,
)


def spaced_events(lines: list[str]) -> list[Event]:
    """Parsed events on lines 10, 20, 30…: room to insert one between two."""
    events = [e for e in parse_text("\n".join(lines) + "\n", "s.jobs").entries if type(e) is Event]
    return [
        replace(e, position=replace(e.position, line=10 * (n + 1))) for n, e in enumerate(events)
    ]


def one_event(kind: str, name: str, line: int) -> Event:
    (event,) = parse_text(f"2026-02-01 {kind} {name}\n", "s.jobs").entries
    assert type(event) is Event
    return replace(event, position=replace(event.position, line=line))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(SAVE_KINDS[:5]), st.sampled_from(NAMES)), max_size=80),
    SLICE_EDITS,
)
def test_a_saved_slice_regrouped_is_the_slice_grouped(
    lines: list[tuple[str, str]], edits: list[tuple[str, int, str, str]]
) -> None:
    """watch: a save keeps the other lines' events (the very same objects), and the slice's
    groups are made from the last build's. They must be what grouping it afresh gives, in the
    same order, and the delta must name every application whose group changed."""
    config, _ = resolve_config([])
    old = spaced_events(
        [f"2026-01-{1 + n % 28:02d} {k} {name}" for n, (k, name) in enumerate(lines)]
    )
    new = list(old)
    for edit, where, kind, name in edits:
        at = where % (len(new) + 1)
        if edit == "append":
            new.append(one_event(kind, name, (new[-1].position.line if new else 0) + 10))
        elif edit == "insert":
            line = (new[at - 1].position.line if at else 0) + 1
            if at < len(new) and new[at].position.line <= line:
                continue  # no room left between the two
            new.insert(at, one_event(kind, name, line))
        elif new and edit == "delete":
            del new[min(at, len(new) - 1)]
        elif new:
            at = min(at, len(new) - 1)
            new[at] = replace(new[at], kind=kind)
    before = _Slice(old, 0, None)
    before.grouped(config)
    now = _Slice(new, 0, None)
    now.before = before
    groups, errors = now.grouped(config)
    fresh_groups, fresh_errors = _group(new, config)
    assert list(groups.items()) == list(fresh_groups.items())  # the same order too
    assert repr(errors) == repr(fresh_errors)
    if now.delta is not None:
        old_groups = before.grouped(config)[0]
        differ = {k for k in {*groups, *old_groups} if groups.get(k) != old_groups.get(k)}
        assert differ <= now.delta.touched
        assert now.delta.appended == [k for k in groups if k not in old_groups]
        assert set(now.delta.gone) == {k for k in old_groups if k not in groups}


def test_an_appended_line_regroups_the_slice_from_the_last_build() -> None:
    config, _ = resolve_config([])
    old = spaced_events([f"2026-01-{1 + n % 28:02d} applied Co {n}" for n in range(300)])
    before = _Slice(old, 0, None)
    before.grouped(config)
    now = _Slice([*old, one_event("applied", "Co 1000", 99_999)], 0, None)
    now.before = before
    now.grouped(config)
    assert now.delta is not None and now.delta.appended == [identity("Co 1000", None)]
