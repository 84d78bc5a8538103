"""Every export format decodes back to the right frames, size and fps, with its settings; unwritable ones fail clearly."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from studio.errors import ExportFormatError, InvalidMediaError, InvalidRequestError
from studio.media import export as export_module
from studio.media.export import export_video, read_embedded_metadata
from studio.media.formats import ExportSettings
from studio.media.reading import read_video


def _clip(count: int = 10, height: int = 48, width: int = 64) -> np.ndarray:
    """A smooth colour gradient sliding 4 px a frame: compresses well, and a wrong frame order or size shows."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    frames = [np.stack([(x + 4 * i) * 2, y * 5, 255 - (x + 4 * i) * 2], -1) for i in range(count)]
    return np.stack(frames).astype(np.uint8)


@pytest.mark.parametrize(("fmt", "fps"), [("mp4", 16), ("webm", 12), ("gif", 10), ("gif", 25), ("png_zip", 16)])
def test_format_decodes_to_frames_size_and_fps(tmp_path: Path, fmt: str, fps: int) -> None:
    settings = ExportSettings(format=fmt, crf=20 if fmt in ("mp4", "webm") else None, preset="veryfast")  # type: ignore[arg-type]
    metadata = {"seed": 3, "export": settings.model_dump()}
    path = export_video(_clip(), tmp_path / settings.file_name, fps, metadata, settings=settings)
    decoded = read_video(path)
    assert decoded.frames.shape == (10, 48, 64, 3)
    assert decoded.fps == pytest.approx(fps, rel=0.01)
    assert read_embedded_metadata(path)["export"] == settings.model_dump()
    # the right frames in the right order: each decoded frame is nearest to its own source frame
    # (compared in 8x8 blocks, where GIF dithering averages out)
    def blocks(frames: np.ndarray) -> np.ndarray:
        return frames.reshape(10, 6, 8, 8, 8, 3).mean(axis=(2, 4))

    errors = np.abs(blocks(decoded.frames)[:, None] - blocks(_clip())[None]).mean(axis=(2, 3, 4))
    assert errors.argmin(axis=1).tolist() == list(range(10)) and errors.diagonal().max() < 4
    assert not list(tmp_path.glob("*.partial*"))


def test_png_zip_is_lossless(tmp_path: Path) -> None:
    path = export_video(_clip(4), tmp_path / "frames.zip", 8, {"a": 1}, settings=ExportSettings(format="png_zip"))
    assert np.array_equal(read_video(path).frames, _clip(4))
    assert read_embedded_metadata(path) == {"a": 1, "fps": 8}


def test_crf_changes_the_size(tmp_path: Path) -> None:
    noisy = np.random.default_rng(0).integers(0, 256, (6, 48, 64, 3), dtype=np.uint8)
    sizes = [export_video(noisy, tmp_path / f"c{crf}.mp4", 8, {}, settings=ExportSettings(crf=crf, preset="ultrafast")).stat().st_size
             for crf in (10, 40)]  # fmt: skip
    assert sizes[0] > 2 * sizes[1]


def test_a_format_the_build_cannot_write_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(export_module, "ffmpeg_encoders", lambda: frozenset({"libx264"}))
    with pytest.raises(ExportFormatError, match="cannot write webm: its ffmpeg has no libvpx-vp9 encoder"):
        export_video(_clip(2), tmp_path / "v.webm", 8, {}, settings=ExportSettings(format="webm"))
    assert not list(tmp_path.iterdir())
    export_video(_clip(2), tmp_path / "v.gif", 8, {}, settings=ExportSettings(format="gif"))  # needs no encoder


def test_bad_export_settings_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="format"):
        ExportSettings(format="avi")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="crf"):
        ExportSettings(crf=99)
    with pytest.raises(InvalidRequestError, match="H.264 CRF must be 0-51, got 60"):
        export_video(_clip(2), tmp_path / "v.mp4", 8, {}, settings=ExportSettings(crf=60))


def test_reading_bad_files(tmp_path: Path) -> None:
    text = tmp_path / "notes.mp4"
    text.write_text("not a video at all")
    with pytest.raises(InvalidMediaError, match="notes.mp4 is not a video"):
        read_video(text)
    with pytest.raises(InvalidMediaError, match="no such file"):
        read_video(tmp_path / "missing.mp4")
    empty = tmp_path / "empty.zip"
    import zipfile

    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("metadata.json", json.dumps({"fps": 8}))
    with pytest.raises(InvalidMediaError, match="no PNG frames"):
        read_video(empty)
