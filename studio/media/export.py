"""Video export: mp4 (H.264), webm (VP9), animated GIF (one palette) or a zip of PNG frames.

The settings go into the file where the container has a place for them (the
``comment`` tag of mp4 and webm, the comment extension of a GIF,
``metadata.json`` inside the zip) and always into a ``metadata.json``
sidecar next to the output. Everything is written to a ``.partial`` name and
renamed, so a crash never leaves a truncated file under the final name.

A generated sound track (``AudioTrack``) is muxed into mp4 (AAC) and webm
(Opus), cut or padded to the video's length; GIF and PNG frames carry none
(``AUDIO_CODECS`` says which formats do).
"""

from __future__ import annotations

import io
import json
import subprocess
import zipfile
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image

from studio.errors import ExportFormatError, InvalidRequestError
from studio.media.audio import AudioTrack
from studio.media.formats import DEFAULT_CRF, FILE_NAMES, ExportFormat, ExportSettings

VideoFormat = ExportFormat
_ENCODERS = {"mp4": "libx264", "webm": "libvpx-vp9"}
#: the audio encoder of each format that carries a sound track (GIF and PNG frames have none).
AUDIO_CODECS = {"mp4": "aac", "webm": "libopus"}
_AUDIO_PARAMS = {"mp4": ["-b:a", "192k"], "webm": ["-b:a", "128k", "-ar", "48000"]}  # Opus runs at 48 kHz
_GIF_PALETTE_SAMPLES = 16  # frames the shared GIF palette is built from


@lru_cache(maxsize=1)
def ffmpeg_encoders() -> frozenset[str]:
    """Video encoders the bundled ffmpeg build has (empty when ffmpeg cannot run)."""
    import imageio_ffmpeg

    try:
        listing = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-encoders"],
                                 capture_output=True, text=True, check=False, timeout=30).stdout  # fmt: skip
    except (OSError, RuntimeError, subprocess.TimeoutExpired):
        return frozenset()
    return frozenset(line.split()[1] for line in listing.splitlines() if line.startswith(" V") and len(line.split()) > 1)


def check_format(fmt: str) -> None:
    """Raise unless this build can write ``fmt``.

    Raises:
        InvalidRequestError: an unknown format name.
        ExportFormatError: a known format whose encoder this build lacks.
    """
    if fmt not in FILE_NAMES:
        raise InvalidRequestError(f"unknown video format {fmt!r}; use {', '.join(FILE_NAMES)}")
    encoder = _ENCODERS.get(fmt)
    if encoder is not None and encoder not in ffmpeg_encoders():
        raise ExportFormatError(f"this build cannot write {fmt}: its ffmpeg has no {encoder} encoder; choose another format")


def export_video(frames: np.ndarray, path: Path, fps: int, metadata: dict, fmt: VideoFormat = "mp4",
                 settings: ExportSettings | None = None, audio: AudioTrack | None = None) -> Path:  # fmt: skip
    """Write ``frames`` (uint8, frames x height x width x 3) to ``path`` and return it.

    ``settings`` (format, CRF, preset) wins over ``fmt`` when given. ``audio`` is
    muxed where the format has a sound track (``AUDIO_CODECS``), fitted to
    ``len(frames) / fps`` seconds; elsewhere it is left out.

    Raises:
        InvalidRequestError: empty or malformed frames, a non-positive fps, or an unknown format.
        ExportFormatError: this build cannot write the format.
    """
    settings = settings or ExportSettings.model_construct(format=fmt, crf=None, preset="medium")
    if frames.ndim != 4 or frames.shape[-1] != 3 or frames.shape[0] == 0 or frames.dtype != np.uint8:
        raise InvalidRequestError(f"frames must be uint8 (frames, height, width, 3), got {frames.dtype} {frames.shape}")
    if fps <= 0:
        raise InvalidRequestError(f"fps must be positive, got {fps}")
    check_format(settings.format)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.stem + ".partial" + path.suffix)
    comment = json.dumps(metadata, separators=(",", ":"), default=str)
    try:
        if settings.format == "gif":
            _write_gif(frames, tmp, fps, comment)
        elif settings.format == "png_zip":
            _write_png_zip(frames, tmp, fps, metadata)
        else:
            track = audio.fitted(len(frames) / fps) if audio is not None else None
            _write_ffmpeg(frames, tmp, fps, comment, settings, track)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    tmp.replace(path)
    return path


def audio_facts(audio: AudioTrack | None, fmt: str) -> dict | None:
    """What the metadata says of a generated sound track: its shape, and whether (and how) the file carries it."""
    if audio is None:
        return None
    facts: dict = {"generated": True, "sample_rate_hz": audio.sample_rate, "channels": audio.channels,
                   "duration_s": round(audio.duration_s, 3), "in_file": fmt in AUDIO_CODECS, "codec": AUDIO_CODECS.get(fmt)}  # fmt: skip
    if fmt not in AUDIO_CODECS:
        facts["note"] = f"{fmt} has no sound track: the generated audio is not in this file (export mp4 or webm)"
    return facts


def _write_ffmpeg(frames: np.ndarray, path: Path, fps: int, comment: str, settings: ExportSettings,
                  audio: AudioTrack | None) -> None:  # fmt: skip
    """Frames piped to ffmpeg one by one (exactly ``len(frames)`` frames; no clip-duration rounding); a sound
    track is muxed in a second pass that copies the video stream."""
    import imageio_ffmpeg

    # Encoders need even sides for 4:2:0 chroma; pad by one edge pixel rather than crop content.
    pad_h, pad_w = frames.shape[1] % 2, frames.shape[2] % 2
    if pad_h or pad_w:
        frames = np.pad(frames, ((0, 0), (0, pad_h), (0, pad_w), (0, 0)), mode="edge")
    crf = settings.crf if settings.crf is not None else DEFAULT_CRF[settings.format]
    if settings.format == "mp4" and crf > 51:
        raise InvalidRequestError(f"H.264 CRF must be 0-51, got {crf}")
    params = ["-crf", str(crf), "-metadata", f"comment={comment}", "-metadata", "title=studio generation"]
    if settings.format == "mp4":
        params += ["-preset", settings.preset, "-movflags", "+faststart"]
    else:
        params += ["-b:v", "0"]  # VP9 constant quality: CRF alone, no bitrate cap
    video = path if audio is None else path.with_name(path.stem + ".video" + path.suffix)
    writer = imageio_ffmpeg.write_frames(
        str(video), (frames.shape[2], frames.shape[1]), fps=fps, codec=_ENCODERS[settings.format], quality=None,
        pix_fmt_out="yuv420p", macro_block_size=1, output_params=params, ffmpeg_log_level="error",
    )  # fmt: skip
    writer.send(None)  # start ffmpeg
    try:
        for frame in frames:
            writer.send(np.ascontiguousarray(frame))
    finally:
        writer.close()
    if audio is not None:
        try:
            _mux_audio(video, audio, path, settings.format)
        finally:
            video.unlink(missing_ok=True)


def _mux_audio(video: Path, audio: AudioTrack, path: Path, fmt: str) -> None:
    """``video``'s stream (copied) and ``audio`` encoded with the format's codec, into ``path``.

    The WAV input is named as such: ffmpeg's format probe can take PCM that
    repeats a pattern (near-silence, a constant tone) for an MPEG-TS stream.

    Raises:
        ExportFormatError: ffmpeg failed (its message included).
    """
    import imageio_ffmpeg

    wav = audio.write_wav(path.with_name(path.stem + ".audio.wav"))
    extra = ["-movflags", "+faststart"] if fmt == "mp4" else []
    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-v", "error", "-i", str(video), "-f", "wav", "-i", str(wav),
               "-map", "0:v:0", "-map", "1:a:0", "-c:v", "copy", "-c:a", AUDIO_CODECS[fmt], *_AUDIO_PARAMS[fmt],
               *extra, str(path)]  # fmt: skip
    try:
        result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=600)
    finally:
        wav.unlink(missing_ok=True)
    if result.returncode != 0:
        raise ExportFormatError(f"muxing the sound track into {fmt} failed: {result.stderr.strip()[-300:]}")


def _write_gif(frames: np.ndarray, path: Path, fps: int, comment: str) -> None:
    """One adaptive palette for the whole clip (from frames spread over it), so colours do not shimmer between frames."""
    picks = np.linspace(0, len(frames) - 1, min(len(frames), _GIF_PALETTE_SAMPLES)).round().astype(int)
    montage = Image.fromarray(np.concatenate([frames[i] for i in picks], axis=0))
    palette = montage.quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    images = [Image.fromarray(f).quantize(palette=palette, dither=Image.Dither.FLOYDSTEINBERG) for f in frames]
    # GIF delays are in hundredths of a second: fps that do not divide 100 play slightly off (stated in metadata)
    images[0].save(path, format="GIF", save_all=True, append_images=images[1:], duration=round(1000 / fps),
                   loop=0, comment=comment.encode(), optimize=False, disposal=1)  # fmt: skip


def _write_png_zip(frames: np.ndarray, path: Path, fps: int, metadata: dict) -> None:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:  # PNG is compressed already
        for index, frame in enumerate(frames):
            buffer = io.BytesIO()
            Image.fromarray(frame).save(buffer, format="PNG", compress_level=6)
            archive.writestr(f"frame{index:05d}.png", buffer.getvalue())
        archive.writestr("metadata.json", json.dumps({**metadata, "fps": fps}, indent=2, default=str))


def write_metadata(path: Path, metadata: dict) -> Path:
    """Write the JSON sidecar atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.partial")
    tmp.write_text(json.dumps(metadata, indent=2, default=str))
    tmp.replace(path)
    return path


def read_embedded_metadata(path: Path) -> dict:
    """Read back the JSON settings embedded in an export ({} when absent)."""
    path = Path(path)
    if path.suffix.lower() == ".zip":
        with zipfile.ZipFile(path) as archive:
            return json.loads(archive.read("metadata.json"))
    if path.suffix.lower() == ".gif":
        with Image.open(path) as image:
            comment = image.info.get("comment", b"")
        return json.loads(comment) if comment else {}
    import imageio_ffmpeg

    result = subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(path), "-f", "ffmetadata", "-"],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    for line in result.stdout.splitlines():
        if line.lower().startswith("comment="):  # Matroska (webm) writes the tag in capitals
            value = line[len("comment=") :].replace("\\=", "=").replace("\\;", ";").replace("\\#", "#").replace("\\\\", "\\")
            return json.loads(value)
    return {}


def probe_audio(path: Path | str) -> tuple[str, int, int, float] | None:
    """(codec, sample rate in Hz, channels, duration in seconds) of a file's first audio stream; None without one.

    Read with ffmpeg itself (imageio-ffmpeg ships no ffprobe): the stream line of
    its input description, and the duration of the decoded stream.
    """
    import re

    import imageio_ffmpeg

    result = subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(path), "-map", "0:a:0", "-f", "null", "-"],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    stream = re.search(r"Stream #0:\d+.*?: Audio: (\w+).*?, (\d+) Hz, (mono|stereo|(\d+) channels)", result.stderr)
    times = re.findall(r"time=(\d+):(\d+):(\d+\.\d+)", result.stderr)
    if stream is None or not times:
        return None
    channels = {"mono": 1, "stereo": 2}.get(stream.group(3)) or int(stream.group(4))
    hours, minutes, seconds = times[-1]
    return stream.group(1), int(stream.group(2)), channels, int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def probe_video(path: Path | str) -> tuple[int, int, int]:
    """(frames, width, height) of a video file; frames are counted by decoding every one."""
    import imageio_ffmpeg

    reader = imageio_ffmpeg.read_frames(str(path))
    meta = reader.__next__()
    reader.close()
    width, height = meta["size"]
    frames, _seconds = imageio_ffmpeg.count_frames_and_secs(str(path))
    return frames, width, height
