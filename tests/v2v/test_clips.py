"""Source clips: recognised by content, checked whole, fitted to a request (``studio.media.clips``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from studio.errors import InvalidMediaError
from studio.media.clips import ClipLimits, load_clip, looks_like, probe_clip, sniff_clip, source_indices
from tests.v2v.clips import clip_frames, write_clip

LIMITS = ClipLimits(max_seconds=60.0, max_frames=1000, max_side_px=4096)


@pytest.mark.parametrize("suffix, container", [(".mp4", "mp4"), (".mov", "mov"), (".webm", "webm"), (".mkv", "mkv"),
                                               (".gif", "gif")])  # fmt: skip
def test_every_accepted_container_is_recognised_and_decodes_whole(tmp_path: Path, suffix: str, container: str) -> None:
    path = write_clip(tmp_path / f"clip{suffix}", clip_frames(9))
    assert sniff_clip(path.read_bytes()[:64]) == container
    info = probe_clip(path, LIMITS)
    assert (info.container, info.width, info.height, info.num_frames) == (container, 64, 48, 9)
    assert info.fps == pytest.approx(8.0, rel=0.05)


def test_the_name_does_not_decide(tmp_path: Path) -> None:
    text = tmp_path / "holiday.mp4"
    text.write_text("this is a shopping list, not a video\n" * 5)
    with pytest.raises(InvalidMediaError, match=r"'holiday.mp4' is not a video clip .*it looks like text"):
        probe_clip(text, LIMITS)
    renamed = write_clip(tmp_path / "real.mp4", clip_frames(5)).rename(tmp_path / "real.txt")
    assert probe_clip(renamed, LIMITS).num_frames == 5


@pytest.mark.parametrize("head, seems", [(b"\x89PNG\r\n\x1a\n" + b"\0" * 8, "a PNG image"), (b"%PDF-1.7\n", "a PDF document"),
                                         (b"RIFF\0\0\0\0AVI LIST", "an AVI video"), (b"PK\x03\x04rest", "a ZIP archive"),
                                         (b"\x00\x01\x02\xfe\xff\x80", "unknown binary data")])  # fmt: skip
def test_refusals_name_what_the_file_looks_like(head: bytes, seems: str) -> None:
    assert sniff_clip(head) is None and looks_like(head).startswith(seems)


def test_a_truncated_clip_is_refused(tmp_path: Path) -> None:
    whole = write_clip(tmp_path / "whole.mp4", clip_frames(9)).read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(InvalidMediaError, match="'cut.mp4' does not decode as a video"):
        probe_clip(cut, LIMITS)


@pytest.mark.parametrize("limits, fragment", [
    (ClipLimits(max_seconds=60.0, max_frames=8, max_side_px=4096), "more than 8 frames"),
    (ClipLimits(max_seconds=0.5, max_frames=1000, max_side_px=4096), "the limit is 0.5 s"),
    (ClipLimits(max_seconds=60.0, max_frames=1000, max_side_px=32), "64x48; the longest side allowed is 32 px"),
])  # fmt: skip
def test_limits_are_refused_naming_value_and_limit(tmp_path: Path, limits: ClipLimits, fragment: str) -> None:
    path = write_clip(tmp_path / "clip.mp4", clip_frames(9))
    with pytest.raises(InvalidMediaError, match=fragment):
        probe_clip(path, limits)
    if limits.max_seconds > 1:  # the engine reads only the frames it uses: it checks size and frames again
        with pytest.raises(InvalidMediaError, match=fragment.split(";")[0]):
            load_clip(path, 33, 16, 64, 48, limits)


def test_time_resampling_picks_the_nearest_source_frame() -> None:
    assert source_indices(5, 8, 8.0) == [0, 1, 2, 3, 4]
    assert source_indices(5, 16, 8.0) == [0, 1, 1, 2, 2]  # repeated (rounded half up)
    assert source_indices(5, 8, 24.0) == [0, 3, 6, 9, 12]  # dropped


def test_load_fits_time_and_size_with_notes(tmp_path: Path) -> None:
    frames = clip_frames(9)
    path = write_clip(tmp_path / "clip.mp4", frames)
    same, notes = load_clip(path, 9, 8, 64, 48, LIMITS)
    assert same.shape == (9, 48, 64, 3) and notes == []
    assert np.abs(same.astype(float) - frames).mean() < 3  # the codec's loss only
    # 17 frames at 16 fps from 9 at 8 fps: each frame twice; a 160x96 request: scaled to cover, then cropped
    fitted, notes = load_clip(path, 17, 16, 160, 96, LIMITS)
    assert fitted.shape == (17, 96, 160, 3)
    assert np.array_equal(fitted[1], fitted[2]) and not np.array_equal(fitted[0], fitted[2])
    assert "source clip 64x48 scaled to 160x120 and centre-cropped to 160x96" in notes
    assert "source clip resampled from 8 fps to 16 fps (frames repeated)" in notes
    # a longer request than the clip: its last frame held
    held, notes = load_clip(path, 13, 8, 64, 48, LIMITS)
    assert np.array_equal(held[8], held[12]) and any("last frame is held for the last 4 frames" in n for n in notes)
    # a shorter request: the start of the clip
    _start, notes = load_clip(path, 5, 8, 64, 48, LIMITS)
    assert len(notes) == 1 and notes[0].startswith("the first 0.62 s of the 1.1")  # the container says 1.13 s


def test_a_phone_clip_with_rotation_metadata_is_read_upright(tmp_path: Path) -> None:
    import subprocess

    import imageio_ffmpeg

    flat = write_clip(tmp_path / "flat.mp4", clip_frames(9))
    upright = tmp_path / "upright.mp4"
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-loglevel", "error", "-display_rotation", "90", "-i", str(flat),
                    "-c", "copy", str(upright)], check=True)  # fmt: skip
    info = probe_clip(upright, LIMITS)
    assert (info.width, info.height) == (48, 64)  # ffmpeg applies the rotation: what a player shows
    frames, notes = load_clip(upright, 9, 8, 48, 64, LIMITS)
    assert frames.shape == (9, 64, 48, 3) and notes == []
