"""Runs one generation on the worker's device: the only caller of pipelines."""

from __future__ import annotations

import logging
import time

import numpy as np
import torch

from studio.config import Settings
from studio.engine.device import DeviceInfo
from studio.engine.manager import ModelManager
from studio.engine.previews import (
    CleanLatentTracker,
    PreviewProjector,
    keyframe_indices,
    latent_to_video_frame,
)
from studio.engine.registry import ModelRegistry
from studio.errors import JobCanceledError, OutOfMemoryError
from studio.types import GenerationRequest, GenerationResult, Phase, ProgressSink

logger = logging.getLogger(__name__)


def _denoisers(pipeline: object) -> list[torch.nn.Module]:
    found = [getattr(pipeline, name, None) for name in ("transformer", "transformer_2", "unet")]
    return [m for m in found if isinstance(m, torch.nn.Module)]


class _StepObserver:
    """The ``callback_on_step_end`` of one run: progress, previews, cancellation.

    Cancellation is checked at the start of every denoiser call and at the end
    of every step; it raises, so the pipeline never reaches its VAE decode.
    """

    def __init__(self, sink: ProgressSink, tracker: CleanLatentTracker, projector: PreviewProjector,
                 total_steps: int, num_frames: int, guidance_scale: float, preview_every: int, keyframes: int) -> None:  # fmt: skip
        self._sink = sink
        self._tracker = tracker
        self._projector = projector
        self._total = total_steps
        self._guidance = guidance_scale
        self._every = preview_every
        num_latent_frames = (num_frames - 1) // projector.temporal_compression + 1
        self._latent_frames = keyframe_indices(num_latent_frames, keyframes)
        self._video_frames = [
            min(num_frames - 1, latent_to_video_frame(i, projector.temporal_compression)) for i in self._latent_frames
        ]
        self._denoising = False
        self.first_preview_at: float | None = None

    def on_denoiser_call(self, _module, _args, _kwargs):
        if self._sink.is_canceled():
            raise JobCanceledError("canceled")
        if not self._denoising:
            self._denoising = True
            self._sink.phase(Phase.DENOISING, f"denoising, {self._total} steps")
        return None

    def __call__(self, _pipeline, step: int, _timestep, callback_kwargs: dict) -> dict:
        if self._sink.is_canceled():
            raise JobCanceledError("canceled")
        done = step + 1
        self._sink.progress(done, self._total)
        if step % self._every == 0 or done == self._total:
            clean = self._tracker.predict(self._guidance)
            latents = clean if clean is not None else callback_kwargs["latents"]
            images = self._projector.project(latents, self._latent_frames)
            self._sink.preview(images, self._video_frames, done)
            if self.first_preview_at is None:
                self.first_preview_at = time.perf_counter()
        self._tracker.reset()
        if done == self._total:
            self._sink.phase(Phase.DECODING, "decoding frames")
        return {}


class GenerationRunner:
    """Turns a validated ``GenerationRequest`` into frames, reporting to a ``ProgressSink``."""

    def __init__(self, settings: Settings, registry: ModelRegistry, manager: ModelManager, device: DeviceInfo) -> None:
        self._settings = settings
        self._registry = registry
        self._manager = manager
        self._device = device
        #: perf_counter time of the first preview of the last run (for benchmarks).
        self.last_first_preview_at: float | None = None

    def run(self, request: GenerationRequest, seed: int, sink: ProgressSink) -> GenerationResult:
        """Generate the frames of ``request`` with ``seed``.

        Raises:
            JobCanceledError: the sink reported cancellation (no decode happened).
            OutOfMemoryError: the device ran out of memory; idle pipelines were freed.
            StudioError: the model cannot be resolved or loaded.
        """
        try:
            return self._run(request, seed, sink)
        except torch.OutOfMemoryError as exc:
            self._manager.free_idle()
            raise OutOfMemoryError(
                f"out of memory on {self._device.device} generating {request.num_frames} frames at "
                f"{request.width}x{request.height} with {request.model}; try fewer frames, a smaller size, "
                f"or a lower vram budget so the studio offloads"
            ) from exc

    def _run(self, request: GenerationRequest, seed: int, sink: ProgressSink) -> GenerationResult:
        timings: dict[str, float] = {}
        started = time.perf_counter()
        # 1. Resolve the model and its family
        spec = self._registry.resolve(request.model)
        family = self._registry.family(spec)
        # 2. Load (or reuse) the pipeline; it cannot be evicted while we hold it
        sink.phase(Phase.LOADING, f"loading {spec.display_name}")
        with self._manager.use(spec, request.mode.value, on_status=lambda msg: sink.phase(Phase.LOADING, msg)) as pipe:
            timings["load_s"] = time.perf_counter() - started
            # 3. Hook previews, progress and cancellation onto the denoiser and the step callback
            denoisers = _denoisers(pipe)
            num_train = getattr(pipe.scheduler.config, "num_train_timesteps", 1000)
            tracker = CleanLatentTracker(denoisers, family.prediction, num_train)
            observer = _StepObserver(
                sink, tracker, PreviewProjector(family.preview), request.steps, request.num_frames,
                request.guidance_scale, self._settings.preview_every_steps, self._settings.preview_keyframes,
            )  # fmt: skip
            handles = [m.register_forward_pre_hook(observer.on_denoiser_call, with_kwargs=True) for m in denoisers]
            # 4. Encode the prompt, denoise, decode (the pipeline's own numbered steps)
            sink.phase(Phase.ENCODING, "encoding prompt")
            generator = torch.Generator(device="cpu").manual_seed(seed)
            denoise_started = time.perf_counter()
            try:
                output = pipe(  # type: ignore[operator]
                    prompt=request.prompt,
                    negative_prompt=request.negative_prompt or None,
                    height=request.height,
                    width=request.width,
                    num_frames=request.num_frames,
                    num_inference_steps=request.steps,
                    guidance_scale=request.guidance_scale,
                    generator=generator,
                    output_type="np",
                    callback_on_step_end=observer,
                    callback_on_step_end_tensor_inputs=["latents"],
                    **family.call_kwargs,
                )
            finally:
                tracker.close()
                for handle in handles:
                    handle.remove()
            timings["generate_s"] = time.perf_counter() - denoise_started
        self.last_first_preview_at = observer.first_preview_at
        # 5. Frames as uint8 (frames, height, width, 3)
        frames = (np.clip(output.frames[0], 0.0, 1.0) * 255.0).round().astype(np.uint8)
        return GenerationResult(
            frames=frames, fps=request.fps, seed=seed, width=frames.shape[2], height=frames.shape[1],
            num_frames=frames.shape[0], model_key=spec.key, model_source=self._manager.source_path(spec),
            model_revision=spec.revision, timings_s=timings,
        )  # fmt: skip
