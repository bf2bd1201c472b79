"""Every command that writes, killed with SIGKILL at random moments (issue 10): the file it
writes holds the old bytes or the new ones, never a mix, and keeps its permission bits. A
killed run may leave its temp file (`.jobledger-*.tmp`, which no include glob of `*.jobs`
reads) but never a changed target.

Each command is run once to the end first, to know its "new" bytes; then it is started again
from the old file and killed after a random delay spread over its whole run, reading,
writing and renaming included."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import cli_env
from watch_process import wait_until

KILLS = 12
MODE = 0o640


def ledger(applications: int) -> str:
    """A ledger big enough that reading, checking and writing take a while, laid out unevenly
    so that `fmt` has work to do."""
    lines = ['option title "Kill test"', ""]
    for n in range(applications):
        day = n % 28 + 1
        lines.append(f"2026-02-{day:02d} applied   Company {n} | Engineer  #remote")
        lines.append(f"    source:   board ; note {n}")
        if n % 3 == 0:
            lines.append(f"2026-03-{day:02d} phone Company {n} | Engineer")
    return "\n".join(lines) + "\n"


def jobledger(*args: str) -> list[str]:
    return [sys.executable, "-m", "jobledger", *args]


def run_to_the_end(command: list[str], cwd: Path) -> None:
    done = subprocess.run(
        command, cwd=cwd, env=cli_env(), capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr


def kill_loop(
    tmp_path: Path,
    name: str,
    old: bytes,
    command: list[str],
    *,
    setup: Callable[[Path], None] = lambda _: None,
) -> None:
    """Run `command` in a fresh directory holding `name` = `old` (mode 0640), to the end once,
    then KILLS times killed at a random moment; `name` must always be old or new."""
    reference = tmp_path / "reference"
    reference.mkdir()
    (reference / name).write_bytes(old)
    setup(reference)
    started = time.perf_counter()
    run_to_the_end(command, reference)
    seconds = time.perf_counter() - started
    new = (reference / name).read_bytes()
    assert new != old  # else the test could not tell a mix from the old file
    rng = random.Random(10)
    outcomes = {"old": 0, "new": 0}
    for attempt in range(KILLS):
        work = tmp_path / f"run{attempt}"
        work.mkdir()
        target = work / name
        target.write_bytes(old)
        os.chmod(target, MODE)
        setup(work)
        process = subprocess.Popen(
            command,
            cwd=work,
            env=cli_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.2, 1.1) * seconds)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        found = target.read_bytes()
        assert found in (old, new), f"a mix after a kill at attempt {attempt}"
        outcomes["old" if found == old else "new"] += 1
        assert target.stat().st_mode & 0o777 == MODE
        for leftover in work.iterdir():
            assert leftover.name in {name, *os.listdir(reference)} or (
                leftover.name.startswith(".jobledger-") and leftover.name.endswith(".tmp")
            ), leftover.name
        shutil.rmtree(work)
    # the delays are spread so that kills land before and after the rename alike
    assert outcomes["old"] > 0, outcomes


def test_fmt_killed_at_any_moment(tmp_path: Path) -> None:
    old = ledger(3000).encode()
    kill_loop(tmp_path, "hunt.jobs", old, jobledger("fmt", "hunt.jobs"))


def test_add_killed_at_any_moment(tmp_path: Path) -> None:
    old = ledger(3000).encode()
    command = jobledger(
        "add", "rejected", "Company 7 | Engineer", "--date", "2026-04-01", "-f", "hunt.jobs"
    )
    kill_loop(tmp_path, "hunt.jobs", old, [*command, "--no-cache"])


def test_report_output_killed_at_any_moment(tmp_path: Path) -> None:
    def setup(directory: Path) -> None:
        (directory / "hunt.jobs").write_text(ledger(3000), encoding="utf-8")

    command = jobledger("report", "hunt.jobs", "--as-of", "2026-03-15", "-o", "report.html")
    kill_loop(tmp_path, "report.html", b"<p>yesterday's report</p>\n", command, setup=setup)


def test_import_append_killed_at_any_moment(tmp_path: Path) -> None:
    rows = ["company,title,applied_at,rejected_at"]
    rows += [f"Imported {n},Analyst,2026-01-{n % 28 + 1:02d}," for n in range(2000)]

    def setup(directory: Path) -> None:
        (directory / "tracker.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")

    command = jobledger("import", "tracker.csv", "--append", "-o", "hunt.jobs")
    kill_loop(tmp_path, "hunt.jobs", ledger(1000).encode(), command, setup=setup)


@pytest.mark.timeout(300)
def test_watch_output_killed_at_any_moment(tmp_path: Path) -> None:
    """`watch -o` rewrites its output on every build: killed at any moment, the page on disk
    is a whole one."""
    source = ledger(3000)
    out = tmp_path / "hunt.md"
    (tmp_path / "hunt.jobs").write_text(source, encoding="utf-8")
    command = jobledger("watch", "hunt.jobs", "--format", "md", "-o", "hunt.md", "--as-of")
    command.append("2026-03-15")
    # the whole page, as watch writes it: from a run left to finish its first build
    process = subprocess.Popen(command, cwd=tmp_path, env=cli_env(), stderr=subprocess.DEVNULL)
    try:
        assert wait_until(out.exists, timeout=60)
        time.sleep(0.5)
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
    whole = out.read_bytes()
    rng = random.Random(11)
    for _ in range(KILLS):
        out.write_bytes(b"an older page\n")
        os.chmod(out, MODE)
        process = subprocess.Popen(command, cwd=tmp_path, env=cli_env(), stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.1, 2.0))
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        assert out.read_bytes() in (b"an older page\n", whole)
        assert out.stat().st_mode & 0o777 == MODE
