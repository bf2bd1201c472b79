"""A real emacs saves the ledger while `jobledger watch` runs (issue 7, point 22).

Emacs creates a `.#hunt.jobs` lock symlink when a buffer is first modified and deletes it when
the buffer is saved; its first save of a session also renames the ledger to `hunt.jobs~`. A lock
that vanishes while the watcher resolves it used to end the watcher's thread: a thousand saves
in one batch session hit that race every time on the machine this was written on, after which
no save was seen. `emacs -Q`: no init file, emacs's defaults (`create-lockfiles` is on). The
directory is under $HOME, not /tmp, because emacs makes no backups of files in /tmp."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from conftest import require_tool
from watch_process import ledger_text, read, start_watch, wait_until

SAVES = 1000


@pytest.fixture(scope="session")
def emacs_path() -> str:
    return require_tool("emacs")


def emacs_save(emacs: str, path: Path, body: str) -> None:
    """Run `body` (Emacs Lisp, with the ledger's buffer current) in a batch emacs."""
    done = subprocess.run(
        [
            emacs, "-Q", "--batch",
            # the test means nothing unless emacs locks: check the default that makes it so
            "--eval", "(unless create-lockfiles (kill-emacs 3))",
            "--eval", f'(progn (find-file "{path.name}") {body})',
        ],
        cwd=path.parent,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, (done.returncode, done.stdout, done.stderr)


def append_and_save(company: str, times: int = 1) -> str:
    line = f'(format "2026-03-01 applied  {company}%d | Engineer\\n" i)'
    return f"(dotimes (i {times}) (goto-char (point-max)) (insert {line}) (save-buffer))"


def test_emacs_saves_with_lock_files_keep_being_seen(emacs_path: str, home_dir: Path) -> None:
    ledger = home_dir / "hunt.jobs"
    ledger.write_text(ledger_text(3), encoding="utf-8")
    out = home_dir / "hunt.md"
    with start_watch(ledger) as watch:
        emacs_save(emacs_path, ledger, append_and_save("Emacs", SAVES))
        assert (home_dir / "hunt.jobs~").exists()  # its first save renamed the ledger away
        assert not (home_dir / ".#hunt.jobs").is_symlink()  # and its lock is gone
        expected = f"**{3 + SAVES}** tracked"
        assert wait_until(lambda: expected in read(out), timeout=10), read(out)[:300]
        # a later session's save is seen too: the watch is still alive
        emacs_save(emacs_path, ledger, append_and_save("Later"))
        later = f"**{4 + SAVES}** tracked"
        assert wait_until(lambda: later in read(out), timeout=10), read(out)[:300]
        assert watch.stop() == 0
    assert watch.err == []
