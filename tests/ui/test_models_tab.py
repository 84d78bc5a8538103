"""The Models tab and the estimate line, through their handlers (no browser)."""

from __future__ import annotations

import time

import pytest

from studio.config import Settings
from studio.container import build_container
from studio.engine.manager import ModelManager
from studio.ui.generation_settings import estimate_markdown
from studio.ui.models_tab import ModelsTab
from tests.engine.fake_models import HeldLoader


@pytest.fixture
def container(settings: Settings):
    c = build_container(settings.model_copy(update={"ram_budget_gb": 16.0}), start=False)
    yield c
    c.close()


def test_registered_models_say_where_their_weights_are_and_how_to_fetch_them(container) -> None:
    table = ModelsTab(container).registered_markdown()
    assert "budget 16.0 GB ram" in table
    row = next(line for line in table.splitlines() if line.startswith("| Wan 2.1 T2V 1.3B |"))
    assert "no: not in the Hugging Face cache" in row and "`hf download Wan-AI/Wan2.1-T2V-1.3B-Diffusers`" in row
    assert "(registry)" in row and "GB" in row


def test_loading_from_the_tab_runs_in_the_background(container) -> None:
    loader = HeldLoader(size=1000)
    container.manager = ModelManager(container.settings, container.registry, container.device, load_fn=loader)
    tab = ModelsTab(container)
    started = time.monotonic()
    state = tab.load("wan-demo")
    assert time.monotonic() - started < 5 and loader.started.wait(5)  # returned while the load is held
    assert "**Loading:**" in tab.state_markdown() and "loading wan-demo (fake)" in tab.state_markdown()
    assert state.startswith("**Loaded:** none")
    loader.release.set()
    deadline = time.monotonic() + 5
    while "**Loading:**" in tab.state_markdown() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "| wan-demo | t2v | 0.00 GB | none | no |" in tab.state_markdown()
    assert tab.unload("wan-demo") == "**Loaded:** none"


def test_a_failed_background_load_is_shown(container) -> None:
    loader = HeldLoader(fail=True)
    loader.release.set()
    container.manager = ModelManager(container.settings, container.registry, container.device, load_fn=loader)
    tab = ModelsTab(container)
    tab.load("wan-demo")
    deadline = time.monotonic() + 5
    while "failed" not in tab.state_markdown() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "**Last load of wan-demo failed:** could not load model 'wan-demo': fake failure" in tab.state_markdown()


def test_the_estimate_line_follows_the_settings_and_names_a_bad_model(container) -> None:
    small = estimate_markdown(container, "t2v", "wan-demo", 64, 48, 9, 4, 5.0)
    assert small.startswith("**Estimate:** peak ~") and "offload: none" in small and "no measurement yet" in small
    big = estimate_markdown(container, "t2v", "wan2.1-t2v-1.3b", 832, 480, 81, 30, 5.0)
    assert big.startswith("**Will not fit:**") and "Suggestion:" in big
    assert "unknown model 'nope'" in estimate_markdown(container, "t2v", "nope", 64, 48, 9, 4, 5.0)
    assert "width must be at most 1280 px, got 4000" in estimate_markdown(container, "t2v", "wan-demo", 4000, 48, 9, 4, 5.0)
    i2v = ModelsTab(container).estimate("motion-warp", 832, 480, 49, 16, 1, 0.0)
    assert "no neural model" in i2v
