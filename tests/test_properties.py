"""Invariants over generated ledgers, and "any text gives entries or clean diagnostics"."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jobledger.ledger.loader import decode
from jobledger.ledger.model import DEFAULT_OUTCOMES, DEFAULT_STAGES
from jobledger.ledger.parser import parse_text
from jobledger.ledger.reducer import identity, reduce_entries
from jobledger.pipeline import load_report
from jobledger.records import replace
from jobledger.report.build import ReportOptions, build_report
from jobledger.report.filters import NO_FILTERS, Filters
from jobledger.report.model import Report
from jobledger.report.view import view_at

KINDS = [key for key, _ in (*DEFAULT_STAGES, *DEFAULT_OUTCOMES)] + ["note"]
AS_OF = date(2026, 3, 15)

lines = st.tuples(
    st.integers(0, 120),  # days after the start
    st.sampled_from(KINDS),
    st.sampled_from(["Acme", "Globex | Dev", "Initech | SRE", "acme", "Café | Ops"]),
    st.sampled_from(["", " #swe", " #devrel", " #x"]),
).map(lambda t: f"{date(2026, 1, 1) + timedelta(days=t[0])} {t[1]} {t[2]}{t[3]}")

ledgers = st.lists(lines, max_size=40).map(
    lambda body: 'role swe "SWE"\nrole devrel "DevRel"\n' + "\n".join(body) + "\n"
)


def report_of(text: str) -> Report:
    parsed = parse_text(text, "p.jobs")
    ledger, _ = reduce_entries(parsed.entries)
    return build_report(ledger, ReportOptions(AS_OF))


STAGE_INDEX = {key: index for index, (key, _) in enumerate(DEFAULT_STAGES)}


def brute_force_reached(text: str) -> list[int]:
    """reached(k) straight from the lines: applications with a stage event of index >= k on or
    before the as-of date, events after an outcome not counted. Independent of the reducer."""
    events: dict[tuple[str, str], list[tuple[date, int, str]]] = {}
    for number, line in enumerate(text.splitlines()):
        if not line[:1].isdigit():
            continue
        day, kind, rest = line.split(" ", 2)
        name = rest.split(" #")[0]
        company, _, title = name.partition(" | ")
        key = identity(company, title or None)
        events.setdefault(key, []).append((date.fromisoformat(day), number, kind))
    highest: list[int] = []
    for items in events.values():
        top, ended, past = 0, "", False
        for day, _, kind in sorted(items):
            if ended and kind != "note":
                if not (ended == "ghosted" and kind in STAGE_INDEX):  # a ghosting can end
                    continue
                ended = ""
            if day > AS_OF:
                continue
            past = True
            if kind in STAGE_INDEX:
                top = max(top, STAGE_INDEX[kind])
            elif kind != "note":
                ended = kind
        if past:
            highest.append(top)
    return [sum(1 for h in highest if h >= k) for k in range(len(DEFAULT_STAGES))]


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(ledgers)
def test_funnel_counts_match_a_brute_force_count(text: str) -> None:
    report = report_of(text)
    assert [step.reached for step in report.funnel] == brute_force_reached(text)
    for group in report.groups:
        for step in group.funnel:
            for fraction in (step.conversion, step.of_base):
                assert fraction is None or 0 <= fraction <= 1


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(ledgers)
def test_statuses_and_groups_add_up(text: str) -> None:
    report = report_of(text)
    totals = report.totals
    assert (
        (
            totals.active
            + totals.accepted
            + totals.ghosted_inferred
            + sum(count for _, count in totals.outcomes)
        )
        == totals.tracked
        == len(report.applications)
    )
    assert sum(g.counts.tracked for g in report.groups) == totals.tracked
    statuses = [(a.status.key, a.status.inferred) for a in report.applications]
    assert totals.active == statuses.count(("active", False))
    assert totals.ghosted_inferred == sum(1 for _, inferred in statuses if inferred)


@settings(max_examples=200)
@given(ledgers, st.lists(st.integers(0, 39), max_size=5))
def test_notes_never_change_a_funnel_number(text: str, where: list[int]) -> None:
    body = text.splitlines()
    events = [line for line in body if line[:1].isdigit()]
    if not events:
        return
    extra = []
    for i in where:
        day, _, name = events[i % len(events)].split(" ", 2)
        extra.append(f"{day} note {name.split(' #')[0]}")
    before, after = report_of(text), report_of(text + "\n".join(extra) + "\n")
    assert before.funnel == after.funnel
    assert before.groups == after.groups
    assert before.pipeline == after.pipeline


@settings(max_examples=400)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_any_text_gives_entries_or_clean_diagnostics(text: str) -> None:
    result = parse_text(text, "fuzz.jobs")
    for diagnostic in result.diagnostics:
        assert diagnostic.position.line >= 1 and diagnostic.position.column >= 1
        assert diagnostic.render().startswith("fuzz.jobs:")


line_pieces = st.sampled_from(
    [
        "2026-02-03",
        " ",
        "applied",
        "phone",
        "Acme",
        "|",
        "#swe",
        "; c",
        '"',
        "\\",
        "\t",
        "role",
        "stage",
        "option",
        "include",
        "x:",
        "\n",
        "    ",
        "2026-13-40",
        "\r\n",
        "é",
    ]
)


@settings(max_examples=400)
@given(st.lists(line_pieces, max_size=40).map("".join))
def test_near_miss_text_never_crashes(text: str) -> None:
    result = parse_text(text, "fuzz.jobs")
    state, diagnostics = reduce_entries(result.entries)
    build_report(state, ReportOptions(AS_OF))
    for diagnostic in (*result.diagnostics, *diagnostics):
        assert diagnostic.position.line >= 1


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=400))
def test_any_bytes_give_a_result_or_clean_errors(data: bytes) -> None:
    text, problems = decode(data, "bytes.jobs")
    assert "\x00" not in text
    parse_text(text, "bytes.jobs")
    for problem in problems:
        assert problem.render().startswith("bytes.jobs:")


def test_pipeline_on_arbitrary_bytes_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "junk.jobs"
    path.write_bytes(bytes(range(256)) * 50)
    result = load_report([str(path)], AS_OF)
    assert result.report is None and result.errors


# ---------------------------------------------------------------- filters and cohorts (issue 8)

FILTERS = st.sampled_from(
    [
        Filters(roles=("swe",)),
        Filters(roles=("devrel", "other")),
        Filters(tags=("x",)),
        Filters(company="glob"),
        Filters(status="active"),
        Filters(status="closed"),
        Filters(status="rejected"),
        Filters(since=date(2026, 1, 20)),
        Filters(since=date(2026, 1, 10), until=date(2026, 2, 10)),
        Filters(roles=("swe",), until=date(2026, 2, 1)),
    ]
)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(ledgers, FILTERS)
def test_a_filtered_report_is_the_report_of_the_selected_applications(
    text: str, filters: Filters
) -> None:
    """The numbers of a filtered report equal those of a ledger holding only the selected
    applications (selected at the report date: status and cohort depend on it)."""
    ledger, _ = reduce_entries(parse_text(text, "p.jobs").entries)
    filtered = build_report(ledger, ReportOptions(AS_OF, filters=filters))
    seen = view_at(ledger, AS_OF)
    chosen = {id(app.application) for app in seen.applications if filters.matches(app)}
    only = replace(ledger, applications=tuple(a for a in ledger.applications if id(a) in chosen))
    alone = build_report(only, ReportOptions(AS_OF))
    assert replace(filtered, filters=NO_FILTERS) == alone


sourced_lines = st.tuples(
    lines,
    st.sampled_from(["", "\n  source: Referral", "\n  source: referral", "\n  source: Board"]),
).map("".join)
sourced_ledgers = st.lists(sourced_lines, max_size=40).map(
    lambda body: 'role swe "SWE"\nrole devrel "DevRel"\n' + "\n".join(body) + "\n"
)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(sourced_ledgers)
def test_times_sources_and_follow_ups_equal_a_plain_count(text: str) -> None:
    """The report counts these in C, over precomputed fields of each application's state;
    here they are counted again one application at a time, from their definitions."""
    ledger, _ = reduce_entries(parse_text(text, "p.jobs").entries)
    rep = build_report(ledger, ReportOptions(AS_OF))
    apps = view_at(ledger, AS_OF).applications
    config = ledger.config
    replies = sorted(
        (app.reply.date - app.applied.date).days
        for app in apps
        if app.applied is not None and app.reply is not None
    )
    assert rep.timing.first_reply.days == tuple(replies)
    stays: dict[str, list[int]] = {}
    for app in apps:
        for stage, days in app.stays:
            stays.setdefault(config.stages[stage].key, []).append(days)
    for row in rep.timing.stages:
        kept = sorted(stays.get(row.stage.key, []))
        assert row.count == len(kept)
        if kept:
            middle = len(kept) // 2
            expected = kept[middle] if len(kept) % 2 else (kept[middle - 1] + kept[middle]) / 2
            assert row.median_days == expected
    by_source: dict[str, list[int]] = {}
    first_spelling: dict[str, str] = {}
    for app in apps:
        source = app.application.meta.get("source")
        if source and app.applied is not None:
            first_spelling.setdefault(source.casefold(), source)
            by_source.setdefault(source.casefold(), []).append(app.replied)
    assert {(s.source, s.applied, s.replied) for s in rep.sources} == {
        (first_spelling[key], len(seen), sum(seen)) for key, seen in by_source.items()
    }
    weeks = {w.start: w.count for w in rep.activity if w.count}
    applied_days = [app.applied.date for app in apps if app.applied is not None]
    for monday, count in weeks.items():
        assert count == sum(1 for d in applied_days if 0 <= (d - monday).days < 7)
    assert sum(weeks.values()) == len(applied_days)
    waiting = [
        app.application
        for app in apps
        if app.status.key == "active"
        and not app.scheduled
        and config.base <= app.stage.index < config.waiting_end
        and (AS_OF - app.last_heard).days >= config.follow_up_after
    ]
    assert sorted((a.company, a.title or "") for a in waiting) == sorted(
        (item.company, item.title or "") for item in rep.attention.follow_up
    )
