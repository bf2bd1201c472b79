"""`jobledger add` (issue 8): checked first, appended atomically, never corrupting a file."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import cli_env

LEDGER = 'role swe "Software Engineer"\n2026-02-01 applied Acme Corp | Staff Engineer  #swe\n'


def add(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "jobledger", "add", *args],
        cwd=cwd,
        env=cli_env({"JOBLEDGER_FILE": None}),
        capture_output=True,
        text=True,
        timeout=60,
    )


def check(cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "jobledger", "check"],
        cwd=cwd,
        env=cli_env({"JOBLEDGER_FILE": None}),
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def hunt(tmp_path: Path) -> Path:
    path = tmp_path / "hunt.jobs"
    path.write_text(LEDGER, encoding="utf-8")
    return path


def test_an_event_is_appended_with_the_existing_spelling(hunt: Path) -> None:
    done = add(
        "phone", "acme corp | staff engineer", "--date", "2026-02-10",
        "--comment", "with the  hiring manager", "--meta", "source=referral", cwd=hunt.parent,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "added to hunt.jobs:3" in done.stderr
    assert hunt.read_text() == LEDGER + (  # in fmt's layout, as the file was
        "2026-02-10 phone   Acme Corp | Staff Engineer  ; with the hiring manager\n"
        "    source: referral\n"
    )
    assert check(hunt.parent).returncode == 0


def test_the_date_defaults_to_today(hunt: Path) -> None:
    from datetime import date

    assert add("note", "Acme Corp | Staff Engineer", cwd=hunt.parent).returncode == 0
    assert hunt.read_text().endswith(f"{date.today()} note    Acme Corp | Staff Engineer\n")


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["intervew", "Acme Corp | Staff Engineer"], "JL220", "did you mean 'interview'?"),
        (["phone", "Acme corp | Staff Enginer"], "JL250", "did you mean 'Acme Corp | Staff "),
        (["phone", "Acme Corp | Staff Engineer", "--date", "2026-03-01"], "JL240", "ended"),
    ],
)
def test_a_bad_event_is_refused_with_checks_message(
    hunt: Path, args: list[str], code: str, message: str
) -> None:
    hunt.write_text(LEDGER + "2026-02-20 rejected Acme Corp | Staff Engineer\n")
    before = hunt.read_bytes()
    done = add(*args, cwd=hunt.parent)
    assert done.returncode == 1
    assert f"[{code}]" in done.stderr and message in done.stderr
    assert "nothing added" in done.stderr
    assert hunt.read_bytes() == before


def test_new_adds_a_close_name_anyway(hunt: Path) -> None:
    done = add(
        "applied", "Acme corp | Staff Enginer", "--new", "--date", "2026-02-02", cwd=hunt.parent
    )
    assert done.returncode == 0, done.stderr
    assert hunt.read_text().endswith("2026-02-02 applied Acme corp | Staff Enginer\n")


def test_crlf_bom_and_no_final_newline_are_kept(hunt: Path) -> None:
    hunt.write_bytes(b"\xef\xbb\xbf" + LEDGER.replace("\n", "\r\n").encode().rstrip(b"\r\n"))
    assert (
        add(
            "note", "Acme Corp | Staff Engineer", "--date", "2026-02-05", cwd=hunt.parent
        ).returncode
        == 0
    )
    data = hunt.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.endswith(b"#swe\r\n2026-02-05 note Acme Corp | Staff Engineer\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert check(hunt.parent).returncode == 0


def test_utf16_and_cr_only_files_keep_their_form(hunt: Path) -> None:
    hunt.write_bytes(b"\xff\xfe" + LEDGER.replace("\n", "\r").encode("utf-16-le"))
    assert (
        add(
            "note", "Acme Corp | Staff Engineer", "--date", "2026-02-05", cwd=hunt.parent
        ).returncode
        == 0
    )
    text = hunt.read_bytes()[2:].decode("utf-16-le")
    assert text.endswith("\r2026-02-05 note    Acme Corp | Staff Engineer\r") and "\n" not in text


def test_a_read_only_file_is_left_alone(hunt: Path) -> None:
    hunt.chmod(stat.S_IRUSR | stat.S_IRGRP)
    done = add("note", "Acme Corp | Staff Engineer", cwd=hunt.parent)
    assert done.returncode == 1 and "read-only" in done.stderr and "Traceback" not in done.stderr
    assert hunt.read_text() == LEDGER


def test_two_adds_racing_both_land(hunt: Path) -> None:
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "jobledger", "add", "note", "Acme Corp | Staff Engineer",
             "--date", "2026-02-05", "--comment", f"note {n}"],
            cwd=hunt.parent, env=cli_env({"JOBLEDGER_FILE": None}),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for n in range(6)
    ]  # fmt: skip
    for run in runs:
        _, err = run.communicate(timeout=60)
        assert run.returncode == 0, err
    text = hunt.read_text()
    assert all(f"; note {n}\n" in text for n in range(6)), text
    assert check(hunt.parent).returncode == 0


def test_with_includes_the_event_goes_where_the_application_lives(tmp_path: Path) -> None:
    (tmp_path / "2025.jobs").write_text("2025-11-01 applied Old Co | Dev\n")
    main = tmp_path / "hunt.jobs"
    main.write_text('include "20*.jobs"\n2026-02-01 applied New Co | Dev\n')
    ledger = ("-f", "hunt.jobs")
    done = add("phone", "old co | dev", "--date", "2026-01-05", *ledger, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "2025.jobs").read_text().endswith("2026-01-05 phone   Old Co | Dev\n")
    done = add("applied", "Third | Dev", "--date", "2026-02-02", *ledger, cwd=tmp_path)
    assert done.returncode == 0
    assert main.read_text().endswith("2026-02-02 applied Third | Dev\n")
    other = tmp_path / "2026.jobs"
    other.write_text("")
    done = add(
        "applied", "Fourth | Dev", "--to", str(other), "--date", "2026-02-03", *ledger,
        cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0 and other.read_text() == "2026-02-03 applied Fourth | Dev\n"
    # A file the ledger does not read would hide the event from every report: refused.
    elsewhere = tmp_path / "elsewhere.jobs"
    elsewhere.write_text("")
    done = add("applied", "Fifth", "--to", str(elsewhere), *ledger, cwd=tmp_path)
    assert done.returncode == 2 and "not a file of the ledger; include it first" in done.stderr
    assert elsewhere.read_text() == ""


def test_a_ledger_with_errors_is_not_touched(hunt: Path) -> None:
    hunt.write_text(LEDGER + "2026-02-30 applied X\n")
    before = hunt.read_bytes()
    done = add("note", "Acme Corp | Staff Engineer", cwd=hunt.parent)
    assert done.returncode == 1 and "fix them first" in done.stderr
    assert hunt.read_bytes() == before


def test_a_name_that_is_not_a_name_is_a_usage_error(hunt: Path) -> None:
    done = add("note", "| Title", cwd=hunt.parent)
    assert done.returncode == 2 and "not an application name" in done.stderr
    done = add("note", "Acme", "--meta", "no equals sign", cwd=hunt.parent)
    assert done.returncode == 2 and "KEY=VALUE" in done.stderr


def test_no_temp_file_is_left_behind(hunt: Path) -> None:
    add("note", "Acme Corp | Staff Engineer", cwd=hunt.parent)
    add("intervew", "Acme Corp | Staff Engineer", cwd=hunt.parent)
    assert sorted(os.listdir(hunt.parent)) == ["hunt.jobs"]


def test_an_event_that_breaks_an_older_line_is_refused(tmp_path: Path) -> None:
    """The new event is fine on its own line, but dated before the application's later
    stage: `check` would then report an error at that later line. Nothing is written."""
    ledger = tmp_path / "hunt.jobs"
    text = "2026-02-01 applied A\n2026-02-10 phone A\n"
    ledger.write_text(text, encoding="utf-8")
    done = add("rejected", "A", "--date", "2026-02-05", cwd=tmp_path)
    assert done.returncode == 1
    assert "hunt.jobs:2:" in done.stderr and "[JL240]" in done.stderr
    assert "nothing added" in done.stderr
    assert ledger.read_text(encoding="utf-8") == text
    assert check(tmp_path).returncode == 0


def fmt_check(cwd: Path) -> int:
    return subprocess.run(
        [sys.executable, "-m", "jobledger", "fmt", "--check", "hunt.jobs"],
        cwd=cwd,
        env=cli_env(),
        capture_output=True,
        timeout=60,
    ).returncode


def test_a_file_in_fmt_layout_stays_in_it(tmp_path: Path) -> None:
    """With the README's `fmt --check` pre-commit hook, `add` then `git commit` must pass:
    the block the event joins is aligned again."""
    ledger = tmp_path / "hunt.jobs"
    ledger.write_text("2026-02-01 applied A  #x\n2026-02-10 phone   A\n", encoding="utf-8")
    assert fmt_check(tmp_path) == 0
    assert add("rejected", "A", "--date", "2026-02-15", cwd=tmp_path).returncode == 0
    assert ledger.read_text(encoding="utf-8") == (
        "2026-02-01 applied  A  #x\n2026-02-10 phone    A\n2026-02-15 rejected A\n"
    )
    assert fmt_check(tmp_path) == 0


def test_a_file_not_in_fmt_layout_keeps_its_own(tmp_path: Path) -> None:
    ledger = tmp_path / "hunt.jobs"
    text = "2026-02-01   applied A\n2026-02-10 phone A\n"
    ledger.write_text(text, encoding="utf-8")
    assert add("rejected", "A", "--date", "2026-02-15", cwd=tmp_path).returncode == 0
    assert ledger.read_text(encoding="utf-8") == text + "2026-02-15 rejected A\n"


def test_the_new_lines_warnings_are_shown(tmp_path: Path) -> None:
    """Written, since `check` accepts it, but a tag one letter from a role deserves a look."""
    ledger = tmp_path / "hunt.jobs"
    ledger.write_text('role swe "SWE"\n2026-02-01 applied A  #swe\n', encoding="utf-8")
    done = add("phone", "A", "--date", "2026-02-10", "--tag", "swee", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "hunt.jobs:3:" in done.stderr and "[JL231]" in done.stderr
    assert "did you mean #swe?" in done.stderr
    assert ledger.read_text(encoding="utf-8").endswith("#swee\n")


def test_the_event_is_checked_against_the_file_as_read_under_the_lock(tmp_path: Path) -> None:
    """Two `add`s at once: the second was checked against the ledger as loaded before the
    first wrote, and could write an event the first one's made an error."""
    from jobledger.edit.add import Refused, append
    from jobledger.ledger.loader import load_files

    ledger = tmp_path / "hunt.jobs"
    ledger.write_text("2026-02-01 applied Acme\n", encoding="utf-8")
    stale = load_files([str(ledger)]).entries  # loaded before the other add wrote
    append(str(ledger), "2026-02-10 rejected Acme\n", stale, "Acme")
    with pytest.raises(Refused):
        append(str(ledger), "2026-02-12 interview Acme\n", stale, "Acme")
    assert check(tmp_path).returncode == 0
