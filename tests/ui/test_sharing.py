"""The preset / share / load-from-video handlers of a tab, without a browser."""

from __future__ import annotations

from pathlib import Path

import gradio as gr
import numpy as np
import pytest

from studio.config import Settings
from studio.container import Container, build_container
from studio.media.export import export_video
from studio.presets.links import encode_settings
from studio.types import GenerationRequest, LoraSpec
from studio.ui.settings_codec import TAB_KEYS
from studio.ui.sharing import SharingBar, restore_from_url

T2V_DEFAULTS = {"prompt": "", "negative_prompt": "", "model": "wan-demo", "width": 160, "height": 96, "num_frames": 17,
                "fps": 8, "steps": 10, "guidance_scale": 5.0, "seed": -1, "keyframe_factor": 1, "review_keyframes": False,
                "export_format": "mp4", "step_cache": "off", "step_cache_threshold": None, "flow_shift": None, "loras": [],
                "lora_weight": 1.0, "keyframe_fill": "flow", "guide_strength": 0.6}  # fmt: skip


@pytest.fixture
def container(settings: Settings):
    built = build_container(settings, start=False)
    yield built
    built.close()


def _bar(container: Container, tab: str = "t2v") -> SharingBar:
    bar = SharingBar(container, tab)  # type: ignore[arg-type]
    bar._initial = dict(T2V_DEFAULTS)
    return bar


def _values(**changes) -> list:
    return [{**T2V_DEFAULTS, **changes}[k] for k in TAB_KEYS["t2v"]]


def _changed(updates: list) -> dict:
    return {k: v for k, v in zip(TAB_KEYS["t2v"], updates, strict=True) if not isinstance(v, type(gr.skip()))}


def test_applying_a_preset_fills_its_controls_and_says_which(container: Container) -> None:
    *updates, message = _bar(container).apply_preset("demo-tiny", *_values(prompt="a kite"))
    assert _changed(updates) == {"width": 64, "height": 48, "num_frames": 5, "steps": 2}
    assert message.endswith("changed: width, height, frames, steps.")  # not the model: it was already wan-demo
    *updates, message = _bar(container).apply_preset("look-anime", *_values(prompt="a kite"))
    assert _changed(updates)["prompt"].startswith("a kite, anime style")
    assert "negative prompt" in message


def test_share_gives_a_preset_link_only_when_it_reproduces_the_settings(container: Container) -> None:
    bar = _bar(container)
    tiny = {"width": 64, "height": 48, "num_frames": 5, "steps": 2}
    query, _ = bar.share_link("demo-tiny", *_values(**tiny))
    assert query == "tab=t2v&preset=demo-tiny"
    query, message = bar.share_link("demo-tiny", *_values(**tiny, prompt="a kite"))
    assert query.startswith("tab=t2v&s=1.") and "copy" in message
    tab, widgets, _ = restore_from_url(container, dict(p.split("=", 1) for p in query.split("&")))
    assert tab == "t2v" and widgets["prompt"] == "a kite" and widgets["steps"] == 2
    query, message = bar.share_link(None, *_values(steps=0))
    assert query == "" and "steps" in message


def test_save_and_delete_a_user_preset(container: Container) -> None:
    bar = _bar(container)
    dropdown, message = bar.save_preset("my-draft", *_values(steps=4, prompt="a kite"))
    assert dropdown.value == "my-draft" and "Saved" in message
    assert ("my-draft (yours)", "my-draft") in dropdown.choices
    assert container.presets.get("my-draft").preset.values["steps"] == 4
    with pytest.raises(gr.Error, match="curated preset"):
        bar.delete_preset("demo-tiny")
    with pytest.raises(gr.Error, match="name"):
        bar.save_preset("../x", *_values())
    dropdown, message = bar.delete_preset("my-draft")
    assert "my-draft" not in [value for _label, value in dropdown.choices]


def test_load_settings_from_a_video(container: Container, tmp_path: Path) -> None:
    frames = np.zeros((3, 16, 16, 3), np.uint8)
    request = {"mode": "t2v", "prompt": "a lighthouse", "steps": 6, "seed": 12, "model": "wan-demo", "image": None}
    made = export_video(frames, tmp_path / "made.mp4", 8, {"request": request})
    *updates, message = _bar(container).load_video(str(made), *_values())
    assert _changed(updates) == {"prompt": "a lighthouse", "steps": 6, "seed": 12}
    assert "Restored" in message
    plain = export_video(frames, tmp_path / "plain.mp4", 8, {})
    *updates, message = _bar(container).load_video(str(plain), *_values())
    assert "carries no studio settings" in message and _changed(updates) == {}
    not_video = tmp_path / "x.mp4"
    not_video.write_bytes(b"not a video")
    assert "carries no studio settings" in _bar(container).load_video(str(not_video), *_values())[-1]
    i2v = export_video(frames, tmp_path / "i2v.mp4", 8, {"request": {**request, "mode": "i2v"}})
    assert "Image → Video tab" in _bar(container).load_video(str(i2v), *_values())[-1]


def test_a_video_restores_the_newer_options_and_empties_what_it_left_to_defaults(container: Container, tmp_path: Path) -> None:
    frames = np.zeros((3, 16, 16, 3), np.uint8)
    request = GenerationRequest(prompt="a lighthouse", seed=3, keyframe_factor=2, review_keyframes=True, step_cache="mag",
                                export={"format": "webm", "crf": 20}, flow_shift=None, loras=[{"source": "org/style", "weight": 0.4}])
    made = export_video(frames, tmp_path / "made.mp4", 8, {"request": request.model_dump(mode="json")})
    # the page holds a threshold and a shift of its own: the video says "defaults", so they empty
    *updates, message = _bar(container).load_video(str(made), *_values(step_cache_threshold=0.2, flow_shift=7.0))
    assert _changed(updates) == {"prompt": "a lighthouse", "seed": 3, "keyframe_factor": 2, "review_keyframes": True,
                                 "export_format": "webm", "step_cache": "mag", "step_cache_threshold": None,
                                 "flow_shift": None, "loras": ["org/style"], "lora_weight": 0.4,
                                 "width": 832, "height": 480, "num_frames": 33, "fps": 16, "steps": 30}  # fmt: skip
    assert "keyframe mode" in message and "step cache threshold" in message
    mixed = request.model_copy(update={"loras": [LoraSpec(source="a", weight=0.4), LoraSpec(source="b", weight=1.0)]})
    odd = export_video(frames, tmp_path / "odd.mp4", 8, {"request": mixed.model_dump(mode="json")})
    *updates, message = _bar(container).load_video(str(odd), *_values())
    assert _changed(updates) == {} and "one weight to every LoRA" in message


def test_a_tier_preset_sets_the_step_cache(container: Container) -> None:
    *updates, message = _bar(container).apply_preset("wan-fast", *_values(step_cache_threshold=0.5))
    changed = _changed(updates)
    assert changed["step_cache"] == "first_block" and changed["step_cache_threshold"] == 0.1
    assert "step cache" in message
    *updates, _message = _bar(container).apply_preset("wan-quality", *_values(step_cache="mag", step_cache_threshold=0.1))
    assert _changed(updates)["step_cache"] == "off" and _changed(updates)["step_cache_threshold"] is None


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"s": "garbage"}, "not a studio share link"),
        ({"s": encode_settings("t2v", {"steps": 3})[:-6]}, "damaged"),
        ({"preset": "nope"}, "unknown preset"),
    ],
)
def test_bad_links_give_a_message_and_the_defaults(container: Container, query: dict, message: str) -> None:
    tab, widgets, text = restore_from_url(container, query)
    assert tab is None and widgets == {} and message in text and "defaults" in text


def test_a_preset_link_selects_its_tab(container: Container) -> None:
    tab, widgets, text = restore_from_url(container, {"preset": "slow-push-in"})
    assert tab == "i2v" and widgets["presets"] == ["dolly_in"] and "Slow push-in" in text
    assert restore_from_url(container, {}) == (None, {}, "")
