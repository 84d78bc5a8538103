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
    # the video streams in before the quality report is done; then the job succeeds and the report shows
    page.wait_for_function("() => document.querySelector('#t2v-status').innerText.includes('succeeded')", timeout=60_000)
    assert "flicker score" in page.locator("#t2v-quality").inner_text()
    assert page.locator("#t2v-quality-plot").is_visible()
    assert page.locator("#t2v-previews img").count() >= 2
    page.screenshot(path=str(tmp_path / "t2v.png"), full_page=True)
    page.close()


def test_draw_an_arrow_by_clicking_and_animate_the_image(studio_server, browser, tmp_path) -> None:
    import numpy as np
    from PIL import Image

    # large enough to fill the canvas element, so clicks at fractions of its box land on the picture
    ys, xs = np.mgrid[0:480, 0:640]
    Image.fromarray(np.stack([xs % 256, ys % 256, (xs + ys) % 256], -1).astype(np.uint8)).save(tmp_path / "src.png")
    page = browser.new_page(viewport={"width": 1400, "height": 1400})
    page.goto(studio_server.url + "/", wait_until="domcontentloaded")
    page.get_by_role("tab", name="Image → Video").click()
    page.locator("#i2v-image input[type=file]").set_input_files(str(tmp_path / "src.png"))
    page.get_by_text("Motion arrows: click the start").click()  # open the arrows panel
    canvas = page.locator("#i2v-canvas img")
    canvas.wait_for(timeout=60_000)
    page.locator("#i2v-camera-preview img").wait_for(timeout=60_000)  # the instant camera preview; uploads settled
    box = canvas.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] * 0.25, box["y"] + box["height"] * 0.5)
    page.wait_for_timeout(1500)
    page.mouse.click(box["x"] + box["width"] * 0.75, box["y"] + box["height"] * 0.5)
    # the arrow appears in the editable list with the default radius
    page.wait_for_function("() => document.querySelector('#i2v-arrows').innerText.includes('0.15')", timeout=30_000)
    page.locator("#i2v-generate").click()
    page.locator("#i2v-video video").wait_for(timeout=180_000)
    page.wait_for_function("() => document.querySelector('#i2v-status').innerText.includes('succeeded')", timeout=60_000)
    page.screenshot(path=str(tmp_path / "i2v.png"), full_page=True)
    page.close()


def test_prompt_assistant_sends_prompt_and_camera_to_the_other_tabs(studio_server, browser) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1400})
    page.goto(studio_server.url + "/", wait_until="domcontentloaded")
    page.get_by_role("tab", name="Prompt assistant").click()
    page.locator("#prompt-idea textarea").fill("A fox trots through snow at dawn, then looks back. Slow push in, close-up")
    page.locator("#prompt-structure").click()
    page.wait_for_function("() => document.querySelector('#prompt-compiled textarea').value.includes('fox')", timeout=30_000)
    compiled = page.locator("#prompt-compiled textarea").input_value()
    page.locator("#prompt-to-t2v").click()
    page.wait_for_function("v => document.querySelector('#t2v-prompt textarea').value === v", arg=compiled, timeout=30_000)
    assert page.locator("#t2v-prompt textarea").is_visible()  # switched to the Text -> Video tab
    page.get_by_role("tab", name="Prompt assistant").click()
    page.locator("#prompt-to-i2v").click()
    page.wait_for_function("() => { const e = document.querySelector('#i2v-presets'); return e && e.innerText.includes('dolly_in'); }",
                           timeout=30_000)  # fmt: skip
    assert page.locator("#i2v-prompt textarea").input_value() == compiled
    page.close()


def test_share_link_restores_every_control_in_a_new_page(studio_server, browser) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(studio_server.url + "/", wait_until="domcontentloaded")
    page.get_by_role("tab", name="Image → Video").click()
    page.locator("#i2v-prompt textarea").fill("waves roll onto the shore")
    # pick a preset: it fills the camera and says what it changed
    page.locator("#i2v-preset input").click()
    page.get_by_role("option", name="Orbit reveal").click()
    page.wait_for_function("() => { const e = document.querySelector('#i2v-sharing-message');"
                           " return e && e.innerText.includes('camera presets'); }", timeout=30_000)  # fmt: skip
    assert "orbit_right" in page.locator("#i2v-presets").inner_text()
    page.locator("#i2v-share").click()
    link = page.locator("#i2v-link textarea, #i2v-link input").first
    page.wait_for_function("() => { const e = document.querySelector('#i2v-link textarea, #i2v-link input');"
                           " return e && e.value.includes('?tab=i2v&s=1.'); }", timeout=30_000)  # fmt: skip
    url = link.input_value()
    assert url.startswith(studio_server.url)
    other = browser.new_page(viewport={"width": 1400, "height": 1000})
    other.goto(url, wait_until="domcontentloaded")
    other.wait_for_function("() => { const e = document.querySelector('#i2v-prompt textarea');"
                            " return e && e.value === 'waves roll onto the shore'; }", timeout=60_000)  # fmt: skip
    assert other.locator("#i2v-prompt textarea").is_visible()  # the link selected the tab
    assert "orbit_right" in other.locator("#i2v-presets").inner_text()
    assert "upload them again" in other.locator("#i2v-sharing-message").inner_text()
    other.close()
    bad = browser.new_page()
    bad.goto(studio_server.url + "/?s=1.tampered", wait_until="domcontentloaded")
    bad.wait_for_function("() => { const e = document.querySelector('#t2v-sharing-message');"
                          " return e && e.innerText.includes('defaults'); }", timeout=60_000)  # fmt: skip
    bad.close()
    page.close()


def test_click_an_example_and_generate(studio_server, browser) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(studio_server.url + "/", wait_until="domcontentloaded")
    page.get_by_role("tab", name="Image → Video").click()
    page.get_by_text("flowers sway in the wind").first.click()
    page.wait_for_function("() => document.querySelector('#i2v-prompt textarea').value === 'flowers sway in the wind'",
                           timeout=30_000)  # fmt: skip
    page.locator("#i2v-image img").first.wait_for(timeout=30_000)
    page.locator("#i2v-generate").click()
    page.locator("#i2v-video video").wait_for(timeout=180_000)
    # the video shows as soon as it is written; the job succeeds once its quality report is done
    page.wait_for_function("() => document.querySelector('#i2v-status').innerText.includes('succeeded')", timeout=60_000)
    page.close()


def test_picking_a_distilled_lora_sets_its_steps_and_guidance(studio_server, browser) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1400})
    page.goto(studio_server.url + "/", wait_until="domcontentloaded")
    page.locator("#t2v-advanced").get_by_text("Advanced: step cache, LoRA").click()
    picker = page.locator("#t2v-loras input")
    picker.click()
    picker.fill("T2V 14B: 4 steps")
    page.get_by_role("option", name="Wan 2.1 T2V 14B: 4 steps, no CFG (lightx2v)").click()
    page.wait_for_function("() => document.querySelector('#t2v-steps input[type=number]').value === '4'", timeout=30_000)
    assert page.locator("#t2v-guidance input[type=number]").input_value() == "1"
    page.close()


def test_i2v_generate_and_result_show_without_scrolling(studio_server, browser) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(studio_server.url + "/", wait_until="domcontentloaded")
    page.get_by_role("tab", name="Image → Video").click()
    page.locator("#i2v-generate").wait_for(timeout=30_000)
    for element in ("#i2v-generate", "#i2v-video", "#i2v-status"):
        box = page.locator(element).bounding_box()
        assert box is not None and box["y"] + box["height"] <= 1000, (element, box)
    # motion-warp (the default) has no neural network: its controls are hidden; a neural model shows them
    assert not page.locator("#i2v-steps").is_visible() and not page.locator("#i2v-advanced").is_visible()
    end_panel = page.get_by_text("End image (first-and-last-frame models")
    assert not end_panel.is_visible()
    page.locator("#i2v-model input").click()
    page.get_by_role("option", name="Wan 2.1 I2V demo").click()
    page.locator("#i2v-advanced").wait_for(state="visible", timeout=30_000)
    assert end_panel.is_visible()  # Wan I2V takes a last frame
    box = page.locator("#i2v-generate").bounding_box()
    assert box is not None and box["y"] + box["height"] <= 1000
    page.close()


def test_share_link_carries_the_newer_options(studio_server, browser) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1400})
    page.goto(studio_server.url + "/", wait_until="domcontentloaded")
    page.get_by_text("Keyframes and export").first.click()
    page.locator("#t2v-export-format input").click()
    page.get_by_role("option", name="webm (VP9)").click()
    page.locator("#t2v-advanced").get_by_text("Advanced: step cache").click()
    page.locator("#t2v-step-cache input").click()
    page.get_by_role("option", name="TaylorSeer").click()
    page.wait_for_function("() => document.querySelector('#t2v-step-cache-threshold input').value === '5'", timeout=30_000)
    page.locator("#t2v-share").click()
    page.wait_for_function("() => { const e = document.querySelector('#t2v-link textarea, #t2v-link input');"
                           " return e && e.value.includes('s=1.'); }", timeout=30_000)  # fmt: skip
    url = page.locator("#t2v-link textarea, #t2v-link input").first.input_value()
    other = browser.new_page(viewport={"width": 1400, "height": 1400})
    other.goto(url, wait_until="domcontentloaded")
    other.wait_for_function("() => { const e = document.querySelector('#t2v-sharing-message');"
                            " return e && e.innerText.includes('restored'); }", timeout=60_000)  # fmt: skip
    other.get_by_text("Keyframes and export").first.click()
    other.locator("#t2v-advanced").get_by_text("Advanced: step cache").click()
    assert other.locator("#t2v-export-format input").input_value() == "webm (VP9)"
    assert other.locator("#t2v-step-cache input").input_value() == "TaylorSeer"
    assert other.locator("#t2v-step-cache-threshold input").input_value() == "5"
    other.close()
    page.close()
