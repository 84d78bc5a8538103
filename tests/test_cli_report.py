"""`studio report VIDEO`: the report of any video file, and a clear error (exit 2) for what is not one."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from studio.cli import main
from studio.media.export import export_video


def _pan(count: int) -> np.ndarray:
    x = np.arange(160, dtype=np.float32)
    rows = [128 + 60 * np.sin((x + 3 * i) / 7.0) for i in range(count)]
    return np.stack([np.broadcast_to(np.stack([r, r[::-1], np.full_like(r, 90)], -1), (96, 160, 3)) for r in rows]).astype(np.uint8)


def test_report_of_a_video_file_names_the_flickering_frame(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    frames = _pan(16)
    frames[5] = np.clip(frames[5].astype(np.int16) + 25, 0, 255).astype(np.uint8)
    video = export_video(frames, tmp_path / "clip.mp4", 12, {})
    assert main(["report", str(video)]) == 0
    out = capsys.readouterr().out
    assert "16 frames, 160x96, 12 fps" in out and "[flicker] brightness flicker at frame(s) 5" in out
    assert main(["report", "--json", str(video)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["summary"]["flickering_frames"] == [5] and len(report["series"]["warping_error"]) == 15


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.write_text("hello") and p, "notes.mp4 is not a video"),
        (lambda p: export_video(_pan(1), p, 12, {}), "at least 2 frames, got 1"),
        (lambda p: p.with_name("missing.mp4"), "no such file"),
    ],
)
def test_bad_input_is_a_clear_error_with_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture, make, message: str) -> None:
    path = make(tmp_path / "notes.mp4")
    assert main(["report", str(path)]) == 2
    assert message in capsys.readouterr().err


def test_interpolate_a_video_by_factor_and_fps(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    from studio.media.reading import read_video

    video = export_video(_pan(9), tmp_path / "clip.mp4", 8, {})
    assert main(["interpolate", str(video), "--factor", "2", "--out", str(tmp_path / "x2.mp4")]) == 0
    doubled = read_video(tmp_path / "x2.mp4")
    assert doubled.frames.shape[0] == 17 and doubled.fps == 16
    assert "8 interpolated" in capsys.readouterr().out
    assert main(["interpolate", str(video), "--fps", "24", "--out", str(tmp_path / "f.zip")]) == 0
    assert read_video(tmp_path / "f.zip").frames.shape[0] == 25


@pytest.mark.parametrize(
    ("args", "out_name", "message"),
    [
        (["--frames", "3"], "out.mp4", "target frame count 3 is below the 9 source frames"),
        (["--factor", "0"], "out.mp4", "factor must be at least 1, got 0"),
        (["--factor", "2"], "x.avi", "use a .mp4, .webm, .gif or .zip name"),
    ],
)
def test_interpolate_bad_values_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture, args: list[str], out_name: str,
                                       message: str) -> None:  # fmt: skip
    video = export_video(_pan(9), tmp_path / "clip.mp4", 8, {})
    assert main(["interpolate", str(video), *args, "--out", str(tmp_path / out_name)]) == 2
    assert message in capsys.readouterr().err
