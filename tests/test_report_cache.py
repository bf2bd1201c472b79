"""A report made before from the same files, options, date and code is printed again from the
cache (issue 10's start-up target), and never when any of those changed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import cli_env

LEDGER = """\
role swe "Software Engineer"
2026-02-01 applied Acme | Staff  #swe
2026-02-03 phone   Acme | Staff
2026-02-04 applied Globex  #swee
"""  # the last tag is a warning (close to a role): it must be said again from the cache


@pytest.fixture
def hunt(tmp_path: Path) -> Path:
    path = tmp_path / "hunt.jobs"
    path.write_text(LEDGER)
    return path


def report(
    hunt: Path, *args: str, importtime: bool = False, today: str | None = None
) -> subprocess.CompletedProcess[str]:
    flags = ["-X", "importtime"] if importtime else []
    env = cli_env({"XDG_CACHE_HOME": str(hunt.parent / "cache"), "JOBLEDGER_NO_CACHE": None})
    if today is not None:  # a clock that says `today`, from sitecustomize (see below)
        clock = hunt.parent / "clock"
        clock.mkdir(exist_ok=True)
        (clock / "sitecustomize.py").write_text(
            "import datetime, jobledger.cli.common as common\n"
            f"common.today = lambda: datetime.date.fromisoformat({today!r})\n"
        )
        env["PYTHONPATH"] = os.pathsep.join([str(clock), env["PYTHONPATH"]])
    return subprocess.run(
        [sys.executable, *flags, "-m", "jobledger", "report", "-f", str(hunt), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def said(done: subprocess.CompletedProcess[str]) -> str:
    """stderr without -X importtime's lines."""
    return "".join(line for line in done.stderr.splitlines(True) if "import time:" not in line)


@pytest.mark.parametrize("fmt", ["md", "json", "html"])
def test_a_second_report_is_the_first_without_jinja_or_the_report(hunt: Path, fmt: str) -> None:
    first = report(hunt, "--format", fmt, "--as-of", "2026-03-01")
    again = report(hunt, "--format", fmt, "--as-of", "2026-03-01", importtime=True)
    fresh = report(hunt, "--format", fmt, "--as-of", "2026-03-01", "--no-cache")
    assert first.returncode == again.returncode == fresh.returncode == 0
    assert again.stdout == first.stdout == fresh.stdout
    assert said(again) == first.stderr == fresh.stderr
    assert "JL" in first.stderr  # the warning is said each time
    assert "jinja2" not in again.stderr and "jobledger.report.build" not in again.stderr


def test_a_change_of_file_option_or_date_makes_a_new_report(hunt: Path) -> None:
    base = report(hunt, "--as-of", "2026-03-01").stdout
    assert report(hunt, "--as-of", "2026-03-02").stdout != base
    assert report(hunt, "--as-of", "2026-03-01", "--role", "swe").stdout != base
    assert report(hunt, "--as-of", "2026-03-01", "--by", "tag").stdout != base
    assert report(hunt, "--as-of", "2026-03-01", "--format", "json").stdout.startswith("{")
    hunt.write_text(LEDGER + "2026-02-20 rejected Globex\n")
    changed = report(hunt, "--as-of", "2026-03-01")
    assert changed.stdout != base
    assert changed.stdout == report(hunt, "--as-of", "2026-03-01", "--no-cache").stdout


def test_a_report_as_of_today_is_made_again_the_next_day(hunt: Path) -> None:
    monday = report(hunt, today="2026-03-02")
    assert "As of 2026-03-02" in monday.stdout
    tuesday = report(hunt, today="2026-03-03")
    assert "As of 2026-03-03" in tuesday.stdout and tuesday.stdout != monday.stdout


def test_an_included_file_that_changes_makes_a_new_report(tmp_path: Path) -> None:
    main = tmp_path / "main.jobs"
    main.write_text('include "more/*.jobs"\n')
    (tmp_path / "more").mkdir()
    (tmp_path / "more" / "a.jobs").write_text("2026-02-01 applied Acme\n")
    base = report(main, "--as-of", "2026-03-01").stdout
    (tmp_path / "more" / "b.jobs").write_text("2026-02-02 applied Globex\n")  # a new match
    assert "Globex" in report(main, "--as-of", "2026-03-01", "--format", "json").stdout
    assert report(main, "--as-of", "2026-03-01").stdout != base


def test_output_to_a_ledger_file_is_refused_from_the_cache_too(hunt: Path) -> None:
    assert report(hunt, "--as-of", "2026-03-01", "-o", str(hunt.parent / "r.md")).returncode == 0
    done = report(hunt, "--as-of", "2026-03-01", "-o", str(hunt))
    assert done.returncode == 2 and "file of the ledger" in done.stderr
    assert hunt.read_text() == LEDGER


def test_a_template_of_the_users_is_read_each_time(hunt: Path, tmp_path: Path) -> None:
    template = tmp_path / "mine.md.j2"
    template.write_text("first {{ report.as_of }}\n")
    assert report(hunt, "--template", str(template)).stdout.startswith("first")
    template.write_text("second {{ report.as_of }}\n")
    assert report(hunt, "--template", str(template)).stdout.startswith("second")


def test_a_record_that_is_not_a_report_is_a_miss(hunt: Path) -> None:
    """Whatever sits in the cache, a report comes out right (the records are ours, but the cache
    must never be the failure)."""
    first = report(hunt, "--as-of", "2026-03-01")
    records = sorted((hunt.parent / "cache" / "jobledger").glob("report-*"))
    assert len(records) == 1
    data = records[0].read_bytes()
    records[0].write_bytes(data[:-5] + b"xxxxx")  # the CRC no longer matches
    again = report(hunt, "--as-of", "2026-03-01")
    assert again.returncode == 0 and again.stdout == first.stdout


@pytest.mark.parametrize(
    "stored", [None, ("text",), ("text", 1, (), ()), ("text", "", "files", ()), [1, 2, 3, 4]]
)
def test_a_record_of_another_shape_is_not_printed(stored: object) -> None:
    from jobledger.cli.report import _printed_again

    assert _printed_again(stored, None) is False


def test_a_save_between_the_key_and_the_report_never_files_one_under_the_other(
    hunt: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The reviewer's race: an editor saves after the cache key is taken from the files and
    before the report is made. The report is made from the very reading the key names."""
    from jobledger.cli import main
    from jobledger.cli import report as report_command

    monkeypatch.setenv("XDG_CACHE_HOME", str(hunt.parent / "cache"))
    monkeypatch.delenv("JOBLEDGER_NO_CACHE", raising=False)
    real = report_command.load_and_tell

    def saved_meanwhile(*args: object, **kwargs: object) -> object:
        hunt.write_text(LEDGER + "2026-02-20 applied Initech\n")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(report_command, "load_and_tell", saved_meanwhile)
    assert main(["report", "-f", str(hunt), "--as-of", "2026-03-01"]) == 0
    monkeypatch.setattr(report_command, "load_and_tell", real)
    hunt.write_text(LEDGER)  # back to what the key was taken from
    capsys.readouterr()
    assert main(["report", "-f", str(hunt), "--as-of", "2026-03-01"]) == 0
    assert "Initech" not in capsys.readouterr().out


def test_a_template_still_finds_the_parses_in_the_cache(hunt: Path, tmp_path: Path) -> None:
    template = tmp_path / "mine.md.j2"
    template.write_text("{{ report.as_of }}\n")
    assert report(hunt).returncode == 0  # the parses are now in the cache
    done = report(hunt, "--template", str(template), importtime=True)
    assert done.returncode == 0
    assert not any(line.rstrip().endswith("| lark") for line in done.stderr.splitlines())
    assert not any(line.rsplit("|", 1)[-1].strip() == "lark" for line in done.stderr.splitlines())
