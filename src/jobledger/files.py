"""Writing files so that nothing is ever lost, and the error for a command used wrongly."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable


class UsageError(Exception):
    """A mistake in how jobledger was called (exit 2), as opposed to one in the ledger (exit 1)."""


def write_atomic(
    path: str, data: str | bytes | Iterable[str], *, expect: bytes | None = None
) -> None:
    """Write `data` (text is written as UTF-8; pieces of text, one after the other, as they
    come) via a temp file in the same directory, fsync and a rename, then read it back: a
    reader never sees half a file, and a full disk cannot leave a truncated file behind. An
    existing file keeps its permission bits (and owner, when we may set it); one with no write
    permission is not replaced. With `expect`, the file must still hold exactly those bytes
    just before the rename (it was read, changed and is written back: a save from an editor in
    between is not overwritten)."""
    path = os.path.realpath(path)  # through a symbolic link, not over it
    directory = os.path.dirname(path)
    import hashlib

    pieces: Iterable[str | bytes] = (data,) if isinstance(data, str | bytes) else data
    written = hashlib.sha256()
    if os.path.isdir(path):
        raise OSError(f"cannot write {path}: it is a directory")
    try:
        before: os.stat_result | None = os.stat(path)
    except FileNotFoundError:
        before = None
    if before is not None and (not before.st_mode & 0o222 or not os.access(path, os.W_OK)):
        raise OSError(f"cannot write {path}: it is read-only")
    try:
        handle, temp = _new_temp(directory)
    except OSError as exc:  # name the file the user asked for, not our temp file
        raise OSError(f"cannot write {path}: {(exc.strerror or str(exc)).lower()}") from None
    try:
        with os.fdopen(handle, "wb") as out:
            for piece in pieces:
                chunk = piece.encode("utf-8") if isinstance(piece, str) else piece
                written.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if before is not None:
            if (before.st_uid, before.st_gid) != (os.getuid(), os.getgid()):
                with contextlib.suppress(OSError):  # only root may give a file away
                    os.chown(temp, before.st_uid, before.st_gid)
            os.chmod(temp, before.st_mode & 0o777)
        else:
            mask = os.umask(0)
            os.umask(mask)
            os.chmod(temp, 0o666 & ~mask)
        if expect is not None and _read(path) != expect:
            raise OSError(f"cannot write {path}: it changed on disk meanwhile; nothing written")
        os.replace(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise
    if _digest(path) != written.digest():
        raise OSError(f"{path}: the file on disk differs from what was written")


def _new_temp(directory: str) -> tuple[int, str]:
    """A new file of ours only, as tempfile.mkstemp makes it (a random name, created exclusively,
    mode 0600, not through a link), without importing tempfile (10 ms, a third of `add`'s own
    work)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    flags |= getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        temp = os.path.join(directory, f".jobledger-{os.urandom(8).hex()}.tmp")
        try:
            return os.open(temp, flags, 0o600), temp
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name in {directory}")


def _digest(path: str) -> bytes | None:
    """The file's sha256, read a block at a time: a 40 MB report is not read back whole."""
    import hashlib

    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            while block := handle.read(1 << 20):
                digest.update(block)
    except FileNotFoundError:
        return None
    return digest.digest()


def _read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        return None
