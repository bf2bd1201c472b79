"""Write a realistic synthetic ledger: `python bench/generate.py APPLICATIONS [OUT] [--seed N]`.

Applications walk the default funnel with plausible drop-off; about one event in four carries a
comment, one in ten metadata. Used by the benchmarks; deterministic for a given seed.
"""

from __future__ import annotations

import argparse
import random
import sys
from datetime import date, timedelta

STAGES = ["wishlist", "applied", "response", "phone", "interview", "second", "offer", "accepted"]
GO_ON = [0.7, 0.45, 0.7, 0.55, 0.6, 0.6, 0.8]  # chance to move from stage i to i + 1
ROLES = ["devrel", "swe", "sales"]
WORDS = [
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Stark",
    "Wayne",
    "Tyrell",
    "Cyberdyne",
    "Soylent",
    "Hooli",
    "Pied Piper",
    "Vandelay",
    "Wonka",
    "Oscorp",
    "Aperture",
]
TITLES = [
    "Software Engineer",
    "Developer Advocate",
    "Sales Engineer",
    "Platform Engineer",
    "Backend Engineer",
    "Solutions Architect",
]


def generate(applications: int, seed: int = 1, start: date = date(2024, 1, 1)) -> str:
    rng = random.Random(seed)
    lines = [
        'option title "Synthetic hunt"',
        'role devrel "Developer Advocate"',
        'role swe "Software Engineer"',
        'role sales "Sales Engineer"',
        "",
    ]
    events: list[tuple[date, int, str]] = []
    for number in range(applications):
        name = f"{rng.choice(WORDS)} {number} | {rng.choice(TITLES)}"
        day = start + timedelta(days=rng.randrange(700))
        stage = 0 if rng.random() < 0.3 else 1
        tag = f"  #{rng.choice(ROLES)}" if rng.random() < 0.8 else ""
        seq = 0
        events.append((day, seq, f"{day} {STAGES[stage]} {name}{tag}"))
        while stage < len(STAGES) - 1 and rng.random() < GO_ON[stage]:
            day += timedelta(days=rng.randint(1, 14))
            stage += 1
            seq += 1
            comment = "   ; talked to the recruiter" if rng.random() < 0.25 else ""
            events.append((day, seq, f"{day} {STAGES[stage]} {name}{comment}"))
            if rng.random() < 0.1:
                events.append((day, seq, f"    source: {rng.choice(['referral', 'job board'])}"))
        if stage < len(STAGES) - 1 and rng.random() < 0.5:
            day += timedelta(days=rng.randint(3, 30))
            outcome = rng.choice(["rejected", "rejected", "withdrawn", "ghosted"])
            events.append((day, seq + 1, f"{day} {outcome} {name}"))
    # Applications interleave in time, as in a real ledger; metadata stays under its event.
    order = sorted(range(len(events)), key=lambda i: (events[i][0], i))
    body: list[str] = []
    for i in order:
        if events[i][2].startswith("    "):
            continue
        body.append(events[i][2])
        if i + 1 < len(events) and events[i + 1][2].startswith("    "):
            body.append(events[i + 1][2])
    return "\n".join(lines + body) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("applications", type=int)
    parser.add_argument("out", nargs="?")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    text = generate(args.applications, args.seed)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
