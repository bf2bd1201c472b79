"""Helpers for the watch/serve tests: poll for a condition, and run `jobledger watch` as a
subprocess whose output lines can be waited for."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from conftest import cli_env

AS_OF = "2026-03-15"


def wait_until(
    predicate: Callable[[], object], timeout: float = 10.0, interval: float = 0.02
) -> bool:
    """Poll `predicate` until it is truthy; False after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


def ledger_text(applied: int, *, extra: str = "", company: str = "Acme", title: bool = True) -> str:
    """A small valid ledger with `applied` applications (so `applied` tracked)."""
    lines = ['option title "Watch test"', ""] if title else []
    lines += [
        f"2026-02-{day + 1:02d} applied  {company} {day} | Engineer" for day in range(applied)
    ]
    return "\n".join(lines) + "\n" + extra


def read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return ""


SABOTAGE = Path(__file__).with_name("sabotaged_watch.py")


class WatchProcess:
    """`python -m jobledger watch ARGS` with its stdout and stderr collected line by line.

    `ignoring`: signals the child starts with ignored, as a shell leaves SIGINT for a background
    job of a script, or `nohup` SIGHUP. `stdout`: a file descriptor to write to instead of a
    pipe (a terminal: `self.out` then stays empty). `sabotage`: run it under
    sabotaged_watch.py, where SIGUSR1 kills the file watcher's observer thread."""

    def __init__(
        self,
        *args: str | os.PathLike[str],
        cwd: str | os.PathLike[str],
        ignoring: tuple[signal.Signals, ...] = (),
        stdout: int | None = None,
        sabotage: bool = False,
    ) -> None:
        def ignore() -> None:
            for signum in ignoring:
                signal.signal(signum, signal.SIG_IGN)

        program = [str(SABOTAGE)] if sabotage else ["-m", "jobledger"]
        self.proc = subprocess.Popen(
            [sys.executable, *program, "watch", *(os.fspath(a) for a in args)],
            cwd=cwd,
            env=cli_env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE if stdout is None else stdout,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            preexec_fn=ignore if ignoring else None,
        )
        self.out: list[str] = []
        self.err: list[str] = []
        self._readers = [
            threading.Thread(target=self._read, args=(self.proc.stderr, self.err), daemon=True),
        ]
        if stdout is None:
            self._readers.append(
                threading.Thread(target=self._read, args=(self.proc.stdout, self.out), daemon=True)
            )
        for reader in self._readers:
            reader.start()

    @staticmethod
    def _read(stream: object, into: list[str]) -> None:
        for line in stream:  # type: ignore[attr-defined]
            into.append(line.rstrip("\n"))

    def wait_for(
        self, pattern: str, *, stream: str = "out", timeout: float = 10.0, start: int = 0
    ) -> re.Match[str]:
        """The first line (from index `start`) of stdout/stderr matching `pattern`."""
        lines = self.out if stream == "out" else self.err
        found: list[re.Match[str]] = []

        def seen() -> bool:
            for line in lines[start:]:
                match = re.search(pattern, line)
                if match:
                    found.append(match)
                    return True
            return self.proc.poll() is not None

        wait_until(seen, timeout)
        if not found:
            raise AssertionError(
                f"no line matching {pattern!r} within {timeout} s "
                f"(exit {self.proc.poll()})\nstdout:\n"
                + "\n".join(self.out)
                + "\nstderr:\n"
                + "\n".join(self.err)
            )
        return found[0]

    def rebuilds(self) -> list[str]:
        return [line for line in self.out if re.match(r"\d\d:\d\d:\d\d  ", line)]

    def stop(self, timeout: float = 5.0, signum: signal.Signals = signal.SIGINT) -> int:
        """Ctrl-C, as a user would (or another signal); the exit status."""
        if self.proc.poll() is None:
            self.proc.send_signal(signum)
        return self.wait(timeout, f"jobledger watch ignored {signum.name} for {timeout} s")

    def wait(self, timeout: float = 5.0, message: str = "") -> int:
        """The exit status, once the process has ended (killed after `timeout`: a failure)."""
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(message or f"still running after {timeout} s") from None
        for reader in self._readers:
            reader.join(timeout=2)
        return code

    def __enter__(self) -> WatchProcess:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def start_watch(
    ledger: Path,
    *extra: str,
    output: Path | None = None,
    timeout: float = 10.0,
    ignoring: tuple[signal.Signals, ...] = (),
    sabotage: bool = False,
) -> WatchProcess:
    """Start `jobledger watch` on `ledger` (Markdown to `output` unless told otherwise) and
    wait for its first build."""
    args: list[str] = [str(ledger), "--as-of", AS_OF]
    if output is not None:
        args += ["-o", str(output)]
    if "--format" not in extra:
        args += ["--format", "md"]
    process = WatchProcess(*args, *extra, cwd=ledger.parent, ignoring=ignoring, sabotage=sabotage)
    process.wait_for(r"^Ctrl-C to stop", timeout=timeout)
    return process
