"""files.write_atomic: the one writer of every file jobledger writes (reports, `fmt`)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from jobledger.files import write_atomic


def leftovers(directory: Path) -> list[str]:
    return [p.name for p in directory.iterdir() if p.name.startswith(".jobledger-")]


def test_bytes_are_written_as_given_and_text_as_utf8(tmp_path: Path) -> None:
    target = tmp_path / "hunt.jobs"
    data = "\ufeff; Zürich\r\n".encode("utf-16-le")
    write_atomic(str(target), data)
    assert target.read_bytes() == data
    write_atomic(str(target), "Café\n")
    assert target.read_bytes() == b"Caf\xc3\xa9\n"
    assert leftovers(tmp_path) == []


def test_an_existing_file_keeps_its_permissions(tmp_path: Path) -> None:
    target = tmp_path / "hunt.jobs"
    target.write_text("old\n")
    target.chmod(0o640)
    write_atomic(str(target), b"new\n")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert target.read_bytes() == b"new\n"


def test_a_new_file_gets_the_umask_mode(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        write_atomic(str(tmp_path / "new.jobs"), b"x\n")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.jobs").stat().st_mode) == 0o640


def test_a_read_only_file_is_not_replaced(tmp_path: Path) -> None:
    """Renaming over a read-only file works (it needs only the directory): refuse anyway, and
    even as root, for whom the permission bits are no obstacle."""
    target = tmp_path / "hunt.jobs"
    target.write_text("keep me\n")
    target.chmod(0o444)
    with pytest.raises(OSError, match="it is read-only"):
        write_atomic(str(target), b"new\n")
    assert target.read_text() == "keep me\n"
    assert leftovers(tmp_path) == []


def test_expect_refuses_a_file_changed_meanwhile(tmp_path: Path) -> None:
    target = tmp_path / "hunt.jobs"
    target.write_bytes(b"saved by the editor\n")
    with pytest.raises(OSError, match="changed on disk meanwhile"):
        write_atomic(str(target), b"formatted\n", expect=b"what we read\n")
    assert target.read_bytes() == b"saved by the editor\n"
    assert leftovers(tmp_path) == []
    write_atomic(str(target), b"formatted\n", expect=b"saved by the editor\n")
    assert target.read_bytes() == b"formatted\n"


def test_a_symbolic_link_is_written_through(tmp_path: Path) -> None:
    real = tmp_path / "real.jobs"
    real.write_text("old\n")
    link = tmp_path / "link.jobs"
    link.symlink_to(real)
    write_atomic(str(link), b"new\n")
    assert link.is_symlink()
    assert real.read_bytes() == b"new\n"


def test_pieces_are_written_as_they_come_and_a_failure_leaves_the_old_file(
    tmp_path: Path,
) -> None:
    """A big report is written a piece at a time, never held whole; if making a piece fails,
    the file is as it was and no temp file is left."""
    target = tmp_path / "report.json"
    sizes: list[int] = []

    def pieces(fail: bool) -> Iterator[str]:
        for number in range(3):
            temps = [p for p in tmp_path.iterdir() if p.name.startswith(".jobledger-")]
            sizes.append(sum(p.stat().st_size for p in temps))
            yield f"piece {number} é\n" + "x" * 100_000 + "\n"  # more than a write buffer
        if fail:
            raise ValueError("a template error, halfway")

    write_atomic(str(target), pieces(fail=False))
    written = target.read_text(encoding="utf-8")
    assert written == "".join(f"piece {n} é\n" + "x" * 100_000 + "\n" for n in range(3))
    assert sizes == [0, 100_012, 200_024]  # each piece was on disk before the next was made
    with pytest.raises(ValueError, match="halfway"):
        write_atomic(str(target), pieces(fail=True))
    assert target.read_text(encoding="utf-8") == written
    assert leftovers(tmp_path) == []


def test_what_is_read_back_must_be_what_was_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jobledger import files

    real = os.replace

    def corrupting(source: str, destination: str) -> None:
        Path(source).write_bytes(b"something else\n")  # a disk that lies, a race
        real(source, destination)

    monkeypatch.setattr(files.os, "replace", corrupting)
    with pytest.raises(OSError, match="differs from what was written"):
        write_atomic(str(tmp_path / "out.md"), iter(["# report\n", "body\n"]))
