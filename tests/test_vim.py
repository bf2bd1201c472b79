"""A real vim, with its default settings, saves the ledger while `jobledger watch` runs.

Vim's default ('backupcopy' auto, 'writebackup' on) renames the ledger to a backup, writes a new
file and deletes the backup: the inode changes, so a watcher that watches the file (not its
directory) loses it after the first save. The directory is under $HOME, not /tmp, because vim
treats /tmp specially ('backupskip')."""

from __future__ import annotations

import subprocess
from pathlib import Path

from watch_process import ledger_text, read, start_watch, wait_until


def vim_save(vim: str, path: Path, *commands: str) -> None:
    """Edit `path` with Ex `commands` and :write it, with vim's default settings."""
    done = subprocess.run(
        [
            vim,
            "-u", "DEFAULTS",  # defaults.vim only: no vimrc, no plugins
            "-i", "NONE",  # no viminfo written into $HOME
            "-N", "-n", "-es",  # nocompatible, no swap file, silent Ex mode
            # the test means nothing unless vim renames: check the defaults that make it so
            "-c", "if &backupcopy !=# 'auto' || !&writebackup | cquit 3 | endif",
            *(arg for command in commands for arg in ("-c", command)),
            "-c", "wq",
            str(path),
        ],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, (done.returncode, done.stdout, done.stderr)


def test_vim_default_save_rebuilds(vim_path: str, home_dir: Path) -> None:
    ledger = home_dir / "hunt.jobs"
    ledger.write_text(ledger_text(3), encoding="utf-8")
    out = home_dir / "hunt.md"
    with start_watch(ledger) as watch:
        assert "**3** tracked" in read(out)
        inode = ledger.stat().st_ino
        vim_save(vim_path, ledger, "call append('$', '2026-03-01 applied  Vimco | Engineer')")
        assert ledger.stat().st_ino != inode, "vim wrote in place: this test proves nothing"
        assert not (home_dir / "hunt.jobs~").exists()  # vim deleted its backup
        assert wait_until(lambda: "**4** tracked" in read(out), timeout=5), read(out)
        watch.wait_for(r"rebuilt in \d+ ms: 4 tracked", timeout=5)

        # The watch survives: a second vim save (deleting two lines) is seen too.
        vim_save(vim_path, ledger, "$-1,$delete")
        assert wait_until(lambda: "**2** tracked" in read(out), timeout=5), read(out)
        assert watch.stop() == 0
    assert "Traceback" not in "\n".join(watch.err)
