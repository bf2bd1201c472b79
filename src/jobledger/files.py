"""Writing files so that nothing is ever lost, and the error for a command used wrongly."""

from __future__ import annotations

import os
import tempfile


class UsageError(Exception):
    """A mistake in how jobledger was called (exit 2), as opposed to one in the ledger (exit 1)."""


def write_atomic(path: str, text: str) -> None:
    """Write via a temp file in the same directory and a rename, then read it back: a reader
    never sees half a file, and a full disk cannot leave a truncated report behind."""
    path = os.path.realpath(path)  # through a symbolic link, not over it
    directory = os.path.dirname(path)
    data = text.encode("utf-8")
    if os.path.isdir(path):
        raise OSError(f"cannot write {path}: it is a directory")
    try:
        handle, temp = tempfile.mkstemp(prefix=".jobledger-", suffix=".tmp", dir=directory)
    except OSError as exc:  # name the file the user asked for, not our temp file
        raise OSError(f"cannot write {path}: {(exc.strerror or str(exc)).lower()}") from None
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        if os.path.exists(path):
            os.chmod(temp, os.stat(path).st_mode & 0o777)
        else:
            mask = os.umask(0)
            os.umask(mask)
            os.chmod(temp, 0o666 & ~mask)
        os.replace(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise
    with open(path, "rb") as check:
        if check.read() != data:
            raise OSError(f"{path}: the file on disk differs from what was written")
