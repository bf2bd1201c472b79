"""A tracker spreadsheet's CSV -> a ledger as data, with a summary of what was inferred.

Pure: bytes and options in, a DraftLedger (or diagnostics) out; writing it is ledger_text's job,
reading and writing files the CLI's. docs/import.md is the user's reference for every rule here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal, TypeGuard

from jobledger.ledger.diagnostics import Diagnostic, Position, Severity, error, warning
from jobledger.ledger.model import DEFAULT_OUTCOMES, DEFAULT_STAGES, NOTE, Role
from jobledger.ledger.suggest import closest, shorten
from jobledger.records import record, replace
from jobledger.transfer.csv_table import Row, Table, read_table, whole_row
from jobledger.transfer.dates import (
    ACCEPTED,
    DATE_FORMATS,
    ColumnDates,
    DateFormat,
    infer_column,
    read_date,
)
from jobledger.transfer.ledger_text import (
    DraftApplication,
    DraftEvent,
    DraftLedger,
    clean_name,
    clean_tag,
)

Preset = Literal["blueprint", "dated"]
PRESETS: tuple[Preset, ...] = ("blueprint", "dated")
FIELDS = ("company", "title", "date", "stage", "role", "tag", "outcome", "comment")

BAD_COLUMNS = "JL310"  # the header lacks what the preset or the import needs
BAD_MAPPING = "JL311"  # a --map or --map-value that does not fit this file
NO_COMPANY = "JL320"
BAD_DATE = "JL321"
AMBIGUOUS_DATES = "JL322"
BAD_VALUE = "JL323"  # a stage, outcome, role or Active? value that names nothing
IMPOSSIBLE_HISTORY = "JL324"  # two outcomes, or a stage dated after the outcome
TWO_ROLES = "JL325"
NO_DATE = "JL326"  # no date anywhere in the sheet, and no --default-date
RENAMED = "JL330"  # warning: a repeated application got a distinct name

STAGE_KEYS = tuple(key for key, _ in DEFAULT_STAGES)
OUTCOME_KEYS = tuple(key for key, _ in DEFAULT_OUTCOMES)
BASE = STAGE_KEYS.index("applied")
OFFER = STAGE_KEYS.index("offer")
UNKNOWN_DATE = "date unknown (imported)"


# ---------------------------------------------------------------- what a column becomes


@record
class Target:
    """What a column becomes: a FIELD of `--map`, metadata, the date of one kind of event
    (`applied_at`), or the Blueprint's Active? flag."""

    field: str  # one of FIELDS, "meta", "dated", "active", "role_key" or "derived"
    key: str = ""  # the metadata key, or the kind of a dated column

    def __str__(self) -> str:
        if self.field == "meta":
            return f"meta:{self.key}"
        if self.field == "dated":
            return f"date of {self.key}"
        if self.field == "derived":
            return "ignored"
        return self.field


SINGLE = frozenset({"company", "title", "date", "stage", "role", "outcome", "active", "role_key"})
_META_KEY = re.compile(r"[^\s:;#\"|][^\s:]*")  # grammar/jobs.lark's META_KEY, without the ':'


def parse_map(text: str) -> tuple[str, Target]:
    """`COLUMN=FIELD` (`--map`) -> (column, target); ValueError says what is wrong."""
    column, equals, name = text.rpartition("=")
    column, name = column.strip(), name.strip()
    if not equals or not column:
        raise ValueError(f"'{text}': write COLUMN=FIELD, e.g. 'Employer=company'")
    if name.startswith("meta:"):
        key = name[5:].strip()
        if not _META_KEY.fullmatch(key):
            raise ValueError(f"'{text}': a metadata key has no blanks, ':', or leading ;#\"|")
        return column, Target("meta", key)
    if name not in FIELDS:
        guess = closest(name, FIELDS)
        also = f"did you mean '{guess}'? " if guess else ""
        raise ValueError(
            f"'{text}': unknown field '{name}'; {also}fields: " + ", ".join(FIELDS) + ", meta:KEY"
        )
    return column, Target(name)


def parse_map_value(text: str) -> tuple[str, str]:
    """`VALUE=KEY` (`--map-value "Phone screen=phone"`) -> (value, stage or outcome key)."""
    value, equals, key = text.rpartition("=")
    value, key = value.strip(), key.strip()
    kinds = (*STAGE_KEYS, *OUTCOME_KEYS)
    if not equals or not value:
        raise ValueError(f"'{text}': write VALUE=KEY, e.g. 'Phone screen=phone'")
    if key not in kinds:
        guess = closest(key, kinds)
        also = f"did you mean '{guess}'? " if guess else ""
        raise ValueError(
            f"'{text}': '{key}' is no stage or outcome; {also}keys: " + ", ".join(kinds)
        )
    return value, key


def parse_date_format(text: str) -> DateFormat:
    """`--date-format`: one of DATE_FORMATS, or MDY / DMY."""
    aliases: dict[str, DateFormat] = {"MDY": "M/D/YYYY", "DMY": "D/M/YYYY"}
    for name in DATE_FORMATS:
        aliases[name] = name
    found = aliases.get(text.strip().upper())
    if found is None:
        raise ValueError(f"'{text}': date formats are " + ", ".join(DATE_FORMATS))
    return found


@record
class ImportOptions:
    preset: Preset | None = None  # None: chosen from the header
    maps: tuple[tuple[str, Target], ...] = ()  # --map, parsed by parse_map()
    value_maps: tuple[tuple[str, str], ...] = ()  # --map-value, parsed by parse_map_value()
    date_format: DateFormat | None = None  # decides columns whose every date reads both ways
    default_date: date | None = None  # for undated rows; None: the earliest date in the sheet
    inactive_outcome: str = "rejected"  # Blueprint: an inactive row below the offer stage
    skip_bad_rows: bool = False  # convert the good rows; bad ones become warnings


# ---------------------------------------------------------------- header names


def _norm(header: str) -> str:
    """'Active?' -> 'active', 'applied_at' -> 'applied at', 'Lessons/Notes' -> 'lessons notes'."""
    return " ".join(re.sub(r"[\W_]+", " ", header.casefold()).split())


def slug(text: str) -> str:
    """A key from a header or a name: ASCII letters, digits and '-'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


# Header names recognised without --map (normalised by _norm).
KNOWN_NAMES: dict[str, Target] = {
    **dict.fromkeys(
        ("company", "company name", "employer", "organization", "organisation"),
        Target("company"),
    ),
    **dict.fromkeys(("title", "position", "job title", "job position"), Target("title")),
    **dict.fromkeys(("url", "job url", "link", "job link", "posting url"), Target("meta", "url")),
    "source": Target("meta", "source"),
    **dict.fromkeys(("notes", "note", "lessons notes"), Target("meta", "notes")),
    **dict.fromkeys(("tags", "tag", "labels"), Target("tag")),
    "status": Target("meta", "status"),  # free text: kept, never trusted over dated columns
    "stage": Target("stage"),
    "outcome": Target("outcome"),
    "type of role": Target("role"),
    "date": Target("date"),
    # Columns of `jobledger export --format csv`: the key of the row's role, and the status as
    # the report words it at its date, which the dates recompute (so it is not kept twice).
    "role key": Target("role_key"),
    "report status": Target("derived"),
}
BLUEPRINT_NAMES: dict[str, Target] = {
    "active": Target("active"),
    "date applied": Target("date"),
    "company": Target("company"),
    "stage": Target("stage"),
}

# The words of a dated column's header that name a kind: 'Date rejected', 'interview_at'.
KIND_WORDS: dict[str, str] = {
    **{key: key for key in (*STAGE_KEYS, *OUTCOME_KEYS)},
    **dict.fromkeys(("saved", "added", "bookmarked"), "wishlist"),
    **dict.fromkeys(("application", "applied to"), "applied"),
    **dict.fromkeys(("reply", "replied", "responded", "first response"), "response"),
    **dict.fromkeys(("phone screen", "screen", "screening", "phone interview"), "phone"),
    **dict.fromkeys(("first interview", "job interview", "interviewed"), "interview"),
    **dict.fromkeys(("second interview", "final interview"), "second"),
    **dict.fromkeys(("offered", "job offer"), "offer"),
    "rejection": "rejected",
    "withdrew": "withdrawn",
}
_DATED = re.compile(r"date (?:of )?(?P<after>.+)|(?P<before>.+?) (?:at|date|on)")


def dated_kind(header: str) -> str | None:
    """The kind a date column is named after, or None."""
    match = _DATED.fullmatch(_norm(header))
    if match is None:
        return None
    return KIND_WORDS.get(match["after"] or match["before"])


@record
class Column:
    index: int
    header: str
    target: Target
    how: str  # "--map", "preset", "known name", "dated" or "unmapped"


@record
class _Plan:
    preset: Preset | None
    columns: tuple[Column, ...]
    diagnostics: tuple[Diagnostic, ...]


def _find_column(name: str, header: Sequence[str]) -> int | None:
    for index, cell in enumerate(header):
        if cell == name:
            return index
    wanted = _norm(name)
    for index, cell in enumerate(header):
        if _norm(cell) == wanted:
            return index
    return None


def plan_columns(header: Sequence[str], options: ImportOptions, path: str) -> _Plan:
    """Decide what each column becomes: --map first, then the preset's names, common names and
    date columns named after kinds; everything else is metadata keyed by its slugged header."""
    at = whole_row(path, 1)
    diagnostics: list[Diagnostic] = []
    chosen: dict[int, tuple[Target, str]] = {}
    for column, mapped in options.maps:
        index = _find_column(column, header)
        if index is None:
            guess = closest(column, [h for h in header if h])
            diagnostics.append(
                error(
                    BAD_MAPPING,
                    f"--map '{column}={mapped}': the header has no column '{shorten(column)}'",
                    at,
                    hint=f"did you mean '{guess}'?" if guess else "columns: " + ", ".join(header),
                )
            )
        elif index in chosen:
            diagnostics.append(error(BAD_MAPPING, f"column '{header[index]}' is mapped twice", at))
        elif mapped.field in SINGLE and any(t == mapped for t, _ in chosen.values()):
            diagnostics.append(
                error(
                    BAD_MAPPING,
                    f"two columns are mapped to {mapped}",
                    at,
                    hint="only tag, comment and meta:KEY take several columns",
                )
            )
        else:
            chosen[index] = (mapped, "--map")
    names = {_norm(h) for i, h in enumerate(header) if i not in chosen}
    missing = [h for h in ("Active?", "Date applied", "Company", "Stage") if _norm(h) not in names]
    preset = options.preset
    if preset is None and not missing:
        preset = "blueprint"
    elif preset == "blueprint" and missing:
        diagnostics.append(
            error(
                BAD_COLUMNS,
                "the Blueprint preset needs the columns " + ", ".join(missing),
                at,
                hint="the Blueprint tracker's header is: Active?, Date applied, Company, "
                "Position, Type of Role, Stage, Lessons/Notes",
            )
        )
    dated = [i for i, h in enumerate(header) if i not in chosen and dated_kind(h)]
    if preset is None and dated:
        preset = "dated"
    elif preset == "dated" and not dated:
        diagnostics.append(
            error(
                BAD_COLUMNS,
                "the dated preset needs date columns named after kinds; there are none",
                at,
                hint="e.g. applied_at, interview_at, rejected_at, 'Applied date', "
                "'Date rejected'; or --map a column to date",
            )
        )
    taken = {target.field for target, _ in chosen.values() if target.field in SINGLE}
    dated_taken = {target.key for target, _ in chosen.values() if target.field == "dated"}
    for index, name in enumerate(header):
        if index in chosen:
            continue
        normal = _norm(name)
        target: Target | None = None
        how = "known name"
        if preset == "blueprint" and normal in BLUEPRINT_NAMES:
            target, how = BLUEPRINT_NAMES[normal], "preset"
        elif name.startswith("meta:") and _META_KEY.fullmatch(name[5:]):
            target = Target("meta", name[5:])  # as --map writes it, and export names it
        elif (kind := dated_kind(name)) is not None and kind not in dated_taken:
            target, how = Target("dated", kind), "dated"
            dated_taken.add(kind)
        elif normal in KNOWN_NAMES:
            target = KNOWN_NAMES[normal]
            how = "derived" if target.field == "derived" else how
        if target is None or (target.field in SINGLE and target.field in taken):
            # A second 'Company'-like column, or one --map already covers: keep it as data.
            target, how = Target("meta", slug(name) or f"column-{index + 1}"), "unmapped"
        taken |= {target.field} & SINGLE
        chosen[index] = (target, how)
    if "company" not in taken and not diagnostics:
        diagnostics.append(
            error(
                BAD_COLUMNS,
                "no column names the company",
                at,
                hint="name it Company (or Employer), or map it: --map 'Employer Name=company'",
            )
        )
    columns = _unique_meta_keys([Column(i, header[i], *chosen[i]) for i in sorted(chosen)])
    return _Plan(preset, tuple(columns), tuple(diagnostics))


def _unique_meta_keys(columns: list[Column]) -> list[Column]:
    """Two columns that slug to one key would overwrite each other: number the later ones."""
    used: set[str] = set()
    unique: list[Column] = []
    for column in columns:
        if column.target.field == "meta":
            key, number = column.target.key, 1
            while key in used:
                number += 1
                key = f"{column.target.key}-{number}"
            used.add(key)
            column = replace(column, target=Target("meta", key))
        unique.append(column)
    return unique


# ---------------------------------------------------------------- values


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split()).casefold()


_NUMBERED = re.compile(r"(\d+)\s*(?:[-\u2013\u2014.:)]\s*(.*))?", re.S)

Kind = tuple[Literal["stage"], int] | tuple[Literal["outcome"], str]


_BY_KEY: dict[str, Kind] = {key: ("stage", n) for n, (key, _) in enumerate(DEFAULT_STAGES)}
_BY_KEY.update({key: ("outcome", key) for key, _ in DEFAULT_OUTCOMES})
# Keys and labels, folded once: a sheet repeats a handful of values over thousands of rows.
_BY_NAME: dict[str, Kind] = {
    **{_fold(label): _BY_KEY[key] for key, label in (*DEFAULT_STAGES, *DEFAULT_OUTCOMES)},
    **_BY_KEY,
}


def resolve_kind(value: str, value_maps: dict[str, str]) -> Kind | None:
    """A Stage or Outcome cell -> a stage index or an outcome key: --map-value first, then keys
    and labels case-insensitively, then the Blueprint's numbering ('3 - Phone Interview' is
    stage 3, whatever the sheet renamed it to)."""
    folded = _fold(value)
    key = value_maps.get(folded)
    found = _BY_KEY.get(key) if key is not None else _BY_NAME.get(folded)
    if found is not None:
        return found
    numbered = _NUMBERED.fullmatch(value.strip())
    if numbered is not None and int(numbered[1]) < len(STAGE_KEYS):
        return ("stage", int(numbered[1]))
    return None


YES = frozenset({"yes", "y", "true", "1", "x", "\u2713", "\u2714", "active"})
NO = frozenset({"no", "n", "false", "0", "inactive"})


def role_name(value: str) -> tuple[str, int | None]:
    """'1 - DevRel' -> ('DevRel', 1): the sheet numbers its roles; the name is the label."""
    numbered = _NUMBERED.fullmatch(value.strip())
    if numbered is not None and numbered[2] and numbered[2].strip():
        return clean_name(numbered[2]), int(numbered[1])
    return clean_name(value), None


# Keys a role cannot take: the kinds, and the words the report uses for statuses and for the
# rows and columns of its pipeline table (main's ledger/model.py refuses them as role keys).
RESERVED_KEYS = frozenset(
    {*STAGE_KEYS, *OUTCOME_KEYS, NOTE, "active", "total", "average", "no_progress"}
)


def role_key(name: str, taken: int) -> str | None:
    """A role's key from its name; None for 'Other', which is the ledger's own bucket for
    applications without a role. `taken` numbers a name that has no letters to slug."""
    key = slug(name)
    if key == "other":
        return None
    if not key:
        return f"role-{taken + 1}"
    if not key[0].isalpha():
        key = "role-" + key
    return key + "-role" if key in RESERVED_KEYS else key


_ROLE_KEY = re.compile(r"[a-z][a-z0-9_-]*")  # grammar/jobs.lark's KEY


def _usable_key(key: str | None) -> TypeGuard[str]:
    """A `role key` cell the ledger can declare (else the key comes from the role's name)."""
    usable = bool(key) and _ROLE_KEY.fullmatch(key or "") is not None
    return usable and key not in RESERVED_KEYS and key != "other"


_TAG_SPLIT = re.compile(r"[;,]|\s+(?=#)")


def split_tags(value: str) -> list[str]:
    return [tag for part in _TAG_SPLIT.split(value) if (tag := clean_tag(part))]


# ---------------------------------------------------------------- the result


@record
class ImportSummary:
    path: str
    preset: str  # "blueprint", "dated", or "columns" (header names and --map only)
    delimiter: str
    bom: bool
    columns: tuple[tuple[str, str], ...]  # (header, what it became)
    date_formats: tuple[tuple[str, str], ...]  # (header, formats seen, e.g. "M/D/YYYY")
    rows: int  # data rows with anything in them
    blank_rows: int
    applications: int
    events: int
    roles: tuple[Role, ...]
    default_date: date | None  # the date given to undated rows, if any was needed
    default_date_rule: str  # "--default-date" or "the earliest date in the sheet"
    undated_rows: tuple[int, ...]
    renamed: tuple[tuple[int, str], ...]  # (row, the name it was given)
    skipped_rows: tuple[int, ...]

    def describe(self) -> tuple[str, ...]:
        """What the CLI prints: what was read, what was inferred, what was written."""
        delimiter = "tab" if self.delimiter == "\t" else f"'{self.delimiter}'"
        bom = ", UTF-8 with BOM" if self.bom else ", UTF-8"
        lines = [
            f"read {self.path}: {self.rows} rows, delimiter {delimiter}{bom}"
            + (f", {self.blank_rows} blank rows ignored" if self.blank_rows else ""),
            f"preset: {self.preset}",
            "columns: " + "; ".join(f"{h or '(no name)'} -> {what}" for h, what in self.columns),
        ]
        if self.date_formats:
            lines.append(
                "dates: " + "; ".join(f"{h} as {formats}" for h, formats in self.date_formats)
            )
        if self.roles:
            lines.append("roles: " + ", ".join(f"{r.key} ({r.label})" for r in self.roles))
        if self.undated_rows:
            rows = ", ".join(str(n) for n in self.undated_rows)
            lines.append(
                f"undated rows {rows}: dated {self.default_date} ({self.default_date_rule}), "
                f"marked '{UNKNOWN_DATE}'"
            )
        lines += [
            f"row {row}: repeats an earlier row; imported as '{name}'" for row, name in self.renamed
        ]
        if self.skipped_rows:
            lines.append("skipped rows: " + ", ".join(str(n) for n in self.skipped_rows))
        lines.append(f"{self.applications} applications, {self.events} events")
        return tuple(lines)


@record
class ImportResult:
    ledger: DraftLedger | None  # None when an error stops the import: write nothing
    summary: ImportSummary | None  # None when the file could not be read as a table
    diagnostics: tuple[Diagnostic, ...]  # sorted by row

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.is_error)


# ---------------------------------------------------------------- rows


@dataclass(slots=True)
class _RowData:
    """One row's cells, read by column target. Mutable while it is filled in, then used once."""

    row: int
    company: str = ""
    title: str | None = None
    day: date | None = None  # the row's date (a `date` column: Blueprint's Date applied)
    dated: dict[str, date] = field(default_factory=dict)
    stage: int | None = None
    outcome: str | None = None
    active: bool | None = None
    role: tuple[str, int | None] | None = None
    role_key: str | None = None  # the key export wrote for the role, kept when it can be
    tags: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    meta: list[tuple[str, str]] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)


# The `'` a spreadsheet export puts before a cell it would otherwise run as a formula.
_NEUTRALISED = ("'=", "'+", "'-", "'@", "'\t", "'\r")


def _cell_text(cell: str) -> str:
    """A cell as kept: without the `'` that neutralised a formula, trimmed, line breaks as
    '\\n' (csv_table did CRLF; a stray CR too)."""
    if cell.startswith(_NEUTRALISED):
        cell = cell[1:]
    return cell.replace("\r\n", "\n").replace("\r", "\n").strip()


def _read_row(
    row: Row,
    columns: Sequence[Column],
    orders: dict[int, ColumnDates],
    value_maps: dict[str, str],
    path: str,
) -> _RowData:
    data = _RowData(row.number)
    at = whole_row(path, row.number)
    for column in columns:
        text = _cell_text(row.cells[column.index])
        if not text:
            continue
        target, name = column.target, column.header
        match target.field:
            case "company":
                data.company = clean_name(text)
            case "title":
                data.title = clean_name(text) or None
            case "date" | "dated":
                order = orders[column.index].order
                when = read_date(text, order)
                if when is None:
                    data.problems.append(_bad_date(text, name, orders[column.index], at))
                elif target.field == "date":
                    data.day = when
                else:
                    data.dated[target.key] = when
            case "stage" | "outcome":
                kind = resolve_kind(text, value_maps)
                if kind is None or (target.field == "outcome" and kind[0] == "stage"):
                    data.problems.append(_bad_kind(text, name, target.field, at))
                elif kind[0] == "stage":
                    data.stage = kind[1]
                elif data.outcome not in (None, kind[1]):  # Stage and Outcome disagree
                    data.problems.append(
                        error(
                            IMPOSSIBLE_HISTORY,
                            f"this row has two outcomes: {data.outcome} and {kind[1]}",
                            at,
                            hint="an application ends once; keep one outcome",
                        )
                    )
                else:
                    data.outcome = kind[1]
            case "active":
                folded = text.casefold()
                if folded in YES or folded in NO:
                    data.active = folded in YES
                else:
                    data.problems.append(
                        error(
                            BAD_VALUE,
                            f"'{shorten(text)}' in column '{name}' is neither yes nor no",
                            at,
                            hint="Active? is Yes or No (also TRUE/FALSE, Y/N, 1/0)",
                        )
                    )
            case "role":
                data.role = role_name(text)
            case "role_key":
                data.role_key = text
            case "derived":
                pass
            case "tag":
                data.tags += split_tags(text)
            case "comment":
                data.comments.append(text)
            case _:  # meta
                data.meta.append((target.key, text))
    if not data.company:
        data.problems.append(
            error(
                NO_COMPANY,
                "this row has no company",
                at,
                hint="every application needs a company; fill it in, or leave the row out "
                "with --skip-bad-rows",
            )
        )
    return data


def _bad_date(text: str, column: str, dates: ColumnDates, at: Position) -> Diagnostic:
    hint = f"dates may be {ACCEPTED}"
    if dates.order is not None and re.fullmatch(r"\d{1,2}[/-]\d{1,2}[/-]\d{4}.*", text):
        return error(
            BAD_DATE,
            f"'{shorten(text)}' in column '{column}' is not a date in {dates.order}, "
            "the column's format",
            at,
            hint=f"the column's other dates settle its format ('{dates.settled_by}' reads only "
            f"as {dates.order}); fix this one"
            if dates.settled_by
            else f"the column's dates are read as {dates.order}; fix this one",
        )
    return error(BAD_DATE, f"'{shorten(text)}' in column '{column}' is not a date", at, hint=hint)


def _bad_kind(text: str, column: str, what: str, at: Position) -> Diagnostic:
    keys = STAGE_KEYS if what == "stage" else OUTCOME_KEYS
    labels = [label for _, label in (DEFAULT_STAGES if what == "stage" else DEFAULT_OUTCOMES)]
    guess = closest(text, [*keys, *labels])
    also = f"did you mean '{guess}'? " if guess else ""
    example = guess if guess in keys else keys[min(3, len(keys) - 1)]
    return error(
        BAD_VALUE,
        f"'{shorten(text)}' in column '{column}' names no {what}",
        at,
        hint=f"{also}{what}s: {', '.join(keys)}; or map the value: "
        f"--map-value '{shorten(text)}={example}'",
    )


def _rank(kind: str) -> int:
    """Order of same-date events: stages in funnel order, an outcome last."""
    return STAGE_KEYS.index(kind) if kind in STAGE_KEYS else len(STAGE_KEYS)


def _history(
    data: _RowData, anchor: date, inactive_outcome: str, path: str
) -> tuple[list[DraftEvent], list[Diagnostic]]:
    """A row -> its events. Dated columns give real events. The current stage (the Stage
    column, or the highest dated stage) is reached through every stage from `applied` on; the
    ones without a date of their own are written on the anchor date (the row's date, else its
    earliest date, else the sheet's default) and marked as of unknown date, so the funnel
    counts what the sheet counts and the history does not pretend to know more."""
    at = whole_row(path, data.row)
    stage_dates = {STAGE_KEYS.index(k): d for k, d in data.dated.items() if k in STAGE_KEYS}
    outcome_dates = {k: d for k, d in data.dated.items() if k in OUTCOME_KEYS}
    outcomes = dict.fromkeys(outcome_dates)
    if data.outcome is not None:
        outcomes.setdefault(data.outcome)
    current = data.stage
    if stage_dates:
        current = max(current or 0, max(stage_dates))
    if current is None:  # nothing says where it is: something happened, or nothing did
        happened = data.day or outcomes or data.active is False
        current = BASE if happened else 0
    if not outcomes and data.active is False:
        if current == 0:  # never applied: nobody turned it down, the seeker let it go
            outcomes["withdrawn"] = None
        elif current < OFFER:
            outcomes[inactive_outcome] = None
        elif current == OFFER:
            outcomes["declined"] = None
    if len(outcomes) > 1:
        return [], [
            error(
                IMPOSSIBLE_HISTORY,
                "this row has two outcomes: " + " and ".join(outcomes),
                at,
                hint="an application ends once; keep one outcome",
            )
        ]

    # Dated events bound the undated ones: a stage is never put after a later stage's date.
    def latest_before(stage: int) -> date:
        later = [d for s, d in stage_dates.items() if s > stage] + list(outcome_dates.values())
        return min([anchor, *later])

    events = [DraftEvent(d, STAGE_KEYS[s]) for s, d in stage_dates.items()]
    start = BASE if current >= BASE else current
    for stage in range(start, current + 1):
        if stage in stage_dates:
            continue
        when = latest_before(stage)
        known = stage == start and data.day is not None and when == data.day
        events.append(DraftEvent(when, STAGE_KEYS[stage], None if known else UNKNOWN_DATE))
    for outcome in outcomes:
        when = outcome_dates.get(outcome) or max(event.date for event in events)
        comment = None if outcome in outcome_dates else UNKNOWN_DATE
        events.append(DraftEvent(when, outcome, comment))
        after = [e for e in events if e.kind in STAGE_KEYS and e.date > when]
        if after:
            return [], [
                error(
                    IMPOSSIBLE_HISTORY,
                    f"{outcome} on {when}, but {after[0].kind} on {after[0].date}",
                    at,
                    hint="an outcome ends an application; check both dates",
                )
            ]
    events.sort(key=lambda e: (e.date, _rank(e.kind)))
    first = events[0]
    comment = "\n".join(c for c in (first.comment, *data.comments) if c) or None
    events[0] = replace(first, comment=comment, meta=tuple(data.meta))
    return events, []


def _with_role(
    data: _RowData, keys: dict[str, str | None], role_keys: set[str], path: str
) -> tuple[list[str], list[Diagnostic]]:
    """The row's tags, its role key first. A tag that names a role puts the row in that role,
    as it would in the ledger; two different roles are an error there, so they are here."""
    role = keys.get(data.role[0].casefold()) if data.role else None
    tags: dict[str, str] = {}
    for tag in data.tags:
        folded = tag.casefold()
        if folded in role_keys:
            if role is not None and folded != role:
                return [], [
                    error(
                        TWO_ROLES,
                        f"two roles on one application: '{role}' and tag '{tag}'",
                        whole_row(path, data.row),
                        hint="an application has one role",
                    )
                ]
            role = folded
            continue
        tags.setdefault(folded, tag)
    return ([role] if role else []) + list(tags.values()), []


def _roles(rows: Sequence[_RowData]) -> tuple[tuple[Role, ...], dict[str, str | None]]:
    """Roles declared from the role column: numbered ones ('1 - DevRel') in the sheet's order,
    then the others as they first appear. Names are matched case-insensitively."""
    keys: dict[str, str | None] = {}  # case-folded name -> key (None: the Other bucket)
    found: dict[str, tuple[int | float, int, str]] = {}  # key -> (number, first row, label)
    for data in rows:
        if data.role is None:
            continue
        name, number = data.role
        folded = name.casefold()
        if folded not in keys:
            key = role_key(name, len(found))
            if key is not None and _usable_key(data.role_key):
                key = data.role_key
            while key is not None and key in found and found[key][2].casefold() != folded:
                key += "-2"  # two names slugged alike ('C++', 'C') stay two roles
            keys[folded] = key
            if key is not None and key not in found:
                found[key] = (number if number is not None else float("inf"), data.row, name)
    ordered = sorted(found.items(), key=lambda item: item[1][:2])
    return tuple(Role(key, label) for key, (_, _, label) in ordered), keys


def _distinct_names(
    apps: list[DraftApplication], path: str
) -> tuple[list[DraftApplication], list[tuple[int, str]], list[Diagnostic]]:
    """Two rows with one company and title would be one application in the ledger, its history
    a mix of both. The later row gets ' (2)' (' (3)'…) on its title, or its company."""
    seen: set[tuple[str, str]] = set()
    renamed: list[tuple[int, str]] = []
    diagnostics: list[Diagnostic] = []
    unique: list[DraftApplication] = []
    for app in apps:
        company, title, number = app.company, app.title, 1
        while (_fold(company), _fold(title or "")) in seen:
            number += 1
            if app.title is not None:
                title = f"{app.title} ({number})"
            else:
                company = f"{app.company} ({number})"
        seen.add((_fold(company), _fold(title or "")))
        if number > 1:
            name = company if title is None else f"{company} | {title}"
            renamed.append((app.row, name))
            diagnostics.append(
                warning(
                    RENAMED,
                    f"this row repeats an earlier application; imported as '{shorten(name, 60)}'",
                    whole_row(path, app.row),
                    hint="a ledger names each application once; rename it if it is a mistake",
                )
            )
            app = replace(app, company=company, title=title)
        unique.append(app)
    return unique, renamed, diagnostics


def _infer_dates(
    table: Table, columns: Sequence[Column], given: DateFormat | None, path: str
) -> tuple[dict[int, ColumnDates], list[Diagnostic]]:
    orders: dict[int, ColumnDates] = {}
    diagnostics: list[Diagnostic] = []
    for column in columns:
        if column.target.field not in ("date", "dated"):
            continue
        values = [row.cells[column.index] for row in table.rows]
        dates = orders[column.index] = infer_column(values, given)
        if dates.ambiguous:
            diagnostics.append(
                error(
                    AMBIGUOUS_DATES,
                    f"every date in column '{column.header}' reads both as M/D/YYYY and as "
                    f"D/M/YYYY ('{dates.example}'), so the day cannot be told from the month",
                    whole_row(path, 1),
                    hint="say which: --date-format M/D/YYYY (US) or --date-format D/M/YYYY",
                )
            )
    return orders, diagnostics


def import_csv(data: bytes, path: str, options: ImportOptions | None = None) -> ImportResult:
    """The CSV's bytes -> the ledger as data, a summary and every diagnostic at once.

    `ledger` is None when there is an error, unless `skip_bad_rows`: then rows that cannot be
    read are left out and reported as warnings. Errors about the file or its header (encoding,
    columns, mapping, a column of ambiguous dates) always stop the import."""
    options = options or ImportOptions()
    read = read_table(data, path)
    if read.table is None:
        return ImportResult(None, None, read.diagnostics)
    table = read.table
    row_problems = list(read.diagnostics)  # malformed rows: bad rows, not a bad file
    plan = plan_columns(table.header, options, path)
    fatal = list(plan.diagnostics)
    if options.inactive_outcome not in OUTCOME_KEYS:
        fatal.append(
            error(
                BAD_MAPPING,
                f"--inactive-outcome '{options.inactive_outcome}' is no outcome",
                whole_row(path, 1),
                hint="outcomes: " + ", ".join(OUTCOME_KEYS),
            )
        )
    orders: dict[int, ColumnDates] = {}
    if not fatal:  # dates only mean something once the columns are right
        orders, ambiguous = _infer_dates(table, plan.columns, options.date_format, path)
        fatal += ambiguous
    if fatal:
        return ImportResult(None, None, _sorted([*fatal, *row_problems]))

    value_maps = {_fold(value): key for value, key in options.value_maps}
    filled = [row for row in table.rows if any(cell.strip() for cell in row.cells)]
    rows = [_read_row(row, plan.columns, orders, value_maps, path) for row in filled]
    roles, role_names = _roles(rows)
    role_keys = {role.key for role in roles}

    known = [d for r in rows for d in (r.day, *r.dated.values()) if d is not None]
    default = options.default_date or (min(known) if known else None)
    rule = "--default-date" if options.default_date else "the earliest date in the sheet"
    if default is None and rows:
        # Not one date in the sheet: every row would be the same error. Say it once.
        return ImportResult(
            None,
            None,
            _sorted(
                [
                    error(
                        NO_DATE,
                        "no row has a date to import",
                        whole_row(path, 1),
                        hint="give the rows a date with --default-date YYYY-MM-DD, or map a "
                        "column to date: --map 'Applied On=date'",
                    ),
                    *row_problems,
                ]
            ),
        )
    apps: list[DraftApplication] = []
    undated: list[int] = []
    bad: list[int] = [d.position.line for d in row_problems]
    for parsed in rows:
        problems = list(parsed.problems)
        own = [d for d in (parsed.day, *parsed.dated.values()) if d is not None]
        anchor = parsed.day or (min(own) if own else default)
        if not problems and anchor is not None:
            tags, problems = _with_role(parsed, role_names, role_keys, path)
        if not problems and anchor is not None:
            events, problems = _history(parsed, anchor, options.inactive_outcome, path)
        if problems:
            row_problems += problems
            bad.append(parsed.row)
            continue
        if not own:
            undated.append(parsed.row)
        apps.append(
            DraftApplication(parsed.company, parsed.title, tuple(tags), tuple(events), parsed.row)
        )

    apps, renamed, notes = _distinct_names(apps, path)
    apps.sort(key=lambda app: (app.events[0].date, app.row))
    ledger = DraftLedger(roles, tuple(apps))
    if options.skip_bad_rows:
        row_problems = [
            replace(d, severity=Severity.WARNING, hint=_skipped(d.hint)) for d in row_problems
        ]
    failed = any(d.is_error for d in row_problems)
    summary = ImportSummary(
        path=path,
        preset=plan.preset or "columns",
        delimiter=table.delimiter,
        bom=table.bom,
        columns=tuple((c.header, f"{c.target} ({c.how})") for c in plan.columns),
        date_formats=tuple(
            (c.header, ", ".join(orders[c.index].formats))
            for c in plan.columns
            if c.index in orders and orders[c.index].formats
        ),
        rows=len(filled) + len(read.diagnostics),
        blank_rows=len(table.rows) - len(filled),
        applications=len(apps),
        events=ledger.event_count,
        roles=roles,
        default_date=default if undated else None,
        default_date_rule=rule,
        undated_rows=tuple(undated),
        renamed=tuple(renamed),
        skipped_rows=tuple(sorted(set(bad))) if options.skip_bad_rows else (),
    )
    return ImportResult(None if failed else ledger, summary, _sorted([*row_problems, *notes]))


def _skipped(hint: str | None) -> str:
    return "row skipped (--skip-bad-rows)" + (f"; {hint}" if hint else "")


def _sorted(diagnostics: Sequence[Diagnostic]) -> tuple[Diagnostic, ...]:
    return tuple(sorted(diagnostics, key=lambda d: d.position.line))
