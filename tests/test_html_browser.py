"""The HTML report in a real browser (Debian's Chromium through Playwright): axe-core finds no
serious or critical problem, the page fits a 360 px phone, the table sorts and filters, the page
works with JavaScript off, its CSP lets its own scripts run, and live reload reloads."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from jobledger.pipeline import load_ledger
from jobledger.render.html import content_security_policy, render_html

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

AS_OF = date(2026, 3, 15)
REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "blueprint.jobs"
ROWS = "#apps-table tbody tr"


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    result = load_ledger([str(EXAMPLE)], AS_OF)
    assert result.report is not None
    return result.report


@pytest.fixture(scope="module")
def example_file(report: dict[str, Any], artifacts_dir: Path) -> Path:
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
    report: dict[str, Any],
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


def test_sorting_by_a_column(browser: Browser, example_file: Path, report: dict[str, Any]) -> None:
    context, page, console = open_page(browser, example_file.as_uri())
    try:
        names = [f"{a['company']} | {a['title']}" for a in report["applications"]]
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


class LiveServer:
    """The page with its CSP as a header, and an /events stream that says "reload" on demand:
    just enough of a server to prove the live script connects, is allowed, and reloads."""

    def __init__(self, page: str) -> None:
        self.page = page.encode("utf-8")
        self.csp = content_security_policy(page)
        self.loads = 0
        self.connected = threading.Event()
        self.reload = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                if self.path == "/":
                    outer.loads += 1
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                    self.send_header("Content-Security-Policy", outer.csp)
                    self.send_header("Content-Length", str(len(outer.page)))
                    self.end_headers()
                    self.wfile.write(outer.page)
                elif self.path == "/events":
                    self.send_response(200)
                    self.send_header("Content-Type", "text/event-stream")
                    self.send_header("Cache-Control", "no-cache")
                    self.end_headers()
                    self.wfile.write(b": hello\n\n")
                    self.wfile.flush()
                    outer.connected.set()
                    if outer.reload.wait(10):
                        outer.reload.clear()  # once: the reloaded page connects again
                        self.wfile.write(b"data: reload\n\n")
                        self.wfile.flush()
                else:
                    self.send_error(404)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/"


@pytest.fixture
def live_server(report: dict[str, Any]) -> Iterator[LiveServer]:
    server = LiveServer(render_html(report, live=True))
    server.thread.start()
    try:
        yield server
    finally:
        server.server.shutdown()
        server.server.server_close()


def test_live_page_reloads_on_reload(browser: Browser, live_server: LiveServer) -> None:
    context, page, console = open_page(browser, live_server.url)
    try:
        assert live_server.connected.wait(10), "the live script never opened /events"
        assert live_server.loads == 1
        live_server.connected.clear()
        live_server.reload.set()
        page.wait_for_event("load", timeout=10_000)
        assert live_server.loads == 2
        assert console == []
    finally:
        context.close()
