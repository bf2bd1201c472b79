"""`jobledger import` and `jobledger export` as a user meets them: real files, real processes,
exit codes, golden outputs, and nothing written when something is wrong."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import icalendar
import pytest
from test_export_flows import parse_sankeymatic, unbalanced
from test_import_csv import (
    BLUEPRINT_HEADER,
    BLUEPRINT_ROWS,
    README_PIPELINE,
    csv_text,
    pipeline_table,
)

from jobledger.pipeline import load_report

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "blueprint.jobs"
GOLDEN = ROOT / "tests" / "golden"
AS_OF = "2026-03-15"
UPDATE = os.environ.get("JOBLEDGER_UPDATE_GOLDEN") == "1"


def jobledger(*args: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if k != "JOBLEDGER_FILE"}
    env["PYTHONPATH"] = str(ROOT / "src")
    return subprocess.run(
        [sys.executable, "-m", "jobledger", *map(str, args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        timeout=60,
    )


def err(done: subprocess.CompletedProcess[bytes]) -> str:
    return done.stderr.decode("utf-8")


# ---------------------------------------------------------------- export


@pytest.mark.parametrize(
    ("fmt", "golden"),
    [
        ("csv", "blueprint.export.csv"),
        ("json", "blueprint.json"),  # the report's JSON: the same golden as `report`
        ("sankeymatic", "blueprint.sankeymatic.txt"),
        ("mermaid", "blueprint.mmd"),
        ("ics", "blueprint.ics"),
    ],
)
def test_each_export_format_matches_its_golden_file(fmt: str, golden: str) -> None:
    done = jobledger("export", "examples/blueprint.jobs", "--as-of", AS_OF, "--format", fmt)
    assert done.returncode == 0, err(done)
    path = GOLDEN / golden
    if UPDATE and fmt != "json":
        path.write_bytes(done.stdout)
    assert done.stdout == path.read_bytes(), f"{golden} differs; JOBLEDGER_UPDATE_GOLDEN=1"


def test_golden_exports_are_what_their_tools_read() -> None:
    sankey = (GOLDEN / "blueprint.sankeymatic.txt").read_text("utf-8")
    assert unbalanced(parse_sankeymatic(sankey)) == {}
    ics = (GOLDEN / "blueprint.ics").read_bytes()
    calendar = icalendar.Calendar.from_ical(ics)
    assert len(calendar.walk("VEVENT")) == 3  # the report's "3 scheduled"
    assert b"\r\n" in ics and b"\n" not in ics.replace(b"\r\n", b"")
    csv_bytes = (GOLDEN / "blueprint.export.csv").read_bytes()
    assert csv_bytes.count(b"\r\n") == 18  # the header and 17 applications


def test_a_file_gets_the_format_of_its_extension_and_a_csv_gets_a_bom(tmp_path: Path) -> None:
    done = jobledger("export", EXAMPLE, "--as-of", AS_OF, "-o", tmp_path / "hunt.csv")
    assert done.returncode == 0, err(done)
    data = (tmp_path / "hunt.csv").read_bytes()
    assert data == b"\xef\xbb\xbf" + (GOLDEN / "blueprint.export.csv").read_bytes()
    done = jobledger("export", EXAMPLE, "--as-of", AS_OF, "-o", tmp_path / "hunt.ics")
    assert (tmp_path / "hunt.ics").read_bytes() == (GOLDEN / "blueprint.ics").read_bytes()


def test_re_exporting_the_calendar_keeps_its_uids() -> None:
    def uids(as_of: str) -> dict[str, str]:
        done = jobledger("export", EXAMPLE, "--as-of", as_of, "--format", "ics")
        events = icalendar.Calendar.from_ical(done.stdout).walk("VEVENT")
        return {str(e["SUMMARY"]): str(e["UID"]) for e in events}

    before, after = uids("2026-03-15"), uids("2026-03-18")
    assert set(after) < set(before)  # the phone screen on the 17th is past by then
    assert {name: before[name] for name in after} == after


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "csv", "-o", "x.json"], "--format csv but -o x.json looks like json"),
        (["-o", "x.txt"], "say which format"),
        (["--format", "csv", "--role", "nope"], "nope"),
        (["--format", "pdf"], "invalid choice"),
    ],
)
def test_export_usage_errors_exit_2(args: list[str], message: str, tmp_path: Path) -> None:
    done = jobledger("export", EXAMPLE, *args, cwd=tmp_path)
    assert done.returncode == 2 and message in err(done)
    assert list(tmp_path.iterdir()) == []


def test_export_never_writes_over_the_ledger(tmp_path: Path) -> None:
    ledger = tmp_path / "hunt.jobs"
    ledger.write_text("2026-02-03 applied A\n", "utf-8")
    done = jobledger("export", ledger, "--format", "csv", "-o", ledger)
    assert done.returncode == 2 and "file of the ledger" in err(done)
    assert ledger.read_text("utf-8") == "2026-02-03 applied A\n"


def test_exports_but_mermaid_never_import_jinja2() -> None:
    code = (
        "import sys\nfrom jobledger.cli import main\n"
        "for fmt in ('csv', 'json', 'ics', 'sankeymatic', 'mermaid'):\n"
        "    main(['export', 'examples/blueprint.jobs', '--as-of', '2026-03-15', '--format',"
        " fmt])\n"
        "    assert 'jinja2' not in sys.modules, fmt\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT / "src")},
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr.decode()


def test_report_mermaid_puts_the_diagram_in_the_markdown() -> None:
    done = jobledger("report", EXAMPLE, "--as-of", AS_OF, "--mermaid")
    assert done.returncode == 0, err(done)
    text = done.stdout.decode("utf-8")
    block = (GOLDEN / "blueprint.mmd").read_text("utf-8")
    assert f"```mermaid\n{block}```\n" in text
    without = text.replace(
        "\nWhere every application went (a Mermaid Sankey diagram, which GitHub draws):\n\n"
        f"```mermaid\n{block}```\n",
        "",
    )
    assert without == (GOLDEN / "blueprint.md").read_text("utf-8")
    done = jobledger("report", EXAMPLE, "--mermaid", "--format", "json")
    assert done.returncode == 2 and "--mermaid goes with the Markdown report" in err(done)


# ---------------------------------------------------------------- import


def blueprint_csv(path: Path) -> Path:
    path.write_bytes(("\ufeff" + csv_text(BLUEPRINT_HEADER, BLUEPRINT_ROWS)).encode())
    return path


def test_import_then_report_reproduces_the_blueprint_sheets_pipeline(tmp_path: Path) -> None:
    sheet = blueprint_csv(tmp_path / "tracker.csv")
    done = jobledger("import", sheet, "-o", tmp_path / "hunt.jobs")
    assert done.returncode == 0, err(done)
    said = err(done).splitlines()
    assert said[0] == f"read {sheet}: 17 rows, delimiter ',', UTF-8 with BOM"
    assert "preset: blueprint" in said
    assert said[-1] == f"wrote 17 applications and 40 events to {tmp_path / 'hunt.jobs'}"
    loaded = load_report([str(tmp_path / "hunt.jobs")], __import__("datetime").date(2026, 3, 15))
    assert loaded.report is not None and not loaded.diagnostics
    table = {k: " | ".join(v) for k, v in pipeline_table(loaded.report).items()}
    assert table == README_PIPELINE
    # What was written is fmt's layout: fmt --check has nothing to change.
    text = (tmp_path / "hunt.jobs").read_text("utf-8")
    from jobledger.edit.fmt import format_text

    assert not format_text(text, "hunt.jobs").changed


def test_dry_run_prints_the_ledger_and_writes_nothing(tmp_path: Path) -> None:
    sheet = blueprint_csv(tmp_path / "tracker.csv")
    done = jobledger("import", sheet, "--dry-run")
    assert done.returncode == 0, err(done)
    assert done.stdout.decode().startswith('role developer-advocate "Developer Advocate"\n')
    assert err(done).splitlines()[-1] == "would write 17 applications and 40 events (dry run)"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tracker.csv"]


def test_export_csv_then_import_gives_the_same_report_numbers(tmp_path: Path) -> None:
    jobledger("export", EXAMPLE, "--as-of", AS_OF, "-o", tmp_path / "out.csv")
    done = jobledger("import", tmp_path / "out.csv", "-o", tmp_path / "back.jobs")
    assert done.returncode == 0, err(done)
    again = jobledger("report", tmp_path / "back.jobs", "--as-of", AS_OF).stdout.decode()
    original = (GOLDEN / "blueprint.md").read_text("utf-8")

    def pipeline(text: str) -> str:
        return text[text.index("## Pipeline") : text.index("## Funnel")]

    assert pipeline(again) == pipeline(original)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('Company,Notes\nAcme,ok\nGlobex,"never closed\nInitech,x\n', "hunt.csv:3: error:"),
        ('Company,Notes\n"A\nB",x\nAcme,x,extra\n', "hunt.csv:3: error: this row has 3 cells"),
        ('Company,Date\n"Acme\nInc",2026-01-02\n,2026-01-03\n', "hunt.csv:3: error: this row has"),
        ("Company,Date\nAcme,2026-01-02\nGlobex,soon\n", "hunt.csv:3: error: 'soon'"),
        ("Company,Stage,Date\nA,applied,2026-01-02\nB,Phone screen,2026-01-03\n", "hunt.csv:3: "),
        ("Company,rejected_at,withdrawn_at\nAcme,2026-01-02,2026-01-03\n", "hunt.csv:2: error:"),
        ("Company,Date\nA,3/4/2026\nB,5/6/2026\n", "hunt.csv:1: error: every date in column"),
        (b"Company\nCaf\xe9\n", "hunt.csv:2: error: the file is not UTF-8"),
    ],
)
def test_a_bad_csv_names_its_row_and_nothing_is_written(
    tmp_path: Path, text: str | bytes, expected: str
) -> None:
    (tmp_path / "hunt.csv").write_bytes(text if isinstance(text, bytes) else text.encode())
    done = jobledger("import", "hunt.csv", "-o", "hunt.jobs", cwd=tmp_path)
    assert done.returncode == 1
    assert expected in err(done)
    assert "nothing written" in err(done).splitlines()[-1]
    assert not (tmp_path / "hunt.jobs").exists()


def test_skip_bad_rows_imports_the_others(tmp_path: Path) -> None:
    (tmp_path / "hunt.csv").write_text("Company,Date\nAcme,2026-01-02\nGlobex,soon\n", "utf-8")
    done = jobledger("import", "hunt.csv", "-o", "hunt.jobs", "--skip-bad-rows", cwd=tmp_path)
    assert done.returncode == 0, err(done)
    assert "hunt.csv:3: warning: 'soon'" in err(done)
    assert (tmp_path / "hunt.jobs").read_text("utf-8") == "2026-01-02 applied Acme\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "say where the ledger goes"),
        (["--append", "--dry-run"], "--append needs -o FILE"),
        (["-o", "old.jobs"], "-o old.jobs exists; refusing to overwrite it"),
        (["--dry-run", "--map", "Employer"], "write COLUMN=FIELD"),
        (["--dry-run", "--map", "Employer=boss"], "unknown field 'boss'"),
        (["--dry-run", "--map-value", "Screen=phone call"], "is no stage or outcome"),
        (["--dry-run", "--date-format", "YMD"], "date formats are"),
        (["--dry-run", "--inactive-outcome", "fired"], "invalid choice"),
        (["--dry-run", "--default-date", "1/2/2026"], "is not a date"),
    ],
)
def test_import_usage_errors_exit_2_and_write_nothing(
    tmp_path: Path, args: list[str], message: str
) -> None:
    (tmp_path / "hunt.csv").write_text("Company,Date\nAcme,2026-01-02\n", "utf-8")
    (tmp_path / "old.jobs").write_text("2026-01-01 applied Old\n", "utf-8")
    done = jobledger("import", "hunt.csv", *args, cwd=tmp_path)
    assert done.returncode == 2, err(done)
    assert message in err(done)
    assert (tmp_path / "old.jobs").read_text("utf-8") == "2026-01-01 applied Old\n"
    assert done.stdout == b""


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (  # CRLF, with a BOM, without a final newline
            b'\xef\xbb\xbfrole devrel "DevRel"\r\n2026-01-01 applied Old  #devrel',
            b'\xef\xbb\xbfrole devrel "DevRel"\r\n2026-01-01 applied Old  #devrel\r\n\r\n'
            b"2026-01-05 applied New  #devrel\r\n",
        ),
        (  # LF, a final newline, nothing else
            b'role devrel "Developer Advocate"\n2026-01-01 applied Old  #devrel\n',
            b'role devrel "Developer Advocate"\n2026-01-01 applied Old  #devrel\n\n'
            b"2026-01-05 applied New  #devrel\n",
        ),
        (  # UTF-16 (Notepad's "Unicode") with a BOM
            '\ufeffrole devrel "DevRel"\r\n2026-01-01 applied Öld  #devrel\r\n'.encode("utf-16-le"),
            '\ufeffrole devrel "DevRel"\r\n2026-01-01 applied Öld  #devrel\r\n\r\n'
            "2026-01-05 applied New  #devrel\r\n".encode("utf-16-le"),
        ),
    ],
)
def test_append_keeps_the_files_encoding_and_line_ends(
    tmp_path: Path, before: bytes, after: bytes
) -> None:
    """The role is declared in the ledger (by key, or by its label 'Developer Advocate' against
    the sheet's 'devrel' key... here by key): not again. The row the ledger has is left out."""
    (tmp_path / "hunt.jobs").write_bytes(before)
    (tmp_path / "new.csv").write_text(
        "Company,Date,role key,Type of Role\nNew,2026-01-05,devrel,Developer Advocate\n"
        + ("Öld" if "Öld".encode("utf-16-le") in before else "Old")
        + ",2026-01-01,devrel,Developer Advocate\n",
        "utf-8",
    )
    done = jobledger("import", "new.csv", "-o", "hunt.jobs", "--append", cwd=tmp_path)
    assert done.returncode == 0, err(done)
    assert "already in hunt.jobs, left out: row 3" in err(done)
    assert (tmp_path / "hunt.jobs").read_bytes() == after


def test_append_matches_a_role_by_its_label(tmp_path: Path) -> None:
    ledger = 'role devrel "Developer Advocate"\n2026-01-01 applied Old  #devrel\n'
    (tmp_path / "hunt.jobs").write_text(ledger)
    # The sheet's role would get the key developer-advocate; the ledger calls it devrel.
    (tmp_path / "new.csv").write_text(
        "Company,Date,Type of Role\nNew,2026-01-05,developer advocate\n"
    )
    done = jobledger("import", "new.csv", "-o", "hunt.jobs", "--append", cwd=tmp_path)
    assert done.returncode == 0, err(done)
    assert (tmp_path / "hunt.jobs").read_text() == ledger + "\n2026-01-05 applied New  #devrel\n"


def test_append_refuses_an_application_the_ledger_has_with_another_history(
    tmp_path: Path,
) -> None:
    ledger = "2026-01-01 applied Old\n"
    (tmp_path / "hunt.jobs").write_text(ledger)
    (tmp_path / "new.csv").write_text("Company,Date,Stage\nNew,2026-01-05,\nold,2026-01-01,phone\n")
    done = jobledger("import", "new.csv", "-o", "hunt.jobs", "--append", cwd=tmp_path)
    assert done.returncode == 1
    assert (
        "new.csv:3: error: the ledger already has Old (hunt.jobs:1), with another history [JL327]"
        in err(done)
    )
    assert (tmp_path / "hunt.jobs").read_text() == ledger
    done = jobledger(
        "import", "new.csv", "-o", "hunt.jobs", "--append", "--skip-bad-rows", cwd=tmp_path
    )
    assert done.returncode == 0 and "new.csv:3: warning:" in err(done)
    assert (tmp_path / "hunt.jobs").read_text() == ledger + "\n2026-01-05 applied New\n"


def test_append_refuses_a_ledger_with_errors_and_one_it_would_break(tmp_path: Path) -> None:
    (tmp_path / "new.csv").write_text("Company,Date,Type of Role\nNew,2026-01-05,Sales\n")
    broken = "2026-01-01 appled Old\n"
    (tmp_path / "hunt.jobs").write_text(broken)
    done = jobledger("import", "new.csv", "-o", "hunt.jobs", "--append", cwd=tmp_path)
    assert done.returncode == 1 and "fix its errors first" in err(done)
    assert (tmp_path / "hunt.jobs").read_text() == broken
    # A ledger with stages of its own has no `applied`, which the import writes.
    clash = 'stage lead "Lead"\nstage sent "Sent"\n2026-01-01 lead Old\n'
    (tmp_path / "hunt.jobs").write_text(clash)
    done = jobledger("import", "new.csv", "-o", "hunt.jobs", "--append", cwd=tmp_path)
    assert done.returncode == 1, err(done)
    assert "hunt.jobs:7:12: error: unknown kind 'applied'" in err(done)
    assert "does not read clean" in err(done)
    assert (tmp_path / "hunt.jobs").read_text() == clash


def test_skip_bad_rows_is_suggested_only_when_it_would_help(tmp_path: Path) -> None:
    rows = tmp_path / "rows.csv"
    rows.write_text("company,title,applied_at\n,X,2026-01-02\nB,Y,2026-01-03\n", encoding="utf-8")
    done = jobledger("import", rows, "--dry-run", cwd=tmp_path)
    assert done.returncode == 1
    assert b"(--skip-bad-rows imports the other rows)" in done.stderr
    # An ambiguous date column is the whole file's problem: skipping rows would not help.
    column = tmp_path / "column.csv"
    column.write_text("company,title,applied_at\nA,X,01/02/2026\nB,Y,03/04/2026\n", "utf-8")
    done = jobledger("import", column, "--dry-run", cwd=tmp_path)
    assert done.returncode == 1 and b"[JL322]" in done.stderr
    assert b"--skip-bad-rows" not in done.stderr
