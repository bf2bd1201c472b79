"""Time the HTML report: `python bench/html_render.py [APPLICATIONS] [--runs N]`.

Writes a synthetic ledger with bench/generate.py (default 1,000 applications), then reports
  - the page size in bytes (budget: under 1 MB),
  - render_html() after a warm-up render (templates compiled, caches full): min and median of
    N runs (budget: under 150 ms),
  - the first render in this process (template compilation included),
  - the wall time of a cold `python -m jobledger report --format html -o FILE` (a new process:
    interpreter start, imports, parse, metrics, render, write).
The as-of date is pinned so runs compare.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
AS_OF = date(2026, 3, 15)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("applications", nargs="?", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--ledger", help="time this ledger instead of a generated one")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        ledger = args.ledger or os.path.join(tmp, "bench.jobs")
        if args.ledger is None:
            subprocess.run(
                [sys.executable, str(HERE / "generate.py"), str(args.applications), ledger],
                check=True,
            )

        from jobledger.pipeline import load_report
        from jobledger.render.html import render_html

        result = load_report([ledger], AS_OF)
        if result.report is None:
            print("the ledger has errors", file=sys.stderr)
            return 1
        started = time.perf_counter()
        page = render_html(result.report)
        first = time.perf_counter() - started
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            render_html(result.report)
            times.append(time.perf_counter() - started)

        out = os.path.join(tmp, "report.html")
        command = [
            sys.executable,
            "-m",
            "jobledger",
            "report",
            ledger,
            "--as-of",
            AS_OF.isoformat(),
            "--format",
            "html",
            "-o",
            out,
        ]
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        cold = time.perf_counter() - started

        tracked = result.report.totals.tracked
        size = len(page.encode("utf-8"))
        print(f"ledger:            {tracked} applications")
        print(f"page size:         {size:,} bytes ({size / 1_000_000:.2f} MB)")
        print(
            f"render, warm:      min {min(times) * 1000:.1f} ms, "
            f"median {statistics.median(times) * 1000:.1f} ms over {args.runs} runs"
        )
        print(f"render, first:     {first * 1000:.1f} ms (templates compiled)")
        print(f"cold CLI, total:   {cold * 1000:.0f} ms ({' '.join(command[1:4])} …)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
