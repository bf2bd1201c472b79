"""jobledger beside hledger and ledger on one ledger, in one run: `python bench/compare.py`.

    python bench/compare.py                   # 100,000 events, median of 5 runs each
    python bench/compare.py --events 20000 --runs 3
    python bench/compare.py --scale           # `check` at 10k and at 100k events

Writes the bench ledger with bench/generate.py (as bench/run.py does) and the equivalent
journal, then runs every command round-robin (A B C … A B C …), so that the machine's speed
drift, up to 2x between hours here, hits every command alike; only ratios within one run
compare. Each figure is the median wall time and the largest peak RSS (os.wait4) of N runs of
a fresh process, output to /dev/null; each ratio is the median of the N per-round ratios of
wall times. CPU time (user + system) is printed too: when something else runs on the machine,
wall times stretch and CPU times much less (here, under a load of 7 on 2 cores: wall 2-3x,
CPU 1.3x). Peak RSS counts from the parent's at fork, about 20 MB, a floor for every row.

The equivalent journal has one transaction per event, so it has exactly as many transactions
as the ledger has events, each with two postings:

    2024-01-05 applied Acme 7 | Software Engineer  #swe  ; talked to the recruiter
        source: referral
becomes
    2024-01-05 Acme 7 | Software Engineer  ; talked to the recruiter
        ; swe:
        ; source: referral
        stage:applied  1
        applications

the date and the application's name (hledger reads "payee | note") as the header; the kind as
the account of a posting of 1; a balancing posting with no amount, which both tools infer;
each tag as a tag and each metadata line as a `key: value` tag, which hledger and ledger both
parse; an end-of-line comment as the transaction's comment. Directives (option, role, stage,
outcome) have no journal equivalent and are dropped: a handful of lines.

"Cold" is a first run: jobledger gets a new empty cache directory (XDG_CACHE_HOME) each time,
for when it has a parse cache. "Warm" is a run over unchanged files with the cache directory
of an earlier run, compared with ledger, which keeps no cache. Without a cache in jobledger
the two do the same work. The OS file cache is warm for all.

Missing hledger or ledger: said, and their rows and ratios skipped (exit 0). Exit 1 when a
command fails: a failed run times nothing.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from generate import generate  # noqa: E402

AS_OF = "2026-01-01"  # pinned: the reducer's ghosting depends on "today"
# generate(36_500) writes 99,782 events: about 2.73 per application.
EVENTS_PER_APPLICATION = 99_782 / 36_500
SCALE_TARGET = 11.0  # 10x the events may cost at most 11x the time

_EVENT = re.compile(r"(\d{4}-\d{2}-\d{2})[^\S\n]+(\S+)[^\S\n]+(.*)")
_META = re.compile(r"[^\S\n]+([^\s:]+):[^\S\n]*(.*)")
# A ';' after a blank starts a comment; tags are the '#words' at the end of what is left.
_COMMENT = re.compile(r"[^\S\n]+;(.*)$")
_TAGS = re.compile(r"(?:[^\S\n]+#[^\s#;]+)+$")


def to_journal(text: str) -> tuple[str, int]:
    """The .jobs text as an hledger/ledger journal (see the module's docstring), and how many
    transactions it holds. Reads the format as bench/generate.py writes it (bare and quoted
    names, tags, comments, metadata), not every corner of it: src/ stays out of this."""
    out: list[str] = []
    transactions = 0
    for line in text.splitlines():
        if (event := _EVENT.fullmatch(line)) is not None:
            day, kind, rest = event.groups()
            comment = ""
            if (found := _COMMENT.search(rest)) is not None:
                comment, rest = found.group(1).strip(), rest[: found.start()]
            tags: list[str] = []
            if (found := _TAGS.search(rest)) is not None:
                tags, rest = found.group(0).split(), rest[: found.start()]
            name = " ".join(rest.replace('"', "").split())
            out.append("")
            out.append(f"{day} {name}" + (f"  ; {comment}" if comment else ""))
            out.extend(f"    ; {tag[1:]}:" for tag in tags)
            out.append(f"    stage:{kind}  1")
            out.append("    applications")
            transactions += 1
        elif (meta := _META.fullmatch(line)) is not None and out:
            # Metadata follows its event: slot it in above that transaction's two postings.
            out.insert(len(out) - 2, f"    ; {meta.group(1)}: {meta.group(2).strip()}")
    return "\n".join(out).lstrip("\n") + "\n", transactions


def events_in(text: str) -> int:
    return sum(1 for line in text.splitlines() if _EVENT.fullmatch(line))


@dataclass(frozen=True)
class Input:
    ledger: Path
    journal: Path
    events: int
    lines: int


def prepare(directory: Path, events: int, name: str = "bench") -> Input:
    """Write the ledger and its journal in a child process. A child's peak RSS counts from its
    parent's at fork, so the parent that times the tools must never hold a 100k-event text."""
    done = subprocess.run(
        [sys.executable, __file__, "--prepare", str(directory), str(events), name],
        check=True,
        capture_output=True,
        text=True,
    )
    count, lines = map(int, done.stdout.split())
    return Input(directory / f"{name}.jobs", directory / f"{name}.journal", count, lines)


def write_ledger(directory: Path, events: int, name: str) -> tuple[int, int]:
    """The bench ledger of about `events` events and its journal; the exact event and line
    counts. Runs in the child process of prepare()."""
    text = generate(max(1, round(events / EVENTS_PER_APPLICATION)))
    ledger = directory / f"{name}.jobs"
    ledger.write_text(text, encoding="utf-8")
    journal_text, transactions = to_journal(text)
    count = events_in(text)
    if transactions != count:  # the comparison is only fair one to one
        raise SystemExit(f"journal has {transactions} transactions for {count} events")
    journal = directory / f"{name}.journal"
    journal.write_text(journal_text, encoding="utf-8")
    return count, text.count("\n")


# ---------------------------------------------------------------- running


@dataclass
class Command:
    name: str
    argv: list[str]
    # Called before each run for the environment of that run (e.g. a new cache directory).
    env: Callable[[], dict[str, str]] = dict
    walls: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)  # user + system seconds
    rss_mb: list[float] = field(default_factory=list)

    @property
    def wall(self) -> float:
        return statistics.median(self.walls)


def run_once(argv: Sequence[str], extra_env: dict[str, str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak RSS (MB) of one fresh process; exits if it fails."""
    env = {**os.environ, **extra_env}
    # Installed packages come with .pyc files; a checkout under PYTHONDONTWRITEBYTECODE would
    # compile jobledger's modules on every run (about 140 ms here), which no user pays.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    start = time.perf_counter()
    process = subprocess.Popen(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, text=True
    )
    # wait4 for the child's own peak RSS; read stderr first so a chatty child cannot block.
    assert process.stderr is not None
    errors = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"`{' '.join(argv)}` exited {process.returncode}:\n{errors[-2000:]}")
    # Linux reports KiB. CPU time barely moves when another process shares the cores; wall does.
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def alternate(commands: Sequence[Command], runs: int, progress: bool = True) -> None:
    """Round-robin: run 1 of every command, then run 2 of every command, …"""
    for number in range(runs):
        for command in commands:
            wall, cpu, rss = run_once(command.argv, command.env())
            command.walls.append(wall)
            command.cpus.append(cpu)
            command.rss_mb.append(rss)
        if progress:
            print(f"  round {number + 1}/{runs} done", file=sys.stderr)


def jobledger_cli(given: str | None) -> list[str]:
    """The console script beside this Python (as a user runs it), else `python -m jobledger`."""
    if given:
        return given.split()
    script = Path(sys.executable).with_name("jobledger")
    return [str(script)] if script.exists() else [sys.executable, "-m", "jobledger"]


def fresh_cache(scratch: Path) -> Callable[[], dict[str, str]]:
    """An environment with a new, empty cache directory each time it is called: a cold run."""

    def env() -> dict[str, str]:
        return {"XDG_CACHE_HOME": tempfile.mkdtemp(prefix="cold-cache-", dir=scratch)}

    return env


def version(argv: list[str]) -> str:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    except OSError as exc:
        return f"unavailable ({exc.strerror})"
    lines = (done.stdout or done.stderr).strip().splitlines()
    return lines[0].strip() if lines else "?"


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def preamble(jobledger: list[str], tools: dict[str, str | None]) -> list[str]:
    lines = [
        f"- date: {datetime.now().astimezone().isoformat(timespec='seconds')}",
        f"- machine: {platform.machine()}, {cpu_model()}, {os.cpu_count()} CPUs",
        f"- jobledger: {version([*jobledger, '--version'])} "
        f"(`{' '.join(jobledger)}`, Python {platform.python_version()})",
    ]
    for name, path in tools.items():
        lines.append(f"- {name}: {version([path, '--version']) if path else 'not installed'}")
    return lines


# ---------------------------------------------------------------- the two modes


def ratio(command: Command, other: Command) -> float:
    """The median of the per-round ratios: both runs of a round saw the same machine speed,
    so drift between rounds cancels out, which a ratio of the two medians does not do."""
    return statistics.median(a / b for a, b in zip(command.walls, other.walls, strict=True))


# Issue 10's targets: (the other tool, the largest ratio to it), and peak RSS for cold runs.
RATIO_TARGETS = {"check": ("hledger", 0.5), "report": ("hledger", 0.6), "warm": ("ledger", 1.0)}
RSS_TARGET_MB = 150


def verdict(command: Command, hledger: Command | None, ledger: Command | None) -> str:
    """'<= 0.5x hledger: met, <= 150 MB: met' for a jobledger row; what cannot be judged is left
    out (a tool that is not installed)."""
    warm = command.name.endswith("warm")
    kind = "warm" if warm else "report" if " report" in command.name else "check"
    tool, limit = RATIO_TARGETS[kind]
    other = hledger if tool == "hledger" else ledger
    parts = []
    if other is not None:
        met = ratio(command, other) <= limit
        parts.append(f"<= {limit:.1f}x {tool}: {'met' if met else 'missed'}")
    if not warm:
        met = max(command.rss_mb) <= RSS_TARGET_MB
        parts.append(f"<= {RSS_TARGET_MB} MB: {'met' if met else 'missed'}")
    return ", ".join(parts)


def compare(args: argparse.Namespace, scratch: Path) -> int:
    data = prepare(scratch, args.events)
    ledger, journal, events = data.ledger, data.journal, data.events
    megabytes = ledger.stat().st_size / 1e6
    jl = jobledger_cli(args.jobledger)
    tools = {name: shutil.which(name) for name in ("hledger", "ledger")}
    for name, path in tools.items():
        if path is None:
            print(f"{name} is not installed (apt-get install {name}): its rows are skipped")

    base = [*jl, "check", str(ledger), "--as-of", AS_OF]
    warm_cache = scratch / "warm-cache"
    warm_cache.mkdir()
    # The warm run's cache comes from an earlier run over the same, unchanged files.
    run_once(base, {"XDG_CACHE_HOME": str(warm_cache)})
    tiny = prepare(scratch, 100, "tiny").ledger
    for fmt in ("md", "json", "html"):  # writes the .pyc files of every module a report imports
        run_once(
            [*jl, "report", str(tiny), "--as-of", AS_OF, "--format", fmt], fresh_cache(scratch)()
        )
    cold = fresh_cache(scratch)
    commands = [Command("`jobledger check`", base, cold)]
    for fmt in ("md", "json", "html"):
        argv = [*jl, "report", str(ledger), "--as-of", AS_OF, "--format", fmt]
        commands.append(Command(f"`jobledger report --format {fmt}`", argv, cold))
    commands.append(
        Command("`jobledger check`, warm", base, lambda: {"XDG_CACHE_HOME": str(warm_cache)})
    )
    hledger = ledger_bal = None
    if tools["hledger"]:
        hledger = Command("`hledger bal`", [tools["hledger"], "-f", str(journal), "bal"])
        commands.append(hledger)
    if tools["ledger"]:
        # No ~/.ledgerrc: the same work on every machine.
        argv = [tools["ledger"], "--init-file", os.devnull, "-f", str(journal), "bal"]
        ledger_bal = Command("`ledger bal`", argv)
        commands.append(ledger_bal)

    print(f"timing {len(commands)} commands x {args.runs} runs, alternating …", file=sys.stderr)
    alternate(commands, args.runs)

    print(f"## jobledger vs hledger and ledger, {events:,} events")
    print()
    print(*preamble(jl, tools), sep="\n")
    print(
        f"- input: bench/generate.py, {events:,} events, {data.lines:,} lines, {megabytes:.1f} MB; "
        f"the journal: {events:,} transactions; median of {args.runs} alternating runs"
    )
    print()
    print(
        "| command | wall (median) | min, max | CPU (median) | peak RSS | / hledger bal "
        "| / ledger bal | target |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for command in commands:
        cells = [command.name, f"{command.wall:.2f} s"]
        cells.append(f"{min(command.walls):.2f}, {max(command.walls):.2f} s")
        cells.append(f"{statistics.median(command.cpus):.2f} s")
        cells.append(f"{max(command.rss_mb):.0f} MB")
        mine = command not in (hledger, ledger_bal)
        for other in (hledger, ledger_bal):
            cells.append(f"{ratio(command, other):.2f}x" if mine and other else "")
        cells.append(verdict(command, hledger, ledger_bal) if mine else "")
        print("| " + " | ".join(cells) + " |")
    return 0


def scale(args: argparse.Namespace, scratch: Path) -> int:
    jl = jobledger_cli(args.jobledger)
    small_input, big_input = (
        prepare(scratch, args.events // 10, "small"),
        prepare(scratch, args.events, "big"),
    )
    small, small_events = small_input.ledger, small_input.events
    big, big_events = big_input.ledger, big_input.events
    cold = fresh_cache(scratch)
    run_once([*jl, "check", str(small), "--as-of", AS_OF], cold())  # writes the .pyc files
    commands = [
        Command(f"`check`, {n:,} events", [*jl, "check", str(path), "--as-of", AS_OF], cold)
        for path, n in ((small, small_events), (big, big_events))
    ]
    print(f"timing check at two sizes x {args.runs} runs, alternating …", file=sys.stderr)
    alternate(commands, args.runs)
    # Start-up is paid once at both sizes; the ratio says whether the rest is linear.
    startup = Command("`jobledger --version`", [*jl, "--version"])
    alternate([startup], args.runs, progress=False)
    ratio = commands[1].wall / commands[0].wall
    print(f"## Scaling of `jobledger check`, {small_events:,} → {big_events:,} events")
    print()
    print(*preamble(jl, {}), sep="\n")
    print()
    print("| command | wall (median) | CPU (median) | peak RSS |")
    print("|---|---:|---:|---:|")
    for command in [*commands, startup]:
        cpu, rss = statistics.median(command.cpus), max(command.rss_mb)
        print(f"| {command.name} | {command.wall:.3f} s | {cpu:.3f} s | {rss:.0f} MB |")
    met = "met" if ratio <= SCALE_TARGET else "missed"
    print()
    print(
        f"ratio: {ratio:.1f}x for {big_events / small_events:.1f}x the events "
        f"(target <= {SCALE_TARGET:g}x: {met})"
    )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n", 1)[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=100_000, help="about this many events")
    parser.add_argument("--runs", type=int, default=5, help="runs of each command (median)")
    parser.add_argument("--scale", action="store_true", help="time check at events/10 and events")
    parser.add_argument(
        "--jobledger", metavar="CMD", help="the jobledger command to time (default: this venv's)"
    )
    parser.add_argument("--prepare", nargs=3, help=argparse.SUPPRESS)  # DIR EVENTS NAME
    args = parser.parse_args()
    if args.prepare:
        directory, events, name = args.prepare
        print(*write_ledger(Path(directory), int(events), name))
        return 0
    with tempfile.TemporaryDirectory(prefix="jobledger-compare-") as directory:
        scratch = Path(directory)
        return scale(args, scratch) if args.scale else compare(args, scratch)


if __name__ == "__main__":
    sys.exit(main())
