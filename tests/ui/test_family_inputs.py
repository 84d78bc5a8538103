"""Which generation controls show for a model: what its family reads (``Family.inputs``), for every family."""

from __future__ import annotations

import gradio as gr

from studio.engine.registry import ModelRegistry
from studio.ui.generation_settings import family_input_updates, model_rules
from studio.ui.settings_codec import to_values, to_widgets

KEYS = ("prompt", "motion_bucket_id", "noise_aug_strength")


def _visible(updates: tuple) -> list[bool]:
    return [u["visible"] if isinstance(u, dict) else u.visible for u in updates]


def test_svd_hides_the_prompt_and_shows_its_own_conditioning() -> None:
    registry = ModelRegistry(offline=True)
    updates = family_input_updates(registry, KEYS, "svd-demo")
    assert _visible(updates) == [False, True, True]
    assert updates[0]["value"] == ""  # a hidden prompt is emptied: the model refuses one
    assert _visible(family_input_updates(registry, KEYS, "wan-i2v-demo")) == [True, False, False]
    assert _visible(family_input_updates(registry, KEYS, "animatediff-demo")) == [True, False, False]


def test_steps_and_guidance_follow_the_family_inputs() -> None:
    registry = ModelRegistry(offline=True)
    assert _visible(model_rules(registry, "svd-demo")[3:]) == [True, False]  # steps, no guidance scale
    assert _visible(model_rules(registry, "animatediff-demo")[3:]) == [True, True]
    assert _visible(model_rules(registry, "motion-warp")[3:]) == [False, False]


def test_an_unknown_model_changes_nothing() -> None:
    updates = family_input_updates(ModelRegistry(offline=True), KEYS, "nobody/nothing-here")
    assert all(isinstance(u, type(gr.skip())) for u in updates)


def test_svd_controls_travel_in_presets_and_links() -> None:
    values = to_values("i2v", {"model": "svd-demo", "motion_bucket_id": 60.0, "noise_aug_strength": 0.1})
    assert values["motion_bucket_id"] == 60 and values["noise_aug_strength"] == 0.1
    assert to_widgets("i2v", values)["motion_bucket_id"] == 60
