"""`jobledger import`: a tracker's CSV -> a ledger in fmt's canonical layout, checked by our own
loader before a byte is written. The conversion is transfer/'s; this module reads and writes
the files, and with `--append` fits the new applications into an existing ledger.

With `--append` (docs/import.md, "The command"):
- the file keeps its encoding, byte-order mark and line endings; a missing final newline is
  added first, then a blank line, then the imported block;
- a role the ledger already declares, by key or by label, is not declared again: the imported
  applications join it under the ledger's key;
- an imported application that the ledger already has (the same name, as the ledger compares
  names) is left out when every one of its events is already there (the same sheet imported
  twice adds nothing); when it would add events, it is an error (JL327) on its CSV row, because
  two sources for one history are a merge for a person to do.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile

from jobledger.cli.common import LEDGER_ERRORS, OK, UsageError, today
from jobledger.edit.fmt import format_text
from jobledger.files import write_atomic
from jobledger.ledger.diagnostics import Diagnostic, Position, Severity, error, render_text
from jobledger.ledger.loader import byte_order_mark, read_file
from jobledger.ledger.model import Ledger, Role
from jobledger.ledger.reducer import identity
from jobledger.pipeline import load_ledger
from jobledger.records import record, replace
from jobledger.transfer import DraftLedger, ImportOptions, import_csv, write_ledger

ALREADY_THERE = "JL327"  # --append: the ledger has this application, with another history


@record
class Target:
    """The file -o names, as it is before the import: its bytes, text and how it is written."""

    path: str
    data: bytes  # b"" when it does not exist yet
    text: str
    bom: bytes
    codec: str
    newline: str


def run(args: argparse.Namespace) -> int:
    out: str | None = args.output
    if out == "-":
        out = None
    if out is None and not args.dry_run:
        raise UsageError("say where the ledger goes: -o FILE, or --dry-run to print it")
    if args.append and out is None:
        raise UsageError("--append needs -o FILE: the ledger to add to")
    if out is not None and os.path.exists(out) and not args.append:
        raise UsageError(
            f"-o {out} exists; refusing to overwrite it (--append adds to it, or name a new file)"
        )
    if out is not None and os.path.exists(out) and os.path.samefile(out, args.csv):
        raise UsageError(f"-o {out} is the CSV being imported")
    try:
        data = read_file(args.csv)
    except OSError as exc:
        sys.stderr.write(f"{args.csv}: error: cannot read: {(exc.strerror or str(exc)).lower()}\n")
        return LEDGER_ERRORS
    options = ImportOptions(
        preset=args.preset,
        maps=tuple(args.map),
        value_maps=tuple(args.map_value),
        date_format=args.date_format,
        default_date=args.default_date,
        inactive_outcome=args.inactive_outcome,
        skip_bad_rows=args.skip_bad_rows,
    )
    result = import_csv(data, args.csv, options)
    problems = list(result.diagnostics)
    draft = result.ledger
    target = _read_target(out) if out is not None and args.append else None
    skipped: list[str] = []
    if draft is not None and target is not None and target.data:
        loaded = load_ledger([target.path], today())
        if loaded.ledger is None:
            sys.stderr.write(render_text(loaded.diagnostics) + "\n")
            sys.stderr.write(f"{target.path}: nothing imported: fix its errors first\n")
            return LEDGER_ERRORS
        draft, skipped, clashes = fit_into(draft, loaded.ledger, args.csv)
        if clashes and args.skip_bad_rows:
            clashes = [replace(d, severity=Severity.WARNING) for d in clashes]
        problems = sorted([*problems, *clashes], key=lambda d: d.position.line)
        if any(d.is_error for d in clashes):
            draft = None
    if problems:
        sys.stderr.write(render_text(problems) + "\n")
    if draft is None:
        errors = [d for d in problems if d.is_error]
        # Errors on the header (row 1) are the whole file's: skipping rows would not help.
        rows_only = all(d.position.line > 1 for d in errors)
        hint = " (--skip-bad-rows imports the other rows)"
        sys.stderr.write(
            f"{args.csv}: nothing written: {len(errors)} error{'s' * (len(errors) != 1)}"
            + (hint if rows_only and not args.skip_bad_rows else "")
            + "\n"
        )
        return LEDGER_ERRORS

    chunk, whole = _texts(draft, target)
    checked = _check(whole, out)
    if checked:
        sys.stderr.write(render_text(checked) + "\n")
        sys.stderr.write(f"{args.csv}: nothing written: the ledger it makes does not read clean\n")
        return LEDGER_ERRORS
    if result.summary is not None:
        sys.stderr.write("".join(line + "\n" for line in result.summary.describe()[:-1]))
    if skipped:
        sys.stderr.write(f"already in {out}, left out: {', '.join(skipped)}\n")
    applications, events = len(draft.applications), draft.event_count
    counts = f"{applications} application{'s' * (applications != 1)} and {events} event" + (
        "s" * (events != 1)
    )
    if args.dry_run:
        sys.stdout.flush()
        sys.stdout.buffer.write(chunk.encode("utf-8"))
        sys.stdout.flush()
        verb = "would append" if target is not None and target.data else "would write"
        sys.stderr.write(f"{verb} {counts}" + (f" to {out}" if out else "") + " (dry run)\n")
        return OK
    assert out is not None
    expect = target.data if target is not None and target.data else None
    if expect is not None and not draft.applications and not draft.roles:
        sys.stderr.write(f"nothing to add to {out}: it has every application already\n")
        return OK
    write_atomic(out, whole, expect=expect)
    verb = "appended" if expect is not None else "wrote"
    sys.stderr.write(f"{verb} {counts} to {out}\n")
    return OK


def _read_target(path: str) -> Target:
    """The ledger to append to, or an empty target when it does not exist yet."""
    if not os.path.exists(path):
        return Target(path, b"", "", b"", "utf-8", "\n")
    data = read_file(path)
    bom, codec = byte_order_mark(data)
    try:
        text = data[len(bom) :].decode(codec)
    except UnicodeDecodeError:
        raise UsageError(f"-o {path} is not {codec} text; --append leaves it alone") from None
    match = re.search(r"\r\n|\r|\n", text)
    return Target(path, data, text, bom, codec, match.group(0) if match else "\n")


def fit_into(
    draft: DraftLedger, ledger: Ledger, csv_path: str
) -> tuple[DraftLedger, list[str], list[Diagnostic]]:
    """The imported ledger made to fit one that already exists: roles it declares are not
    declared again (matched by key, then by label), and applications it has are left out when
    they add nothing, or refused (JL327) when they would."""
    declared = {role.key: role for role in ledger.config.roles}
    by_label = {role.label.casefold(): role.key for role in ledger.config.roles}
    renamed: dict[str, str] = {}
    roles: list[Role] = []
    for role in draft.roles:
        if role.key in declared:
            continue
        if role.label.casefold() in by_label:
            renamed[role.key] = by_label[role.label.casefold()]
            continue
        roles.append(role)
    have = {identity(app.company, app.title): app for app in ledger.applications}
    kept = []
    skipped: list[str] = []
    clashes: list[Diagnostic] = []
    for app in draft.applications:
        app = replace(app, tags=tuple(renamed.get(tag, tag) for tag in app.tags))
        there = have.get(identity(app.company, app.title))
        if there is None:
            kept.append(app)
            continue
        events = {(event.date, event.kind) for event in there.events}
        if all((event.date, event.kind) in events for event in app.events):
            skipped.append(f"row {app.row}")
            continue
        first = there.events[0].position
        clashes.append(
            error(
                ALREADY_THERE,
                f"the ledger already has {there.name} ({first.path}:{first.line}), with "
                "another history",
                Position(csv_path, app.row, 0),
                hint="merge the two by hand, or leave the row out with --skip-bad-rows",
            )
        )
    return DraftLedger(tuple(roles), tuple(kept)), skipped, clashes


def _texts(draft: DraftLedger, target: Target | None) -> tuple[str, bytes]:
    """The imported block in fmt's layout, and the bytes of the whole file to write."""
    block = format_text(write_ledger(draft), "import.jobs")
    if not block.formatted:  # our own writer's output should always format: a bug
        raise AssertionError(render_text(block.diagnostics))
    chunk = block.text
    if target is None or not target.data:
        return chunk, chunk.encode("utf-8")
    text = target.text
    if text and not text.endswith(("\n", "\r")):
        text += target.newline
    if text.strip():
        text += target.newline  # a blank line before the imported block
    text += chunk.replace("\n", target.newline)
    return chunk, target.bom + text.encode(target.codec)


def _check(data: bytes, out: str | None) -> list[Diagnostic]:
    """Load what would be written, as the ledger it would be (beside the target, so includes
    resolve as they will): its errors, shown at the target's name; nothing if it reads clean."""
    directory = os.path.dirname(os.path.abspath(out)) if out is not None else None
    shown = out if out is not None else "import.jobs"
    try:
        handle, temp = tempfile.mkstemp(prefix=".jobledger-import-", suffix=".tmp", dir=directory)
    except OSError:  # an unwritable directory: the write itself will say so
        handle, temp = tempfile.mkstemp(prefix=".jobledger-import-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        # A draft, perhaps never written (--dry-run): not worth a cache record of its own.
        loaded = load_ledger([temp], today(), use_cache=False)
    finally:
        os.unlink(temp)
    return [
        replace(d, position=replace(d.position, path=shown)) if d.position.path == temp else d
        for d in loaded.diagnostics
        if d.is_error
    ]
