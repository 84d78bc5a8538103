"""Keyframe mode: the model generates every ``factor``-th frame, then the in-betweens are filled in.

The model is asked for ``(num_frames - 1) / factor + 1`` frames at
``fps / factor`` (motion arrows' frame ranges scaled to match), its progress
and previews passed through with frame numbers of the final clip. The
keyframes are saved as PNGs (lossless) beside the job, so a job can wait for
review without holding the worker and be filled in later.

The fill-in (``keyframe_fill``) is optical-flow interpolation ("flow"), or the
model itself ("model"): the whole clip generated again with the same seed,
conditioned on the keyframes at their output frames (keyframe i at frame
``i * factor``), which travel to the executor in memory beside the request.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from PIL import Image

from studio.errors import InvalidMediaError
from studio.media.audio import AudioTrack
from studio.media.interpolate import FlowInterpolator, interpolate, interpolation_times, keyframe_count
from studio.quality.summary import FrameOrigins
from studio.types import (
    GenerationRequest,
    GenerationResult,
    KeyframeConditions,
    KeyframeReview,
    Phase,
    ProgressSink,
)

KEYFRAME_FOLDER = "keyframes_generated"
#: the sound track of the generated keyframes (families that make one), kept for the fill-in after review.
_AUDIO_FILE = "audio.wav"


class _Executor(Protocol):
    def run(self, request: GenerationRequest, seed: int, sink: ProgressSink,
            keyframes: KeyframeConditions | None = None) -> GenerationResult: ...  # fmt: skip


class _KeyframeSink:
    """Passes progress through, its phases labelled, renumbering preview frames from keyframe positions to
    the final clip's (``factor`` 1: already the final clip's)."""

    def __init__(self, sink: ProgressSink, factor: int, label: str = "keyframes") -> None:
        self._sink = sink
        self._factor = factor
        self._label = label

    def phase(self, phase: Phase, message: str = "") -> None:
        self._sink.phase(phase, f"{self._label}: {message}" if message else self._label)

    def progress(self, step: int, total_steps: int) -> None:
        self._sink.progress(step, total_steps)

    def preview(self, images: Sequence[Any], frame_indices: Sequence[int], step: int) -> None:
        self._sink.preview(images, [i * self._factor for i in frame_indices], step)

    def is_canceled(self) -> bool:
        return self._sink.is_canceled()

    def running_on(self, worker: str) -> None:
        """Passed through to a sink that records where a job runs (``JobReporter``)."""
        running_on = getattr(self._sink, "running_on", None)
        if running_on is not None:
            running_on(worker)


def keyframe_request(request: GenerationRequest) -> GenerationRequest:
    """The request the model runs in keyframe mode: fewer frames at a lower rate, arrows' frames scaled."""
    factor = request.keyframe_factor
    count = keyframe_count(request.num_frames, factor)
    update: dict[str, object] = {"num_frames": count, "fps": max(1, round(request.fps / factor))}
    if request.motion is not None and request.motion.trajectories:
        arrows = [t.model_copy(update={"start_frame": t.start_frame // factor,
                                       "end_frame": None if t.end_frame is None else -(-t.end_frame // factor)})
                  for t in request.motion.trajectories]  # fmt: skip
        update["motion"] = request.motion.model_copy(update={"trajectories": arrows})
    return request.model_copy(update=update)


def generate_keyframes(executor: _Executor, request: GenerationRequest, seed: int, sink: ProgressSink) -> GenerationResult:
    """Run the model for the keyframes only."""
    return executor.run(keyframe_request(request), seed, _KeyframeSink(sink, request.keyframe_factor))


def save_keyframes(result: GenerationResult, output_dir: Path) -> KeyframeReview:
    """Write the keyframes as PNGs (replacing an earlier set) and describe them for a later fill-in."""
    folder = output_dir / KEYFRAME_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    for old in (*folder.glob("*.png"), folder / _AUDIO_FILE):
        old.unlink(missing_ok=True)
    frames: np.ndarray = result.frames  # type: ignore[assignment]
    paths = []
    for index, frame in enumerate(frames):
        path = folder / f"key{index:04d}.png"
        Image.fromarray(frame).save(path, compress_level=1)
        paths.append(str(path.relative_to(output_dir)))
    audio = str(result.audio.write_wav(folder / _AUDIO_FILE).relative_to(output_dir)) if result.audio is not None else None
    return KeyframeReview(frames=paths, seed=result.seed, model_key=result.model_key, model_source=result.model_source,
                          model_revision=result.model_revision, notes=result.notes, timings_s=result.timings_s,
                          audio=audio)  # fmt: skip


def load_keyframes(review: KeyframeReview, request: GenerationRequest, output_dir: Path) -> GenerationResult:
    """The saved keyframes back as a result (what ``generate_keyframes`` returned).

    Raises:
        InvalidMediaError: a keyframe file is missing or unreadable (the job folder was tampered with).
    """
    try:
        frames = np.stack([np.asarray(Image.open(output_dir / p).convert("RGB")) for p in review.frames])
    except (OSError, ValueError) as exc:
        raise InvalidMediaError(f"the saved keyframes cannot be read back ({exc}); regenerate them") from None
    height, width = frames.shape[1:3]
    return GenerationResult(
        frames=frames, fps=max(1, round(request.fps / request.keyframe_factor)), seed=review.seed, width=width,
        height=height, num_frames=len(frames), model_key=review.model_key, model_source=review.model_source,
        model_revision=review.model_revision, notes=list(review.notes), timings_s=dict(review.timings_s),
        audio=AudioTrack.read_wav(output_dir / review.audio) if review.audio else None,
    )  # fmt: skip


def fill_in(keyframes: GenerationResult, request: GenerationRequest, sink: ProgressSink) -> tuple[GenerationResult, FrameOrigins]:
    """Interpolate the in-betweens: the full clip at the request's fps, and which frames are which."""
    factor = request.keyframe_factor
    frames: np.ndarray = keyframes.frames  # type: ignore[assignment]
    sink.phase(Phase.INTERPOLATING, f"interpolating {factor - 1} frame(s) between each of {len(frames)} keyframes")
    interpolator = FlowInterpolator()
    started = time.perf_counter()
    filled = interpolate(frames, interpolation_times(len(frames), factor=factor), interpolator)
    timings = {**keyframes.timings_s, "interpolate_s": time.perf_counter() - started}
    origins = FrameOrigins(generated=filled.generated, interpolated=filled.interpolated, factor=factor,
                           interpolator=interpolator.name)  # fmt: skip
    result = keyframes.model_copy(update={"frames": filled.frames, "fps": request.fps, "num_frames": len(filled.frames),
                                          "timings_s": timings})  # fmt: skip
    return result, origins


def fill_in_with_model(executor: _Executor, keyframes: GenerationResult, request: GenerationRequest, seed: int,
                       sink: ProgressSink) -> tuple[GenerationResult, FrameOrigins]:  # fmt: skip
    """The whole clip from the model, conditioned on the keyframes at their output frames, and which frames are which.

    The run reports through ``sink`` like any other (phases labelled "model fill-in", previews at the
    clip's frames, cancel at every step); the executor's adapter says in the notes how it placed them.
    """
    factor = request.keyframe_factor
    frames: np.ndarray = keyframes.frames  # type: ignore[assignment]
    indices = tuple(i * factor for i in range(len(frames)))
    sink.phase(Phase.INTERPOLATING, f"model fill-in: {request.num_frames} frames conditioned on {len(frames)} keyframes")
    started = time.perf_counter()
    filled = executor.run(request, seed, _KeyframeSink(sink, 1, "model fill-in"),
                          KeyframeConditions(frames=frames, indices=indices))  # fmt: skip
    timings = {**keyframes.timings_s, **{f"fill_{k}": v for k, v in filled.timings_s.items()},
               "interpolate_s": time.perf_counter() - started}  # fmt: skip
    notes = [*keyframes.notes, *(n for n in filled.notes if n not in keyframes.notes)]
    if request.image:
        notes.append("model fill-in: the keyframes stand in for the motion guide (they already follow it)")
    kept = set(indices)
    origins = FrameOrigins(generated=list(indices), interpolated=[i for i in range(filled.num_frames) if i not in kept],
                           factor=factor, interpolator=f"model:{filled.model_key}")  # fmt: skip
    result = filled.model_copy(update={"timings_s": timings, "notes": notes,
                                       "audio": filled.audio if filled.audio is not None else keyframes.audio})  # fmt: skip
    return result, origins
