"""End to end in a real headless Chromium: `jobledger watch --serve` as a subprocess, the page
follows the ledger within 2 s of a save, shows the error banner when it breaks and drops it when
it is fixed. The page's Content-Security-Policy must not block its own scripts or styles."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from watch_process import ledger_text, start_watch

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Locator, Page

SECONDS = 2_000  # ms: a save must show in the browser within this


def save_vim_style(path: Path, text: str) -> None:
    backup = path.with_name(path.name + "~")
    os.rename(path, backup)
    path.write_text(text, encoding="utf-8")
    os.unlink(backup)


def tracked(page: Page) -> Locator:
    """The headline "Tracked" number."""
    label = page.locator("dt", has_text=re.compile(r"^\s*Tracked\s*$"))
    return page.locator(".stat").filter(has=label).locator(".big")


def test_the_page_follows_saves_errors_and_fixes(
    browser: Browser, tmp_path: Path, artifacts_dir: Path
) -> None:
    from playwright.sync_api import expect

    ledger = tmp_path / "hunt.jobs"
    ledger.write_text(ledger_text(3), encoding="utf-8")
    with start_watch(ledger, "--format", "html", "--serve", "--port", "0") as watch:
        url = watch.wait_for(r"^serving (http://\S+)$").group(1)
        context = browser.new_context()
        violations: list[str] = []
        tabs = [context.new_page(), context.new_page()]  # two tabs follow the same ledger
        try:
            for tab in tabs:
                tab.on(
                    "console",
                    lambda message: (
                        violations.append(message.text)
                        if "Content Security Policy" in message.text
                        else None
                    ),
                )
                tab.goto(url)
                expect(tracked(tab)).to_have_text("3")

            save_vim_style(ledger, ledger_text(7))
            for tab in tabs:
                big = tracked(tab)
                expect(big).to_have_text("7", timeout=SECONDS)

            save_vim_style(ledger, ledger_text(8, extra="this line is not a ledger line\n"))
            for tab in tabs:
                expect(tab.locator(".banner-error")).to_be_visible(timeout=SECONDS)
                expect(tab.locator(".banner-error")).to_contain_text("hunt.jobs:11:1")
                assert tracked(tab).inner_text() == "7"  # the last good report, under the banner
            tabs[0].screenshot(path=str(artifacts_dir / "watch-broken.png"), full_page=False)

            save_vim_style(ledger, ledger_text(8))
            for tab in tabs:
                big = tracked(tab)
                expect(big).to_have_text("8", timeout=SECONDS)
                expect(tab.locator(".banner-error")).to_have_count(0)

            tabs[1].close()  # a tab goes away; the other still follows
            save_vim_style(ledger, ledger_text(9))
            big = tracked(tabs[0])
            expect(big).to_have_text("9", timeout=SECONDS)
        finally:
            context.close()
        assert violations == []
        assert watch.stop() == 0
    assert "Traceback" not in "\n".join(watch.err)
