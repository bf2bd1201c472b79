"""Hypothesis strategies for whole ledgers that read clean: each application a history that could
have happened (stages only go up, at most one outcome and nothing but notes after it), some of
it scheduled after the report date, with tags, roles and metadata."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import strategies as st

from jobledger.ledger.model import DEFAULT_OUTCOMES, DEFAULT_STAGES

AS_OF = date(2026, 3, 15)
START = date(2026, 1, 1)
STAGES = [key for key, _ in DEFAULT_STAGES]
OUTCOMES = [key for key, _ in DEFAULT_OUTCOMES]
NAMES = [
    "Acme",
    "Globex | Dev",
    "Initech | SRE",
    "Café | Ops",
    '"#Startup" | "Engineer | Platform"',
    "Umbrella, Inc. | Data",
    "Hooli | =SUM(A1)",
    "Stark | Lead - Ops",
]
META = st.sampled_from(
    [
        "source: referral",
        "source: job board",
        "url: https://x.example/jobs?a=1;b=2",
        "notes: first line\\nsecond; line",
        "salary: +10%",
        "contact: @priya",
    ]
)


@st.composite
def history(draw: st.DrawFn, name: str) -> list[str]:
    """One application's lines, in date order."""
    day = START + timedelta(days=draw(st.integers(0, 60)))
    first = draw(st.integers(0, len(STAGES) - 1))
    top = draw(st.integers(first, len(STAGES) - 1))
    stages = sorted(
        {first, top} | set(draw(st.lists(st.integers(first, top), max_size=3)))
    )  # stages may be skipped, never revisited
    tag = draw(st.sampled_from(["", " #swe", " #devrel", " #remote", " #swe #remote"]))
    lines: list[str] = []
    for number, stage in enumerate(stages):
        day += timedelta(days=draw(st.integers(0, 12)))
        line = f"{day} {STAGES[stage]} {name}" + (tag if number == 0 else "")
        lines.append(line)
        if number == 0:
            lines += ["    " + m for m in draw(st.lists(META, max_size=2, unique=True))]
    if draw(st.booleans()):  # an outcome may even follow `accepted` (reneged, declined)
        day += timedelta(days=draw(st.integers(0, 20)))
        lines.append(f"{day} {draw(st.sampled_from(OUTCOMES))} {name}")
    if draw(st.booleans()):
        day += timedelta(days=draw(st.integers(0, 5)))
        lines.append(f"{day} note {name}  ; a note")
    return lines


@st.composite
def ledgers(draw: st.DrawFn) -> str:
    """A ledger text with up to eight applications, roles swe and devrel declared."""
    names = draw(st.lists(st.sampled_from(NAMES), unique=True, max_size=len(NAMES)))
    body = [line for name in names for line in draw(history(name))]
    return 'role swe "Software Engineer"\nrole devrel "DevRel"\n\n' + "\n".join(body) + "\n"
