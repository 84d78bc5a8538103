from __future__ import annotations

import pytest

from studio.config import Settings
from studio.engine.registry import ModelRegistry
from studio.errors import InvalidRequestError, UnknownModelError
from studio.jobs.validation import build_request, validate_request


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"prompt": "x", "steps": 0}, "steps must be greater than or equal to 1, got 0"),
        ({"prompt": "x", "guidance_scale": -1}, "guidance_scale must be greater than or equal to 0, got -1"),
        ({"prompt": "x", "width": "wide"}, "width must be a valid integer.*'wide'"),
        ({"prompt": "x", "seed": -5}, "seed must be greater than or equal to 0, got -5"),
        ({"prompt": "x", "fps": 0}, "fps must be greater than or equal to 1"),
        ({"prompt": "x", "colour": "red"}, "colour is not a known setting"),
        ({}, "prompt is required"),
        ({"prompt": "x", "mode": "audio"}, "mode must be 't2v', 'i2v' or 'v2v'"),
    ],
)
def test_bad_fields_are_named_with_their_values(values: dict, message: str) -> None:
    with pytest.raises(InvalidRequestError, match=message):
        build_request(**values)


@pytest.fixture
def limits() -> Settings:
    return Settings(max_frames=33, max_side_px=512, max_steps=50, max_prompt_chars=100)


@pytest.mark.parametrize(
    ("values", "error", "message"),
    [
        ({"prompt": "   "}, InvalidRequestError, "prompt is empty"),
        ({"prompt": "x" * 101}, InvalidRequestError, "prompt is 101 characters, the limit is 100"),
        ({"prompt": "x", "negative_prompt": "n" * 150}, InvalidRequestError, "negative prompt is 150 characters"),
        ({"prompt": "x", "num_frames": 41}, InvalidRequestError, "frames must be at most 33, got 41"),
        ({"prompt": "x", "width": 1024}, InvalidRequestError, "width must be at most 512 px, got 1024"),
        ({"prompt": "x", "steps": 51}, InvalidRequestError, "steps must be at most 50, got 51"),
        ({"prompt": "x", "model": "nope"}, UnknownModelError, "unknown model 'nope'"),
        ({"prompt": "x", "mode": "i2v"}, InvalidRequestError, "cannot do i2v"),
    ],
)
def test_limits_and_models_are_checked(limits: Settings, values: dict, error: type, message: str) -> None:
    request = build_request(**{"model": "wan-demo", "width": 160, "height": 96, "num_frames": 17, **values})
    with pytest.raises(error, match=message):
        validate_request(request, limits, ModelRegistry(offline=True))


def test_family_rules_round_with_visible_notes(limits: Settings) -> None:
    request = build_request(prompt="  a fox  ", model="wan-demo", width=150, height=100, num_frames=32)
    fixed, notes = validate_request(request, limits, ModelRegistry(offline=True))
    assert (fixed.width, fixed.height, fixed.num_frames, fixed.prompt) == (144, 96, 33, "a fox")
    assert len(notes) == 2 and "150x100 to 144x96" in notes[0] and "32 to 33" in notes[1]
