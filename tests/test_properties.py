"""Invariants over generated ledgers, and "any text gives entries or clean diagnostics"."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jobledger.ledger.loader import decode
from jobledger.ledger.model import DEFAULT_OUTCOMES, DEFAULT_STAGES
from jobledger.ledger.parser import parse_text
from jobledger.ledger.reducer import reduce_entries
from jobledger.pipeline import load_ledger
from jobledger.report.metrics import compute_report

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


def reduce_text(text: str):  # type: ignore[no-untyped-def]
    parsed = parse_text(text, "p.jobs")
    return reduce_entries(parsed.entries, AS_OF)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(ledgers)
def test_funnel_invariants(text: str) -> None:
    state, _ = reduce_text(text)
    report = compute_report(state)
    for group in [report, *report["groups"]]:
        counts = [step["reached"] for step in group["funnel"]]
        assert counts == sorted(counts, reverse=True)  # reached(k) never increases with k
        for step in group["funnel"]:
            for key in ("conversion", "of_base"):
                assert step[key] is None or 0 <= step[key] <= 1
    totals = report["totals"]
    assert (
        totals["active"]
        + totals["accepted"]
        + totals["ghosted_inferred"]
        + sum(totals["outcomes"].values())
    ) == totals["tracked"]
    assert sum(g["tracked"] for g in report["groups"]) == totals["tracked"]


@settings(max_examples=200)
@given(ledgers, st.lists(st.integers(0, 39), max_size=5))
def test_notes_never_change_a_funnel_number(text: str, where: list[int]) -> None:
    state, _ = reduce_text(text)
    body = text.splitlines()
    events = [line for line in body if line[:1].isdigit()]
    if not events:
        return
    extra = []
    for i in where:
        day, _, name = events[i % len(events)].split(" ", 2)
        extra.append(f"{day} note {name.split(' #')[0]}")
    with_notes, _ = reduce_text(text + "\n".join(extra) + "\n")
    before, after = compute_report(state), compute_report(with_notes)
    assert before["funnel"] == after["funnel"]
    assert before["groups"] == after["groups"]
    assert before["pipeline"] == after["pipeline"]


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
    state, diagnostics = reduce_entries(result.entries, AS_OF)
    compute_report(state)
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
    result = load_ledger([str(path)], AS_OF)
    assert result.report is None and result.errors
