"""`jobledger init` (issue 8): a starter ledger that checks clean, spells out the defaults, and is
never written over anything."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

from conftest import cli_env
from test_golden import check

from jobledger.cli.init import starter
from jobledger.pipeline import load_ledger, load_report

ROOT = Path(__file__).resolve().parent.parent
AS_OF = date(2026, 3, 15)


def jobledger(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "jobledger", *args],
        cwd=cwd,
        env=cli_env({"JOBLEDGER_FILE": None}),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_init_golden(tmp_path: Path) -> None:
    done = jobledger("init", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stderr == "wrote hunt.jobs\n"
    written = (tmp_path / "hunt.jobs").read_text("utf-8")
    assert written == starter()
    check(ROOT / "tests" / "golden" / "init.jobs", written)


def test_the_starter_and_the_example_are_in_fmt_layout(tmp_path: Path) -> None:
    """The README suggests a `fmt --check` pre-commit hook: the first commit after `init`, and
    a copy of the example, must pass it."""
    assert jobledger("init", cwd=tmp_path).returncode == 0
    examples = [
        str(p) for p in [ROOT / "examples" / "blueprint.jobs", *ROOT.glob("examples/*/*.jobs")]
    ]
    done = jobledger("fmt", "--check", "hunt.jobs", *examples, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_starter_checks_clean_and_tracks_nothing(tmp_path: Path) -> None:
    assert jobledger("init", cwd=tmp_path).returncode == 0
    done = jobledger("check", cwd=tmp_path)  # found as the only *.jobs here
    assert done.returncode == 0 and "0 errors, 0 warnings" in done.stderr, done.stderr
    result = load_report([str(tmp_path / "hunt.jobs")], AS_OF)
    assert result.report is not None and not result.diagnostics
    assert result.report.totals.tracked == 0
    assert jobledger("todo", cwd=tmp_path).stdout == "nothing due\n"


def test_the_starter_spells_out_the_defaults(tmp_path: Path) -> None:
    """Its directives declare exactly what a ledger without any means: renaming starts from
    the real defaults, milestones included."""
    (tmp_path / "starter.jobs").write_text(starter(), "utf-8")
    (tmp_path / "bare.jobs").write_text("", "utf-8")
    written = load_ledger([str(tmp_path / "starter.jobs")], AS_OF).ledger
    default = load_ledger([str(tmp_path / "bare.jobs")], AS_OF).ledger
    assert written is not None and default is not None
    assert written.config.stages == default.config.stages
    assert written.config.outcomes == default.config.outcomes
    for option in ("title", "ghost_after", "follow_up_after", "base", "private"):
        assert getattr(written.config, option) == getattr(default.config, option), option
    assert [role.key for role in written.config.roles] == ["swe", "em", "pm"]
    text = starter()
    for name in ("title", "ghost-after", "follow-up-after", "base-stage"):
        assert re.search(rf"^option {name} ", text, re.M), name
    assert re.search(r'^; option private "', text, re.M)


def test_every_commented_example_is_a_real_line(tmp_path: Path) -> None:
    """Uncommented, the examples make a ledger that checks clean: an event of each sort,
    metadata, tags, an end-of-line comment, an include and the private option."""
    text = re.sub(r"^; (?=\d{4}-|    \w+:|include |option )", "", starter(), flags=re.M)
    assert text.count("\ninclude ") == 1 and "\n    source: referral" in text
    assert "\noption private " in text
    (tmp_path / "2025").mkdir()
    (tmp_path / "2025" / "old.jobs").write_text("2025-11-03 applied Initech | Engineer #swe\n")
    (tmp_path / "hunt.jobs").write_text(text, "utf-8")
    result = load_report([str(tmp_path / "hunt.jobs")], AS_OF)
    assert not result.diagnostics, [d.render() for d in result.diagnostics]
    assert result.report is not None and result.report.totals.tracked == 2
    acme = next(a for a in result.report.applications if a.company == "Acme Corp")
    assert acme.tags == ("swe", "remote") and acme.role.key == "swe"
    assert acme.meta.get("url") and acme.meta.get("lesson")
    assert acme.status_text == "rejected at Phone screen"


def test_init_refuses_to_write_over_a_file(tmp_path: Path) -> None:
    ledger = tmp_path / "hunt.jobs"
    ledger.write_text("2026-01-01 applied Mine\n")
    done = jobledger("init", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr == (
        "jobledger: hunt.jobs already exists; not writing over it (pick another PATH)\n"
    )
    assert ledger.read_text() == "2026-01-01 applied Mine\n"
    assert jobledger("init", str(ledger), cwd=ROOT).returncode == 2
    assert ledger.read_text() == "2026-01-01 applied Mine\n"


def test_init_never_writes_through_a_dangling_link(tmp_path: Path) -> None:
    os.symlink(tmp_path / "elsewhere.jobs", tmp_path / "hunt.jobs")
    done = jobledger("init", cwd=tmp_path)
    assert done.returncode == 2 and "already exists" in done.stderr
    assert not (tmp_path / "elsewhere.jobs").exists()


def test_init_path_and_directory(tmp_path: Path) -> None:
    done = jobledger("init", "spring.jobs", cwd=tmp_path)
    assert done.returncode == 0 and (tmp_path / "spring.jobs").read_text() == starter()
    (tmp_path / "coach").mkdir()
    done = jobledger("init", "coach", cwd=tmp_path)
    assert done.returncode == 0 and (tmp_path / "coach" / "hunt.jobs").exists()
    assert done.stderr == f"wrote {os.path.join('coach', 'hunt.jobs')}\n"
    done = jobledger("init", "notes.txt", cwd=tmp_path)
    assert done.returncode == 0 and "name it *.jobs" in done.stderr


def test_init_where_it_cannot_write_is_a_usage_error(tmp_path: Path) -> None:
    done = jobledger("init", str(tmp_path / "missing" / "hunt.jobs"), cwd=tmp_path)
    assert done.returncode == 2 and "cannot write" in done.stderr
    assert "Traceback" not in done.stderr
    assert not list(tmp_path.iterdir())


def test_init_leaves_no_temporary_file(tmp_path: Path) -> None:
    assert jobledger("init", cwd=tmp_path).returncode == 0
    assert [p.name for p in tmp_path.iterdir()] == ["hunt.jobs"]
    mask = os.umask(0)
    os.umask(mask)
    assert (tmp_path / "hunt.jobs").stat().st_mode & 0o777 == 0o666 & ~mask  # not a temp's 600
