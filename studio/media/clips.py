"""Source clips for video to video: recognising them by content, checking them, and fitting them to a request.

A clip is recognised by its first bytes, never by its name: an ISO media file
(``ftyp`` box: mp4, mov), an EBML file (webm, mkv) or a GIF. It must decode
with ffmpeg (imageio-ffmpeg) within the operator's limits: longest side,
seconds and decoded frames. For a run it is resampled in time to the
request's frames and frame rate (frames dropped or repeated, the last frame
held when the clip is shorter) and scaled to cover the request's size, then
centre-cropped, each change with a note.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from studio.config import Settings
from studio.errors import InvalidMediaError
from studio.media.fitting import fit_image

#: containers accepted as source clips.
CLIP_FORMATS = ("mp4", "mov", "webm", "mkv", "gif")
#: what other common files start with, to say what a refused upload looked like.
_LOOKALIKES = (
    (b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"BM", "a BMP image"), (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive"), (b"\x1f\x8b", "a gzip archive"), (b"\x7fELF", "an executable (ELF)"),
    (b"OggS", "an Ogg file"), (b"ID3", "an MP3 audio file"), (b"fLaC", "a FLAC audio file"), (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
)  # fmt: skip


@dataclass(frozen=True)
class ClipLimits:
    """The operator's limits on a source clip (``Settings.max_video_*``)."""

    max_seconds: float
    max_frames: int
    max_side_px: int


@dataclass(frozen=True)
class ClipInfo:
    """What decoding a whole clip found."""

    container: str
    width: int
    height: int
    num_frames: int
    fps: float

    @property
    def duration_s(self) -> float:
        return self.num_frames / self.fps


def sniff_clip(head: bytes) -> str | None:
    """The clip container ``head`` (a file's first bytes, 64 are enough) starts like, or None."""
    if head[4:8] == b"ftyp":
        return "mov" if head[8:12] == b"qt  " else "mp4"
    if head[:4] == b"\x1a\x45\xdf\xa3":  # EBML: the DocType element says webm or matroska
        return "webm" if b"webm" in head[:64] else "mkv"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    return None


def looks_like(head: bytes) -> str:
    """A few words on what a file starting with ``head`` seems to be (for refusals)."""
    if not head:
        return "an empty file"
    if head[:4] == b"RIFF" and len(head) >= 12:
        return {b"WEBP": "a WebP image", b"AVI ": "an AVI video (not accepted: use mp4, webm or mkv)",
                b"WAVE": "a WAV audio file"}.get(head[8:12], "a RIFF file")  # fmt: skip
    for magic, name in _LOOKALIKES:
        if head.startswith(magic):
            return name
    if head[0] == 0x47 and len(head) > 188 and head[188] == 0x47:
        return "an MPEG transport stream (not accepted: use mp4, webm or mkv)"
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        text = ""
    if text and all(c.isprintable() or c.isspace() for c in text):
        return "text"
    return f"unknown binary data (starting {head[:8].hex(' ')})"


_DECODE_ERRORS = (OSError, RuntimeError, StopIteration, KeyError, ValueError)


def _undecodable(label: str, exc: BaseException) -> InvalidMediaError:
    reason = str(exc).strip().splitlines()[-1][:160] if str(exc).strip() else type(exc).__name__
    return InvalidMediaError(f"{label} does not decode as a video (truncated or damaged?): {reason}")


def _open(path: Path, label: str) -> tuple[dict, Generator[np.ndarray, None, None]]:
    """ffmpeg's metadata of ``path`` and a generator of its RGB frames (closing it stops ffmpeg).

    Raises:
        InvalidMediaError: ffmpeg cannot open it (truncated, not a video); the generator raises it for a
            frame that does not decode.
    """
    import imageio_ffmpeg

    try:
        reader = imageio_ffmpeg.read_frames(str(path), pix_fmt="rgb24")
        meta = next(reader)
        width, height = meta["size"]
    except _DECODE_ERRORS as exc:
        raise _undecodable(label, exc) from None

    def frames() -> Generator[np.ndarray, None, None]:
        try:
            for raw in reader:
                yield np.frombuffer(raw, dtype=np.uint8).reshape(height, width, 3)
        except _DECODE_ERRORS as exc:
            raise _undecodable(label, exc) from None
        finally:
            reader.close()

    return meta, frames()


def probe_clip(path: Path | str, limits: ClipLimits, label: str | None = None) -> ClipInfo:
    """Decode all of ``path`` once, checking it is a whole clip within ``limits``.

    Raises:
        InvalidMediaError: not a clip container (naming what it looks like), does not decode, no frames,
            fewer frames than its header declares (truncated), or over a limit (naming the value and the limit).
    """
    path = Path(path)
    label = label or f"'{path.name}'"
    with path.open("rb") as handle:
        head = handle.read(256)
    container = sniff_clip(head)
    if container is None:
        raise InvalidMediaError(f"{label} is not a video clip ({', '.join(CLIP_FORMATS)}): it looks like {looks_like(head)}")
    meta, frames = _open(path, label)
    width, height = meta["size"]
    fps, declared_s = float(meta.get("fps") or 0.0), float(meta.get("duration") or 0.0)
    if max(width, height) > limits.max_side_px:
        raise InvalidMediaError(f"{label} is {width}x{height}; the longest side allowed is {limits.max_side_px} px")
    if declared_s > limits.max_seconds:
        raise InvalidMediaError(f"{label} lasts {declared_s:.1f} s; the limit is {limits.max_seconds:g} s")
    count = 0
    for _frame in frames:
        count += 1
        if count > limits.max_frames:
            frames.close()
            raise InvalidMediaError(f"{label} has more than {limits.max_frames} frames (the limit)")
    if count == 0 or fps <= 0:
        raise InvalidMediaError(f"{label} has no video frames")
    expected = declared_s * fps
    if container != "gif" and expected and count < 0.9 * expected - 1:
        raise InvalidMediaError(f"{label} is truncated: its header declares {declared_s:.2f} s (about {expected:.0f} "
                                f"frames) but only {count} frames decode")  # fmt: skip
    if count / fps > limits.max_seconds:
        raise InvalidMediaError(f"{label} lasts {count / fps:.1f} s; the limit is {limits.max_seconds:g} s")
    return ClipInfo(container=container, width=width, height=height, num_frames=count, fps=fps)


def source_indices(num_frames: int, fps: int, source_fps: float) -> list[int]:
    """The source frame shown at each of ``num_frames`` output frames at ``fps`` (nearest in time)."""
    return [int(i * source_fps / fps + 0.5) for i in range(num_frames)]


def load_clip(path: Path | str, num_frames: int, fps: int, width: int, height: int,
              limits: ClipLimits) -> tuple[np.ndarray, list[str]]:  # fmt: skip
    """The clip as uint8 (num_frames, height, width, 3): resampled in time to ``fps``, fitted to the size.

    Only the frames used are kept in memory (decoding stops after the last one).

    Returns:
        (frames, notes): one note per change (frame rate, length, size).
    Raises:
        InvalidMediaError: see ``probe_clip`` (the same limits apply; the file may have changed since upload).
    """
    path = Path(path)
    label = f"source clip '{path.name}'"
    with path.open("rb") as handle:
        head = handle.read(256)
    if sniff_clip(head) is None:
        raise InvalidMediaError(f"{label} is not a video clip ({', '.join(CLIP_FORMATS)}): it looks like {looks_like(head)}")
    meta, frames = _open(path, label)
    source_w, source_h = meta["size"]
    if max(source_w, source_h) > limits.max_side_px:
        raise InvalidMediaError(f"{label} is {source_w}x{source_h}; the longest side allowed is {limits.max_side_px} px")
    source_fps = float(meta.get("fps") or 0.0) or float(fps)
    wanted = source_indices(num_frames, fps, source_fps)
    used = set(wanted)
    kept: dict[int, np.ndarray] = {}
    fit_notes: list[str] = []
    for index, frame in enumerate(frames):
        if index >= limits.max_frames:
            frames.close()
            raise InvalidMediaError(f"{label} has more than {limits.max_frames} frames (the limit)")
        if index in used:
            fitted, notes = fit_image(np.ascontiguousarray(frame), width, height)
            kept[index], fit_notes = fitted, fit_notes or notes
        if index >= wanted[-1]:
            frames.close()
            break
    if not kept:
        raise InvalidMediaError(f"{label} has no video frames")
    last = max(kept)
    out = np.stack([kept[min(i, last)] for i in wanted])
    notes = [f"source clip {' '.join(fit_notes).removeprefix('image ')}"] if fit_notes else []
    notes += _timing_notes(num_frames, fps, source_fps, wanted, last, float(meta.get("duration") or 0.0))
    return out, notes


def _timing_notes(num_frames: int, fps: int, source_fps: float, wanted: list[int], last: int,
                  declared_s: float) -> list[str]:  # fmt: skip
    notes = []
    if abs(source_fps - fps) > 1e-3:
        how = "frames dropped" if source_fps > fps else "frames repeated"
        notes.append(f"source clip resampled from {source_fps:g} fps to {fps} fps ({how})")
    held = sum(1 for i in wanted if i > last)
    if held:
        notes.append(f"the source clip ({last + 1} frames, {(last + 1) / source_fps:.2f} s) is shorter than the "
                     f"{num_frames / fps:.2f} s asked: its last frame is held for the last {held} frames")  # fmt: skip
    elif declared_s * source_fps > wanted[-1] + 1.5:
        notes.append(f"the first {num_frames / fps:.2f} s of the {declared_s:.2f} s source clip are used")
    return notes


def clip_limits(settings: Settings) -> ClipLimits:
    """The operator's source clip limits."""
    return ClipLimits(settings.max_video_seconds, settings.max_video_frames, settings.max_video_side_px)
