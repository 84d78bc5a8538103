"""Watermark: payload coding, robustness table (H.264 CRF 28, half size, 10% crop), PSNR, no false positives."""

from __future__ import annotations

import numpy as np
import pytest

from studio.provenance.robustness import crop_borders, measure, psnr_db, resize_half, scene_clip
from studio.provenance.watermark import _chase_decode, detect, embed, payload_bits

PAYLOAD = 0x5A17C0DE


@pytest.fixture(scope="module")
def table():
    """Three 480x832 four-frame clips (textured, textured, flat), each transformation applied to the marked clip."""
    clips = [scene_clip(480, 832, 4, seed, flat=seed == 2) for seed in range(3)]
    return measure(clips, PAYLOAD)


@pytest.mark.parametrize("transform", ["none", "h264", "resize", "crop"])
def test_detection_rate_per_frame_after_each_transformation(table, transform: str) -> None:
    assert table.detection[transform] >= 0.9, table


def test_image_cost_and_no_false_positives(table) -> None:
    assert 38.0 <= table.psnr_db <= 40.0
    assert table.false_positives == 0 and table.frames == 12


def test_crop_offset_and_scale_are_recovered() -> None:
    clip = scene_clip(480, 832, 1, 7)
    marked = embed(clip, PAYLOAD)
    half = detect(resize_half(marked)[0])
    assert half.payload_id == PAYLOAD and abs(half.scale[0] - 0.5) < 0.01
    cropped = detect(crop_borders(marked)[0])
    expected = ((-48) % 128, (-83) % 128)  # 10% of 480 and 832 cut from the top and left
    assert cropped.payload_id == PAYLOAD and all(abs(a - b) <= 1 for a, b in zip(cropped.shift, expected, strict=True))


def test_another_id_is_not_read_as_this_one() -> None:
    clip = scene_clip(480, 832, 1, 3)
    assert detect(embed(clip, 0x00000001)[0]).payload_id == 0x00000001
    assert psnr_db(clip, embed(clip, 1)) < 45  # the mark is really there


def test_chase_decoding_corrects_the_weakest_bits() -> None:
    bits = payload_bits(PAYLOAD)
    soft = (2.0 * bits - 1.0) * np.linspace(1.0, 3.0, len(bits))
    soft[[0, 2, 5]] *= -0.1  # three weak bits flipped
    assert _chase_decode(soft) == PAYLOAD
    soft[20] = -soft[20]  # a strong wrong bit is beyond it: the CRC refuses rather than guess
    assert _chase_decode(soft) is None


@pytest.mark.parametrize(
    ("frames", "payload", "message"),
    [
        (np.zeros((2, 64, 64), np.uint8), 1, "frames must be uint8"),
        (np.zeros((2, 64, 64, 3), np.float32), 1, "frames must be uint8"),
        (np.zeros((2, 64, 64, 3), np.uint8), 2**32, "must fit in 32 bits"),
    ],
)
def test_bad_inputs(frames: np.ndarray, payload: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        embed(frames, payload)


def test_tiny_frames_report_not_found_instead_of_failing() -> None:
    assert not detect(np.full((40, 30, 3), 128, np.uint8)).found
