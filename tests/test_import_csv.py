"""`jobledger import`'s core: CSV bytes -> ledger data -> .jobs text that our own pipeline reads
back clean, with the Blueprint sheet's Pipeline numbers intact."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from jobledger.ledger.diagnostics import Diagnostic
from jobledger.ledger.model import Event
from jobledger.ledger.parser import parse_text
from jobledger.ledger.reducer import reduce_entries
from jobledger.pipeline import load_report
from jobledger.report.model import Report
from jobledger.report.numbers import percent
from jobledger.transfer import (
    DraftApplication,
    DraftEvent,
    DraftLedger,
    ImportOptions,
    ImportResult,
    escape_value,
    import_csv,
    parse_date_format,
    parse_map,
    parse_map_value,
    read_table,
    unescape_value,
    write_ledger,
)
from jobledger.transfer.csv_import import dated_kind

AS_OF = date(2026, 3, 15)
BLUEPRINT_HEADER = "Active?,Date applied,Company,Position,Type of Role,Stage,Lessons/Notes"


def run(text: str | bytes, **options: Any) -> ImportResult:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return import_csv(data, "hunt.csv", ImportOptions(**options))


def converted(text: str | bytes, **options: Any) -> str:
    """The written ledger, after checking that our own parser and reducer read it clean."""
    result = run(text, **options)
    assert result.ledger is not None, [d.render() for d in result.diagnostics]
    written = write_ledger(result.ledger)
    assert_reads_clean(written)
    return written


def assert_reads_clean(text: str) -> None:
    parsed = parse_text(text, "out.jobs")
    assert not parsed.diagnostics, [d.render() for d in parsed.diagnostics] + [text]
    _, reduced = reduce_entries(parsed.entries)
    assert not [d for d in reduced if d.is_error], [d.render() for d in reduced] + [text]


def first_lines(diagnostics: tuple[Diagnostic, ...]) -> list[str]:
    return [d.render().splitlines()[0] for d in diagnostics]


def events(text: str) -> list[tuple[str, str, str, str | None, tuple[str, ...]]]:
    parsed = parse_text(text, "out.jobs")
    return [
        (str(e.date), e.kind, e.company, e.title, e.tags)
        for e in parsed.entries
        if isinstance(e, Event)
    ]


def meta(text: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for entry in parse_text(text, "out.jobs").entries:
        if isinstance(entry, Event):
            found.update(entry.meta)
    return found


# ---------------------------------------------------------------- reading the CSV


def test_bom_crlf_and_a_multi_line_note_keep_rows_numbered_as_the_sheet_does() -> None:
    data = (
        "\ufeffCompany,Title,Notes\r\n"
        'Acme,Dev,"first line\r\nsecond line\r\n\r\nfourth"\r\n'
        "Globex,SRE,\r\n"
        ",,oops\r\n"
    ).encode()
    table = read_table(data, "hunt.csv").table
    assert table is not None and table.bom
    assert table.header == ("Company", "Title", "Notes")  # no BOM glued to 'Company'
    assert [row.number for row in table.rows] == [2, 3, 4]  # a four-line cell is one row
    assert table.rows[0].cells[2] == "first line\nsecond line\n\nfourth"
    result = run(data, default_date=date(2026, 1, 1))
    assert first_lines(result.diagnostics) == ["hunt.csv:4: error: this row has no company [JL320]"]


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ("Company;Notes;Date\nAcme;1,5 years, remote;2026-01-02\nB;x;2026-01-03\n", ";"),
        ('Company,Notes\nAcme,"a; b; c"\nB,x\n', ","),
        ("Company\tNotes\nAcme\ta, b; c\nB\tx\n", "\t"),
        ('"Company";"Position"\n"Acme";"Dev, Ops"\n', ";"),
        ("Company\nAcme\n", ","),
    ],
)
def test_the_delimiter_is_sniffed(text: str, delimiter: str) -> None:
    table = read_table(text.encode(), "hunt.csv").table
    assert table is not None and table.delimiter == delimiter


def test_a_semicolon_file_from_a_european_locale_converts() -> None:
    text = "Company;Position;Applied date;Notes\nCafé Noir;Dev;22.01.2026;1,5 Jahre, remote\n"
    written = converted(text)
    assert events(written) == [("2026-01-22", "applied", "Café Noir", "Dev", ())]
    assert meta(written) == {"notes": "1,5 Jahre, remote"}


@pytest.mark.parametrize(
    ("data", "line"),
    [
        ("Company,Notes\nCafé,x\n".encode("cp1252"), "hunt.csv:2:"),
        ("Company,Notes\nAcme,x\n".encode("utf-16"), "hunt.csv:1:"),
        ("Company,Notes\nAcme,x\n".encode("utf-16-le"), "hunt.csv:1:"),
    ],
)
def test_a_file_that_is_not_utf8_is_one_clear_error(data: bytes, line: str) -> None:
    result = run(data)
    assert result.ledger is None and result.summary is None
    (diagnostic,) = result.diagnostics
    assert diagnostic.code == "JL300"
    assert diagnostic.render().startswith(line)
    assert "UTF-8" in diagnostic.render()
    said_bom = "Excel's 'Unicode Text'" in diagnostic.message
    assert said_bom == (data[:2] in (b"\xff\xfe", b"\xfe\xff"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            'Company,Notes\nAcme,ok\nGlobex,"never closed\nInitech,x\n',
            "hunt.csv:3: error: a quote opened in this row is never closed [JL302]",
        ),
        (
            'Company,Notes\nAcme,"multi\nline"\nGlobex,"quoted"tail\nInitech,x\n',
            "hunt.csv:3: error: text after the closing quote of a cell [JL302]",
        ),
        (
            'Company,Notes\n"A\nB",x\nAcme,x,extra\n',
            "hunt.csv:3: error: this row has 3 cells but the header names 2 columns [JL303]",
        ),
        (
            'Company,Date\n"Acme\nInc",2026-01-02\n,2026-01-03\n',
            "hunt.csv:3: error: this row has no company [JL320]",
        ),
        (
            "Company,Date\nAcme,2026-01-02\nGlobex,soon\n",
            "hunt.csv:3: error: 'soon' in column 'Date' is not a date [JL321]",
        ),
        (
            "Company,Date\nAcme,2026-02-30\n",
            "hunt.csv:2: error: '2026-02-30' in column 'Date' is not a date [JL321]",
        ),
        (
            "Company,Stage\nAcme,applied\nGlobex,Phone screen\n",
            "hunt.csv:3: error: 'Phone screen' in column 'Stage' names no stage [JL323]",
        ),
        (
            "Company,rejected_at,withdrawn_at\nAcme,2026-01-02,2026-01-03\n",
            "hunt.csv:2: error: this row has two outcomes: rejected and withdrawn [JL324]",
        ),
        (
            "Company,Stage,Outcome\nAcme,Withdrawn,rejected\n",
            "hunt.csv:2: error: this row has two outcomes: withdrawn and rejected [JL324]",
        ),
        (
            "Company,rejected_at,interview_at\nAcme,2026-01-02,2026-01-03\n",
            "hunt.csv:2: error: rejected on 2026-01-02, but interview on 2026-01-03 [JL324]",
        ),
    ],
)
def test_every_bad_row_is_reported_at_its_spreadsheet_row(text: str, expected: str) -> None:
    result = run(text, default_date=date(2026, 1, 1))
    assert expected in first_lines(result.diagnostics)
    assert result.ledger is None  # nothing to write


def test_rows_after_a_malformed_one_keep_their_numbers() -> None:
    text = 'Company,Notes\n"Acme\nInc","two\nlines"\nGlobex,"quoted"tail\n,x\nInitech,"a\nb"\n,y\n'
    result = run(text, default_date=date(2026, 1, 1))
    assert [(d.position.line, d.code) for d in result.diagnostics] == [
        (3, "JL302"),
        (4, "JL320"),
        (6, "JL320"),
    ]


def test_every_error_is_reported_at_once_and_skip_bad_rows_keeps_the_good_ones() -> None:
    text = "Company,Date\nAcme,2026-01-02\n,2026-01-03\nGlobex,someday\nInitech,2026-01-04\n"
    failed = run(text)
    assert [(d.position.line, d.code) for d in failed.errors] == [(3, "JL320"), (4, "JL321")]
    assert failed.ledger is None
    skipped = run(text, skip_bad_rows=True)
    assert skipped.ledger is not None and not skipped.errors
    assert [d.position.line for d in skipped.diagnostics] == [3, 4]  # still said, as warnings
    assert skipped.summary is not None and skipped.summary.skipped_rows == (3, 4)
    written = write_ledger(skipped.ledger)
    assert_reads_clean(written)
    assert [e[2] for e in events(written)] == ["Acme", "Initech"]


def test_a_sheet_without_any_date_needs_a_default_date_and_says_so_once() -> None:
    text = "Company,Position\nAcme,Dev\nGlobex,SRE\n"
    result = run(text)
    assert first_lines(result.diagnostics) == [
        "hunt.csv:1: error: no row has a date to import [JL326]"
    ]
    written = converted(text, default_date=date(2026, 1, 1))
    assert "2026-01-01 wishlist  Acme | Dev  ; date unknown (imported)" in written


def test_errors_about_the_file_stop_the_import_even_when_skipping_rows() -> None:
    result = run("Employer Name,Date\nAcme,2026-01-02\n", skip_bad_rows=True)
    assert result.ledger is None
    assert first_lines(result.diagnostics) == [
        "hunt.csv:1: error: no column names the company [JL310]"
    ]


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("values", "expected", "inferred"),
    [
        (["2026-01-22", "2026-02-03"], ["2026-01-22", "2026-02-03"], "YYYY-MM-DD"),
        (["1/22/2026", "3/4/2026"], ["2026-01-22", "2026-03-04"], "M/D/YYYY"),
        (["3/4/2026", "23/4/2026"], ["2026-04-03", "2026-04-23"], "D/M/YYYY"),  # 23 settles it
        (["4.3.2026", "22.01.2026"], ["2026-03-04", "2026-01-22"], "D.M.YYYY"),
        (["1/1/2026", "2/2/2026"], ["2026-01-01", "2026-02-02"], "M/D/YYYY"),  # reads alike
        (
            ["1/22/2026 2:30 PM", "2026-02-03T09:15:00+01:00"],  # a time is dropped
            ["2026-01-22", "2026-02-03"],
            "M/D/YYYY",
        ),
    ],
)
def test_the_date_format_is_inferred_per_column_from_all_its_values(
    values: list[str], expected: list[str], inferred: str
) -> None:
    text = "Company,Date\n" + "".join(f"C{n},{v}\n" for n, v in enumerate(values))
    result = run(text)
    assert result.ledger is not None
    assert sorted(str(app.events[0].date) for app in result.ledger.applications) == sorted(expected)
    assert result.summary is not None
    assert inferred in dict(result.summary.date_formats)["Date"]


def test_two_columns_can_have_two_orders() -> None:
    text = "Company,applied_at,rejected_at\nAcme,1/23/2026,3/2/2026\nGlobex,1/2/2026,25/2/2026\n"
    result = run(text)
    assert result.summary is not None
    assert dict(result.summary.date_formats) == {
        "applied_at": "M/D/YYYY",
        "rejected_at": "D/M/YYYY",
    }


def test_a_column_of_only_ambiguous_dates_needs_date_format_and_says_so() -> None:
    text = "Company,Date applied\nAcme,3/4/2026\nGlobex,5/6/2026\n"
    result = run(text)
    assert result.ledger is None
    (diagnostic,) = result.diagnostics
    assert diagnostic.code == "JL322" and diagnostic.position.line == 1
    assert "'Date applied'" in diagnostic.message and "3/4/2026" in diagnostic.message
    assert diagnostic.hint is not None and "--date-format" in diagnostic.hint
    day_first = run(text, date_format=parse_date_format("D/M/YYYY"))
    assert day_first.ledger is not None
    assert [str(a.events[0].date) for a in day_first.ledger.applications] == [
        "2026-04-03",
        "2026-06-05",
    ]
    assert parse_date_format("mdy") == "M/D/YYYY"
    with pytest.raises(ValueError, match="date formats are"):
        parse_date_format("YY/MM")


def test_a_value_against_its_columns_order_is_a_bad_date_at_its_row() -> None:
    text = "Company,Date\nA,1/23/2026\nB,1/24/2026\nC,23/1/2026\n"
    result = run(text)
    assert [d.render() for d in result.diagnostics] == [
        "hunt.csv:4: error: '23/1/2026' in column 'Date' is not a date in M/D/YYYY, "
        "the column's format [JL321]\n"
        "  hint: the column's other dates settle its format ('1/23/2026' reads only as "
        "M/D/YYYY); fix this one"
    ]


# ---------------------------------------------------------------- the Blueprint preset

BLUEPRINT_ROWS = [
    # Active?, Date applied, Company, Position, Type of Role, Stage, Lessons/Notes
    ("Yes", "", "Netlify", "Developer Advocate", "1 - Developer Advocate", "0 - Never Applied", ""),
    (
        "No",
        "1/12/2026",
        "Docker",
        "Developer Advocate",
        "1 - Developer Advocate",
        "3 - Phone Interview",
        "wanted more talks\nask Ana for a referral next time",
    ),
    ("No", "1/13/2026", "Vercel", "DevRel", "1 - Developer Advocate", "1 - Applied, No Reply", ""),
    (
        "Yes",
        "1/14/2026",
        "Supabase",
        "DevRel",
        "1 - Developer Advocate",
        "1 - Applied, No Reply",
        "",
    ),
    ("Yes", "1/15/2026", "Fly.io", "DevRel", "1 - Developer Advocate", "1 - Applied, No Reply", ""),
    ("Yes", "1/16/2026", "Render", "DevRel", "1 - Developer Advocate", "1 - Applied, No Reply", ""),
    ("Yes", "", "Stripe", "Backend Engineer", "2 - Software Engineer", "0 - Never Applied", ""),
    ("Yes", "", "Shopify", "Backend Engineer", "2 - Software Engineer", "0 - Never Applied", ""),
    ("Yes", "", "GitLab", "Backend Engineer", "2 - Software Engineer", "0 - Never Applied", ""),
    ("Yes", "", "Datadog", "Backend Engineer", "2 - Software Engineer", "0 - Never Applied", ""),
    ("No", "", "Elastic", "Backend Engineer", "2 - Software Engineer", "0 - Never Applied", ""),
    (
        "Yes",
        "1/20/2026",
        "Grafana",
        "Backend Engineer",
        "2 - Software Engineer",
        "2 - Response, No Interview Yet",
        "",
    ),
    (
        "No",
        "1/21/2026",
        "Sentry",
        "Backend Engineer",
        "2 - Software Engineer",
        "3 - Phone Interview",
        "",
    ),
    (
        "No",
        "1/22/2026",
        "Linear",
        "Backend Engineer",
        "2 - Software Engineer",
        "6 - Job Offer",
        "salary too low",
    ),
    (
        "Yes",
        "2/2/2026",
        "Twilio",
        "Solutions Engineer",
        "3 - Sales Engineer",
        "3 - Phone Interview",
        "",
    ),
    (
        "No",
        "2/3/2026",
        "MongoDB",
        "Solutions Engineer",
        "3 - Sales Engineer",
        "4 - Job Interview",
        "",
    ),
    ("Yes", "2/4/2026", "Acme", "Technical Writer", "4 - Other", "3 - Phone Interview", ""),
]


def csv_text(header: str, rows: list[tuple[str, ...]], newline: str = "\r\n") -> str:
    def cell(value: str) -> str:
        if any(c in value for c in ',"\r\n'):
            return '"' + value.replace('"', '""') + '"'
        return value

    return newline.join([header, *(",".join(cell(v) for v in row) for row in rows)]) + newline


def pipeline_table(report: Report) -> dict[str, list[str]]:
    """The report's Pipeline table as the README prints it: per row, the tracked count, then
    'count (percent)' for No progress, applied and every later stage."""
    return {
        row.label: [str(row.tracked)] + [f"{c.count} ({percent(c.fraction)})" for c in row.cells]
        for row in report.pipeline.rows
        if row.kind != "average"
    }


# The README's Pipeline table for examples/blueprint.jobs, which is the Blueprint sheet's.
README_PIPELINE = {
    "Developer Advocate": "6 | 1 (17%) | 5 (83%) | 1 (20%) | 1 (100%) | 0 (0%) | 0 (—) | 0 (—)"
    " | 0 (—)",
    "Software Engineer": "8 | 5 (63%) | 3 (38%) | 3 (100%) | 2 (67%) | 1 (50%) | 1 (100%)"
    " | 1 (100%) | 0 (0%)",
    "Sales Engineer": "2 | 0 (0%) | 2 (100%) | 2 (100%) | 2 (100%) | 1 (50%) | 0 (0%) | 0 (—)"
    " | 0 (—)",
    "Other": "1 | 0 (0%) | 1 (100%) | 1 (100%) | 1 (100%) | 0 (0%) | 0 (—) | 0 (—) | 0 (—)",
    "Total": "17 | 6 (35%) | 11 (65%) | 7 (64%) | 6 (86%) | 2 (33%) | 1 (50%) | 1 (100%) | 0 (0%)",
}


def test_a_blueprint_sheet_reproduces_its_pipeline_table_through_import_and_report(
    tmp_path: Path,
) -> None:
    source = tmp_path / "tracker.csv"
    source.write_bytes(("\ufeff" + csv_text(BLUEPRINT_HEADER, BLUEPRINT_ROWS)).encode())
    result = import_csv(source.read_bytes(), str(source), ImportOptions())
    assert result.ledger is not None and not result.diagnostics
    ledger_file = tmp_path / "hunt.jobs"
    ledger_file.write_text(write_ledger(result.ledger), "utf-8")
    loaded = load_report([str(ledger_file)], AS_OF)
    assert not loaded.errors, [d.render() for d in loaded.diagnostics]
    assert loaded.report is not None
    table = {label: " | ".join(cells) for label, cells in pipeline_table(loaded.report).items()}
    assert table == README_PIPELINE


def test_blueprint_rules() -> None:
    result = run(csv_text(BLUEPRINT_HEADER, BLUEPRINT_ROWS))
    assert result.ledger is not None and result.summary is not None
    summary = result.summary
    assert summary.preset == "blueprint"
    assert [(r.key, r.label) for r in summary.roles] == [
        ("developer-advocate", "Developer Advocate"),
        ("software-engineer", "Software Engineer"),
        ("sales-engineer", "Sales Engineer"),
    ]  # '4 - Other' is the ledger's own Other bucket, not a role
    assert summary.default_date == date(2026, 1, 12)  # the earliest date in the sheet
    assert summary.undated_rows == (2, 8, 9, 10, 11, 12)
    written = write_ledger(result.ledger)
    lines = written.splitlines()
    assert lines[:4] == [
        'role developer-advocate "Developer Advocate"',
        'role software-engineer  "Software Engineer"',
        'role sales-engineer     "Sales Engineer"',
        "",
    ]
    # The stages the sheet skipped are on the applied date, and say they are guesses.
    assert (
        "2026-01-12 applied   Docker | Developer Advocate  #developer-advocate\n"
        "    notes: wanted more talks\\nask Ana for a referral next time\n"
        "2026-01-12 response  Docker | Developer Advocate  ; date unknown (imported)\n"
        "2026-01-12 phone     Docker | Developer Advocate  ; date unknown (imported)\n"
        "2026-01-12 rejected  Docker | Developer Advocate  ; date unknown (imported)\n"
    ) in written
    # Never applied, no date: kept, on the earliest date, as a guess.
    assert (
        "2026-01-12 wishlist  Netlify | Developer Advocate  #developer-advocate"
        "  ; date unknown (imported)\n" in written
    )
    # Inactive and never applied: withdrawn; at the offer: declined; active: no outcome.
    assert "2026-01-12 withdrawn Elastic | Backend Engineer  ; date unknown (imported)" in written
    assert "2026-01-22 declined  Linear | Backend Engineer  ; date unknown (imported)" in written
    assert not re.search(r"(rejected|declined) +Grafana", written)
    assert_reads_clean(written)


def test_the_summary_says_what_was_read_inferred_and_written() -> None:
    result = run(("\ufeff" + csv_text(BLUEPRINT_HEADER, BLUEPRINT_ROWS[:3])).replace(",", ";"))
    assert result.summary is not None
    assert result.summary.describe() == (
        "read hunt.csv: 3 rows, delimiter ';', UTF-8 with BOM",
        "preset: blueprint",
        "columns: Active? -> active (preset); Date applied -> date (preset); "
        "Company -> company (preset); Position -> title (known name); "
        "Type of Role -> role (known name); Stage -> stage (preset); "
        "Lessons/Notes -> meta:notes (known name)",
        "dates: Date applied as M/D/YYYY",
        "roles: developer-advocate (Developer Advocate)",
        "undated rows 2: dated 2026-01-12 (the earliest date in the sheet), "
        "marked 'date unknown (imported)'",
        "3 applications, 7 events",  # 1 + 4 (Docker, inactive at phone) + 2
    )


def test_the_inactive_outcome_and_the_default_date_can_be_chosen() -> None:
    rows = [
        ("No", "1/22/2026", "Docker", "", "", "2 - Response", ""),
        ("Yes", "", "Netlify", "", "", "0 - Never Applied", ""),
    ]
    written = converted(
        csv_text(BLUEPRINT_HEADER, rows),
        inactive_outcome="withdrawn",
        default_date=date(2025, 12, 1),
    )
    assert "2026-01-22 withdrawn Docker  ; date unknown (imported)" in written
    assert "2025-12-01 wishlist  Netlify  ; date unknown (imported)" in written
    bad = run(csv_text(BLUEPRINT_HEADER, rows), inactive_outcome="fired")
    assert bad.ledger is None and bad.errors[0].code == "JL311"


def test_an_explicit_preset_names_the_columns_it_misses() -> None:
    result = run("Company,Date applied\nAcme,2026-01-02\n", preset="blueprint")
    assert first_lines(result.diagnostics) == [
        "hunt.csv:1: error: the Blueprint preset needs the columns Active?, Stage [JL310]"
    ]


# ---------------------------------------------------------------- the dated preset and names


def test_a_dated_tracker_gives_real_history_and_keeps_status_as_metadata() -> None:
    text = (
        "company_name,job_title,job_url,source,status,tags,applied_at,phone_at,"
        "Interview date,Date rejected,Salary Range\n"
        "Acme,Dev,https://acme.example/jobs?a=1;b=2,referral,Offer!,"
        '"remote; senior, #berlin office",2026-01-05,2026-01-09,2026-01-20,2026-01-30,"90k, 100k"\n'
    )
    result = run(text)
    assert result.summary is not None and result.summary.preset == "dated"
    written = converted(text)
    assert events(written) == [
        ("2026-01-05", "applied", "Acme", "Dev", ("remote", "senior", "berlin-office")),
        ("2026-01-05", "response", "Acme", "Dev", ()),  # no date of its own: a guess
        ("2026-01-09", "phone", "Acme", "Dev", ()),
        ("2026-01-20", "interview", "Acme", "Dev", ()),
        ("2026-01-30", "rejected", "Acme", "Dev", ()),
    ]
    assert meta(written) == {
        "url": "https://acme.example/jobs?a=1;b=2",
        "source": "referral",
        "status": "Offer!",  # disagrees with the dates: kept, not trusted
        "salary-range": "90k, 100k",  # unmapped: metadata keyed by the slugged header
    }


@pytest.mark.parametrize(
    ("header", "kind"),
    [
        ("applied_at", "applied"),
        ("Applied date", "applied"),
        ("Date rejected", "rejected"),
        ("Rejection date", "rejected"),
        ("Date of offer", "offer"),
        ("Phone screen date", "phone"),
        ("Date added", "wishlist"),
        ("withdrawn_on", "withdrawn"),
        ("Date", None),
        ("Applied", None),
        ("Update date", None),
    ],
)
def test_date_columns_are_recognised_by_the_kind_in_their_name(
    header: str, kind: str | None
) -> None:
    assert dated_kind(header) == kind


def test_a_sheet_with_neither_preset_uses_header_names() -> None:
    text = "Employer,Position,Date,Stage,Whatever\nAcme,Dev,2026-01-05,phone interview,\n"
    result = run(text)
    assert result.summary is not None and result.summary.preset == "columns"
    written = converted(text)
    assert [e[1] for e in events(written)] == ["applied", "response", "phone"]
    assert meta(written) == {}  # an empty cell is skipped


def test_unmapped_columns_become_metadata_with_unique_slugged_keys() -> None:
    text = "Company,Date,Über Notes!,Über-Notes,,Company\nAcme,2026-01-02,a,b,c,Acme Inc\n"
    written = converted(text)
    assert meta(written) == {
        "uber-notes": "a",
        "uber-notes-2": "b",
        "column-5": "c",
        "company": "Acme Inc",  # a second company column is data, not a second company
    }


def test_map_and_map_value() -> None:
    text = "Org,Job,When,Where we are,Why,Extra,Labels\nAcme,Dev,2026-01-02,Phone screen,ok,x,a\n"
    maps = tuple(
        parse_map(m)
        for m in (
            "Org=company",
            "job=title",
            "When=date",
            "Where we are=stage",
            "Why=comment",
            "Extra=meta:custom",
            "Labels=tag",
        )
    )
    without = run(text, maps=maps)
    assert without.errors and without.errors[0].hint is not None
    assert "--map-value 'Phone screen=phone'" in without.errors[0].hint
    written = converted(text, maps=maps, value_maps=(parse_map_value("phone SCREEN=phone"),))
    assert "2026-01-02 applied   Acme | Dev  #a  ; ok" in written
    assert [e[1] for e in events(written)] == ["applied", "response", "phone"]
    assert meta(written) == {"custom": "x"}


def test_stage_and_outcome_values_match_keys_and_labels_case_insensitively() -> None:
    text = (
        "Company,Stage,Outcome,Date\n"
        "A,JOB OFFER,,2026-01-02\nB,second,Rejected,2026-01-02\nC,Withdrawn,,2026-01-02\n"
    )
    written = converted(text)
    kinds = {company: [] for company in "ABC"}  # type: dict[str, list[str]]
    for _, kind, company, _, _ in events(written):
        kinds[company].append(kind)
    assert kinds["A"][-1] == "offer"
    assert kinds["B"][-2:] == ["second", "rejected"]
    assert kinds["C"] == ["applied", "withdrawn"]  # an outcome in the Stage column


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("=company", "write COLUMN=FIELD"),
        ("Org=employer", "unknown field 'employer'"),
        ("Org=meta:has space", "metadata key"),
    ],
)
def test_bad_maps_are_refused_with_a_reason(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_map(text)


def test_a_map_to_a_missing_column_suggests_one() -> None:
    result = run("Company,Date\nAcme,2026-01-02\n", maps=(parse_map("Dates=date"),))
    assert result.ledger is None
    (diagnostic,) = result.diagnostics
    assert diagnostic.code == "JL311" and diagnostic.hint == "did you mean 'Date'?"


def test_two_columns_mapped_to_one_field_are_refused() -> None:
    maps = (parse_map("A=company"), parse_map("B=company"), parse_map("C=tag"), parse_map("D=tag"))
    result = run("A,B,C,D\nx,y,z,w\n", maps=maps)
    assert first_lines(result.diagnostics) == [
        "hunt.csv:1: error: two columns are mapped to company [JL311]"
    ]


def test_a_repeated_application_gets_a_distinct_name() -> None:
    text = "Company,Title,Date\nAcme,Dev,2026-01-02\nacme,DEV,2026-02-02\nAcme,,2026-01-03\n"
    result = run(text)
    assert [(d.position.line, d.code, d.is_error) for d in result.diagnostics] == [
        (3, "JL330", False)
    ]
    written = converted(text)
    assert [(e[2], e[3]) for e in events(written)] == [
        ("Acme", "Dev"),
        ("Acme", None),
        ("acme", "DEV (2)"),
    ]


def test_role_keys_never_take_a_reserved_word() -> None:
    text = "Company,Type of Role,Date\nA,Offer,2026-01-02\nB,Active,2026-01-02\nC,3D,2026-01-02\n"
    result = run(text)
    assert result.summary is not None
    assert [r.key for r in result.summary.roles] == ["offer-role", "active-role", "role-3d"]


def test_a_tag_naming_another_role_is_two_roles() -> None:
    text = "Company,Type of Role,Tags,Date\nA,SRE,,2026-01-02\nB,Dev,sre,2026-01-02\n"
    assert first_lines(run(text).diagnostics) == [
        "hunt.csv:3: error: two roles on one application: 'dev' and tag 'sre' [JL325]"
    ]


# ---------------------------------------------------------------- writing the ledger


def test_names_are_quoted_where_the_format_needs_it() -> None:
    text = (
        'Company,Title,Date\n"#Startup","Engineer | Platform",2026-01-02\n'
        '"Say ""hi""",C:\\dev,2026-01-03\nAcme ;Labs,Dev #1,2026-01-04\nAcme;Labs,C#,2026-01-05\n'
    )
    written = converted(text)
    assert '"#Startup" | "Engineer | Platform"' in written
    assert '"Say \\"hi\\"" | C:\\dev' in written
    assert '"Acme ;Labs" | "Dev #1"' in written
    assert "Acme;Labs | C#" in written
    assert [(e[2], e[3]) for e in events(written)] == [
        ("#Startup", "Engineer | Platform"),
        ('Say "hi"', "C:\\dev"),
        ("Acme ;Labs", "Dev #1"),
        ("Acme;Labs", "C#"),
    ]


def test_a_multi_line_comment_continues_on_comment_lines() -> None:
    ledger = DraftLedger(
        (),
        (
            DraftApplication(
                "Acme", None, (), (DraftEvent(date(2026, 1, 2), "applied", "one\n\nthree"),)
            ),
        ),
    )
    assert write_ledger(ledger) == "2026-01-02 applied   Acme  ; one\n    ;\n    ; three\n"


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_metadata_values_round_trip_through_the_parser(value: str) -> None:
    value = value.replace("\r", "\n").replace("\x00", "")
    value = value.strip()
    if not value:
        return
    ledger = DraftLedger(
        (),
        (
            DraftApplication(
                "Acme",
                None,
                (),
                (DraftEvent(date(2026, 1, 2), "applied", None, (("notes", value),)),),
            ),
        ),
    )
    (event,) = parse_text(write_ledger(ledger), "t.jobs").entries
    assert isinstance(event, Event)
    (pair,) = event.meta
    assert unescape_value(pair[1]) == value
    assert escape_value("a\\nb ;c") == "a\\\\nb \\;c"


names = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r"), min_size=1
).filter(lambda s: s.split() != [])


@settings(max_examples=300, deadline=None)
@given(names, st.one_of(st.none(), names), st.lists(names, max_size=3))
@example("'=", None, []).via("found by CI")  # a company typed as '= in a sheet
@example("0", "'=", []).via("found by CI")
def test_any_name_and_tag_round_trips_through_the_parser(
    company: str, title: str | None, tags: list[str]
) -> None:
    text = csv_text(
        "Company,Title,Tags,Date",
        [(company, title or "", ";".join(t.replace(";", "") for t in tags), "2026-01-02")],
    )
    result = run(text)
    if result.ledger is None:  # a name whose every character is a delimiter or a quote
        return
    written = write_ledger(result.ledger)
    assert_reads_clean(written)
    ((_, _, got_company, got_title, _),) = events(written)
    assert got_company == " ".join(as_imported(company).split())
    assert got_title == (" ".join(as_imported(title).split()) or None if title else None)


def as_imported(cell: str) -> str:
    """docs/import.md, "Cells": a cell that starts with `'` and then `=`, `+`, `-`, `@` or a
    tab loses the `'`, the mark a spreadsheet export puts before a would-be formula (so a
    company typed as `'=` in a sheet is `=`, as the sheet itself shows it)."""
    return cell[1:] if cell[:1] == "'" and cell[1:2] in ("=", "+", "-", "@", "\t") else cell


# ---------------------------------------------------------------- anything in, no exception out


# Pieces of CSV, so that random bytes often have the shape of a table and reach every stage.
csv_bytes = st.lists(
    st.sampled_from(
        [
            b",",
            b";",
            b"\t",
            b'"',
            b'""',
            b"\r\n",
            b"\n",
            b"\r",
            b" ",
            b"Company",
            b"Stage",
            b"Date applied",
            b"Active?",
            b"applied_at",
            b"x",
            b"#",
            b"|",
            b"1/2/2026",
            b"13/2/2026",
            b"3 - Phone Interview",
            b"\xef\xbb\xbf",
            b"\xff",
            b"\xc3\xa9",
            b"\x00",
            b"\xe2\x80\xa8",
        ]
    ),
    max_size=40,
).map(b"".join)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=400), csv_bytes))
def test_any_bytes_give_a_ledger_or_clean_diagnostics(data: bytes) -> None:
    result = run(data, default_date=date(2026, 1, 1))
    for diagnostic in result.diagnostics:
        assert re.fullmatch(
            r"hunt\.csv:\d+: (error|warning): .* \[JL3\d\d\]",
            diagnostic.render().splitlines()[0],
            re.S,
        )
    if result.ledger is not None:
        assert_reads_clean(write_ledger(result.ledger))


junk = st.one_of(
    st.sampled_from(["", "2026-02-30", "a\nb", '"', ";", "#x", " ;y", "\\", "sre, #devrel"]),
    st.text(max_size=12),
)


def mostly(*values: str) -> st.SearchStrategy[str]:
    """Cells that fit their column 19 times in 20, so that many tables convert."""
    return st.one_of(*[st.sampled_from(["", *values])] * 19, junk)


dates = mostly("1/22/2026", "2/3/2026", "2026-01-05", "3/1/2026")
COLUMNS = {
    "Active?": mostly("Yes", "No", "TRUE"),
    "Date applied": dates,
    "Position": mostly("Dev", "SRE | Ops", "#1 hire", "Dev ;x"),
    "Type of Role": mostly("1 - DevRel", "2 - SWE", "4 - Other", "Sales"),
    "Stage": mostly("0 - Never Applied", "3 - Phone Interview", "6 - Job Offer", "rejected"),
    "Lessons/Notes": mostly("line\nline", "a ;b", "C:\\x"),
    "applied_at": dates,
    "interview_at": dates,
    "rejected_at": dates,
    "Tags": mostly("remote; senior", "#a #b", "devrel"),
    "status": mostly("Offer", "ghosted?"),
    "Outcome": mostly("Rejected", "withdrawn"),
    "Other": junk,
}
companies = st.one_of(st.sampled_from(["Acme", "acme", "Globex | X", "#1", "Acme ;Labs"]), junk)
tables = (
    st.lists(st.sampled_from(sorted(COLUMNS)), max_size=7, unique=True)
    .map(lambda rest: ["Company", *rest])
    .flatmap(
        lambda header: st.tuples(
            st.just(header),
            st.lists(st.tuples(companies, *[COLUMNS[h] for h in header[1:]]), max_size=6),
        )
    )
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables, st.booleans(), st.sampled_from([None, date(2026, 1, 1)]))
def test_any_table_gives_a_ledger_that_reads_clean_or_errors(
    table: tuple[list[str], list[tuple[str, ...]]], skip: bool, default: date | None
) -> None:
    header, rows = table
    text = csv_text(",".join(header), rows)
    result = run(text, skip_bad_rows=skip, date_format="M/D/YYYY", default_date=default)
    if result.ledger is not None:
        assert_reads_clean(write_ledger(result.ledger))
    else:
        assert result.errors


def test_the_columns_of_jobledgers_own_export_are_read_back() -> None:
    """`role key` keeps the role's key, `meta:KEY` the metadata key as written, `report status`
    is recomputed rather than kept, and the `'` that neutralised a formula comes off."""
    header = BLUEPRINT_HEADER + ",role key,tags,meta:Salary_Range,report status"
    rows = [
        ("Yes", "2026-01-12", "Docker", "'=Advocate", "1 - Developer Advocate", "1 - Applied",
         "'-- wanted more talks", "devrel", "#devrel #remote", "'+10%", "active"),
        ("Yes", "2026-01-13", "Acme", "", "2 - Other", "1 - Applied", "", "other", "", "", ""),
    ]  # fmt: skip
    result = run(csv_text(header, rows))
    assert result.ledger is not None and result.summary is not None
    assert [(r.key, r.label) for r in result.summary.roles] == [("devrel", "Developer Advocate")]
    assert "report status -> ignored (derived)" in result.summary.describe()[2]
    written = converted(csv_text(header, rows))
    assert "Docker | =Advocate  #devrel #remote" in written
    assert meta(written) == {"notes": "-- wanted more talks", "Salary_Range": "+10%"}
    assert "Acme  ; date unknown" not in written and "#other" not in written
