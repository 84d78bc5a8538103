"""Which generation controls show for a model: what its family reads (``Family.inputs``), for every family."""

from __future__ import annotations

from studio.engine.registry import ModelRegistry
from studio.ui.model_controls import applicable_controls, without_hidden_options
from studio.ui.settings_codec import to_values, to_widgets

CONDITIONING = {"motion_bucket_id", "noise_aug_strength"}


def _controls(model: str) -> frozenset[str]:
    registry = ModelRegistry(offline=True)
    return applicable_controls(registry, registry.resolve(model))


def test_svd_hides_the_prompt_and_guidance_and_shows_its_own_conditioning() -> None:
    svd = _controls("svd-demo")
    assert svd >= CONDITIONING and "steps" in svd
    assert not {"prompt", "negative_prompt", "guidance_scale"} & svd
    for model in ("wan-i2v-demo", "animatediff-demo"):
        controls = _controls(model)
        assert {"prompt", "negative_prompt", "steps", "guidance_scale"} <= controls and not CONDITIONING & controls


def test_motion_warp_keeps_its_prompt_box_and_nothing_neural() -> None:
    assert _controls("motion-warp") == {"prompt"}


def test_a_prompt_left_in_the_hidden_box_is_left_out_for_svd() -> None:
    kept, reset = without_hidden_options(ModelRegistry(offline=True), {"model": "svd-demo", "prompt": "a fox"})
    assert kept["prompt"] == "" and reset == ["prompt"]
    kept, reset = without_hidden_options(ModelRegistry(offline=True), {"model": "wan-i2v-demo", "prompt": "a fox"})
    assert kept["prompt"] == "a fox" and reset == []


def test_svd_controls_travel_in_presets_and_links() -> None:
    values = to_values("i2v", {"model": "svd-demo", "motion_bucket_id": 60.0, "noise_aug_strength": 0.1})
    assert values["motion_bucket_id"] == 60 and values["noise_aug_strength"] == 0.1
    assert to_widgets("i2v", values)["motion_bucket_id"] == 60
