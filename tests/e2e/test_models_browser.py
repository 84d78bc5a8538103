"""In a real browser: the estimate under Generate, and loading a model from the Models tab."""

from __future__ import annotations

import pytest

from tests.e2e.test_browser import browser  # noqa: F401 - the module's Chromium fixture

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def test_estimate_under_generate_and_load_from_the_models_tab(studio_server, browser) -> None:  # noqa: F811
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(studio_server.url + "/", wait_until="domcontentloaded")
    estimate = page.locator("#t2v-estimate")
    estimate.wait_for(timeout=60_000)
    assert "Estimate:" in estimate.inner_text() and "offload: none" in estimate.inner_text()
    page.get_by_role("tab", name="Models").click()
    page.locator("#models-load").click()
    page.wait_for_function(
        "() => { const s = document.querySelector('#models-state');"
        " return s && s.innerText.includes('wan-demo') && !s.innerText.includes('Loading:'); }",
        timeout=120_000,
    )
    state = page.locator("#models-state").inner_text()
    assert "wan-demo" in state and "t2v" in state and "none" in state
    assert "hf download Wan-AI/Wan2.1-T2V-1.3B-Diffusers" in page.locator("#models-registered").inner_text()
    page.close()
