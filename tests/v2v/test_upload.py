"""Uploading a source clip as a stored file: sniffed by content, decoded whole, owned by its uploader."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from studio.config import Settings
from studio.errors import FileNotFoundInStudioError, FileTooLargeError, InvalidMediaError
from studio.jobs.files import FileStore
from studio.jobs.owners import Viewer
from studio.jobs.store import JobStore
from tests.v2v.clips import clip_frames, write_clip


@pytest.fixture
def files(tmp_path: Path) -> FileStore:
    settings = Settings(data_dir=tmp_path / "data", max_upload_mb=0.01, max_video_upload_mb=0.2, max_video_frames=30)
    return FileStore(settings, JobStore(":memory:"))


def _clip(tmp_path: Path, suffix: str = ".mp4", count: int = 9) -> bytes:
    return write_clip(tmp_path / f"up{suffix}", clip_frames(count)).read_bytes()


@pytest.mark.parametrize("suffix, content_type", [(".mp4", "video/mp4"), (".webm", "video/webm"), (".mov", "video/quicktime"),
                                                  (".gif", "image/gif")])  # fmt: skip
def test_a_clip_is_stored_with_what_decoding_found(files: FileStore, tmp_path: Path, suffix: str, content_type: str) -> None:
    content = _clip(tmp_path, suffix)
    stored = files.save(content, "holiday" + suffix, "api:alice")
    assert (stored.kind, stored.content_type, stored.width, stored.height, stored.num_frames) == ("video", content_type, 64, 48, 9)
    assert stored.duration_s == pytest.approx(9 / 8, rel=0.05) and stored.handle.startswith("file_")
    path = Path(files.path_of(stored.handle, Viewer("api:alice"), "video"))
    assert path.parent == tmp_path / "data" / "uploads" and path.read_bytes() == content
    assert not [p for p in path.parent.iterdir() if "partial" in p.name]


def test_images_still_upload_as_images_and_a_still_gif_is_one(files: FileStore) -> None:
    buffer = io.BytesIO()
    Image.fromarray(np.zeros((20, 20, 3), np.uint8)).save(buffer, format="GIF")
    stored = files.save(buffer.getvalue(), "still.gif", "local")
    assert stored.kind == "image" and stored.num_frames is None


def test_a_text_file_named_mp4_is_refused_naming_what_it_is(files: FileStore) -> None:
    with pytest.raises(InvalidMediaError, match=r"'notes.mp4' is neither an image nor a video clip .*looks like text"):
        files.save(b"meeting notes: buy milk\n" * 10, "notes.mp4", "local")
    with pytest.raises(InvalidMediaError, match="looks like a PDF document"):
        files.save(b"%PDF-1.7\n" + b"\x00\x01" * 50, "paper.webm", "local")


def test_a_truncated_mp4_is_refused(files: FileStore, tmp_path: Path) -> None:
    whole = _clip(tmp_path)
    with pytest.raises(InvalidMediaError, match="'cut.mp4' does not decode as a video"):
        files.save(whole[: len(whole) * 2 // 3], "cut.mp4", "local")
    assert not list((tmp_path / "data" / "uploads").iterdir())  # nothing kept of it


def test_size_and_frame_limits(files: FileStore, tmp_path: Path) -> None:
    assert files.max_bytes_for(_clip(tmp_path)[:64]) == int(0.2 * 1024 * 1024)  # clips have their own limit
    assert files.max_bytes_for(b"\x89PNG\r\n\x1a\n") == int(0.01 * 1024 * 1024)
    big = _clip(tmp_path)[:64] + b"\0" * 300_000
    with pytest.raises(FileTooLargeError, match="'big.mp4' is 300064 bytes, larger than the upload limit of 209715 bytes"):
        files.save(big, "big.mp4", "local")
    with pytest.raises(InvalidMediaError, match="'long.mp4' has more than 30 frames"):
        files.save(_clip(tmp_path, count=40), "long.mp4", "local")


def test_owners_cannot_use_each_others_clips_and_paths_are_no_handles(files: FileStore, tmp_path: Path) -> None:
    stored = files.save(_clip(tmp_path), "mine.mp4", "api:alice")
    with pytest.raises(FileNotFoundInStudioError, match="video: no uploaded file with handle"):
        files.path_of(stored.handle, Viewer("api:bob"), "video")
    path = files.path_of(stored.handle, Viewer("api:alice"), "video")
    with pytest.raises(FileNotFoundInStudioError, match="video: no uploaded file with handle"):
        files.path_of(path, Viewer("api:alice"), "video")  # a server path is never a handle
