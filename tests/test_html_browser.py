"""The HTML report in a real browser (Debian's Chromium through Playwright): axe-core finds no
serious or critical problem, the page fits a 360 px phone, the table sorts and filters, the page
works with JavaScript off, its CSP lets its own scripts run, and live reload reloads."""

from __future__ import annotations

import base64
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


# ---------------------------------------------------------------- the page on a phone

PHONE = {"width": 360, "height": 740}

# What a reader of a 360 px screen cannot see. Each entry is one text that is cut: by the
# edge of the box that holds it (a caption as wide as a scrolled table), or, in a table, by the
# box's edge while that box shows no sign that it scrolls (see SCROLL_EDGES).
CLIPPED_TEXT = """() => {
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  const found = [];
  const clipper = el => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== 'visible') return p;
    }
    return null;
  };
  const textRects = el => {
    const range = document.createRange();
    range.selectNodeContents(el);
    return [...range.getClientRects()].filter(r => r.width > 0);
  };
  const visible = el => {
    const box = clipper(el);
    if (!box) return [0, document.documentElement.clientWidth];
    const b = box.getBoundingClientRect();
    return [b.left + box.clientLeft, b.left + box.clientLeft + box.clientWidth];
  };
  const name = el => `${el.tagName.toLowerCase()} "${el.textContent.trim().slice(0, 40)}"`;
  // Prose never scrolls: every line of it is in view.
  for (const el of document.querySelectorAll(
      'main p, main li, caption, summary, figcaption, main h2, main h3, label')) {
    if (!el.getClientRects().length || el.closest('li') && el.tagName !== 'LI') continue;
    const [left, right] = visible(el);
    for (const r of textRects(el)) {
      if (r.left < left - 1 || r.right > right + 1) {
        found.push(`${name(el)} is cut`);
        break;
      }
    }
  }
  // A cell's text fits its cell (no word is cut inside it).
  for (const cell of document.querySelectorAll('th, td')) {
    if (!cell.getClientRects().length) continue;
    const c = cell.getBoundingClientRect();
    for (const r of textRects(cell)) {
      if (r.left < c.left - 1 || r.right > c.right + 1) {
        found.push(`${name(cell)} overflows`);
        break;
      }
    }
  }
  return found;
}"""

# The boxes that scroll sideways at this width, by their accessible name.
SCROLLING = """() => [...document.querySelectorAll('.table-wrap, .scroll')]
  .filter(box => box.getClientRects().length && box.scrollWidth > box.clientWidth + 1)
  .map(box => box.getAttribute('aria-label'))"""

# For each table's header row, as its box first shows it: how many lines of the row stand
# blank above the headers in view, the taller headers being scrolled out of sight.
BLANK_HEADERS = """() => {
  const lines = th => {
    const tops = [];
    const walker = document.createTreeWalker(th, NodeFilter.SHOW_TEXT);
    for (let text = walker.nextNode(); text; text = walker.nextNode()) {
      const range = document.createRange();
      range.selectNodeContents(text);
      for (const r of range.getClientRects()) {
        if (r.width > 0 && !tops.some(top => Math.abs(top - r.top) < 4)) tops.push(r.top);
      }
    }
    return tops.length;
  };
  return [...document.querySelectorAll('.table-wrap thead tr')]
    .filter(tr => tr.getClientRects().length && getComputedStyle(tr).display === 'table-row')
    .map(tr => {
      const box = tr.closest('.table-wrap').getBoundingClientRect();
      const cells = [...tr.cells];
      const inView = cells.filter(th => {
        const c = th.getBoundingClientRect();
        return c.left >= box.left - 1 && c.right <= box.right + 1;
      });
      return [tr.closest('.table-wrap').getAttribute('aria-label'),
              Math.max(...cells.map(lines)) - Math.max(0, ...inView.map(lines))];
    });
}"""


@pytest.fixture(scope="module")
def phone_layout(browser: Browser, example_file: Path) -> dict[str, Any]:
    context, page, console = open_page(browser, example_file.as_uri(), **PHONE)
    try:
        layout = {
            "page width": page.evaluate("document.documentElement.scrollWidth"),
            "clipped": page.evaluate(CLIPPED_TEXT),
            "scrolling": page.evaluate(SCROLLING),
            "blank headers": page.evaluate(BLANK_HEADERS),
            "console": console,
        }
    finally:
        context.close()
    return layout


def test_at_360_px_no_text_is_cut(phone_layout: dict[str, Any]) -> None:
    """Captions and notes wrap in view, among them the funnel's "Step: …" footnote (issue 7,
    points 18 and 23); no cell's text runs out of its cell."""
    assert phone_layout["page width"] <= 360
    assert phone_layout["clipped"] == []
    assert phone_layout["console"] == []


def test_at_360_px_only_the_widest_tables_scroll(phone_layout: dict[str, Any]) -> None:
    """Headers wrap at spaces and applications are cards, so the funnel, timing, source and
    application tables fit a phone; what still scrolls is the flow diagram and the tables with
    a column per stage, outcome or role."""
    assert set(phone_layout["scrolling"]) == {
        "Flow diagram, scrolls sideways",
        "Flows table",
        "Endings by stage table",
        "Funnels by role table",
        "Pipeline table, scrolls sideways",
        "Roles compared table",
    }


def test_at_360_px_no_header_row_stands_blank(phone_layout: dict[str, Any]) -> None:
    """A header row is as tall as the headers in view: the Pipeline's stood ~70 px over its
    first columns, its stage names wrapped word by word out of sight."""
    assert [row for row in phone_layout["blank headers"] if row[1] > 1] == []


# Each application row as a phone shows it: [name, fields whose cell is not wholly in view,
# the row's height, the sum of its cells' heights, the cells' labels].
APP_CARDS = """() => {
  const box = document.querySelector('#apps-table').closest('.table-wrap').getBoundingClientRect();
  return [...document.querySelectorAll('#apps-table tbody tr')].map(row => {
    const cells = [...row.cells];
    const out = cells.filter(cell => {
      const c = cell.getBoundingClientRect();
      return c.width === 0 || c.left < box.left - 1 || c.right > box.right + 1;
    }).map(cell => cell.dataset.label || 'name');
    const heights = cells.reduce((sum, cell) => sum + cell.getBoundingClientRect().height, 0);
    const labels = cells.slice(1).map(cell =>
      getComputedStyle(cell, '::before').content === 'none' ? null : cell.dataset.label);
    return [cells[0].textContent.trim(), out, row.getBoundingClientRect().height, heights,
            labels];
  });
}"""


@pytest.mark.parametrize("script", [True, False])
def test_at_360_px_each_application_is_a_card(
    browser: Browser, example_file: Path, report: Report, script: bool
) -> None:
    """Every row shows all its fields, each with its column's name, with no blank space from a
    column out of view (the table showed 3 of 7 columns, with tall blank rows); with the
    script, the headings are sort buttons that still sort."""
    context, page, console = open_page(
        browser, example_file.as_uri(), java_script_enabled=script, **PHONE
    )
    try:
        headers = page.eval_on_selector_all(
            "#apps-table thead th", "ths => ths.map(th => th.textContent.trim())"
        )
        cards = page.evaluate(APP_CARDS)
        assert len(cards) == len(report.applications)
        for name, out_of_view, height, cells, labels in cards:
            assert out_of_view == [], name
            assert height <= cells + 30, name  # the cells, stacked, plus the card's padding
            assert labels == headers[1:], name
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        if script:
            stage = page.locator("#apps-table thead th", has_text="Stage").locator("button")
            assert stage.is_visible()
            stage.click()
            keys = page.eval_on_selector_all(ROWS, "rows => rows.map(r => +r.cells[2].dataset.key)")
            assert keys == sorted(keys)
        else:
            assert page.locator("#apps-table thead").bounding_box()["height"] <= 1
        assert console == []
    finally:
        context.close()


# The share of pixel rows, in a strip `width` px wide at the right edge of a PNG, whose colour
# differs from `surface` ([r, g, b]): decoded by the browser, so no imaging library is needed.
EDGE_ROWS = """async ([png, surface, width]) => {
  const image = new Image();
  image.src = 'data:image/png;base64,' + png;
  await image.decode();
  const canvas = document.createElement('canvas');
  canvas.width = image.width;
  canvas.height = image.height;
  const context = canvas.getContext('2d');
  context.drawImage(image, 0, 0);
  const data = context.getImageData(image.width - width - 1, 0, width, image.height).data;
  let differing = 0;
  for (let y = 0; y < image.height; y++) {
    let diff = 0;
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      diff += Math.abs(data[i] - surface[0]) + Math.abs(data[i + 1] - surface[1])
              + Math.abs(data[i + 2] - surface[2]);
    }
    if (diff / width > 12) differing++;
  }
  return differing / image.height;
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_at_360_px_what_scrolls_shows_it(
    browser: Browser, example_file: Path, artifacts_dir: Path, scheme: str
) -> None:
    """Every box wider than the screen has a shadow down its right edge, the whole height of
    the box, until it is scrolled to its end (issue 7, point 23: "show what scrolls")."""
    context, page, console = open_page(browser, example_file.as_uri(), color_scheme=scheme, **PHONE)
    decoder = context.new_page()
    try:
        page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        surface = page.evaluate(
            """[...getComputedStyle(document.querySelector('.card')).backgroundColor
                 .matchAll(/\\d+/g)].slice(0, 3).map(Number)"""
        )
        labels = page.evaluate(SCROLLING)
        assert labels, "at 360 px the flow diagram at least scrolls"
        for label in labels:
            box = page.locator(f'[aria-label="{label}"]')
            png = base64.b64encode(box.screenshot()).decode("ascii")
            at_start = decoder.evaluate(EDGE_ROWS, [png, surface, 4])
            box.evaluate("box => { box.scrollLeft = box.scrollWidth; }")
            png = base64.b64encode(box.screenshot()).decode("ascii")
            at_end = decoder.evaluate(EDGE_ROWS, [png, surface, 4])
            assert at_start >= 0.9 and at_end <= 0.25, (label, at_start, at_end)
        page.evaluate(
            "document.querySelectorAll('.scroll, .table-wrap')"
            ".forEach(box => { box.scrollLeft = 0; })"
        )
        page.screenshot(
            path=str(artifacts_dir / f"html-report-360-{scheme}-open.png"), full_page=True
        )
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
            "Vercel — Developer Advocate",
            "Netlify — Developer Advocate",
        ]
        assert page.text_content("#apps-count") == "Showing 2 of 17 applications."
        page.select_option("select[name=role]", "")
        page.select_option("select[name=status]", "~inferred")
        assert visible_names(page) == ["Grafana Labs — Developer Advocate"]
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
