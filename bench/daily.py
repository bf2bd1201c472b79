"""Measure the commands typed many times a day (issue 8) and the start-up (issue 10), each the
median of fresh processes run round-robin, as a user runs them. Prints a Markdown table.

    python bench/daily.py              # 10 runs each
    python bench/daily.py --repeat 30

Targets: `add`, `status` and `todo` under 150 ms each on the example (`add` appends a note to
a copy of the example each time, so its time includes the checked, atomic write); `report` on
the example within Python's start-up + 100 ms, `--help` and `--version` within + 40 ms. As a
user's second run of the day, each finds the cache of the first: `report` then prints the report
it made before; the `--no-cache` row is the same report made from nothing, as after an edit.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "blueprint.jobs"
TARGET_MS = 150


def cli(*args: str | Path) -> list[str]:
    """The installed console script when there is one (as a user runs it), else -m."""
    script = Path(sys.executable).with_name("jobledger")
    words = [str(arg) for arg in args]
    return [str(script), *words] if script.exists() else [sys.executable, "-m", "jobledger", *words]


def once(command: list[str]) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one fresh process. On a shared machine the CPU
    time says what the command costs when the wall time is inflated by someone else's load."""
    # As a user's Python does, keep compiled bytecode: the warm-up run writes it.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["COLUMNS"] = "100"
    start = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
    )
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"{' '.join(command)} failed")
    return seconds, usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="jobledger-daily-"))
    shutil.copytree(EXAMPLE.parent, work / "examples")
    copy = work / "examples" / EXAMPLE.name
    # label -> (command, target): an absolute target in ms, or "+N" over Python's start-up
    commands: dict[str, tuple[list[str], str]] = {
        "`add` on the example": (
            cli("add", "note", "Globex | Software Engineer", "--date", "2026-03-14", "-f", copy),
            str(TARGET_MS),
        ),
        "`status` on the example": (
            cli("status", str(EXAMPLE), "--as-of", "2026-03-15"),
            str(TARGET_MS),
        ),
        "`todo` on the example": (
            cli("todo", str(EXAMPLE), "--as-of", "2026-03-15"),
            str(TARGET_MS),
        ),
        "`report` on the example": (cli("report", str(EXAMPLE), "--as-of", "2026-03-15"), "+100"),
        # The same report made from nothing, as after an edit: parsed (with Lark) and rendered.
        "`report` on the example, `--no-cache`": (
            cli("report", str(EXAMPLE), "--as-of", "2026-03-15", "--no-cache"),
            "",
        ),
        "`--help`": (cli("--help"), "+40"),
        "`--version`": (cli("--version"), "+40"),
        "`python -c pass` (Python's start-up)": ([sys.executable, "-c", "pass"], ""),
    }
    print("| what | median | over Python | fastest | slowest | CPU (median) | target | met |")
    print("|---|--:|--:|--:|--:|--:|--:|---|")
    for command, _ in commands.values():
        once(command)  # warm the file cache and the bytecode, as the second run of a day is
    # Round-robin, so a machine that slows down for a minute slows every command alike.
    runs: dict[str, list[float]] = {label: [] for label in commands}
    cpu: dict[str, list[float]] = {label: [] for label in commands}
    for _ in range(args.repeat):
        for label, (command, _) in commands.items():
            wall, used = once(command)
            runs[label].append(wall * 1000)
            cpu[label].append(used * 1000)
    python = statistics.median(runs["`python -c pass` (Python's start-up)"])
    missed = []
    for label, times in runs.items():
        times.sort()
        median = statistics.median(times)
        used = statistics.median(cpu[label])
        target = commands[label][1]
        if not target:
            shown, met = "—", ""
        elif target.startswith("+"):
            shown, ok = f"Python {target} ms", median - python <= float(target[1:])
            met = "yes" if ok else "no"
        else:
            shown, ok = f"< {target} ms", median < float(target)
            met = "yes" if ok else "no"
        if met == "no":
            missed.append(label)
        print(
            f"| {label} | {median:.0f} ms | +{median - python:.0f} ms | {times[0]:.0f} ms "
            f"| {times[-1]:.0f} ms | {used:.0f} ms | {shown} | {met} |"
        )
    shutil.rmtree(work)
    load = os.getloadavg()[0]
    print(f"\n{args.repeat} fresh processes each; Python {sys.version.split()[0]}; load {load:.2f}")
    if missed:
        raise SystemExit("missed: " + ", ".join(missed))


if __name__ == "__main__":
    main()
