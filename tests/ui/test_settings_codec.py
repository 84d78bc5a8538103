"""Tab widgets <-> request values (the part of presets, links and videos that touches the UI)."""

from __future__ import annotations

import pytest

from studio.errors import InvalidRequestError
from studio.ui.settings_codec import TAB_KEYS, request_values, to_values, to_widgets

I2V_WIDGETS = {
    "prompt": "a lake", "model": "motion-warp", "width": 160.0, "height": 96.0, "num_frames": 9.0, "fps": 8.0,
    "steps": 1.0, "guidance_scale": 0.0, "seed": -1, "guide_strength": 0.3, "warped_noise": False,
    "control_scale": 1.0, "depth_is_distance": True, "presets": ["pan_left", "zoom_in"], "strength": 0.5,
    "easing": "ease_in", "schedules": "roll_deg: 0:(0), 8:(10)", "arrows": [[0.1, 0.2, 0.3, 0.4, 0.12, 0, None]],
}  # fmt: skip


def test_i2v_widgets_round_trip_through_request_values() -> None:
    values = to_values("i2v", I2V_WIDGETS)
    assert values["mode"] == "i2v" and "seed" not in values  # -1 = random is not a setting
    assert values["width"] == 160 and isinstance(values["width"], int)
    camera = values["motion"]["camera"]
    assert camera["presets"] == ["pan_left", "zoom_in"] and camera["schedules"] == {"roll_deg": "0:(0), 8:(10)"}
    widgets = to_widgets("i2v", values)
    expected = {k: v for k, v in I2V_WIDGETS.items() if k != "seed"}
    for key, value in expected.items():
        assert widgets[key] == pytest.approx(value) if isinstance(value, float) else widgets[key] == value, key
    assert set(widgets) <= set(TAB_KEYS["i2v"])


def test_t2v_ignores_motion_keys_and_keeps_a_seed() -> None:
    widgets = {"prompt": "fox", "negative_prompt": "", "model": "wan-demo", "width": 64, "height": 48,
               "num_frames": 5, "fps": 8, "steps": 2, "guidance_scale": 5.0, "seed": 42}  # fmt: skip
    values = to_values("t2v", widgets)
    assert values["seed"] == 42 and "motion" not in values and "negative_prompt" not in values
    assert to_widgets("t2v", {**values, "motion": {"camera": {"presets": ["pan_left"]}}}) == {
        k: v for k, v in widgets.items() if k != "negative_prompt"
    }


def test_a_partial_preset_sets_only_its_keys() -> None:
    assert to_widgets("t2v", {"steps": 7}) == {"steps": 7}
    assert to_widgets("i2v", {"motion": {"camera": {"presets": ["crane_up"]}}})["presets"] == ["crane_up"]


@pytest.mark.parametrize(
    ("widgets", "message"),
    [
        ({**I2V_WIDGETS, "presets": ["spin"]}, "spin"),
        ({**I2V_WIDGETS, "schedules": "no colon here"}, "schedule line 1"),
        ({**I2V_WIDGETS, "arrows": [[0.1, 0.2, None, 0.4]]}, "arrow 1"),
        ({**I2V_WIDGETS, "steps": 0}, "steps"),
    ],
)
def test_bad_widget_values_are_named(widgets: dict, message: str) -> None:
    with pytest.raises(InvalidRequestError, match=message):
        to_values("i2v", widgets)


def test_request_values_of_a_made_video_drop_files_and_mode() -> None:
    tab, values = request_values({"mode": "i2v", "prompt": "x", "image": "/data/uploads/abc.png", "depth_map": None,
                                  "steps": 3, "motion": {"camera": {"presets": ["pan_left"]}}})  # fmt: skip
    assert tab == "i2v" and "image" not in values and "mode" not in values and values["steps"] == 3
    assert request_values({"prompt": "y", "mode": "t2v"})[0] == "t2v"
