"""Cost of a generated sound track in the export: the same clip written with and without one, per format.

A clip shaped like LTX-2's (768 x 512 at 24 fps) with a stereo 24 kHz track
of the same length (the vocoder's rate) is exported as mp4 (H.264 + AAC) and
webm (VP9 + Opus) through ``studio.media.export.export_video``; runs alternate
(without, with) after a warm-up and the median wall time of each is compared.
The track is muxed in a second ffmpeg pass that copies the video stream, so
its cost should not grow with the video's encode time.

Usage: python benchmarks/audio_export.py [--runs 3] [--frames 49] [--formats mp4 webm]
Last line: {"audio_overhead_s": {...}, "audio_overhead_ratio": {...}, ...}
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from studio.media.audio import AudioTrack  # noqa: E402
from studio.media.export import export_video, probe_audio  # noqa: E402
from studio.media.formats import ExportSettings  # noqa: E402

WIDTH, HEIGHT, FPS, RATE = 768, 512, 24, 24000


def _clip(frames: int) -> tuple[np.ndarray, AudioTrack]:
    """A moving gradient (compressible like real footage, unlike noise) and a two-tone stereo track."""
    y, x = np.mgrid[0:HEIGHT, 0:WIDTH]
    video = np.stack([np.stack([(x + 8 * i) % 256, (y + 4 * i) % 256, np.full_like(x, 128)], -1) for i in range(frames)])
    t = np.arange(round(frames / FPS * RATE)) / RATE
    tone = np.stack([np.sin(2 * np.pi * 220 * t), np.sin(2 * np.pi * 330 * t)], 1).astype(np.float32) * 0.5
    return video.astype(np.uint8), AudioTrack(tone, RATE)


def _time(frames: np.ndarray, path: Path, fmt: str, audio: AudioTrack | None) -> float:
    started = time.perf_counter()
    export_video(frames, path, FPS, {"bench": True}, settings=ExportSettings(format=fmt, preset="veryfast"), audio=audio)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--frames", type=int, default=49)
    parser.add_argument("--formats", nargs="+", default=["mp4", "webm"])
    args = parser.parse_args()
    frames, track = _clip(args.frames)
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="audio-bench-") as folder:
        for fmt in args.formats:
            path = Path(folder) / f"clip.{fmt}"
            _time(frames, path, fmt, track)  # warm-up (ffmpeg start, page cache)
            found = probe_audio(path)
            assert found is not None and abs(found[3] - args.frames / FPS) < 0.05, found
            plain, sound = [], []
            for _ in range(args.runs):
                plain.append(_time(frames, path, fmt, None))
                sound.append(_time(frames, path, fmt, track))
            results[fmt] = {"without_s": statistics.median(plain), "with_s": statistics.median(sound)}
    print(f"{args.frames} frames {WIDTH}x{HEIGHT} at {FPS} fps, stereo {RATE} Hz track; median of {args.runs} runs")
    print(f"{'format':<8}{'no audio (s)':>14}{'with audio (s)':>16}{'overhead (s)':>14}{'ratio':>8}")
    for fmt, row in results.items():
        extra = row["with_s"] - row["without_s"]
        print(f"{fmt:<8}{row['without_s']:>14.2f}{row['with_s']:>16.2f}{extra:>14.2f}{row['with_s'] / row['without_s']:>8.2f}")
    print(json.dumps({
        "frames": args.frames, "width": WIDTH, "height": HEIGHT, "fps": FPS,
        "audio_overhead_s": {f: round(r["with_s"] - r["without_s"], 3) for f, r in results.items()},
        "audio_overhead_ratio": {f: round(r["with_s"] / r["without_s"], 3) for f, r in results.items()},
        "export_s": {f: {k: round(v, 3) for k, v in r.items()} for f, r in results.items()},
    }))  # fmt: skip


if __name__ == "__main__":
    main()
