"""Tab widgets <-> request values (the part of presets, links and videos that touches the UI)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from studio.errors import InvalidRequestError
from studio.motion.names import EASINGS, PRESET_NAMES
from studio.presets.links import decode_settings, encode_settings
from studio.presets.schema import TABS
from studio.types import GenerationRequest
from studio.ui.motion_controls import parse_schedules
from studio.ui.settings_codec import (
    I2V_ONLY,
    NOT_SHARED,
    TAB_KEYS,
    fields_of,
    request_values,
    to_values,
    to_widgets,
)

OPTIONS = {"keyframe_factor": 2, "review_keyframes": True, "export_format": "webm", "step_cache": "first_block",
           "step_cache_threshold": 0.1, "flow_shift": 5.0, "loras": ["lightx2v-wan2.1-i2v-14b-480p-4step", "org/style"],
           "lora_weight": 0.7, "keyframe_fill": "model"}  # fmt: skip
I2V_WIDGETS = {
    "prompt": "a lake", "negative_prompt": "blurry", "model": "motion-warp", "width": 160.0, "height": 96.0,
    "num_frames": 9.0, "fps": 8.0, "steps": 1.0, "guidance_scale": 0.0, "seed": -1, "guide_strength": 0.3,
    "warped_noise": False, "control_scale": 1.0, "depth_is_distance": True, "presets": ["pan_left", "zoom_in"],
    "strength": 0.5, "easing": "ease_in", "schedules": "roll_deg: 0:(0), 8:(10)",
    "arrows": [[0.1, 0.2, 0.3, 0.4, 0.12, 0, None]], "arrow_steering": "guide", "arrow_strength": 0.8,
    "motion_bucket_id": 100.0, "noise_aug_strength": 0.05, **OPTIONS,
}  # fmt: skip
T2V_WIDGETS = {"prompt": "fox", "negative_prompt": "", "model": "wan-demo", "width": 64, "height": 48, "num_frames": 5,
               "fps": 8, "steps": 2, "guidance_scale": 5.0, "seed": 42, "guide_strength": 0.6, **OPTIONS}  # fmt: skip


def test_every_request_field_with_a_widget_is_mapped() -> None:
    """A new GenerationRequest field fails here until a tab maps a widget to it or ``NOT_SHARED`` says why not."""
    for tab in TABS:
        expected = set(GenerationRequest.model_fields) - set(NOT_SHARED) - (I2V_ONLY if tab == "t2v" else set())
        assert expected - fields_of(tab) == set(), tab
    assert set(I2V_WIDGETS) == set(TAB_KEYS["i2v"]) and set(T2V_WIDGETS) == set(TAB_KEYS["t2v"])  # the tests see them all


def test_i2v_widgets_round_trip_through_request_values() -> None:
    values = to_values("i2v", I2V_WIDGETS)
    assert values["mode"] == "i2v" and "seed" not in values  # -1 = random is not a setting
    assert values["width"] == 160 and isinstance(values["width"], int)
    camera = values["motion"]["camera"]
    assert camera["presets"] == ["pan_left", "zoom_in"] and camera["schedules"] == {"roll_deg": "0:(0), 8:(10)"}
    assert values["export"]["format"] == "webm" and values["step_cache"] == "first_block" and values["flow_shift"] == 5.0
    assert values["loras"] == [{"source": "lightx2v-wan2.1-i2v-14b-480p-4step", "weight": 0.7, "weight_name": None},
                               {"source": "org/style", "weight": 0.7, "weight_name": None}]  # fmt: skip
    widgets = to_widgets("i2v", values)
    expected = {k: v for k, v in I2V_WIDGETS.items() if k != "seed"}
    for key, value in expected.items():
        assert widgets[key] == pytest.approx(value) if isinstance(value, float) else widgets[key] == value, key
    assert set(widgets) == set(TAB_KEYS["i2v"]) - {"seed"}


def test_t2v_ignores_motion_keys_keeps_a_seed_and_an_emptied_negative_prompt() -> None:
    values = to_values("t2v", T2V_WIDGETS)
    # an emptied negative prompt is "none", not "the model card's": it travels
    assert values["seed"] == 42 and "motion" not in values and values["negative_prompt"] == ""
    assert to_widgets("t2v", {**values, "motion": {"camera": {"presets": ["pan_left"]}}}) == T2V_WIDGETS


def test_empty_boxes_are_left_out_and_come_back_empty_from_a_video() -> None:
    values = to_values("t2v", {**T2V_WIDGETS, "prompt": "", "step_cache_threshold": None, "flow_shift": 0, "seed": -1})
    assert not {"prompt", "seed"} & set(values)
    # browsers send 0 for an emptied number box: for these 0 is no valid value, so it means "the default" too
    assert values["step_cache_threshold"] is None and values["flow_shift"] is None
    # a made video's request says "default" with None: restoring it empties the boxes instead of keeping theirs
    _tab, shared = request_values({"mode": "t2v", "prompt": "x", "step_cache": "mag", "step_cache_threshold": None,
                                   "flow_shift": None, "seed": None})  # fmt: skip
    assert to_widgets("t2v", shared) == {"prompt": "x", "step_cache": "mag", "step_cache_threshold": None,
                                         "flow_shift": None, "seed": -1}  # fmt: skip


@pytest.mark.parametrize(
    ("loras", "message"),
    [
        ([{"source": "a", "weight": 0.5}, {"source": "b", "weight": 1.0}], r"one weight to every LoRA.*0\.5, 1\.0"),
        ([{"source": "org/x", "weight_name": "style.safetensors"}], r"org/x \(style\.safetensors\).*API"),
    ],
)
def test_loras_a_tab_cannot_show_are_refused_by_name(loras: list, message: str) -> None:
    with pytest.raises(InvalidRequestError, match=message):
        to_widgets("t2v", {"loras": loras})


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


def test_request_values_of_a_made_video_drop_files_mode_and_webhook() -> None:
    tab, values = request_values({"mode": "i2v", "prompt": "x", "image": "/data/uploads/abc.png", "depth_map": None,
                                  "steps": 3, "motion": {"camera": {"presets": ["pan_left"]}}})  # fmt: skip
    assert tab == "i2v" and "image" not in values and "mode" not in values and values["steps"] == 3
    assert "webhook_url" not in request_values({"prompt": "y", "webhook_url": "https://example.com/hook"})[1]
    assert request_values({"prompt": "y", "mode": "t2v"})[0] == "t2v"


_box = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60)
_number = st.floats(0.0, 2.0, allow_nan=False)
_common = {
    "prompt": _box, "negative_prompt": _box, "model": st.sampled_from(["wan-demo", "motion-warp", "my/hub-model"]),
    "width": st.integers(16, 1280), "height": st.integers(16, 1280), "num_frames": st.integers(1, 161),
    "fps": st.integers(1, 60), "steps": st.integers(1, 100), "guidance_scale": st.floats(0, 20, allow_nan=False),
    "seed": st.integers(-1, 2**40), "keyframe_factor": st.integers(1, 4), "review_keyframes": st.booleans(),
    "export_format": st.sampled_from(["mp4", "webm", "gif", "png_zip"]),
    "step_cache": st.sampled_from(["off", "first_block", "mag", "taylorseer"]),
    "step_cache_threshold": st.none() | st.floats(0.01, 20, allow_nan=False), "flow_shift": st.sampled_from([None, 0]) | st.floats(0.5, 50),
    "loras": st.lists(st.sampled_from(["org/style", "mine.safetensors", "lightx2v-wan2.1-t2v-14b-4step"]), max_size=3,
                      unique=True),
    "lora_weight": st.floats(-2, 2, allow_nan=False), "keyframe_fill": st.sampled_from(["flow", "model"]),
}  # fmt: skip
_t2v = {**_common, "guide_strength": st.floats(0, 1)}  # the source video's strength
_i2v = {
    **_common, "guide_strength": st.floats(0, 1), "warped_noise": st.booleans(), "control_scale": _number,
    "depth_is_distance": st.booleans(), "presets": st.lists(st.sampled_from(PRESET_NAMES), max_size=3, unique=True),
    "strength": st.floats(0, 3, allow_nan=False), "easing": st.sampled_from(EASINGS),
    "schedules": st.sampled_from(["", "pan_deg: 0:(0), 24:(15)", "zoom: 0:(1), 8:(1.5)\nroll_deg: 0:(0), 8:(10)"]),
    "arrows": st.lists(st.tuples(*[st.floats(0, 1)] * 4, st.floats(0.01, 1), st.integers(0, 4), st.none() | st.integers(5, 9))
                       .map(list), max_size=3),
    "arrow_steering": st.sampled_from(["dual_clock", "guide"]), "arrow_strength": st.floats(0, 1),
    "motion_bucket_id": st.integers(1, 255), "noise_aug_strength": st.floats(0, 1),
}  # fmt: skip


def _unset(key: str, widgets: dict) -> bool:
    """Widget values that mean "not a setting": they do not travel, and the other page keeps its own."""
    value = widgets[key]
    return (key == "prompt" and value == "") or (key == "seed" and value < 0) or (key == "lora_weight" and not widgets["loras"])


@settings(max_examples=60, deadline=None)
@given(data=st.data(), tab=st.sampled_from(TABS))
def test_any_tab_settings_survive_a_share_link(data: st.DataObject, tab: str) -> None:
    """Every setting widget of a tab, through ``to_values``, a link and back, comes out as it went in."""
    strategies = _i2v if tab == "i2v" else _t2v
    assert set(strategies) == set(TAB_KEYS[tab])  # every setting widget is exercised
    widgets = data.draw(st.fixed_dictionaries(strategies))
    shared = decode_settings(encode_settings(tab, to_values(tab, widgets)))  # type: ignore[arg-type]
    restored = to_widgets(shared.tab, shared.values)
    expected = {k: v for k, v in widgets.items() if not _unset(k, widgets)}
    expected["flow_shift"] = expected["flow_shift"] or None  # an empty box (0 from a browser) comes back empty
    if "schedules" in expected:  # one line per parameter; the link keeps them by name, in its own order
        expected["schedules"], restored["schedules"] = parse_schedules(expected["schedules"]), parse_schedules(restored["schedules"])
    assert set(restored) == set(expected)
    for key, value in expected.items():
        assert restored[key] == (pytest.approx(value) if isinstance(value, float) else value), key
