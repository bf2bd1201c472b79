"""Fuzzing (issue 10): mutated real ledgers and hostile inputs through the whole pipeline. Every
input gives a report or clean diagnostics, never another exception, and an input under 1 MB
never takes more than 2 s (no catastrophic backtracking, nothing quadratic in line length or in
the number of applications, errors or includes).

Bounded for CI: a fixed number of examples, Hypothesis's deadline per example, and a time
check on each hostile input: the time to its report or its diagnostics (rendering 15,000
applications is a question of output size, measured by bench/, not of robustness)."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jobledger.pipeline import load_report
from jobledger.render.html import render_html
from jobledger.render.json_report import render_json
from jobledger.render.markdown import render_markdown

ROOT = Path(__file__).resolve().parent.parent
AS_OF = date(2026, 3, 15)
SEEDS = [
    (ROOT / "examples" / "blueprint.jobs").read_text("utf-8"),
    *(p.read_text("utf-8") for p in sorted((ROOT / "tests" / "cases").glob("*.jobs"))),
]
PIECES = [
    " ", "\t", "\n", "\r", "\r\n", '"', "\\", "|", "#", ";", ":", "    ", "2026-02-03",
    "2026-02-30", "9999-99-99", "applied", "rejected", "ghosted", "note", "stage", "role",
    "outcome", "option", "include", '"*.jobs"', "\x00", "\ufeff", "\u202e", "é", "🙂",
    "x" * 300, "#" * 50, '"' * 20,
]  # fmt: skip

# A mutation: at a place in the text, delete a stretch and insert some pieces.
mutations = st.lists(
    st.tuples(
        st.floats(0, 1),
        st.integers(0, 40),
        st.lists(st.sampled_from(PIECES), max_size=6).map("".join),
    ),
    min_size=1,
    max_size=8,
)


def mutate(text: str, changes: list[tuple[float, int, str]]) -> str:
    for where, cut, insert in changes:
        at = int(where * len(text))
        text = text[:at] + insert + text[at + cut :]
    return text


def run_all(path: Path, text: str | bytes, *, page: bool = True) -> float:
    """The whole pipeline, and every renderer when there is a report (the HTML page only when
    `page`: a page of 15,000 applications is a question of page size, not of robustness).
    Returns the CPU seconds it took to get the report or the diagnostics: CPU time, so that
    another job on a shared CI machine does not count against us."""
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8", newline="")
    started = time.process_time()
    result = load_report([str(path)], AS_OF)
    seconds = time.process_time() - started
    for diagnostic in result.diagnostics:
        assert diagnostic.position.line >= 1 and diagnostic.position.column >= 0
        diagnostic.render()
    if result.report is not None:
        render_markdown(result.report)
        render_json(result.report)
        if page:
            render_html(result.report, diagnostics=result.diagnostics)
    else:
        assert result.error_count > 0
        if page:
            render_html(None, diagnostics=result.diagnostics)
    return seconds


@settings(
    max_examples=150,
    deadline=2000,  # ms: an input this small may never take longer
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.sampled_from(range(len(SEEDS))), mutations)
def test_mutated_ledgers_give_a_report_or_clean_diagnostics(
    tmp_path: Path, seed: int, changes: list[tuple[float, int, str]]
) -> None:
    run_all(tmp_path / "fuzz.jobs", mutate(SEEDS[seed], changes))


@settings(
    max_examples=60,
    deadline=2000,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.binary(min_size=1, max_size=2000))
def test_mutated_bytes_give_a_report_or_clean_diagnostics(tmp_path: Path, data: bytes) -> None:
    run_all(tmp_path / "fuzz.jobs", SEEDS[0].encode("utf-8")[:500] + data)


def hostile_inputs() -> dict[str, str]:
    """Each under 1 MB, each aimed at something that could go quadratic or backtrack."""
    names = "".join(
        f"2026-02-{n % 28 + 1:02d} applied Company{n} | Title{n}\n" for n in range(15_000)
    )
    return {
        "one long name": "2026-02-03 applied " + "word " * 190_000 + "\n",
        "a long unclosed quote": '2026-02-03 applied "' + "a" * 900_000 + "\n",
        "many tags": "2026-02-03 applied A " + "#t " * 300_000 + "\n",
        "many bars": "2026-02-03 applied " + "a | " * 200_000 + "\n",
        "many quotes": "2026-02-03 applied " + '"a" ' * 200_000 + "\n",
        "many applications": names,
        "many errors": "2026-02-30 applied X\n" * 40_000,
        "many unknown kinds": "".join(f"2026-02-03 appled A{n}\n" for n in range(30_000)),
        "near names": "".join(f"2026-02-03 phone Acme{n} | Staff Eng\n" for n in range(20_000)),
        "metadata": "2026-02-03 applied A\n" + "    k: v;v;v\n" * 60_000,
        "blank junk": " \t \u00a0\n" * 150_000,
    }  # fmt: skip


@pytest.mark.parametrize("name", sorted(hostile_inputs()))
def test_hostile_inputs_are_fast_and_clean(tmp_path: Path, name: str) -> None:
    text = hostile_inputs()[name]
    assert len(text.encode("utf-8")) < 1_000_000
    assert run_all(tmp_path / "hostile.jobs", text, page=False) < 2.0, name


def test_many_includes_are_fast(tmp_path: Path) -> None:
    lines = []
    for n in range(500):
        (tmp_path / f"part{n}.jobs").write_text(f"2026-02-03 applied A{n}\n", encoding="utf-8")
        lines.append(f'include "part{n}.jobs"')
    lines.append('include "part*.jobs"')  # the same files again, through a glob: read once
    main = tmp_path / "main.jobs"
    assert run_all(main, "\n".join(lines) + "\n") < 2.0
