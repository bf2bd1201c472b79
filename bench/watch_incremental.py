"""Time `jobledger watch` on a big ledger split into include files, against a cold report.

    python bench/watch_incremental.py                 # 100,000 events in 5 files, HTML, 5 rounds
    python bench/watch_incremental.py --format md --rounds 7

Issue 10: a save of one file of a 100k-event ledger split into 5 (yearly) include files must
give the new report on disk in <= 0.25x the time of a cold `jobledger report` of the same ledger,
measured in the same run. The ledger is bench/generate.py's, its events in date order cut into
5 consecutive files of equal size (`years/part1.jobs` … `part5.jobs`, the newest last) that
`main.jobs` includes with a glob. One `watch -o OUT` runs throughout; each round times, in
alternating order,
  - a cold `jobledger report main.jobs --format F` (a fresh process and an empty cache directory);
  - a save of the newest file, vim-style, with one more application: from the save to OUT on disk
    holding it (OUT polled every millisecond; the watcher's 150 ms debounce included).
Prints the medians and the median of the per-round ratios; exits 1 if the ratio misses 0.25.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from generate import generate  # noqa: E402
from watch_latency import Watch, _poll, save  # noqa: E402

AS_OF = "2026-01-01"
TARGET = 0.25
EVENTS_PER_APPLICATION = 99_782 / 36_500


def split(directory: Path, events: int, parts: int) -> tuple[Path, Path]:
    """The bench ledger as main.jobs (its directives and an include) and `parts` files."""
    lines = generate(max(1, round(events / EVENTS_PER_APPLICATION))).splitlines()
    head = [line for line in lines if line and not line[:1].isdigit() and line[:1] != " "]
    body = [line for line in lines if line[:1].isdigit() or line[:1] == " "]
    cuts = [round(i * len(body) / parts) for i in range(parts + 1)]
    for i in range(1, parts):
        while body[cuts[i]].startswith(" "):  # metadata stays under its event
            cuts[i] += 1
    (directory / "years").mkdir()
    for i in range(parts):
        part = directory / "years" / f"part{i + 1}.jobs"
        part.write_text("\n".join(body[cuts[i] : cuts[i + 1]]) + "\n", encoding="utf-8")
    main = directory / "main.jobs"
    main.write_text("\n".join(head) + '\ninclude "years/*.jobs"\n', encoding="utf-8")
    return main, directory / "years" / f"part{parts}.jobs"


def cold_report(main: Path, fmt: str, scratch: Path) -> float:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    env["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="cold-", dir=scratch)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: .pyc files, no compiling
    argv = [sys.executable, "-m", "jobledger", "report", str(main), "--as-of", AS_OF]
    started = time.perf_counter()
    subprocess.run(
        [*argv, "--format", fmt], env=env, stdout=subprocess.DEVNULL, check=True
    )  # fmt: skip
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--events", type=int, default=100_000, help="about this many events")
    parser.add_argument("--parts", type=int, default=5, help="include files")
    parser.add_argument("--format", choices=("html", "md"), default="html")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # the watch process too
    with tempfile.TemporaryDirectory(prefix="jobledger-incremental-") as directory:
        scratch = Path(directory)
        ledger, newest = split(scratch, args.events, args.parts)
        out = scratch / f"out.{args.format}"
        lines = sum(1 for _ in ledger.parent.glob("years/*.jobs"))
        print(
            f"ledger: about {args.events:,} events in {lines} include files; "
            f"watch -o {out.name}; as of {AS_OF}"
        )
        cold_report(ledger, args.format, scratch)  # .pyc files, the OS's file cache
        watch = Watch(
            str(ledger), "-o", str(out), "--format", args.format, "--as-of", AS_OF,
            cwd=scratch,
        )  # fmt: skip
        colds: list[float] = []
        saves: list[float] = []
        try:
            watch.wait_for(r"rebuilt in \d+ ms", timeout=300)
            text = newest.read_text(encoding="utf-8")
            for number in range(args.rounds):
                marker = f"Savedco {number}"
                text += f"2025-12-30 applied {marker} | Engineer\n"

                def one_save(marker: str = marker, text: str = text) -> float:
                    started = time.perf_counter()
                    save(newest, text)
                    taken = _poll(out, marker, started, timeout=120)
                    time.sleep(0.5)  # let the watcher go quiet
                    return taken

                if number % 2 == 0:
                    colds.append(cold_report(ledger, args.format, scratch))
                    saves.append(one_save())
                else:
                    saves.append(one_save())
                    colds.append(cold_report(ledger, args.format, scratch))
                print(
                    f"  round {number + 1}: cold report {colds[-1]:.2f} s, save -> OUT "
                    f"{saves[-1]:.2f} s",
                    file=sys.stderr,
                )
        finally:
            watch.stop()
        builds = [int(m.group(1)) for line in watch.lines if (m := re.search(r"in (\d+) ms", line))]
        ratio = statistics.median(s / c for s, c in zip(saves, colds, strict=True))
        print(f"cold `report --format {args.format}`: median {statistics.median(colds):.2f} s")
        print(
            f"save -> new OUT on disk:        median {statistics.median(saves):.2f} s "
            f"(the rebuild itself, as watch prints it: median "
            f"{statistics.median(builds[1:]) / 1000:.2f} s)"
        )
        met = "met" if ratio <= TARGET else "MISSED"
        print(f"ratio (median of {args.rounds} rounds): {ratio:.2f}x (target <= {TARGET}x: {met})")
        return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
