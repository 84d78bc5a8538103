"""A real browser (Debian's Chromium through Playwright) generates with the demo model."""

from __future__ import annotations

import os
import shutil

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--no-first-run", "--disable-sync", "--autoplay-policy=no-user-gesture-required"]  # fmt: skip


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("STUDIO_REQUIRE_BROWSER") == "1":
            pytest.fail(f"chromium not found at {CHROMIUM} but STUDIO_REQUIRE_BROWSER=1")
        pytest.skip("Debian's chromium is not installed (CI installs it: see .ci/run)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS,
                                             headless=True)  # fmt: skip
        yield browser
        browser.close()


def test_generate_in_the_browser_shows_previews_then_a_playing_video(studio_server, browser, tmp_path) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(studio_server.url + "/", wait_until="domcontentloaded")
    page.locator("#t2v-prompt textarea").fill("a lantern floating over a dark lake")
    page.locator("#t2v-generate").click()
    page.locator("#t2v-previews img").first.wait_for(timeout=120_000)  # previews appear while it runs
    video = page.locator("#t2v-video video")
    video.wait_for(timeout=180_000)
    page.wait_for_function(
        "() => { const v = document.querySelector('#t2v-video video');"
        " if (v && v.paused) { v.muted = true; v.play(); }"
        " return v && v.readyState >= 2 && v.currentTime > 0 && !v.paused; }",
        timeout=60_000,
    )
    assert "succeeded" in page.locator("#t2v-status").inner_text()
    assert page.locator("#t2v-previews img").count() >= 2
    page.screenshot(path=str(tmp_path / "t2v.png"), full_page=True)
    page.close()
