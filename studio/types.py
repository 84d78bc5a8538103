"""Typed data that crosses layers: requests, jobs, events.

Pure pydantic; imports nothing else of the studio.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from enum import Enum
from typing import Any, Literal, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

# The request embeds the motion specs: pure pydantic in a building block that imports no studio type.
from studio.media.audio import AudioTrack
from studio.media.formats import ExportSettings
from studio.motion.specs import MotionSpec
from studio.quality.summary import FrameOrigins, QualitySummary


class Mode(str, Enum):
    """What a pipeline is asked to do."""

    T2V = "t2v"
    I2V = "i2v"
    V2V = "v2v"


class JobStatus(str, Enum):
    """The closed set of job states. Terminal states never change again."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELED = "canceled"
    #: stopped by a shutdown or a crash; queued again once on the next start (not terminal).
    INTERRUPTED = "interrupted"
    #: keyframe review: the keyframes are on disk and the job waits for accept or regenerate (no worker held).
    AWAITING_REVIEW = "awaiting_review"

    @property
    def is_terminal(self) -> bool:
        return self in (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELED)


class Phase(str, Enum):
    """What a running job is doing right now."""

    QUEUED = "queued"
    LOADING = "loading"
    ENCODING = "encoding"
    DENOISING = "denoising"
    DECODING = "decoding"
    INTERPOLATING = "interpolating"
    EXPORTING = "exporting"
    DONE = "done"
    REPORTING = "reporting"
    REVIEW = "review"


class LoraSpec(BaseModel):
    """One LoRA asked for by a request: where it comes from and how strongly it applies."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: a registered LoRA key, a hub id ("org/name", with ``weight_name`` for a file in it), or a file name
    #: in the operator's LoRA folder (absolute paths only where the operator allows local LoRAs).
    source: str = Field(min_length=1, max_length=500)
    weight: float = Field(1.0, ge=-4.0, le=4.0)
    #: the file inside a hub repository that holds the weights (None = the repository's one LoRA file).
    weight_name: str | None = Field(None, max_length=300)


class GenerationRequest(BaseModel):
    """One generation, as every front end (UI, REST, CLI) submits it.

    Field constraints here are the rules that hold for every model; limits set
    by the operator are checked by the job service and rules of a model family
    (frame counts, multiples of 16, ...) by the engine's registry.
    """

    model_config = ConfigDict(extra="forbid")

    mode: Mode = Mode.T2V
    prompt: str
    negative_prompt: str = ""
    model: str = "wan-demo"
    width: int = Field(832, ge=1)
    height: int = Field(480, ge=1)
    num_frames: int = Field(33, ge=1)
    fps: int = Field(16, ge=1, le=120)
    steps: int = Field(30, ge=1)
    guidance_scale: float = Field(5.0, ge=0.0)
    seed: int | None = Field(None, ge=0, le=2**63 - 1, description="None = random; the seed used is recorded")
    # -- image to video -------------------------------------------------------------
    #: the source image (a file the studio stored: an upload under the data dir), for mode i2v.
    image: str | None = None
    #: camera path and motion arrows; the motion engine renders them into the guide video.
    motion: MotionSpec | None = None
    #: optional depth map of the image (a stored file; brighter = nearer unless ``depth_is_distance``):
    #: camera translations then move near things more than far ones instead of warping one plane.
    depth_map: str | None = None
    depth_is_distance: bool = False
    #: how much of the denoising the guide replaces (0 = the guide only steers the noise, 1 = the guide as is).
    guide_strength: float = Field(0.0, ge=0.0, le=1.0)
    #: start from noise carried along the guide's motion (families that declare ``warped_noise``).
    warped_noise: bool = True
    #: weight of the guide as a control video (families that declare ``control``, e.g. Wan VACE).
    control_scale: float = Field(1.0, ge=0.0, le=2.0)
    # -- keyframes and export ----------------------------------------------------------
    #: how the output is written (format, CRF, preset); mp4 by default.
    export: ExportSettings = Field(default_factory=ExportSettings)
    #: keyframe mode: the model generates every ``keyframe_factor``-th frame (at fps / factor) and optical-flow
    #: interpolation fills the rest; 1 = off. ``num_frames - 1`` must be a multiple of it.
    keyframe_factor: int = Field(1, ge=1, le=8)
    #: keyframe mode: stop after the keyframes and wait (``awaiting_review``) to be accepted or regenerated.
    review_keyframes: bool = False
    # -- scheduler ---------------------------------------------------------------------
    #: noise-schedule shift of flow-matching models; None = the model card's value for the resolution.
    flow_shift: float | None = Field(None, gt=0.0, le=50.0)
    # -- step cache, LoRA, end image ------------------------------------------------
    #: skip or predict transformer passes: "off", "first_block" (FirstBlockCache), "mag" (MagCache),
    #: "taylorseer" (TaylorSeer); diffusers' own hooks, applied for this job only.
    step_cache: Literal["off", "first_block", "mag", "taylorseer"] = "off"
    #: the cache's knob (None = its default); the range depends on the cache (``engine/step_cache_rules.py``).
    step_cache_threshold: float | None = None
    #: LoRAs applied for this job: a registered LoRA key, a hub id, or a file in the operator's LoRA folder.
    loras: list[LoraSpec] = Field(default_factory=list, max_length=8)
    #: image-to-video: the last frame (first-and-last-frame models, e.g. Wan 2.1 FLF2V); stored like ``image``.
    end_image: str | None = None
    # -- jobs API ---------------------------------------------------------------------
    #: an http(s) URL told of job.started / succeeded / failed / canceled (Standard Webhooks, signed).
    webhook_url: str | None = Field(None, max_length=2000)
    # -- dual-clock denoising (motion arrows) --
    #: how motion arrows steer: "dual_clock" (the regions they drag follow the guide from a lower noise level
    #: than the rest, Time-to-Move) or "guide" (the whole frame alike, by ``guide_strength``).
    arrow_steering: Literal["dual_clock", "guide"] = "dual_clock"
    #: dual clock: the share of the steps during which the dragged regions follow the guide (0..1); the rest
    #: of the frame follows it for ``guide_strength`` of them.
    arrow_strength: float = Field(0.6, ge=0.0, le=1.0)
    # -- Stable Video Diffusion conditioning (families that list them in ``inputs``) ------------
    #: how much motion to ask for (SVD's micro-conditioning: 1 = still, 255 = a lot; the card's 127).
    motion_bucket_id: int = Field(127, ge=1, le=255)
    #: noise added to the conditioning image (SVD: more = freer from the image; the card's 0.02).
    noise_aug_strength: float = Field(0.02, ge=0.0, le=1.0)
    # -- keyframe mode: model-made in-betweens --
    #: keyframe mode: how the in-betweens are made: "flow" (optical-flow interpolation) or "model" (the whole
    #: clip generated again, conditioned on the keyframes at their frames; models that declare "keyframes").
    keyframe_fill: Literal["flow", "model"] = "flow"
    # -- one video across several GPUs (context parallelism, Ray executor) --
    #: run this one generation across ``gpus`` GPUs of one node (diffusers' context parallelism, Ulysses
    #: attention): 1 = one device. Needs ``STUDIO_EXECUTOR=ray`` and a transformer with a context-parallel plan.
    gpus: int = Field(1, ge=1, le=16)
    # -- video to video (mode "v2v") ---------------------------------------------------
    #: the source clip (a file the studio stored: an upload under the data dir); it is resampled to the
    #: request's frames and frame rate and fitted to its size, and ``guide_strength`` says how much of it stays.
    video: str | None = None


class StepCacheStats(BaseModel):
    """What a step cache did in one run (stored with the job and in metadata.json)."""

    kind: str
    threshold: float
    #: transformer forward passes of the run (two per step with classifier-free guidance).
    passes: int = 0
    #: passes whose last transformer block was not computed (cached, or predicted by TaylorSeer).
    skipped_passes: int = 0
    #: MagCache only: this run measured the model's magnitude ratios instead of skipping.
    calibrating: bool = False

    @property
    def skipped_fraction(self) -> float:
        return self.skipped_passes / self.passes if self.passes else 0.0


class JobOutputs(BaseModel):
    """Files a job produced, relative to its output folder."""

    video: str | None = None
    metadata: str | None = None
    previews: list[str] = Field(default_factory=list)
    #: Final frames at the preview keyframe positions, after decoding.
    keyframes: list[str] = Field(default_factory=list)
    # -- step cache --------------------------------------------------------------------
    #: which step cache ran and what it skipped (None when the job ran without one).
    step_cache: StepCacheStats | None = None
    # -- quality report and keyframe mode ------------------------------------------------
    #: the quality report (``report.json``) and its summary with flags.
    report: str | None = None
    quality: QualitySummary | None = None
    #: keyframe mode: which output frames the model generated and which were interpolated.
    frame_origins: FrameOrigins | None = None
    #: keyframe mode: the generated keyframes kept on disk (for review, then for filling in).
    review: KeyframeReview | None = None


class KeyframeReview(BaseModel):
    """Keyframes a job generated, kept on disk with what the export needs, and whether the user accepted them."""

    #: PNG files, relative to the job folder, in order; keyframe ``i`` becomes output frame ``i * factor``.
    frames: list[str]
    seed: int
    model_key: str
    model_source: str
    model_revision: str | None = None
    notes: list[str] = Field(default_factory=list)
    timings_s: dict[str, float] = Field(default_factory=dict)
    accepted: bool = False
    # -- the generated sound track, a WAV file relative to the job folder (families that make one) --
    audio: str | None = None


class Job(BaseModel):
    """A job as stored and as shown: request, state, timings, results."""

    id: str
    status: JobStatus = JobStatus.QUEUED
    phase: Phase = Phase.QUEUED
    request: GenerationRequest
    seed: int | None = None
    step: int = 0
    total_steps: int = 0
    progress: float = 0.0
    message: str = ""
    error: str | None = None
    outputs: JobOutputs = Field(default_factory=JobOutputs)
    created_at: float = Field(default_factory=time.time)
    started_at: float | None = None
    finished_at: float | None = None
    # -- jobs API ---------------------------------------------------------------------
    #: who submitted it ("local", "session:<id>", "api:<client>"); None for jobs from before owners.
    owner: str | None = None
    #: how many times a worker started it (a job interrupted by a crash runs again once).
    attempts: int = 0
    #: frame indices of ``outputs.keyframes``, in the same order.
    keyframe_indices: list[int] = Field(default_factory=list)
    #: corrections made to the inputs and facts worth showing (rounded sizes, cropped image, ...).
    notes: list[str] = Field(default_factory=list)
    # -- scale out (Ray) ---------------------------------------------------------------
    #: the Ray worker that ran it last ("ray-1"); None for jobs run in the studio's own process.
    worker: str | None = None

    @property
    def duration_s(self) -> float | None:
        if self.started_at is None:
            return None
        end = self.finished_at if self.finished_at is not None else time.time()
        return end - self.started_at


EventKind = Literal["status", "phase", "progress", "preview", "log", "keyframes", "output", "segment"]


class JobEvent(BaseModel):
    """One thing that happened to a job; the single source for UI, SSE and webhooks."""

    job_id: str
    kind: EventKind
    status: JobStatus
    phase: Phase
    step: int = 0
    total_steps: int = 0
    progress: float = 0.0
    message: str = ""
    #: Preview image files (absolute paths), one per keyframe, for ``kind="preview"``.
    preview_paths: list[str] = Field(default_factory=list)
    #: Frame indices in the final clip that the preview keyframes stand for.
    preview_frames: list[int] = Field(default_factory=list)
    timestamp: float = Field(default_factory=time.time)
    # -- jobs API ---------------------------------------------------------------------
    #: position in the job's event sequence (1, 2, ...), set by the event bus; SSE ids come from it.
    seq: int = 0
    #: a finished file (absolute path) for ``kind="output"``: the video, before the report is done.
    output_path: str | None = None
    # -- long video: finished sections (``kind="segment"``, the section's clip in ``output_path``) --
    #: the section's number (0-based, in the order the pipeline finished them) and how many the clip has.
    segment_index: int | None = None
    segment_total: int | None = None


class GenerationResult(BaseModel):
    """What the engine hands back: frames (as a numpy array, not serialised) and facts for metadata."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    frames: object  # np.ndarray uint8 (frames, height, width, 3)
    fps: int
    seed: int
    width: int
    height: int
    num_frames: int
    model_key: str
    model_source: str
    model_revision: str | None = None
    notes: list[str] = Field(default_factory=list)
    timings_s: dict[str, float] = Field(default_factory=dict)
    # -- step cache --------------------------------------------------------------------
    step_cache: StepCacheStats | None = None
    # -- generated sound track (families whose pipeline makes one, e.g. LTX-2) ----------
    audio: AudioTrack | None = None


class ProgressSink(Protocol):
    """How a running generation reports, and learns it should stop.

    Implemented by the jobs layer; the engine calls it from the worker thread.
    """

    def phase(self, phase: Phase, message: str = "") -> None: ...

    def progress(self, step: int, total_steps: int) -> None: ...

    def preview(self, images: Sequence[Any], frame_indices: Sequence[int], step: int) -> None:
        """``images``: one uint8 RGB numpy array per keyframe."""

    def is_canceled(self) -> bool: ...


@runtime_checkable
class SegmentSink(Protocol):
    """A ``ProgressSink`` that also shows finished sections of a clip made section by section (long video).

    Optional: the engine calls ``segment`` only on sinks that have it.
    """

    def segment(self, frames: Any, index: int, total: int, fps: int) -> None:
        """``frames``: uint8 (frames, height, width, 3) of section ``index`` (0-based, in the order finished) of ``total``."""


class KeyframeConditions(BaseModel):
    """Keyframes a model is conditioned on at output frame ``indices`` (keyframe mode's model fill-in).

    Built by the job service from the keyframes it generated and passed to an
    executor's ``run`` beside the request, in memory: no client ever names them.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True, frozen=True)

    frames: object  # np.ndarray uint8 (keyframes, height, width, 3)
    #: the output frame of each keyframe (keyframe i at ``i * keyframe_factor``), ascending.
    indices: tuple[int, ...]
