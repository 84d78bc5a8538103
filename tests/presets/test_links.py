"""Share links: any valid settings survive a round trip; garbage and tampering give clear errors."""

from __future__ import annotations

import base64
import json
import random
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from studio.errors import InvalidRequestError
from studio.motion.names import EASINGS, PRESET_NAMES
from studio.presets.links import MAX_LINK_CHARS, ShareLinkError, decode_settings, encode_settings, share_query

_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200)
_camera = st.fixed_dictionaries({
    "presets": st.lists(st.sampled_from(PRESET_NAMES), max_size=3, unique=True),
    "strength": st.floats(0.0, 5.0, allow_nan=False),
    "easing": st.sampled_from(EASINGS),
})  # fmt: skip
_arrow = st.fixed_dictionaries({
    "points": st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1)), min_size=2, max_size=4),
    "radius": st.floats(0.01, 2.0),
})  # fmt: skip
_lora = st.fixed_dictionaries({"source": st.sampled_from(["org/style", "mine.safetensors", "lightx2v-wan2.1-t2v-14b-4step"]),
                                "weight": st.floats(-4, 4)}, optional={"weight_name": st.just("lora.safetensors")})  # fmt: skip
_values = st.fixed_dictionaries(
    {},
    optional={
        "prompt": _text, "negative_prompt": _text, "model": st.sampled_from(["wan-demo", "motion-warp"]),
        "width": st.integers(16, 1280), "height": st.integers(16, 1280), "num_frames": st.integers(1, 161),
        "fps": st.integers(1, 120), "steps": st.integers(1, 200), "guidance_scale": st.floats(0, 20, allow_nan=False),
        "seed": st.integers(0, 2**63 - 1), "guide_strength": st.floats(0, 1), "warped_noise": st.booleans(),
        "control_scale": st.floats(0, 2), "mode": st.sampled_from(["t2v", "i2v"]),
        "arrow_steering": st.sampled_from(["dual_clock", "guide"]), "arrow_strength": st.floats(0, 1),
        "motion": st.fixed_dictionaries({"camera": _camera, "trajectories": st.lists(_arrow, max_size=3)}),
        "depth_is_distance": st.booleans(), "keyframe_factor": st.integers(1, 8), "review_keyframes": st.booleans(),
        "export": st.fixed_dictionaries({"format": st.sampled_from(["mp4", "webm", "gif", "png_zip"])},
                                        optional={"crf": st.integers(0, 51)}),
        "flow_shift": st.none() | st.floats(0.1, 50), "step_cache": st.sampled_from(["off", "first_block", "mag", "taylorseer"]),
        "step_cache_threshold": st.none() | st.floats(0.01, 20), "loras": st.lists(_lora, max_size=3),
    },
)  # fmt: skip


@settings(max_examples=120, deadline=None)
@given(tab=st.sampled_from(["t2v", "i2v"]), values=_values)
def test_any_valid_settings_round_trip(tab: str, values: dict) -> None:
    code = encode_settings(tab, values)  # type: ignore[arg-type]
    assert len(code) <= MAX_LINK_CHARS
    shared = decode_settings(code)
    assert shared.tab == tab
    assert set(shared.values) == set(values)
    # what comes back is exactly what was validated and sent (floats included, via JSON)
    assert decode_settings(encode_settings(tab, shared.values)).values == shared.values  # type: ignore[arg-type]
    for key in ("prompt", "steps", "seed", "width", "keyframe_factor", "review_keyframes", "step_cache", "flow_shift"):
        if key in values:
            assert shared.values[key] == values[key]
    if "export" in values:
        assert shared.values["export"]["format"] == values["export"]["format"]
    if "loras" in values:
        assert [(lora["source"], lora.get("weight_name")) for lora in shared.values["loras"]] == [
            (lora["source"], lora.get("weight_name")) for lora in values["loras"]
        ]


def _code(document: object) -> str:
    return "1." + base64.urlsafe_b64encode(zlib.compress(json.dumps(document).encode())).decode().rstrip("=")


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("", "carries no settings"),
        ("hello", "not a studio share link"),
        ("7.abcd", "version 7"),
        ("1.!!!!", "damaged"),
        ("1.eJzLSM3JyQcABiwCFQ", "damaged"),  # valid zlib of something, cut short
        ("1." + "A" * (MAX_LINK_CHARS + 1), "over the"),
        (_code([1, 2, 3]), "not studio settings"),
        (_code({"tab": "t2v", "values": {"steps": -5}}), "steps"),
        (_code({"tab": "t2v", "values": {"image": "/etc/passwd"}}), "not a shareable setting"),
        (_code({"tab": "admin", "values": {}}), "not studio settings"),
    ],
)
def test_garbage_gives_a_clear_error(code: str, message: str) -> None:
    with pytest.raises(ShareLinkError, match=message):
        decode_settings(code)


def test_truncated_and_tampered_links_are_refused() -> None:
    code = encode_settings("t2v", {"prompt": "a lighthouse at night", "steps": 12, "seed": 7})
    with pytest.raises(ShareLinkError):
        decode_settings(code[: len(code) // 2])
    # change one character of the payload: the checksum (or the JSON) breaks
    failures = 0
    for i in range(3, len(code)):
        tampered = code[:i] + ("B" if code[i] != "B" else "C") + code[i + 1 :]
        try:
            decoded = decode_settings(tampered)
        except ShareLinkError:
            failures += 1
            continue
        assert decoded.values != {"prompt": "a lighthouse at night", "steps": 12, "seed": 7} or tampered == code
    assert failures >= (len(code) - 3) * 0.9


def test_too_many_settings_for_a_link_say_so() -> None:
    noise = base64.b64encode(random.Random(0).randbytes(6000)).decode()  # incompressible
    with pytest.raises(ShareLinkError, match="save them as a preset"):
        encode_settings("t2v", {"prompt": noise})


def test_share_query() -> None:
    assert share_query("i2v", preset="slow-push-in") == "tab=i2v&preset=slow-push-in"
    query = share_query("t2v", values={"steps": 3})
    assert query.startswith("tab=t2v&s=1.")
    with pytest.raises(InvalidRequestError, match="tab must be one of"):
        share_query("x", values={})  # type: ignore[arg-type]
