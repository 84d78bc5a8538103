"""Deforum-style schedules: parsing, positions in errors, interpolation and easing."""

from __future__ import annotations

import numpy as np
import pytest

from studio.errors import InvalidRequestError
from studio.motion.easing import clip_progress, ease
from studio.motion.schedule import parse_schedule


def test_parse_keys_and_interpolate_linearly() -> None:
    schedule = parse_schedule("0:(0), 24:(15), 48:(0)", "pan_deg")
    assert schedule.frames == (0, 24, 48) and schedule.values == (0.0, 15.0, 0.0)
    values = schedule.evaluate(49)
    assert values.shape == (49,)
    np.testing.assert_allclose(values[[0, 6, 12, 24, 36, 48]], [0.0, 3.75, 7.5, 15.0, 7.5, 0.0])


def test_values_hold_before_the_first_and_after_the_last_key() -> None:
    values = parse_schedule(" 10:(2) ,20:(-4.5e0), ", "tz").evaluate(30)
    np.testing.assert_allclose(values[:11], 2.0)
    np.testing.assert_allclose(values[20:], -4.5)
    assert values[15] == pytest.approx(-1.25)


def test_single_key_is_a_constant() -> None:
    np.testing.assert_allclose(parse_schedule("0:(1.25)", "zoom").evaluate(5), 1.25)


def test_easing_between_keys() -> None:
    schedule = parse_schedule("0:(0), 10:(10)", "pan_deg")
    eased = schedule.evaluate(11, "ease_in_out")
    assert eased[0] == 0 and eased[10] == 10 and eased[5] == pytest.approx(5.0)
    assert eased[2] < 2.0 and eased[8] > 8.0  # slow at both ends
    assert schedule.evaluate(11, "ease_in")[5] == pytest.approx(2.5)
    assert schedule.evaluate(11, "ease_out")[5] == pytest.approx(7.5)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0:(0), 24(15)", "schedule 'pan_deg': expected ':' at position 9 in '0:(0), 24(15)'"),
        ("0:(0) 24:(15)", "expected ',' at position 6"),
        ("0:(x)", "expected a number at position 3"),
        ("0:0", "expected '(' at position 2"),
        ("0:(1", "expected ')' at position 4 in '0:(1' (found end of text)"),
        ("a:(1)", "expected a frame number at position 0"),
        ("-1:(1)", "expected a frame number at position 0"),
        ("", "expected a key like '0:(0)' at position 0"),
        ("10:(1), 5:(2)", "frame 5 does not come after frame 10 at position 8"),
        ("0:(1), 0:(2)", "frame 0 does not come after frame 0 at position 7"),
        ("0:(0), 5:(100)", "value 100 at frame 5 is outside [-85, 85] at position 10"),
    ],
)
def test_syntax_errors_name_the_position(text: str, message: str) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        parse_schedule(text, "pan_deg", -85, 85)
    assert message in str(caught.value)


def test_key_beyond_the_clip_is_an_error() -> None:
    schedule = parse_schedule("0:(0), 60:(5)", "pan_deg")
    with pytest.raises(InvalidRequestError, match="key frame 60 is beyond the last frame 47 of a 48-frame clip"):
        schedule.evaluate(48)


def test_overlong_schedule_is_refused() -> None:
    with pytest.raises(InvalidRequestError, match="characters long"):
        parse_schedule("0:(0)," * 5000, "pan_deg")


def test_easing_curves_fix_the_ends_and_are_monotone() -> None:
    p = np.linspace(0, 1, 101)
    for name in ("linear", "ease_in", "ease_out", "ease_in_out"):
        curve = ease(p, name)
        assert curve[0] == 0 and curve[-1] == 1 and (np.diff(curve) >= 0).all()
    np.testing.assert_allclose(clip_progress(5), [0, 0.25, 0.5, 0.75, 1])
    assert clip_progress(1).tolist() == [0.0]
    with pytest.raises(InvalidRequestError, match="unknown easing 'bouncy'"):
        ease(p, "bouncy")
