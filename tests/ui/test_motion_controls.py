from __future__ import annotations

import numpy as np
import pytest

from studio.errors import InvalidRequestError
from studio.ui.motion_controls import arrows_from_rows, draw_arrows, motion_from_widgets, parse_schedules


def test_schedules_parse_per_line_or_semicolon() -> None:
    assert parse_schedules("pan_deg: 0:(0), 24:(15)\n\nzoom: 0:(1), 24:(2)") == {"pan_deg": "0:(0), 24:(15)", "zoom": "0:(1), 24:(2)"}
    assert parse_schedules("tilt_deg: 0:(0), 8:(5); roll_deg: 0:(0)") == {"tilt_deg": "0:(0), 8:(5)", "roll_deg": "0:(0)"}
    assert parse_schedules(None) == {}


@pytest.mark.parametrize("text", ["pan_deg", "pan_deg:   ", "just words"])
def test_bad_schedule_lines_are_named(text: str) -> None:
    with pytest.raises(InvalidRequestError, match="schedule line 1"):
        parse_schedules(text)


def test_widgets_make_a_motion_spec() -> None:
    spec = motion_from_widgets(["pan_left", "zoom_in"], 0.5, "ease_in", "pan_deg: 0:(0), 16:(10)",
                               [[0.1, 0.2, 0.5, 0.6, None, None, None], [None, None, None, None, None, None, None]])  # fmt: skip
    assert spec.camera.presets == ["pan_left", "zoom_in"] and spec.camera.strength == 0.5
    assert spec.camera.schedules == {"pan_deg": "0:(0), 16:(10)"}
    assert len(spec.trajectories) == 1 and spec.trajectories[0].points == [(0.1, 0.2), (0.5, 0.6)]
    assert spec.trajectories[0].radius == 0.15 and spec.trajectories[0].end_frame is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"presets": ["spin_around"]}, "camera: presets.0 must be"),
        ({"schedules": "warp_deg: 0:(0)"}, "camera: schedules"),
        ({"strength": -1}, "camera: strength must be greater than or equal to 0"),
        ({"easing": "bouncy"}, "camera: easing"),
        ({"arrows": [[0.1, 0.1, "far", 0.2]]}, "arrow 1: every cell must be a number"),
        ({"arrows": [[0.1, 0.1, 0.5, None]]}, "arrow 1: x0, y0, x1 and y1 are all needed"),
        ({"arrows": [[0.1, 0.1, 0.5, 0.5, -0.2]]}, "arrow 1: radius must be greater than 0"),
    ],
)
def test_bad_widget_values_are_named(kwargs: dict, message: str) -> None:
    values = {"presets": [], "strength": 1.0, "easing": "linear", "schedules": "", "arrows": []}
    values.update(kwargs)
    with pytest.raises(InvalidRequestError, match=message):
        motion_from_widgets(**values)


def test_arrows_are_drawn_on_a_copy() -> None:
    image = np.zeros((50, 80, 3), np.uint8)
    drawn = draw_arrows(image, [[0.1, 0.5, 0.9, 0.5]], pending=(0.5, 0.2))
    assert image.sum() == 0 and drawn[25, 40].sum() > 0 and drawn[10, 40].sum() > 0
    assert draw_arrows(image, [["bad", 1, 2, 3]], None).sum() == 0
    assert arrows_from_rows(None) == []
