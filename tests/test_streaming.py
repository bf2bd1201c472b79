"""A big report goes out in pieces (issue 10's memory target): the JSON document and the HTML
page are made a piece at a time and written as they come, so neither is ever held whole."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import report

from jobledger import accelerators
from jobledger.cli.report import _Kept
from jobledger.render import html, json_report
from jobledger.report.model import Report

ROOT = Path(__file__).resolve().parent.parent
LEDGERS = {
    "example": (ROOT / "examples" / "blueprint.jobs").read_text(encoding="utf-8"),
    "hostile": (ROOT / "tests" / "cases" / "markdown-hostile.jobs").read_text(encoding="utf-8"),
    "no applications": 'role swe "Software Engineer"\n',
}


def made(text: str) -> Report:
    return report("\n".join(line for line in text.splitlines() if not line.startswith("include")))


@pytest.mark.parametrize("name", list(LEDGERS))
@pytest.mark.parametrize("pure", [False, True])
def test_the_json_in_pieces_is_the_document_made_whole(
    name: str, pure: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if pure:  # the standard library's encoder, as without jobledger[fast]
        monkeypatch.setattr(accelerators, "load", lambda module: None)
    rep = made(LEDGERS[name])
    whole = json.dumps(json_report.encode_report(rep), indent=2, ensure_ascii=False) + "\n"
    pieces = list(json_report.json_chunks(rep))
    assert "".join(pieces) == whole
    assert len(pieces) == len(rep.applications) + 3  # before, each, after (or [])
    assert json.loads(whole)["applications"] == [
        json_report._application(app) for app in rep.applications
    ]


def test_an_application_is_encoded_only_when_its_turn_comes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rep = made(LEDGERS["example"])
    encoded: list[str] = []
    real = json_report._application

    def counting(app: object) -> object:
        encoded.append(app.company)  # type: ignore[attr-defined]
        return real(app)  # type: ignore[arg-type]

    monkeypatch.setattr(json_report, "_application", counting)
    pieces = json_report.json_chunks(rep)
    next(pieces)  # everything before the applications
    assert encoded == []
    next(pieces)
    assert encoded == [rep.applications[0].company]


def test_a_row_of_the_page_is_made_only_when_its_turn_comes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rep = made(LEDGERS["example"])
    made_rows: list[str] = []
    real = html._row_html

    def counting(row: html.AppRow) -> str:
        made_rows.append(row.row.company)
        return real(row)

    monkeypatch.setattr(html, "_row_html", counting)
    pieces = html.html_chunks(rep)
    head = next(pieces)
    # The first row is made with the page (so that another process can start on the others).
    companies = [app.company for app in rep.applications]
    assert made_rows == companies[:1] and "<tbody>" in head and "<tr data-role" not in head
    row = next(pieces)
    assert made_rows == companies[:1] and row.startswith("<tr data-role")
    next(pieces)
    assert made_rows == companies[:2]
    rest = list(pieces)
    assert made_rows == companies
    assert rest[-1].lstrip().startswith("</tbody>") and rest[-1].rstrip().endswith("</html>")


def test_a_report_is_kept_for_the_cache_only_while_it_is_small() -> None:
    small = _Kept(10)
    assert list(small.through(iter(["abc", "def"]))) == ["abc", "def"]
    assert small.text == "abcdef"
    big = _Kept(10)
    assert list(big.through(iter(["abcdef", "ghijkl", "m"]))) == ["abcdef", "ghijkl", "m"]
    assert big.text is None  # over the limit: let go, not kept half
    assert _Kept(-1).text is None  # no cache: nothing kept at all
