"""The applications as CSV for a spreadsheet: one row per application, the Blueprint tracker's
columns first, then everything else the ledger knows about it. docs/export.md describes the
columns; `jobledger import` reads this file back to the same funnel.

- Blueprint columns: `Active?` (Yes while the ledger records no end: active, or silent and
  counted as ghosted by inference; No once an outcome is written or the offer accepted),
  `Date applied` (when it reached the base stage), `Company`, `Position`, `Type of Role`
  (`N - Label`, Other last), `Stage` (`N - Label`, the current stage), `Lessons/Notes` (the
  `notes:` metadata).
- Ours: `role key`, `tags`, `KEY_at` with the first date of each stage, `outcome`, `KEY_at` with
  the date of that outcome, `report status` (as the report words it, at the report date), and
  one `meta:KEY` column per metadata key.
- The file is the ledger as of the report date, as the report is: events scheduled after it
  are not in it (the calendar export has them), nor are comments and notes.
- Dates are ISO (YYYY-MM-DD), which every spreadsheet reads in every locale. Metadata values are
  unescaped (`\\n` is a line break again, docs/import.md).
- A cell a spreadsheet would run as a formula (it starts with `=`, `+`, `-`, `@`, a tab or a
  carriage return) gets a leading `'`, which spreadsheets show as text; `jobledger import`
  takes it off again.
"""

from __future__ import annotations

import csv
import io

from jobledger.ledger.model import OTHER
from jobledger.render.text import neutralise
from jobledger.report.model import ApplicationRow, Report
from jobledger.report.view import Standing
from jobledger.transfer import unescape_value

BLUEPRINT = ("Active?", "Date applied", "Company", "Position", "Type of Role", "Stage")
NOTES = "Lessons/Notes"
NOTES_KEY = "notes"


def _meta_keys(report: Report) -> list[str]:
    """Every metadata key but notes, first spelling, in order of first appearance."""
    keys: dict[str, str] = {}
    for app in report.applications:
        for key in app.meta:
            if key.casefold() != NOTES_KEY:
                keys.setdefault(key.casefold(), key)
    return list(keys.values())


def export_table(report: Report) -> list[list[str]]:
    """The header and one row per application, as strings, not yet neutralised."""
    stage_index = {stage.key: stage.index for stage in report.stages}
    outcome_keys = [outcome.key for outcome in report.outcomes]
    role_number = {role.key: number for number, role in enumerate(report.roles, start=1)}
    meta_keys = _meta_keys(report)
    header = [
        *BLUEPRINT,
        NOTES,
        "role key",
        "tags",
        *(f"{stage.key}_at" for stage in report.stages),
        "outcome",
        *(f"{key}_at" for key in outcome_keys),
        "report status",
        *(f"meta:{key}" for key in meta_keys),
    ]
    rows = [header]
    for app in report.applications:
        firsts: dict[str, str] = {}
        for event in app.history:
            firsts.setdefault(event.kind, event.date.isoformat())
        outcome = app.status.outcome
        ended: dict[str, str] = {}  # the outcome's date column
        if outcome is not None:  # the outcome that ended it: the last one written
            when = next(e.date for e in reversed(app.history) if e.kind == outcome.key)
            ended[outcome.key] = when.isoformat()
        applied = next(
            (
                e.date.isoformat()
                for e in app.history
                if stage_index.get(e.kind, -1) >= report.options.base.index
            ),
            "",
        )
        rows.append(
            [
                "Yes" if app.status.standing in (Standing.ACTIVE, Standing.SILENT) else "No",
                applied,
                app.company,
                app.title or "",
                _role(app, role_number, len(report.roles) + 1),
                f"{app.stage.index} - {app.stage.label}",
                unescape_value(app.meta.get(NOTES_KEY)),
                app.role.key,
                " ".join("#" + tag for tag in app.tags),
                *(firsts.get(stage.key, "") for stage in report.stages),
                outcome.key if outcome is not None else "",
                *(ended.get(key, "") for key in outcome_keys),
                app.status_text,
                *(unescape_value(app.meta.get(key)) for key in meta_keys),
            ]
        )
    return rows


def _role(app: ApplicationRow, numbers: dict[str, int], other: int) -> str:
    if app.role.key == OTHER.key:
        return f"{other} - {OTHER.label}"
    return f"{numbers[app.role.key]} - {app.role.label}"


def render_csv(report: Report) -> str:
    """RFC 4180: comma-separated, double quotes where needed, CRLF after every row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in export_table(report):
        writer.writerow([neutralise(cell) for cell in row])
    return out.getvalue()
