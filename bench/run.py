"""Measure what issue 2 promises; prints a Markdown table for the README.

    python bench/run.py            # all figures, about a minute
    python bench/run.py --quick    # fewer repetitions

Targets: parse >= 50,000 lines/s; `check` on 100,000 events < 3 s and < 250 MB;
`report` on the example < 150 ms; `--help` < 100 ms; hostile inputs < 2 s.
Times are wall-clock medians; the CLI is run as a user runs it, in a fresh process.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "src"))

from generate import generate  # noqa: E402

from jobledger.ledger.parser import parse_text  # noqa: E402

EXAMPLE = ROOT / "examples" / "blueprint.jobs"


def cli(*args: str) -> list[str]:
    """The installed console script when there is one (as a user runs it), else -m."""
    script = Path(sys.executable).with_name("jobledger")
    return [str(script), *args] if script.exists() else [sys.executable, "-m", "jobledger", *args]


def run(command: list[str]) -> tuple[float, int]:
    """Wall seconds and peak resident memory (MB) of one child process."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(process.pid, 0)
    return time.perf_counter() - start, usage.ru_maxrss // 1024


def timed(command: list[str], repeat: int) -> tuple[float, int]:
    runs = [run(command) for _ in range(repeat)]
    return statistics.median(t for t, _ in runs), max(m for _, m in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    repeat = 3 if args.quick else 10
    rows: list[tuple[str, str, str]] = []

    with tempfile.TemporaryDirectory() as work:
        big = Path(work) / "big.jobs"
        text = generate(36_500)  # about 100,000 events
        big.write_text(text, encoding="utf-8")
        events = sum(1 for line in text.splitlines() if line[:1].isdigit())
        lines = text.count("\n")

        parse_text("2026-01-01 applied warm-up\n", "warm")
        best = min(_parse_seconds(text) for _ in range(3))
        rows.append(("parse (in process)", f"{lines / best:,.0f} lines/s", ">= 50,000 lines/s"))

        seconds, mb = timed(cli("check", str(big)), max(3, repeat // 3))
        rows.append(
            (f"`check` on {events:,} events", f"{seconds:.2f} s, {mb} MB", "< 3 s, < 250 MB")
        )
        seconds, mb = timed(cli("report", str(big), "--as-of", "2026-01-01"), 3)
        rows.append((f"`report` on {events:,} events", f"{seconds:.2f} s, {mb} MB", "—"))

        seconds, _ = timed(cli("report", str(EXAMPLE), "--as-of", "2026-03-15"), repeat)
        rows.append(("`report` on the example", f"{seconds * 1000:.0f} ms", "< 150 ms"))
        seconds, _ = timed(cli("--help"), repeat)
        rows.append(("`--help`", f"{seconds * 1000:.0f} ms", "< 100 ms"))
        seconds, _ = timed([sys.executable, "-c", "pass"], repeat)
        rows.append(("(bare `python -c pass`, for scale)", f"{seconds * 1000:.0f} ms", "—"))

        long_line = Path(work) / "long.jobs"
        long_line.write_text("x" * 1_000_000 + "\n2026-01-01 applied " + "y " * 500_000 + "\n")
        seconds, _ = timed(cli("check", str(long_line)), 3)
        rows.append(("`check`, two 1 MB lines", f"{seconds:.2f} s", "< 2 s"))
        junk = Path(work) / "junk.jobs"
        junk.write_bytes(os.urandom(1_000_000))
        seconds, _ = timed(cli("check", str(junk)), 3)
        rows.append(("`check`, 1 MB of random bytes", f"{seconds:.2f} s", "< 2 s"))
        garbage = Path(work) / "garbage.jobs"
        garbage.write_text("this is not a ledger line\n" * 100_000)
        seconds, _ = timed(cli("check", str(garbage)), 3)
        rows.append(("`check`, 100,000 invalid lines", f"{seconds:.2f} s", "< 2 s"))

    print("| measure | result | target |")
    print("|---|---:|---|")
    for name, result, target in rows:
        print(f"| {name} | {result} | {target} |")


def _parse_seconds(text: str) -> float:
    start = time.perf_counter()
    parse_text(text, "bench.jobs")
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
