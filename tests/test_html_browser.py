"""The HTML report in a real browser (Debian's Chromium through Playwright): axe-core finds no
serious or critical problem, the page fits a 360 px phone, the table sorts and filters, the page
works with JavaScript off, its CSP lets its own scripts run, and live reload reloads."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from watch_process import wait_until

from jobledger.live.server import LiveServer
from jobledger.live.server import Page as ServedPage
from jobledger.pipeline import load_report
from jobledger.render.html import content_security_policy, render_html, render_text_page
from jobledger.report.model import Report

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

AS_OF = date(2026, 3, 15)
REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "blueprint.jobs"
ROWS = "#apps-table tbody tr"


@pytest.fixture(scope="module")
def report() -> Report:
    result = load_report([str(EXAMPLE)], AS_OF)
    assert result.report is not None
    return result.report


@pytest.fixture(scope="module")
def example_file(report: Report, artifacts_dir: Path) -> Path:
    """The example page on disk, opened as file:// like a page someone was sent."""
    path = artifacts_dir / "html-report-example.html"
    path.write_text(render_html(report), encoding="utf-8")
    return path


def open_page(
    browser: Browser, url: str, *, width: int = 1440, height: int = 900, **options: Any
) -> tuple[BrowserContext, Page, list[str]]:
    context = browser.new_context(viewport={"width": width, "height": height}, **options)
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: console.append(f"pageerror: {error}"))
    page.goto(url)
    return context, page, console


def axe_problems(page: Page, axe_js_path: Path) -> list[str]:
    """Serious and critical axe-core violations, one line each."""
    page.add_script_tag(path=str(axe_js_path))
    result = page.evaluate("axe.run()")
    return [
        f"{v['impact']} {v['id']}: {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


# ---------------------------------------------------------------- accessibility and layout


@pytest.mark.parametrize(
    ("width", "height", "scheme"),
    [(1440, 900, "light"), (360, 800, "light"), (1440, 900, "dark"), (360, 800, "dark")],
)
def test_axe_finds_nothing_serious(
    browser: Browser,
    axe_js_path: Path,
    example_file: Path,
    artifacts_dir: Path,
    width: int,
    height: int,
    scheme: str,
) -> None:
    # axe is injected as an inline script, which the page's own CSP forbids: bypass it here.
    context, page, console = open_page(
        browser,
        example_file.as_uri(),
        width=width,
        height=height,
        color_scheme=scheme,
        bypass_csp=True,
    )
    try:
        page.screenshot(
            path=str(artifacts_dir / f"html-report-{width}-{scheme}.png"), full_page=True
        )
        assert axe_problems(page, axe_js_path) == []
        assert console == []
    finally:
        context.close()


def test_axe_on_the_error_banner_and_a_hostile_ledger(
    browser: Browser,
    axe_js_path: Path,
    report: Report,
    tmp_path: Path,
    artifacts_dir: Path,
) -> None:
    from test_html import broken_diagnostics, hostile_page

    pages = {
        "stale": render_html(report, diagnostics=broken_diagnostics(tmp_path), report_time="9:41"),
        "broken": render_html(None, diagnostics=broken_diagnostics(tmp_path)),
        "hostile": hostile_page(tmp_path),
    }
    for name, html in pages.items():
        path = tmp_path / f"{name}.html"
        path.write_text(html, encoding="utf-8")
        context, page, console = open_page(browser, path.as_uri(), bypass_csp=True)
        try:
            if name == "stale":
                page.screenshot(path=str(artifacts_dir / "html-report-stale-banner.png"))
            assert axe_problems(page, axe_js_path) == [], name
            assert console == [], name
            # Nothing from the hostile ledger ran: no dialog, no extra element.
            assert page.evaluate("document.querySelectorAll('img, iframe').length") == 0
        finally:
            context.close()


def test_no_horizontal_scroll_on_a_phone(browser: Browser, example_file: Path) -> None:
    context, page, console = open_page(browser, example_file.as_uri(), width=360, height=800)
    try:
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        # Wide things scroll inside their own box, which a keyboard can reach.
        boxes = page.evaluate(
            """[...document.querySelectorAll('.table-wrap, .scroll')]
                 .filter(e => e.scrollWidth > e.clientWidth)
                 .map(e => [e.tabIndex, e.getAttribute('role'), e.getAttribute('aria-label')])"""
        )
        assert boxes, "the Sankey and the wide tables should scroll sideways at 360 px"
        assert all(tab == 0 and role == "region" and label for tab, role, label in boxes)
        assert console == []
    finally:
        context.close()


SANKEY_LABELS_CLEAR = """() => {
  const svg = document.querySelector('svg.sankey');
  const shapes = [...svg.querySelectorAll('path.link, rect')];
  const boxes = [...svg.querySelectorAll('g.label:not(.halo) text')].map(text => {
    const b = text.getBBox();
    return {label: text.textContent, x: b.x + 1, y: b.y + 1, r: b.x + b.width - 1,
            b: b.y + b.height - 1};
  });
  const found = [];
  for (const box of boxes) {
    for (const other of boxes) {
      if (other !== box && box.x < other.r && other.x < box.r && box.y < other.b
          && other.y < box.b) {
        found.push(`${box.label} on the label ${other.label}`);
      }
    }
    for (const shape of shapes) {
      hit: for (let x = box.x; x <= box.r; x += 2) {
        for (let y = box.y; y <= box.b; y += 2) {
          if (shape.isPointInFill(new DOMPoint(x, y))) {
            found.push(`${box.label} on a ${shape.tagName} at ${Math.round(x)},${Math.round(y)}`);
            break hit;
          }
        }
      }
    }
  }
  return found;
}"""


def test_sankey_labels_sit_on_no_band_node_or_label(browser: Browser, example_file: Path) -> None:
    """Measured in the browser, with the real font: every label of the flow diagram is clear of
    the bands, the nodes and the other labels (the layout plans it with an average advance)."""
    context, page, console = open_page(browser, example_file.as_uri(), width=360, height=740)
    try:
        assert page.evaluate(SANKEY_LABELS_CLEAR) == []
        assert console == []
    finally:
        context.close()


def test_the_page_enforces_its_csp_and_still_works(browser: Browser, example_file: Path) -> None:
    """Opened as a file, the <meta> CSP applies: the hashed table script runs, nothing is
    refused, and a script the page did not ship cannot run."""
    context, page, console = open_page(browser, example_file.as_uri())
    try:
        assert page.is_visible("#apps-filters")  # shown by the (hashed) table script
        violated = page.evaluate(
            """() => new Promise(resolve => {
                 document.addEventListener('securitypolicyviolation',
                                           e => resolve(e.effectiveDirective));
                 const s = document.createElement('script');
                 s.textContent = 'window.injected = 1';
                 document.body.append(s);
               })"""
        )
        assert violated == "script-src-elem"
        assert page.evaluate("window.injected") is None
        # The console reports that one refusal, and nothing else went wrong.
        assert [line for line in console if "Content Security Policy" not in line] == []
    finally:
        context.close()


# ---------------------------------------------------------------- the applications table


def visible_names(page: Page) -> list[str]:
    return page.eval_on_selector_all(
        ROWS, "rows => rows.filter(r => !r.hidden).map(r => r.cells[0].textContent.trim())"
    )


def test_sorting_by_a_column(browser: Browser, example_file: Path, report: Report) -> None:
    context, page, console = open_page(browser, example_file.as_uri())
    try:
        names = [a.name for a in report.applications]
        assert visible_names(page) == names  # ledger order to start with
        header = page.locator("#apps-table thead th", has_text="Application")
        header.locator("button").click()
        assert visible_names(page) == sorted(names, key=str.casefold)
        assert header.get_attribute("aria-sort") == "ascending"
        header.locator("button").click()
        assert visible_names(page) == sorted(names, key=str.casefold, reverse=True)
        assert header.get_attribute("aria-sort") == "descending"
        # Stage sorts by the funnel's order, not alphabetically.
        page.locator("#apps-table thead th", has_text="Stage").locator("button").click()
        keys = page.eval_on_selector_all(ROWS, "rows => rows.map(r => +r.cells[2].dataset.key)")
        assert keys == sorted(keys) and keys[0] == 0 and keys[-1] == 6
        assert page.locator("#apps-table thead th[aria-sort]").count() == 1
        assert console == []
    finally:
        context.close()


def test_filtering_by_role_status_and_stage(browser: Browser, example_file: Path) -> None:
    context, page, console = open_page(browser, example_file.as_uri())
    try:
        assert page.text_content("#apps-count") == "Showing all 17 applications."
        page.select_option("select[name=role]", "devrel")
        assert len(visible_names(page)) == 6
        page.select_option("select[name=status]", "active")
        assert visible_names(page) == [
            "Vercel | Developer Advocate",
            "Netlify | Developer Advocate",
        ]
        assert page.text_content("#apps-count") == "Showing 2 of 17 applications."
        page.select_option("select[name=role]", "")
        page.select_option("select[name=status]", "~inferred")
        assert visible_names(page) == ["Grafana Labs | Developer Advocate"]
        page.select_option("select[name=status]", "")
        page.select_option("select[name=stage]", "phone")
        assert len(visible_names(page)) == 4
        # Sorting keeps the filter.
        page.locator("#apps-table thead th", has_text="Last").locator("button").click()
        assert len(visible_names(page)) == 4
        assert console == []
    finally:
        context.close()


def test_without_javascript_the_table_is_whole(
    browser: Browser, example_file: Path, artifacts_dir: Path
) -> None:
    context, page, _ = open_page(browser, example_file.as_uri(), java_script_enabled=False)
    try:
        assert page.locator(ROWS).count() == 17
        assert len([name for name in visible_names_nojs(page) if name]) == 17
        assert page.is_hidden("#apps-filters")  # they could not work
        assert page.locator("#apps-table thead button").count() == 0
        assert page.is_visible("#flows svg.sankey")
        page.screenshot(path=str(artifacts_dir / "html-report-1440-nojs.png"), full_page=True)
    finally:
        context.close()


def visible_names_nojs(page: Page) -> list[str]:
    """Without JavaScript in the page, ask Playwright (not the page) what is visible."""
    rows = page.locator(ROWS)
    return [
        rows.nth(i).locator("th").inner_text()
        for i in range(rows.count())
        if rows.nth(i).is_visible()
    ]


# ---------------------------------------------------------------- live reload, end to end


@pytest.fixture
def live_server() -> Iterator[LiveServer]:
    """The real live-reload server, in this process, counting the pages it serves."""
    holder: dict[str, Page] = {}
    loads: list[int] = []

    def page() -> ServedPage:
        loads.append(1)
        return holder["page"]

    server = LiveServer(page, "127.0.0.1", 0, keepalive=0.5)
    server.loads = loads  # type: ignore[attr-defined]
    server.holder = holder  # type: ignore[attr-defined]
    server.start()
    try:
        yield server
    finally:
        server.close()


def serve(server: LiveServer, html: str) -> None:
    server.holder["page"] = ServedPage(  # type: ignore[attr-defined]
        html.encode("utf-8"), csp=content_security_policy(html)
    )


def reloads_once_notified(browser: Browser, server: LiveServer) -> None:
    context, page, console = open_page(browser, server.url)
    try:
        # The live script is running once its EventSource is open on /events.
        assert wait_until(lambda: server.streams, timeout=10), "no /events stream opened"
        assert len(server.loads) == 1  # type: ignore[attr-defined]
        with page.expect_event("load", timeout=10_000):
            server.notify()
        assert len(server.loads) == 2  # type: ignore[attr-defined]
        assert console == []  # the CSP allowed the script; nothing failed
    finally:
        context.close()


def test_live_report_reloads_when_the_server_says_so(
    browser: Browser, live_server: LiveServer, report: Report
) -> None:
    serve(live_server, render_html(report, live=True))
    reloads_once_notified(browser, live_server)


def test_live_text_page_reloads_too(browser: Browser, live_server: LiveServer) -> None:
    """`watch --format md --serve` shows the same reload script in its text page."""
    serve(live_server, render_text_page("# Report\n\n| a | b |", title="T", as_of=AS_OF))
    reloads_once_notified(browser, live_server)
