"""The one diagnostic type every stage returns: errors and warnings tied to a source position."""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum

from jobledger.records import record


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@record
class Position:
    path: str
    line: int  # 1-based
    column: int  # 1-based, in characters; 0: the whole line (a CSV row has no useful column)

    def __str__(self) -> str:
        if self.column == 0:
            return f"{self.path}:{self.line}"
        return f"{self.path}:{self.line}:{self.column}"


@record
class Diagnostic:
    severity: Severity
    code: str
    message: str
    position: Position
    hint: str | None = None
    # The offending source line, for the caret display; None when there is no line to show.
    source_line: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def sort_key(self) -> tuple[str, int, int]:
        return (self.position.path, self.position.line, self.position.column)

    def excerpt(self) -> tuple[str, int] | None:
        """The source line as shown under the message, and the caret's column in it: clipped
        around the column (a 1 MB line must not flood a terminal or a page), tabs as spaces."""
        if self.source_line is None or self.position.column == 0:
            return None  # no column, nothing for a caret to point at
        shown, column = self.source_line, self.position.column
        if len(shown) > 200:
            start = max(0, column - 100)
            shown = shown[start : start + 200]
            column -= start
        return shown.replace("\t", " "), column

    def render(self) -> str:
        """`PATH:LINE:COL: error: MESSAGE [CODE]`, then the line, a caret and a hint. Control
        characters from the ledger are shown as '?' so they cannot drive the terminal."""
        lines = [f"{self.position}: {self.severity}: {_visible(self.message)} [{self.code}]"]
        excerpt = self.excerpt()
        if excerpt is not None:
            shown, column = excerpt
            lines.append("    " + _visible(shown))
            lines.append("    " + " " * (column - 1) + "^")
        if self.hint:
            lines.append(f"  hint: {_visible(self.hint)}")
        return "\n".join(lines)

    def as_json(self) -> dict[str, object]:
        return {
            "severity": str(self.severity),
            "code": self.code,
            "message": self.message,
            "path": self.position.path,
            "line": self.position.line,
            "column": self.position.column,
            "hint": self.hint,
        }


# C0 and C1 controls but tab and newline: from a ledger they could drive a terminal, and HTML
# forbids them. And the bidirectional embedding, override and isolate controls: a name holding
# U+202E could make the text around it read backwards ("Trojan Source"). Reports show them as
# U+FFFD, diagnostics as '?'; the ledger itself keeps what was typed.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _visible(text: str) -> str:
    """One character for one: the caret under the line stays in its column."""
    return CONTROL_CHARACTERS.sub("?", text)


def error(
    code: str,
    message: str,
    position: Position,
    hint: str | None = None,
    source_line: str | None = None,
) -> Diagnostic:
    return Diagnostic(Severity.ERROR, code, message, position, hint, source_line)


def warning(
    code: str,
    message: str,
    position: Position,
    hint: str | None = None,
    source_line: str | None = None,
) -> Diagnostic:
    return Diagnostic(Severity.WARNING, code, message, position, hint, source_line)


def sorted_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    return sorted(diagnostics, key=Diagnostic.sort_key)


def promote_warnings(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """`--strict`: every warning becomes an error."""
    return [
        Diagnostic(Severity.ERROR, d.code, d.message, d.position, d.hint, d.source_line)
        for d in diagnostics
    ]


MAX_PER_FILE = 200  # past this, a file is not a ledger with typos; say how many more there are


def limit_per_file(diagnostics: list[Diagnostic], limit: int) -> list[Diagnostic]:
    """Keep the first `limit` diagnostics of each file (sorted input), then one line that counts
    the rest, as compilers do: 200,000 copies of one mistake help nobody."""
    kept: list[Diagnostic] = []
    per_file: dict[str, int] = {}
    hidden: dict[str, list[Diagnostic]] = {}
    for diagnostic in diagnostics:
        path = diagnostic.position.path
        per_file[path] = per_file.get(path, 0) + 1
        if per_file[path] <= limit:
            kept.append(diagnostic)
        else:
            hidden.setdefault(path, []).append(diagnostic)
    for rest in hidden.values():
        errors = sum(1 for d in rest if d.is_error)
        first = rest[0]
        kept.append(
            Diagnostic(
                Severity.ERROR if errors else Severity.WARNING,
                "JL198",
                f"and {len(rest)} more problems in this file ({errors} errors) not shown",
                first.position,
                hint="fix the ones above and run again",
            )
        )
    return sorted_diagnostics(kept)


def render_text(diagnostics: Iterable[Diagnostic]) -> str:
    return "\n".join(d.render() for d in diagnostics)


def render_json(diagnostics: Iterable[Diagnostic]) -> str:
    import json  # only for --format json

    items = [d.as_json() for d in diagnostics]
    errors = sum(1 for d in items if d["severity"] == "error")
    payload = {"errors": errors, "warnings": len(items) - errors, "diagnostics": items}
    return json.dumps(payload, indent=2, ensure_ascii=False)
