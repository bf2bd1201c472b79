"""A hostile ledger through every output (issue 10's security pass): markup, script,
javascript:/data: URLs, control characters, bidi overrides, formula-looking text and a
10,000-character name. The HTML injects nothing, the Markdown keeps its tables and has no raw
HTML, CSV cells cannot start a formula, the terminal never gets an escape sequence, and the
JSON, calendar, SankeyMATIC and Mermaid outputs stay well formed."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import cmarkgfm  # type: ignore[import-untyped]
import pytest
from conftest import cli_env

LONG = "x" * 10_000
HOSTILE = f"""\
option title "<script>alert(1)</script> \u202eevil"
role evil "<img src=x onerror=alert(2)>"
2026-01-05 applied <script>alert(3)</script> | "=cmd|' /C calc'!A0" #evil
    url: javascript:alert(4)
    salary: +1 555 0100
    source: @SUM(A1:A9)
2026-01-06 applied "Evil | Co" | -2+3 ; <b>bold</b> \x1b[2J\x07
    link: data:text/html,<script>alert(5)</script>
2026-01-07 applied \u202eAcme\u202c | Dev\u2067 #evil
2026-01-08 applied {LONG} | {LONG}
2026-01-09 applied A*b_c | [x](javascript:alert(6)) ; *emph* | pipe
2026-01-10 phone A*b_c | [x](javascript:alert(6))
2026-04-01 interview A*b_c | [x](javascript:alert(6)) ; END:VEVENT,BEGIN:VEVENT;x
    time: 14:30; DROP TABLE
"""

BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hostile") / "hunt.jobs"
    path.write_text(HOSTILE, encoding="utf-8")
    return path


def run(ledger: Path, *args: str, env: dict[str, str | None] | None = None) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "jobledger", *args, str(ledger), "--as-of", "2026-03-15"],
        cwd=ledger.parent,
        env=cli_env(env),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return done.stdout


class Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))


def test_html_injects_nothing(ledger: Path) -> None:
    page = run(ledger, "report", "--format", "html")
    parser = Elements()
    parser.feed(page)
    assert not [t for t, _ in parser.found if t in ("img", "iframe", "object", "embed", "b")]
    assert len([t for t, _ in parser.found if t == "script"]) == 1  # the table's, hashed
    for _, attrs in parser.found:
        assert not [a for a in attrs if a.startswith("on")]
        href = attrs.get("href") or ""
        assert not href.lower().startswith(("javascript:", "data:", "vbscript:"))
    assert not any(c in page for c in BIDI) and "\x1b" not in page


def test_markdown_keeps_its_tables_and_has_no_html(ledger: Path) -> None:
    text = run(ledger, "report")
    html = cmarkgfm.github_flavored_markdown_to_html(text)
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert 'href="javascript' not in html and 'href="data' not in html
    for block in text.split("\n\n"):
        rows = [r for r in block.splitlines() if r.startswith("|")]
        if rows:  # every row of a table has as many cells as its header
            cells = {len(re.split(r"(?<!\\)\|", r.strip()[1:-1])) for r in rows}
            assert len(cells) == 1, block[:300]
    assert not any(c in text for c in BIDI + "\x1b\x07")


def test_markdown_tables_put_in_after_the_render_are_what_the_template_makes(
    ledger: Path,
) -> None:
    """The built-in report puts its two big tables in once the template is rendered, each
    cell cleaned when it was made; made by the template itself (as with a --template of the
    user's), the text is the very same."""
    import jobledger.render

    built_in = Path(jobledger.render.__file__).parent / "templates" / "report.md.j2"
    assert run(ledger, "report") == run(ledger, "report", "--template", str(built_in))


def test_no_ledger_text_can_move_the_markdown_tables(tmp_path: Path) -> None:
    """The tables go in where markers stand after the render; the Mermaid block is not
    escaped, so a label that wrote a fixed marker there took the table in."""
    import jobledger.render

    path = tmp_path / "m.jobs"
    path.write_text(
        'outcome rejected "<jobledger-applications> <jobledger-comments>"\n'
        "2026-02-01 applied Acme | Dev ; hi\n2026-02-05 rejected Acme | Dev\n",
        encoding="utf-8",
    )
    built_in = Path(jobledger.render.__file__).parent / "templates" / "report.md.j2"
    made = run(path, "report", "--mermaid")
    assert made == run(path, "report", "--mermaid", "--template", str(built_in))
    assert made.count("| Acme — Dev") == 2  # its row in the applications and comments tables


def test_csv_cells_cannot_start_a_formula(ledger: Path) -> None:
    rows = list(csv.reader(io.StringIO(run(ledger, "export", "--format", "csv"))))
    cells = [cell for row in rows[1:] for cell in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert any(c.startswith("'=cmd") for c in cells)  # neutralised, not lost
    assert any("+1 555 0100" in c for c in cells)


@pytest.mark.parametrize("command", [["check"], ["status", "--color", "always"], ["todo"]])
def test_the_terminal_never_gets_an_escape_sequence(ledger: Path, command: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "jobledger", *command, str(ledger), "--as-of", "2026-03-15"],
        env=cli_env({"COLUMNS": "100"}),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode in (0, 1) and "Traceback" not in done.stderr
    for stream in (done.stdout, done.stderr):
        ours = re.sub(r"\x1b\[[0-9;]*m", "", stream)  # status --color=always: our colours
        assert "\x1b" not in ours and "\x07" not in ours
        assert not any(c in stream for c in BIDI)


def test_json_calendar_and_diagrams_stay_well_formed(ledger: Path) -> None:
    text = run(ledger, "report", "--format", "json")
    data = json.loads(text)
    assert data["totals"]["tracked"] == 5
    assert not any(c in text for c in BIDI) and "\x1b" not in text  # escaped, not lost:
    assert data["title"].endswith("\u202eevil")
    out = ledger.parent / "hunt.ics"
    run(ledger, "export", "--format", "ics", "-o", str(out))
    calendar = out.read_bytes().decode("utf-8")
    lines = calendar.split("\r\n")
    assert lines.count("BEGIN:VEVENT") == 1  # the comment's "BEGIN:VEVENT" stays text
    assert "END:VEVENT\\,BEGIN:VEVENT\\;x" in calendar.replace("\r\n ", "")  # RFC 5545
    assert all(len(line.encode("utf-8")) <= 75 for line in lines)  # folded
    flows = run(ledger, "export", "--format", "sankeymatic")
    lines = [line for line in flows.splitlines() if line and not line.startswith("//")]
    assert lines and all(re.fullmatch(r"[^\[\]]+ \[\d+\] [^\[\]]+", line) for line in lines)
    mermaid = run(ledger, "export", "--format", "mermaid").splitlines()
    assert mermaid[0] == "sankey-beta"
    assert all(len(next(csv.reader([line]))) == 3 for line in mermaid[1:] if line)
    for text in (flows, "\n".join(mermaid)):
        assert "\x1b" not in text and not any(c in text for c in BIDI)
